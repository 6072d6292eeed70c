"""The scores kept from run to run: a night of cases alone, weighed by the model the
kept scores were weighed by, weighs again only its cases' pairs and writes what weighing
every pair writes, and without the records drawn for u it writes the same; a night with
another model weighs every pair, and one whose cases did not change weighs none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from exitmatch import reconcile
from exitmatch.contract.codes import Source
from exitmatch.contract.outputs import RunReport
from exitmatch.reconcile import run_reconcile
from exitmatch.score.model import MatchModel
from exitmatch.score.stored import SCORED, SCORED_BY
from exitmatch.settings import Settings
from exitmatch.store.store import Store
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate

FILES = (
    "closure_candidates.csv",
    "warrant_cancellations.csv",
    "reentry_alerts.csv",
    "early_departures.csv",
    "candidate_pairs.parquet",
)
LATE_CASES = 60


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic files, and the inventory without its last cases (``early.csv``)."""
    data = tmp_path_factory.mktemp("data")
    generate(SynthConfig(subjects=300, travellers=6000, seed=21), data)
    inventory = pl.read_csv(data / "inventory.csv", infer_schema=False)
    inventory.head(inventory.height - LATE_CASES).write_csv(data / "early.csv")
    return data


def _history_then_cases(data: Path, out: Path, *, forget_scores: bool = False) -> RunReport:
    """Night 1: every record, and the cases but the last; night 2: the whole inventory
    alone, weighed by night 1's model. ``forget_scores`` takes from the store, between
    the two, which model its scores were weighed by. Returns night 2's report."""
    records = {s: [data / f"{s.value}.csv"] for s in Source if s is not Source.INVENTORY}
    run_reconcile({Source.INVENTORY: [data / "early.csv"], **records}, out, Settings())
    if forget_scores:
        with Store.open(out / "exitmatch.duckdb") as store:
            store.forget_meta(SCORED_BY)
    model = MatchModel.load(out / "model.json")
    inventory = {Source.INVENTORY: [data / "inventory.csv"]}
    return run_reconcile(inventory, out, Settings(), model)


def test_a_night_of_cases_alone_weighs_only_their_pairs_and_writes_the_same(
    data: Path, tmp_path: Path
) -> None:
    kept = _history_then_cases(data, tmp_path / "kept")
    every = _history_then_cases(data, tmp_path / "every", forget_scores=True)
    assert kept.store["new_or_changed_cases"] == LATE_CASES
    assert 0 < int(str(kept.store["weighed_pairs"])) < int(str(kept.store["compared_pairs"]))
    assert every.store["weighed_pairs"] == every.store["compared_pairs"]
    assert kept.store["compared_pairs"] == every.store["compared_pairs"]
    for name in FILES:
        assert (tmp_path / "kept" / name).read_bytes() == (tmp_path / "every" / name).read_bytes()
    query = f"SELECT * FROM {SCORED} ORDER BY case_id, seq"
    with (
        Store.open(tmp_path / "kept" / "exitmatch.duckdb") as one,
        Store.open(tmp_path / "every" / "exitmatch.duckdb") as other,
    ):
        assert one.frame(query).equals(other.frame(query))


def test_a_night_of_cases_with_another_model_weighs_every_pair(data: Path, tmp_path: Path) -> None:
    records = {s: [data / f"{s.value}.csv"] for s in Source if s is not Source.INVENTORY}
    first = run_reconcile({Source.INVENTORY: [data / "early.csv"], **records}, tmp_path, Settings())
    # Retrained on the new cases' pairs too, the model is another.
    second = run_reconcile({Source.INVENTORY: [data / "inventory.csv"]}, tmp_path, Settings())
    assert second.model_fingerprint != first.model_fingerprint
    assert second.store["weighed_pairs"] == second.store["compared_pairs"]


def test_a_night_by_a_given_model_needs_no_record_drawn_for_u(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history_then_cases(data, tmp_path / "unread")
    # The same nights, reading the records drawn for u as a night that trains does.
    real = reconcile._receive

    def reading_them(*args: Any, training: bool) -> reconcile.Received:
        return real(*args, training=True)

    monkeypatch.setattr(reconcile, "_receive", reading_them)
    _history_then_cases(data, tmp_path / "read")
    for name in FILES:
        assert (tmp_path / "unread" / name).read_bytes() == (tmp_path / "read" / name).read_bytes()


def test_a_night_of_unchanged_cases_by_the_model_weighs_nothing(data: Path, tmp_path: Path) -> None:
    records = {s: [data / f"{s.value}.csv"] for s in Source if s is not Source.INVENTORY}
    first = run_reconcile(
        {Source.INVENTORY: [data / "inventory.csv"], **records}, tmp_path, Settings()
    )
    # The same inventory again (another file, so it is read): no case changed, none found.
    again = data / "inventory_again.csv"
    again.write_bytes((data / "inventory.csv").read_bytes() + b"\n")
    model = MatchModel.load(tmp_path / "model.json")
    second = run_reconcile({Source.INVENTORY: [again]}, tmp_path, Settings(), model)
    assert second.store["new_or_changed_cases"] == 0
    assert second.store["weighed_pairs"] == 0
    assert second.store["compared_pairs"] == first.store["compared_pairs"]
