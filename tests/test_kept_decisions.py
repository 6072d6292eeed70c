"""The decisions kept from run to run: a night of cases alone, by the model the kept scores
were weighed by, decides again only the cases it touches (new ones, changed rows, and the
cases whose links theirs can put in doubt) and writes what deciding every case writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from exitmatch import reconcile
from exitmatch.contract.codes import Source, WarrantStatus
from exitmatch.contract.outputs import RunReport
from exitmatch.output.results import (
    ALERTS_FILE,
    CLOSURES_FILE,
    EARLY_FILE,
    PAIRS_FILE,
    WARRANTS_FILE,
)
from exitmatch.reconcile import run_reconcile
from exitmatch.score.model import MatchModel
from exitmatch.settings import Settings
from exitmatch.store.decided import DECIDED_BY, Scope
from exitmatch.store.store import Store
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate

FILES = (CLOSURES_FILE, WARRANTS_FILE, ALERTS_FILE, EARLY_FILE, PAIRS_FILE)
LATE_CASES = 40


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic files, the inventory without its last cases (``early.csv``), and what
    night 1 alone proposes for them (``night1``)."""
    data = tmp_path_factory.mktemp("data")
    generate(SynthConfig(subjects=300, travellers=6000, seed=33), data)
    inventory = pl.read_csv(data / "inventory.csv", infer_schema=False)
    inventory.head(inventory.height - LATE_CASES).write_csv(data / "early.csv")
    records = {s: [data / f"{s.value}.csv"] for s in Source if s is not Source.INVENTORY}
    run_reconcile({Source.INVENTORY: [data / "early.csv"], **records}, data / "night1", Settings())
    return data


def _closures(out: Path) -> pl.DataFrame:
    return pl.read_csv(out / "closure_candidates.csv", infer_schema=False)


def _two_nights(
    data: Path, out: Path, night1: Path, night2: Path, *, decide_every: bool
) -> RunReport:
    """Night 1: every record and the inventory ``night1``; night 2: the inventory
    ``night2`` alone, by night 1's model. ``decide_every`` takes from the store, between the two,
    what its kept decisions were decided by, so that night 2 decides every case."""
    records = {s: [data / f"{s.value}.csv"] for s in Source if s is not Source.INVENTORY}
    run_reconcile({Source.INVENTORY: [night1], **records}, out, Settings())
    if decide_every:
        with Store.open(out / "exitmatch.duckdb") as store:
            store.forget_meta(DECIDED_BY)
    model = MatchModel.load(out / "model.json")
    return run_reconcile({Source.INVENTORY: [night2]}, out, Settings(), model)


def _both_ways(
    data: Path, tmp_path: Path, night2: Path, night1: Path | None = None
) -> tuple[RunReport, RunReport]:
    """Night 2 as kept decisions make it and as deciding every case does (night 1 of
    the early cases unless told): the same files."""
    night1 = night1 or data / "early.csv"
    kept = _two_nights(data, tmp_path / "kept", night1, night2, decide_every=False)
    every = _two_nights(data, tmp_path / "every", night1, night2, decide_every=True)
    for name in FILES:
        assert (tmp_path / "kept" / name).read_bytes() == (tmp_path / "every" / name).read_bytes()
    assert every.store["decided_cases"] == every.store["cases"]
    return kept, every


def _cases(data: Path) -> pl.DataFrame:
    return pl.read_csv(data / "early.csv", infer_schema=False)


def _with_twin(data: Path) -> tuple[str, pl.DataFrame]:
    """A case night 1 confirms a closure for, and the early cases with that case filed
    again under another person (another UCI): each puts the other's link in doubt."""
    night1 = _closures(data / "night1")
    first = str(night1.filter(pl.col("band") == "confirmed").row(0, named=True)["case_id"])
    cases = _cases(data)
    twin = cases.filter(pl.col("case_id") == first).with_columns(
        case_id=pl.lit(f"{first}-T"), uci=pl.lit("9999999999")
    )
    return first, pl.concat([cases, twin])


def test_new_cases_are_decided_alone_and_the_files_are_those_of_deciding_every_case(
    data: Path, tmp_path: Path
) -> None:
    kept, _ = _both_ways(data, tmp_path, data / "inventory.csv")
    assert LATE_CASES <= int(str(kept.store["decided_cases"])) < int(str(kept.store["cases"]))


def test_another_persons_case_on_the_same_departure_puts_the_kept_closure_in_doubt(
    data: Path, tmp_path: Path
) -> None:
    # The twin is new on night 2, and the kept closure is decided again beside it.
    first, with_twin = _with_twin(data)
    with_twin.write_csv(tmp_path / "twin.csv")
    kept, _ = _both_ways(data, tmp_path, tmp_path / "twin.csv")
    assert int(str(kept.store["decided_cases"])) < int(str(kept.store["cases"]))
    now = _closures(tmp_path / "kept").filter(pl.col("case_id") == first).row(0, named=True)
    assert now["band"] != "confirmed"
    assert f"{first}-T" in now["evidence"]


