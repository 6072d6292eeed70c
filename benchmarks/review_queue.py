"""Server time to page the officer review queue at 10,000 candidates.

Scenario: the golden night is reconciled into a fresh store, then ``--candidates``
closure candidates (default 10,000) are added with their cases, shaped like real ones
(bands, priorities, regions, warrants, departure times and places as a night gives
them), plus 2% re-entry alerts and 10% already decided. A signed-in officer pages the
queue through the app's test client (in process: server time only, no network or
browser). Every request opens the store, reads, writes its audit row and closes, as the
served app does. Warm: each scenario is requested once before timing. Targets, checked
on every scenario (exit status 1 when one is missed): the median and the 95th percentile
under 200 ms, and no request over 500 ms (one slow request in 40 is a pause an officer
notices). Prints one line per scenario and a summary:

    review_queue scenario=S total=N page=P median_ms=M p95_ms=Q max_ms=X
    review_queue worst_median_ms=M worst_p95_ms=Q worst_max_ms=X target_ms=200
        max_target_ms=500 ok=yes
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from exitmatch.contract.codes import Source
from exitmatch.reconcile import STORE_FILE, run_reconcile
from exitmatch.review.accounts import add_user
from exitmatch.review.app import create_app
from exitmatch.settings import Settings
from exitmatch.store.store import Store

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
PASSWORD = "benchmark password"
TARGET_MS = 200.0  # median and 95th percentile
MAX_TARGET_MS = 500.0  # every request

# Synthetic rows in the stored layout: case i gets a priority, region, warrant and band by
# its number, so every filter has matches at every page.
SEED_SQL = """
INSERT INTO cases (case_id, uci, surname, given_names, aliases, date_of_birth, dob_year,
    dob_month, dob_day, alt_dates_of_birth, sex, citizenships, documents, order_type,
    order_date, enforceable_date, inventory_status, priority, warrant_id, warrant_status,
    region, identity_digest, updated_run)
