"""The store across nights: N nights give what one run gives, a file delivered twice
changes nothing, a new case finds an old departure, a killed run converges, and a second
run at once is refused or waits."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from exitmatch import reconcile
from exitmatch.contract.codes import Source
from exitmatch.link import population
from exitmatch.reconcile import run_reconcile
from exitmatch.settings import Settings
from exitmatch.store.comparisons import clear_pass
from exitmatch.store.history import TERM_TABLES
from exitmatch.store.store import Store
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate
from exitmatch.synth.nights import split_into_nights

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
DECISIONS = (
    "closure_candidates.csv",
    "warrant_cancellations.csv",
    "reentry_alerts.csv",
    "early_departures.csv",
)
OUTPUTS = (*DECISIONS, "quarantine.csv", "data_issues.csv", "model.json")

Inputs = dict[Source, list[Path]]


def _together(nights: list[Inputs]) -> Inputs:
    merged: Inputs = {}
    for night in nights:
        for source, paths in night.items():
            merged.setdefault(source, []).extend(paths)
    return merged


def _same_outputs(left: Path, right: Path, names: tuple[str, ...] = OUTPUTS) -> None:
    for name in names:
        assert (left / name).read_bytes() == (right / name).read_bytes(), name


def _same_kept(left: Path, right: Path, *queries: str) -> None:
    """Each query reads the same from the stores of the two output folders."""
    with (
        Store.open(left / "exitmatch.duckdb") as one,
        Store.open(right / "exitmatch.duckdb") as other,
    ):
        for query in queries:
            assert one.frame(query).equals(other.frame(query)), query


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> list[Inputs]:
    data = tmp_path_factory.mktemp("data")
    generate(SynthConfig(subjects=300, travellers=6000, seed=21), data)
    return split_into_nights(data, tmp_path_factory.mktemp("nights"), 3)


@pytest.fixture(scope="module")
def one_run(nights: list[Inputs], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("once")
    run_reconcile(_together(nights), out, Settings())
    return out


def test_n_nights_equal_one_run(nights: list[Inputs], one_run: Path, tmp_path: Path) -> None:
    for night in nights:
        run_reconcile(night, tmp_path, Settings())
    _same_outputs(tmp_path, one_run)


def test_n_nights_equal_one_run_when_common_keys_are_skipped(
    nights: list[Inputs], tmp_path: Path
) -> None:
    # A cap this low skips many one-name keys: how common a key is must be judged on the
    # whole history each night, not on the night's new records (at 1, some key is common
    # only across nights: a night that judged by its own records would keep a pair).
    settings = Settings(block_cap=1)
    run_reconcile(_together(nights), tmp_path / "once", settings)
    for night in nights:
        run_reconcile(night, tmp_path / "nightly", settings)
    _same_outputs(tmp_path / "nightly", tmp_path / "once", (*OUTPUTS, "candidate_pairs.parquet"))
    # The first night into an empty store counts its keys alone; the later ones count them
    # in the store: the same keys are common.
    _same_kept(
        tmp_path / "nightly", tmp_path / "once", 'SELECT "key" FROM common_keys ORDER BY ALL'
    )


def test_a_lower_block_cap_on_a_later_night_counts_the_whole_history_again(
    nights: list[Inputs], tmp_path: Path
) -> None:
    # The store keeps the keys common at the cap it counted with; at another cap a key
    # the night does not add can be common too.
    run_reconcile(_together(nights), tmp_path / "once", Settings(block_cap=2))
    for number, night in enumerate(nights):
        cap = 2 if number == len(nights) - 1 else 200
        run_reconcile(night, tmp_path / "nightly", Settings(block_cap=cap))
    _same_outputs(tmp_path / "nightly", tmp_path / "once", (*OUTPUTS, "candidate_pairs.parquet"))
    _same_kept(
        tmp_path / "nightly", tmp_path / "once", 'SELECT "key" FROM common_keys ORDER BY ALL'
    )


def test_a_later_night_reads_only_the_history_it_needs(
    nights: list[Inputs], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fewer random pairs for u, so that its sample of records is not the whole history.
    settings = Settings(random_pairs=3000)
    run_reconcile(_together(nights), tmp_path / "once", settings)
    for night in nights[:-1]:
        run_reconcile(night, tmp_path / "nightly", settings)
    read: list[int] = []

    def counting_population(cases: pl.DataFrame, records: pl.DataFrame, *rest: Any) -> Any:
        read.append(records.height)
        return population(cases, records, *rest)

    monkeypatch.setattr(reconcile, "population", counting_population)
    report = run_reconcile(nights[-1], tmp_path / "nightly", settings)
    # The largest population holds the night's records and some of the history, not all.
    assert report.store["new_records"] < max(read) < report.store["records"]
    _same_outputs(tmp_path / "nightly", tmp_path / "once", (*OUTPUTS, "candidate_pairs.parquet"))
    # What the run keeps of the history instead of reading it: the same however it
    # arrived (the sample's records by id: their numbers follow arrival).
    kept = [f"SELECT * FROM {table}" for table in TERM_TABLES.values()]
    kept += ['SELECT "key" FROM common_keys', "SELECT kind, record_id FROM u_sample"]
    _same_kept(tmp_path / "nightly", tmp_path / "once", *(f"{q} ORDER BY ALL" for q in kept))


def test_a_sample_drawn_again_from_the_history_has_whole_records(
    nights: list[Inputs], tmp_path: Path
) -> None:
    # Another sample size draws u's records again, from the records table, which keeps
    # no document keys: they are made again, as those of a night's own records are.
    settings = Settings(random_pairs=3000)
    run_reconcile(_together(nights), tmp_path / "once", settings)
    run_reconcile(_together(nights), tmp_path / "again", Settings())
    run_reconcile(_together(nights), tmp_path / "again", settings)  # no new file: a new draw
    query = "SELECT * FROM u_sample ORDER BY ALL"
    _same_kept(tmp_path / "again", tmp_path / "once", query)
    with Store.open(tmp_path / "once" / "exitmatch.duckdb") as store:
        assert store.scalar("SELECT count(*) FROM u_sample WHERE doc_key IS NOT NULL") > 0


def test_records_worked_on_a_slice_at_a_time_give_the_same_run(
    nights: list[Inputs], one_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slices of 500 records: a run's records are normalised, keyed, compared and stored in
    # several parts, and keys that become common with a later part are common for all.
    monkeypatch.setattr(reconcile, "RECORD_SLICE", 500)
    run_reconcile(_together(nights), tmp_path, Settings())
    _same_outputs(tmp_path, one_run, (*OUTPUTS, "candidate_pairs.parquet"))
    _same_kept(tmp_path, one_run, "SELECT seq, key, no_year FROM broad_keys ORDER BY ALL")
    with (
        Store.open(tmp_path / "exitmatch.duckdb") as sliced,
        Store.open(one_run / "exitmatch.duckdb") as whole,
    ):
        # Kept in more runs (a run a slice), the same keys.
        assert sliced.key_runs.every_key().equals(whole.key_runs.every_key())
        assert sliced.scalar("SELECT count(*) FROM key_runs") > 1


def test_a_higher_block_cap_on_a_later_night_re_keys_the_history(
    nights: list[Inputs], one_run: Path, tmp_path: Path
) -> None:
    # Keys common at the lower cap are not at the higher one: the records that carried one
    # were never paired by it, so the history is keyed and compared again.
    for night in nights[:-1]:
        run_reconcile(night, tmp_path, Settings(block_cap=1))
    run_reconcile(nights[-1], tmp_path, Settings())
    _same_outputs(tmp_path, one_run, (*OUTPUTS, "candidate_pairs.parquet"))


def test_slices_of_one_run_lose_the_pairs_of_keys_a_later_slice_makes_common(
    nights: list[Inputs], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At this cap keys become common only as later slices arrive: the pairs an earlier
    # slice found by them must lose that pass, as they would in one unsliced run.
    settings = Settings(block_cap=1)
    run_reconcile(_together(nights), tmp_path / "whole", settings)
    cleared: list[int] = []

    def clearing(store: Store, pairs: pl.DataFrame, bit: int) -> None:
        cleared.append(pairs.height)
        clear_pass(store, pairs, bit)

    monkeypatch.setattr(reconcile, "RECORD_SLICE", 500)
    monkeypatch.setattr(reconcile, "clear_pass", clearing)
    run_reconcile(_together(nights), tmp_path / "sliced", settings)
    assert sum(cleared) > 0  # there were such pairs
    _same_outputs(tmp_path / "sliced", tmp_path / "whole", (*OUTPUTS, "candidate_pairs.parquet"))
    # The kept comparisons are those the unsliced run made.
    _same_kept(tmp_path / "sliced", tmp_path / "whole", "SELECT * FROM vectors ORDER BY ALL")


def test_a_file_delivered_twice_changes_nothing(
    nights: list[Inputs], one_run: Path, tmp_path: Path
) -> None:
    everything = _together(nights)
    run_reconcile(everything, tmp_path, Settings())
    first = {name: (tmp_path / name).read_bytes() for name in OUTPUTS}
    copy = tmp_path / "again"
    copy.mkdir()
    land = shutil.copy(everything[Source.LAND][0], copy / "land-resent.csv")
    report = run_reconcile({Source.LAND: [Path(land)], **everything}, tmp_path, Settings())
    assert report.sources and all(s.read == 0 for s in report.sources)
    assert {name: (tmp_path / name).read_bytes() for name in OUTPUTS} == first
    with Store.open(tmp_path / "exitmatch.duckdb") as store:
        ledger = store.scalar("SELECT count(*) FROM ledger")
    assert ledger == sum(len(paths) for paths in everything.values())


def test_a_new_case_finds_a_departure_from_an_earlier_night(
    nights: list[Inputs], one_run: Path, tmp_path: Path
) -> None:
    late = pl.read_csv(nights[2][Source.INVENTORY][0], infer_schema=False)["case_id"]
    closures = pl.read_csv(one_run / "closure_candidates.csv", infer_schema=False)
    found_late = closures.filter(pl.col("case_id").is_in(late.implode()))
    first_night_land = pl.read_csv(nights[0][Source.LAND][0], infer_schema=False)["record_id"]
    first_night_air = pl.read_csv(nights[0][Source.AIR][0], infer_schema=False)["record_id"]
    old_exits = pl.concat([first_night_land, first_night_air])
    assert found_late.filter(pl.col("exit_record_id").is_in(old_exits.implode())).height > 0
    for night in nights:
        run_reconcile(night, tmp_path, Settings())
    nightly = pl.read_csv(tmp_path / "closure_candidates.csv", infer_schema=False)
    assert nightly.filter(pl.col("case_id").is_in(late.implode())).equals(found_late)


def test_golden_night_over_several_nights_gives_its_expected_outputs(tmp_path: Path) -> None:
    split = split_into_nights(GOLDEN, tmp_path / "in", 3, late_cases=0.3)
    for night in split:
        run_reconcile(night, tmp_path / "out", Settings())
    expected = pl.read_csv(GOLDEN / "expected" / "closure_candidates.csv", infer_schema=False)
    got = pl.read_csv(tmp_path / "out" / "closure_candidates.csv", infer_schema=False)
    limits = pl.read_csv(GOLDEN / "expected" / "band_limits.csv", infer_schema=False)
    got = got.join(limits, on=["case_id", "exit_record_id"], how="anti")
    columns = ["case_id", "exit_source", "exit_record_id", "band"]
    assert got.select(columns).sort("case_id").equals(expected.select(columns).sort("case_id"))
    for name in ("warrant_cancellations", "reentry_alerts"):
        want = pl.read_csv(GOLDEN / "expected" / f"{name}.csv", infer_schema=False)
        have = pl.read_csv(tmp_path / "out" / f"{name}.csv", infer_schema=False)
        keys = ["case_id", "exit_record_id"]
        assert have.select(keys).sort(keys).equals(want.select(keys).sort(keys)), name


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "exitmatch", *args]


def _reconcile_args(inputs: Inputs, out: Path) -> list[str]:
    args = ["reconcile", "--out", str(out)]
    for source, paths in inputs.items():
        for path in paths:
            args += [f"--{source.value}", str(path)]
    return args


def test_a_run_killed_at_any_point_then_rerun_equals_an_uninterrupted_run(
    nights: list[Inputs], one_run: Path, tmp_path: Path
) -> None:
    inputs = _together(nights)
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    for attempt, delay in enumerate((0.3, 1.0, 2.0, 3.5, 5.0)):
        out = tmp_path / f"killed-{attempt}"
        process = subprocess.Popen(
            _cli(*_reconcile_args(inputs, out)),
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        finished = subprocess.run(
            _cli(*_reconcile_args(inputs, out)), env=environment, capture_output=True, text=True
        )
        assert finished.returncode == 0, finished.stderr[-2000:]
        _same_outputs(out, one_run)
        with Store.open(out / "exitmatch.duckdb") as store:
            duplicates = store.scalar(
                "SELECT count(*) FROM (SELECT kind, record_id FROM records "
                "GROUP BY ALL HAVING count(*) > 1)"
            )
        assert duplicates == 0


def test_a_second_run_at_once_is_refused_or_waits(nights: list[Inputs], tmp_path: Path) -> None:
    path = tmp_path / "exitmatch.duckdb"
    holder = Store.open(path)
    try:
        refused = subprocess.run(
            _cli(*_reconcile_args(nights[0], tmp_path)), capture_output=True, text=True
        )
        assert refused.returncode == 1
        assert "another exitmatch run is using this store" in refused.stderr
        waiting = subprocess.Popen(
            _cli(*_reconcile_args(nights[0], tmp_path), "--wait", "60"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting for the store
    finally:
        holder.close()
    _, errors = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, errors[-2000:]
    assert (tmp_path / "closure_candidates.csv").exists()


def test_an_inventory_update_in_a_later_file_wins_as_on_a_later_night(
    nights: list[Inputs], tmp_path: Path
) -> None:
    inputs = _together(nights)
    inventory = pl.read_csv(inputs[Source.INVENTORY][0], infer_schema=False)
    update = inventory.head(5).with_columns(inventory_status=pl.lit("closed"))
    later = tmp_path / "zz-update" / "inventory.csv"
    later.parent.mkdir()
    update.write_csv(later)
    with_update = {**inputs, Source.INVENTORY: [*inputs[Source.INVENTORY], later]}
    run_reconcile(with_update, tmp_path / "once", Settings())
    run_reconcile(inputs, tmp_path / "nightly", Settings())
    run_reconcile({Source.INVENTORY: [later]}, tmp_path / "nightly", Settings())
    _same_outputs(tmp_path / "once", tmp_path / "nightly", DECISIONS)
    got = pl.read_csv(tmp_path / "once" / "closure_candidates.csv", infer_schema=False)
    assert got.join(update.select("case_id"), on="case_id", how="semi").is_empty()


def test_the_same_file_twice_in_one_run_is_read_once(nights: list[Inputs], tmp_path: Path) -> None:
    inputs = _together(nights)
    copy = tmp_path / "copy" / "land-again.csv"
    copy.parent.mkdir()
    shutil.copy(inputs[Source.LAND][0], copy)
    twice = {**inputs, Source.LAND: [*inputs[Source.LAND], copy]}
    report = run_reconcile(twice, tmp_path / "twice", Settings())
    run_reconcile(inputs, tmp_path / "once", Settings())
    _same_outputs(tmp_path / "twice", tmp_path / "once")
    land = next(s for s in report.sources if s.source == "land")
    assert str(copy) not in {f.file for f in land.files}


def test_a_case_without_a_date_of_birth_is_still_matched(
    nights: list[Inputs], tmp_path: Path
) -> None:
    inputs = _together(nights)
    first = tmp_path / "first"
    run_reconcile(inputs, first, Settings())
    confirmed = (
        pl.read_csv(first / "closure_candidates.csv", infer_schema=False)
        .filter(pl.col("band") == "confirmed")["case_id"]
        .head(5)
    )
    frames = [pl.read_csv(p, infer_schema=False) for p in inputs[Source.INVENTORY]]
    undated = pl.concat(frames).with_columns(
        pl.when(pl.col("case_id").is_in(confirmed.implode()))
        .then(None)
        .otherwise(pl.col(c))
        .alias(c)
        for c in ("date_of_birth", "alt_dates_of_birth")
    )
    path = tmp_path / "undated" / "inventory.csv"
    path.parent.mkdir()
    undated.write_csv(path)
    run_reconcile({**inputs, Source.INVENTORY: [path]}, tmp_path / "out", Settings())
    again = pl.read_csv(tmp_path / "out" / "closure_candidates.csv", infer_schema=False)
    assert set(confirmed.to_list()) <= set(again["case_id"].to_list())