def test_a_warrant_executed_since_leaves_the_cancellation_list(data: Path, tmp_path: Path) -> None:
    # Only the warrant's status changes: nothing the matcher compares, so no pair is
    # weighed again, and the case is decided again by its row alone.
    warrants = pl.read_csv(data / "night1" / "warrant_cancellations.csv", infer_schema=False)
    case_id = warrants.row(0, named=True)["case_id"]
    cases = _cases(data).with_columns(
        warrant_status=pl.when(pl.col("case_id") == case_id)
        .then(pl.lit(WarrantStatus.EXECUTED.value))
        .otherwise(pl.col("warrant_status"))
    )
    cases.write_csv(tmp_path / "executed.csv")
    kept, _ = _both_ways(data, tmp_path, tmp_path / "executed.csv")
    assert kept.store["new_or_changed_cases"] == 0
    assert kept.store["weighed_pairs"] == 0
    assert 1 <= int(str(kept.store["decided_cases"])) < int(str(kept.store["cases"]))
    after = pl.read_csv(tmp_path / "kept" / "warrant_cancellations.csv", infer_schema=False)
    assert case_id not in after["case_id"].to_list()
    assert after.height == warrants.height - 1


def test_a_case_decided_again_is_judged_against_the_links_of_cases_that_are_not(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A confirmed case and its twin under another person are both in the history, each
    # in doubt by the other. Night 2 changes the first case's row alone, and decides it
    # without its twin: its doubt comes from the twin's kept link, read beside it.
    first, with_twin = _with_twin(data)
    with_twin.write_csv(tmp_path / "twins.csv")
    changed = with_twin.with_columns(
        region=pl.when(pl.col("case_id") == first).then(pl.lit("Prairies")).otherwise("region")
    )
    changed.write_csv(tmp_path / "moved.csv")
    real = reconcile.scope

    def without_the_twin(*args: Any, **kwargs: Any) -> Scope:
        found = real(*args, **kwargs)
        if found.case_ids is None:
            return found
        return Scope(found.case_ids.filter(found.case_ids != f"{first}-T"), found.digests)

    monkeypatch.setattr(reconcile, "scope", without_the_twin)
    kept, _ = _both_ways(data, tmp_path, tmp_path / "moved.csv", tmp_path / "twins.csv")
    assert kept.store["decided_cases"] == 1
    now = _closures(tmp_path / "kept").filter(pl.col("case_id") == first).row(0, named=True)
    assert now["band"] != "confirmed"
    assert now["region"] == "Prairies" and f"{first}-T" in now["evidence"]


def test_a_kept_closure_is_clear_again_once_its_rivals_identity_changes(
    data: Path, tmp_path: Path
) -> None:
    # Night 1 holds the case and its twin, each in doubt; night 2 corrects the twin's
    # identity to another person's. Its links before the change were what put the first
    # case in doubt, so the first is decided again, and confirmed.
    first, with_twin = _with_twin(data)
    with_twin.write_csv(tmp_path / "twins.csv")
    twin = pl.col("case_id") == f"{first}-T"
    corrected = with_twin.with_columns(
        surname=pl.when(twin).then(pl.lit("QUIRINO-ABERNATHY")).otherwise("surname"),
        given_names=pl.when(twin).then(pl.lit("EUSTACE")).otherwise("given_names"),
        date_of_birth=pl.when(twin).then(pl.lit("1931-02-03")).otherwise("date_of_birth"),
        documents=pl.when(twin).then(pl.lit(None)).otherwise("documents"),
    )
    corrected.write_csv(tmp_path / "corrected.csv")
    kept, _ = _both_ways(data, tmp_path, tmp_path / "corrected.csv", tmp_path / "twins.csv")
    assert kept.store["new_or_changed_cases"] == 1
    assert 2 <= int(str(kept.store["decided_cases"])) < int(str(kept.store["cases"]))
    now = _closures(tmp_path / "kept").filter(pl.col("case_id") == first).row(0, named=True)
    assert now["band"] == "confirmed"


def test_a_night_of_records_by_the_same_model_decides_every_case(
    data: Path, tmp_path: Path
) -> None:
    # New records change the term frequencies, so no kept score stands, whatever the
    # model: every case is decided again, as the kept decisions would say nothing.
    def nights(out: Path, *, decide_every: bool) -> RunReport:
        run_reconcile(
            {Source.INVENTORY: [data / "inventory.csv"], Source.LAND: [data / "land.csv"]},
            out,
            Settings(),
        )
        if decide_every:
            with Store.open(out / "exitmatch.duckdb") as store:
                store.forget_meta(DECIDED_BY)
        model = MatchModel.load(out / "model.json")
        later = {Source.AIR: [data / "air.csv"], Source.ENTRIES: [data / "entries.csv"]}
        return run_reconcile(later, out, Settings(), model)

    kept = nights(tmp_path / "kept", decide_every=False)
    nights(tmp_path / "every", decide_every=True)
    assert kept.store["decided_cases"] == kept.store["cases"]
    for name in FILES:
        assert (tmp_path / "kept" / name).read_bytes() == (tmp_path / "every" / name).read_bytes()
