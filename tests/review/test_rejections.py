"""A pair an officer rejected is not proposed again by the nightly run, unless new
evidence arrives: a new record compared with the case, or a changed comparison."""

from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from exitmatch.contract.codes import Source
from exitmatch.reconcile import STORE_FILE, run_reconcile
from exitmatch.review.accounts import get_user
from exitmatch.review.decisions import Action, decide
from exitmatch.review.queue import item
from exitmatch.score.model import MatchModel
from exitmatch.settings import Settings
from exitmatch.store.decided import DECIDED_BY
from exitmatch.store.rejections import standing_rejections
from exitmatch.store.store import Store

from .conftest import GOLDEN, golden_inputs

CASE = "RC-0116"  # a confirmed land departure in the golden night


def _reject(db: Path) -> tuple[str, str]:
    with Store.open(db) as store:
        queued = item(store, CASE)
        assert queued is not None and queued["exit_source"] == "land"
        officer = get_user(store, "olivia")
        assert officer is not None
        decide(store, officer, CASE, Action.REJECT, 0, "different_person", "seen in Winnipeg")
    return str(queued["exit_source"]), str(queued["exit_record_id"])


def _proposed(out: Path) -> dict[str, str]:
    closures = pl.read_csv(out / "closure_candidates.csv", infer_schema=False)
    return dict(closures.select("case_id", "exit_record_id").rows())


def test_a_rejected_pair_is_not_proposed_again_by_the_next_run(review_dir: Path, db: Path) -> None:
    _, record_id = _reject(db)
    assert _proposed(review_dir)[CASE] == record_id
    run_reconcile(golden_inputs(), review_dir, Settings())
    assert _proposed(review_dir).get(CASE) != record_id
    with Store.open(db) as store:
        queued = item(store, CASE)
        assert queued is None or queued["exit_record_id"] != record_id
        # Other candidates are untouched.
        assert item(store, "RC-0101") is not None


def test_a_new_record_for_the_case_brings_the_pair_back(
    review_dir: Path, db: Path, tmp_path: Path
) -> None:
    _, record_id = _reject(db)
    run_reconcile(golden_inputs(), review_dir, Settings())
    assert _proposed(review_dir).get(CASE) != record_id
    # The same traveller crosses again a day later: a new record compared with the case.
    with (GOLDEN / "land.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    again = dict(next(r for r in rows if r["record_id"] == record_id))
    crossed = datetime.fromisoformat(again["crossed_at"]) + timedelta(days=1)
    again.update(record_id="L000000001", crossed_at=crossed.isoformat())
    delivery = tmp_path / "land-next.csv"
    with delivery.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(again))
        writer.writeheader()
        writer.writerow(again)
    run_reconcile({Source.LAND: [delivery]}, review_dir, Settings())
    # The earlier departure of equal weight is the one proposed, and it is open again.
    assert _proposed(review_dir)[CASE] == record_id
    with Store.open(db) as store:
        queued = item(store, CASE)
        assert queued is not None
        assert (queued["exit_record_id"], queued["state"]) == (record_id, "open")
        assert standing_rejections(store).is_empty()


def test_a_changed_comparison_ends_the_rejection(db: Path) -> None:
    kind, record_id = _reject(db)
    with Store.open(db) as store:
        assert standing_rejections(store).rows() == [(CASE, kind, record_id)]
        store.connection.execute(
            "UPDATE vectors SET g_nationality = 2 WHERE case_id = ? AND record_id = ?",
            [CASE, record_id],
        )
        assert standing_rejections(store).is_empty()


def test_a_night_of_cases_alone_decides_the_rejected_case_again(
    review_dir: Path, db: Path, tmp_path: Path
) -> None:
    # The same inventory again (another file, so it is read), by the kept model: no case
    # changed, so only the case whose standing rejections did is decided again.
    _, record_id = _reject(db)
    again = tmp_path / "inventory_again.csv"
    again.write_bytes((GOLDEN / "inventory.csv").read_bytes() + b"\n")
    every = tmp_path / "every"
    shutil.copytree(review_dir, every)
    with Store.open(every / STORE_FILE) as store:
        store.forget_meta(DECIDED_BY)  # decide every case, for comparison
    model = MatchModel.load(review_dir / "model.json")
    kept = run_reconcile({Source.INVENTORY: [again]}, review_dir, Settings(), model)
    run_reconcile({Source.INVENTORY: [again]}, every, Settings(), model)
    assert kept.store["weighed_pairs"] == 0
    assert 1 <= int(str(kept.store["decided_cases"])) < int(str(kept.store["cases"]))
    assert _proposed(review_dir).get(CASE) != record_id
    for name in (
        "closure_candidates.csv",
        "warrant_cancellations.csv",
        "reentry_alerts.csv",
        "early_departures.csv",
        "candidate_pairs.parquet",
    ):
        assert (review_dir / name).read_bytes() == (every / name).read_bytes()
