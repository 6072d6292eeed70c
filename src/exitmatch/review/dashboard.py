"""The dashboard's figures, computed from the store: the backlog, decisions per day,
score distributions per band, candidates and confirmed departures over time, and the
agency's own indicators (removals confirmed by fiscal year and priority, median days
from enforceable to departure, voluntary departures).

Fiscal years are the Government of Canada's: 1 April to 31 March (``2024-25``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from exitmatch.review import charts
from exitmatch.review.queue import ITEMS, STATES
from exitmatch.store.store import Store

_TO_WORK = ", ".join(f"'{s}'" for s in STATES["to_work"])


@dataclass(frozen=True)
class Dashboard:
    totals: dict[str, int]
    charts: dict[str, Markup]
    histograms: list[tuple[str, Markup]]
    fiscal: list[dict[str, Any]]
    fiscal_priorities: list[str]
    medians: list[dict[str, Any]]
    voluntary: list[dict[str, Any]]


def _pairs(store: Store, sql: str) -> list[tuple[str, float]]:
    rows = store.connection.execute(sql).fetchall()
    return [(str(label).replace("_", " "), float(value)) for label, value in rows]


def _fiscal_year(column: str) -> str:
    year = f"(year({column}) - CASE WHEN month({column}) < 4 THEN 1 ELSE 0 END)"
    return f"concat({year}, '-', lpad(CAST(({year} + 1) % 100 AS TEXT), 2, '0'))"


def build(store: Store) -> Dashboard:
    backlog = f"SELECT * FROM ({ITEMS}) q WHERE state IN ({_TO_WORK})"
    by_band = _pairs(
        store,
        f"SELECT band, count(*) FROM ({backlog}) b GROUP BY band, band_rank ORDER BY band_rank",
    )
    by_region = _pairs(
        store,
        f"SELECT coalesce(region, '(none)'), count(*) FROM ({backlog}) b GROUP BY 1 "
        "ORDER BY 2 DESC, 1",
    )
    by_priority = _pairs(
        store,
        f"SELECT priority, count(*) FROM ({backlog}) b GROUP BY priority, priority_rank "
        "ORDER BY priority_rank",
    )
    per_day = store.connection.execute(
        'SELECT CAST("at" AT TIME ZONE \'UTC\' AS DATE) AS day, "action", count(*) '
        "FROM audit WHERE entity = 'review' GROUP BY ALL ORDER BY day"
    ).fetchall()
    days = sorted({str(d) for d, _, _ in per_day})[-30:]
    actions = ("accept", "approve", "reject", "defer", "return", "acknowledge")
    series = [
        (a, [float(sum(n for d, act, n in per_day if str(d) == day and act == a)) for day in days])
        for a in actions
        if any(act == a for _, act, _ in per_day)
    ]
    months = store.connection.execute(
        "SELECT strftime(departed_at AT TIME ZONE 'UTC', '%Y-%m') AS month, count(*) "
        "FROM candidates GROUP BY 1 ORDER BY 1"
    ).fetchall()
    confirmed = dict(
        store.connection.execute(
            "SELECT strftime(departed_at AT TIME ZONE 'UTC', '%Y-%m'), count(*) FROM reviews "
            "WHERE state = 'accepted' GROUP BY 1"
        ).fetchall()
    )
    month_labels = sorted({str(m) for m, _ in months} | {str(m) for m in confirmed})[-36:]
    candidates_by_month = {str(m): n for m, n in months}
    histograms = []
    for band in ("confirmed", "probable", "possible"):
        weights = [
            float(w)
            for (w,) in store.connection.execute(
                "SELECT match_weight FROM candidates WHERE band = ? AND match_weight IS NOT NULL",
                [band],
            ).fetchall()
        ]
        histograms.append(
            (
                f"{band} ({len(weights):,})",
                charts.histogram(weights, -10, 60, f"match weight, {band}", bins=14),
            )
        )
    fiscal_rows = store.frame(
        f"SELECT {_fiscal_year('r.departed_at')} AS fiscal_year, k.priority, count(*) AS n "
        "FROM reviews r JOIN cases k USING (case_id) WHERE r.state = 'accepted' "
        "GROUP BY ALL ORDER BY 1, 2"
    ).to_dicts()
    priorities = sorted({str(r["priority"]) for r in fiscal_rows})
    fiscal: dict[str, dict[str, Any]] = {}
    for row in fiscal_rows:
        entry = fiscal.setdefault(str(row["fiscal_year"]), {"fiscal_year": row["fiscal_year"]})
        entry[str(row["priority"])] = row["n"]
        entry["total"] = entry.get("total", 0) + row["n"]
    medians = store.frame(
        "WITH d AS ("
        " SELECT k.priority, 'confirmed in review' AS basis, "
        "  date_diff('day', k.enforceable_date, CAST(r.departed_at AT TIME ZONE 'UTC' AS DATE))"
        "  AS days FROM reviews r JOIN cases k USING (case_id) "
        "  WHERE r.state = 'accepted' AND k.enforceable_date IS NOT NULL"
        " UNION ALL"
        " SELECT k.priority, 'proposed by the run', "
        "  date_diff('day', k.enforceable_date, CAST(c.departed_at AT TIME ZONE 'UTC' AS DATE))"
        "  FROM candidates c JOIN cases k USING (case_id) WHERE k.enforceable_date IS NOT NULL)"
        "SELECT basis, priority, count(*) AS n, CAST(median(days) AS INTEGER) AS median_days "
        "FROM d GROUP BY ALL ORDER BY basis, priority"
    ).to_dicts()
    voluntary = store.frame(
        "SELECT k.order_type, count(*) AS confirmed, "
        "count(*) FILTER (WHERE k.order_type = 'departure' AND date_diff('day', "
        "k.enforceable_date, CAST(r.departed_at AT TIME ZONE 'UTC' AS DATE)) <= 30) "
        "AS within_30_days "
        "FROM reviews r JOIN cases k USING (case_id) WHERE r.state = 'accepted' "
        "GROUP BY ALL ORDER BY 1"
    ).to_dicts()
    totals = {
        "backlog": int(sum(v for _, v in by_band)),
        "awaiting_approval": int(
            str(store.scalar("SELECT count(*) FROM reviews WHERE state = 'awaiting_approval'"))
        ),
        "accepted": int(str(store.scalar("SELECT count(*) FROM reviews WHERE state = 'accepted'"))),
        "rejected": int(str(store.scalar("SELECT count(*) FROM reviews WHERE state = 'rejected'"))),
    }
    return Dashboard(
        totals=totals,
        charts={
            "band": charts.bars(by_band, "Backlog by band"),
            "region": charts.bars(by_region, "Backlog by region"),
            "priority": charts.bars(by_priority, "Backlog by priority"),
            "per_day": charts.columns(days, series, "Decisions per day"),
            "over_time": charts.columns(
                month_labels,
                [
                    (
                        "candidates (by departure month)",
                        [float(candidates_by_month.get(m, 0)) for m in month_labels],
                    ),
                    ("confirmed departures", [float(confirmed.get(m, 0)) for m in month_labels]),
                ],
                "Candidates and confirmed departures over time",
                width=1100,
            ),
            "fiscal": charts.bars(
                [(str(k), float(v["total"])) for k, v in sorted(fiscal.items())],
                "Removals confirmed by fiscal year",
            ),
        },
        histograms=histograms,
        fiscal=[fiscal[k] for k in sorted(fiscal)],
        fiscal_priorities=priorities,
        medians=medians,
        voluntary=voluntary,
    )
