"""The inbox watcher: complete files are reconciled and moved; files still being written
wait; what it produces equals a reconcile run over the same files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exitmatch.contract.codes import Source
from exitmatch.reconcile import run_reconcile
from exitmatch.settings import Settings
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate
from exitmatch.watch import PROCESSED, Batch, inbox_folders, watch


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("data")
    generate(SynthConfig(subjects=200, travellers=3000, seed=8), folder)
    return folder


def test_files_dropped_in_the_inbox_are_reconciled_and_moved(data: Path, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    folders = inbox_folders(inbox)
    for source in (Source.INVENTORY, Source.LAND, Source.AIR):
        shutil.copy(data / f"{source.value}.csv", folders[source] / f"{source.value}.csv")
    # Still being written (write-then-rename): must be left alone.
    shutil.copy(data / "entries.csv", folders[Source.ENTRIES] / "entries.csv.part")
    seen: list[Batch] = []
    batches = watch(inbox, out, Settings(), interval_s=0.2, max_batches=1, on_batch=seen.append)
    assert len(batches) == 1 and seen == batches
    assert batches[0].latency_s > 0
    assert (out / "closure_candidates.csv").stat().st_size > 0
    assert (folders[Source.ENTRIES] / "entries.csv.part").exists()
    assert sorted(p.name for p in (inbox / PROCESSED / "land").iterdir()) == ["1-land.csv"]

    expected = tmp_path / "expected"
    run_reconcile(
        {s: [data / f"{s.value}.csv"] for s in (Source.INVENTORY, Source.LAND, Source.AIR)},
        expected,
        Settings(),
    )
    for name in ("closure_candidates.csv", "warrant_cancellations.csv", "early_departures.csv"):
        assert (out / name).read_bytes() == (expected / name).read_bytes(), name


def test_a_file_seen_again_after_a_crash_changes_nothing(data: Path, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    folders = inbox_folders(inbox)
    for source in (Source.INVENTORY, Source.LAND):
        shutil.copy(data / f"{source.value}.csv", folders[source] / f"{source.value}.csv")
    watch(inbox, out, Settings(), interval_s=0.2, once=True)
    before = (out / "closure_candidates.csv").read_bytes()
    # As if killed after the run but before the move: the same file lands again.
    shutil.copy(data / "land.csv", folders[Source.LAND] / "land.csv")
    batches = watch(inbox, out, Settings(), interval_s=0.2, once=True)
    assert len(batches) == 1
    assert all(source.read == 0 for source in batches[0].report.sources)
    assert (out / "closure_candidates.csv").read_bytes() == before


def test_a_failing_batch_is_reported_and_its_files_wait(data: Path, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    folders = inbox_folders(inbox)
    shutil.copy(data / "land.csv", folders[Source.LAND] / "land.csv")
    errors: list[Exception] = []
    batches = watch(inbox, out, Settings(), interval_s=0.1, once=True, on_error=errors.append)
    assert batches == [] and len(errors) == 1
    assert "no removal cases" in str(errors[0])
    assert (folders[Source.LAND] / "land.csv").exists()  # waits for the inventory
    shutil.copy(data / "inventory.csv", folders[Source.INVENTORY] / "inventory.csv")
    batches = watch(inbox, out, Settings(), interval_s=0.1, once=True, on_error=errors.append)
    assert len(batches) == 1 and len(errors) == 1
    # A sender reusing a name does not overwrite an earlier delivery.
    shutil.copy(data / "air.csv", folders[Source.LAND] / "land.csv")
    watch(inbox, out, Settings(), interval_s=0.1, once=True, on_error=errors.append)
    assert len(list((inbox / PROCESSED / "land").iterdir())) == 2
