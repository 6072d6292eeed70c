"""Dashboard figures from the store: the backlog, fiscal years (April to March), median
days from enforceable to departure, voluntary departures, charts drawn as SVG."""

from __future__ import annotations

from pathlib import Path

from exitmatch.review.accounts import get_user
from exitmatch.review.dashboard import build
from exitmatch.review.decisions import Action, decide
from exitmatch.store.store import Store


def test_indicators_follow_the_decisions(db: Path) -> None:
    with Store.open(db) as store:
        officer, supervisor = get_user(store, "olivia"), get_user(store, "sam")
        assert officer and supervisor
        before = build(store)
        # RC-0116 left 2025-01-11 (fiscal 2024-25, priority other, no warrant);
        # RC-0110 left 2023-07-01 (fiscal 2023-24, serious inadmissibility, warrant).
        decide(store, officer, "RC-0116", Action.ACCEPT, 0)
        decide(store, officer, "RC-0110", Action.ACCEPT, 0)
        decide(store, supervisor, "RC-0110", Action.APPROVE, 1)
        decide(store, officer, "RC-0101", Action.REJECT, 0, "different_person")
        after = build(store)
        gaps = dict(
            store.connection.execute(
                "SELECT case_id, date_diff('day', enforceable_date, "
                "CAST(c.departed_at AT TIME ZONE 'UTC' AS DATE)) "
                "FROM cases JOIN candidates c USING (case_id) "
                "WHERE case_id IN ('RC-0116', 'RC-0110')"
            ).fetchall()
        )
    assert after.totals["backlog"] == before.totals["backlog"] - 3
    assert (after.totals["accepted"], after.totals["rejected"]) == (2, 1)
    assert after.fiscal == [
        {"fiscal_year": "2023-24", "serious_inadmissibility": 1, "total": 1},
        {"fiscal_year": "2024-25", "other": 1, "total": 1},
    ]
    confirmed = {
        m["priority"]: m["median_days"]
        for m in after.medians
        if m["basis"] == "confirmed in review"
    }
    assert confirmed == {"other": gaps["RC-0116"], "serious_inadmissibility": gaps["RC-0110"]}
    assert sum(v["confirmed"] for v in after.voluntary) == 2
    for chart in after.charts.values():
        assert chart.startswith("<svg") and "<script" not in chart
    assert "2024-25" in after.charts["fiscal"]