SELECT printf('BQ-%06d', i), printf('%010d', 2000000000 + i),
    (['SMITH', 'NGUYEN', 'GARCIA', 'KOWALSKI', 'OKAFOR', 'HASSAN'])[1 + i % 6],
    (['ANNA', 'MOHAMMED', 'JOSE', 'LI', 'OLGA', 'PETER'])[1 + (i // 6) % 6], [],
    printf('%04d-%02d-%02d', 1950 + i % 50, 1 + i % 12, 1 + i % 28),
    1950 + i % 50, 1 + i % 12, 1 + i % 28, [], (['M', 'F'])[1 + i % 2], ['MEX'],
    [{'type': 'P', 'issuer': 'MEX', 'number': printf('G%08d', i)}],
    (['departure', 'exclusion', 'deportation'])[1 + i % 3],
    DATE '2021-01-01' + INTERVAL (i % 900) DAY, DATE '2021-02-01' + INTERVAL (i % 900) DAY,
    'wanted',
    (['serious_inadmissibility', 'failed_irregular_migrant', 'failed_refugee_claimant',
      'other'])[1 + i % 4],
    CASE WHEN i % 3 = 0 THEN printf('W-%08d', i) END,
    CASE WHEN i % 3 = 0 THEN 'active' END,
    (['Atlantic', 'Quebec', 'Greater Toronto Area', 'Northern Ontario', 'Prairie',
      'Pacific'])[1 + (i // 7) % 6], 'bench', 1
FROM range(?) t(i);
INSERT INTO candidates (case_id, exit_source, exit_record_id, band, match_probability,
    evidence, run_id, departed_at, departure_place, match_weight)
SELECT printf('BQ-%06d', i), (['land', 'air'])[1 + i % 2], printf('BX%08d', i),
    (['confirmed', 'probable', 'probable', 'possible'])[1 + i % 4],
    1 - (i % 1000) / 1e6, 'surname SMITH (same) +8.9', 1,
    TIMESTAMPTZ '2023-01-01 00:00:00+00' + INTERVAL (i * 97 % 1000) DAY
        + INTERVAL (i % 1440) MINUTE,
    (['YYZ AC0856', 'Lacolle QC', 'YVR CX0889', 'Blaine WA'])[1 + i % 4], 20 + i % 25
FROM range(?) t(i) WHERE i % 50 <> 7;
INSERT INTO alerts (case_id, exit_source, exit_record_id, departed_at, entry_record_id,
    entered_at, match_probability, arc_required, arc_reason, run_id)
SELECT printf('BQ-%06d', i), 'air', printf('BX%08d', i),
    TIMESTAMPTZ '2023-01-01 00:00:00+00' + INTERVAL (i % 700) DAY, printf('BE%08d', i),
    TIMESTAMPTZ '2025-01-01 00:00:00+00' + INTERVAL (i % 200) DAY, 0.9999, true,
    'deportation order: authorization to return needed for life', 1
FROM range(?) t(i) WHERE i % 50 = 7;
INSERT INTO reviews (case_id, exit_source, exit_record_id, state, needs_approval,
    proposed_by, proposed_at, version, band, match_probability, departed_at)
SELECT case_id, exit_source, exit_record_id,
    (['accepted', 'rejected', 'deferred', 'awaiting_approval'])
        [1 + CAST(hash(case_id) % 4 AS BIGINT)],
    false, 'olivia', now(), 1, band, match_probability, departed_at
FROM candidates WHERE case_id LIKE 'BQ-%' AND hash(case_id) % 10 = 0;
"""

SCENARIOS = {
    "first_page": "",
    "middle_page": "page={middle}",
    "last_page": "page={last}",
    "filter_region_priority": "region=Pacific&priority=serious_inadmissibility",
    "filter_band_warrant_page2": "band=probable&warrant=with&page=2",
    "filter_dates_all_states": "state=all&date_from=2023-06-01&date_to=2024-06-30&page=3",
}


def build(folder: Path, candidates: int) -> Path:
    run_reconcile({s: [GOLDEN / f"{s.value}.csv"] for s in Source}, folder, Settings())
    db = folder / STORE_FILE
    with Store.open(db) as store:
        for statement in SEED_SQL.strip().split(";\n"):
            parameters = [candidates] if "range(?)" in statement else []
            store.connection.execute(statement, parameters)
        add_user(store, "olivia", PASSWORD, "officer", "benchmark")
        total = store.scalar("SELECT (SELECT count(*) FROM candidates) + count(*) FROM alerts")
    print(f"review_queue store={db} candidates_and_alerts={total}", flush=True)
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = build(Path(tmp), args.candidates)
        app = create_app(db, secret_key="benchmark")
        client = app.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        assert token is not None
        client.post(
            "/login",
            data={"username": "olivia", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        first = client.get("/queue").get_data(as_text=True)
        pages = re.search(r"page 1 of (\d+)", first)
        assert pages is not None, "the queue did not render"
        last = int(pages.group(1))
        worst = {"median": 0.0, "p95": 0.0, "max": 0.0}
        for name, query in SCENARIOS.items():
            url = "/queue?" + query.format(middle=last // 2, last=last)
            assert client.get(url).status_code == 200
            times = []
            for _ in range(args.repeats):
                clock = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - clock) * 1000)
                assert response.status_code == 200
            html = response.get_data(as_text=True)
            total = re.search(r'id="total">([\d,]+)<', html)
            page = re.search(r"page (\d+) of", html)
            figures = summary(times)
            worst = {k: max(worst[k], figures[k]) for k in worst}
            print(
                f"review_queue scenario={name} total={total.group(1) if total else '?'} "
                f"page={page.group(1) if page else '?'} "
                f"median_ms={figures['median']:.1f} p95_ms={figures['p95']:.1f} "
                f"max_ms={figures['max']:.1f}",
                flush=True,
            )
    ok = within_target(worst)
    print(
        f"review_queue worst_median_ms={worst['median']:.1f} worst_p95_ms={worst['p95']:.1f} "
        f"worst_max_ms={worst['max']:.1f} target_ms={TARGET_MS:.0f} "
        f"max_target_ms={MAX_TARGET_MS:.0f} ok={'yes' if ok else 'no'}"
    )
    return 0 if ok else 1


def summary(times: list[float]) -> dict[str, float]:
    """Median, 95th percentile (inclusive method) and maximum of request times."""
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
    return {"median": statistics.median(times), "p95": p95, "max": max(times)}


def within_target(figures: dict[str, float]) -> bool:
    """Whether the median and the 95th percentile are under ``TARGET_MS`` and the
    maximum under ``MAX_TARGET_MS``."""
    return (
        figures["median"] < TARGET_MS
        and figures["p95"] < TARGET_MS
        and figures["max"] < MAX_TARGET_MS
    )


if __name__ == "__main__":
    sys.exit(main())
