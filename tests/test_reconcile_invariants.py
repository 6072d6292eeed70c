"""What must hold of any reconcile run: determinism, one confirmed closure per exit,
settings and models that round-trip through JSON, and a saved model that reproduces the
run that trained it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exitmatch.contract.codes import Source
from exitmatch.output.results import MODEL_FILE
from exitmatch.reconcile import run_reconcile
from exitmatch.score.model import MatchModel
from exitmatch.settings import Settings, Thresholds
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.generate import generate

OUTPUTS = (
    "closure_candidates.csv",
    "warrant_cancellations.csv",
    "reentry_alerts.csv",
    "early_departures.csv",
    "quarantine.csv",
    "data_issues.csv",
    MODEL_FILE,
)


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("night")
    generate(SynthConfig(subjects=400, travellers=8000, seed=11), folder)
    return folder


def _inputs(night: Path) -> dict[Source, list[Path]]:
    return {source: [night / f"{source.value}.csv"] for source in Source}


@pytest.fixture(scope="module")
def first_run(night: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first")
    run_reconcile(_inputs(night), out, Settings())
    return out


def test_two_runs_are_byte_identical(night: Path, first_run: Path, tmp_path: Path) -> None:
    run_reconcile(_inputs(night), tmp_path, Settings())
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (first_run / name).read_bytes(), name


def test_a_saved_model_reproduces_its_run(night: Path, first_run: Path, tmp_path: Path) -> None:
    model = MatchModel.load(first_run / MODEL_FILE)
    run_reconcile(_inputs(night), tmp_path, Settings(), model)
    for name in ("closure_candidates.csv", "warrant_cancellations.csv", "reentry_alerts.csv"):
        assert (tmp_path / name).read_bytes() == (first_run / name).read_bytes(), name


def test_no_exit_in_two_confirmed_closures(first_run: Path) -> None:
    closures = pl.read_csv(first_run / "closure_candidates.csv", infer_schema=False)
    confirmed = closures.filter(pl.col("band") == "confirmed")
    assert confirmed.height > 0
    keys = confirmed.select("exit_source", "exit_record_id")
    assert keys.n_unique() == confirmed.height


def test_one_candidate_per_case_and_possible_never_cancels(first_run: Path) -> None:
    closures = pl.read_csv(first_run / "closure_candidates.csv", infer_schema=False)
    assert closures["case_id"].n_unique() == closures.height
    warrants = pl.read_csv(first_run / "warrant_cancellations.csv", infer_schema=False)
    assert set(warrants["band"].to_list()) <= {"confirmed", "probable"}
    alerts = pl.read_csv(first_run / "reentry_alerts.csv", infer_schema=False)
    assert closures.join(alerts, on="case_id", how="semi").is_empty()


def test_model_round_trips_through_json(first_run: Path, tmp_path: Path) -> None:
    model = MatchModel.load(first_run / MODEL_FILE)
    model.save(tmp_path / "again.json")
    again = MatchModel.load(tmp_path / "again.json")
    assert again == model
    assert again.fingerprint() == model.fingerprint()
    # ... and is the model the run trained, by the fingerprint its report gives.
    report = json.loads((first_run / "run_report.json").read_text())
    assert model.fingerprint() == report["model_fingerprint"]


_PROBABILITY = st.floats(0.01, 0.999999, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(_PROBABILITY, min_size=4, max_size=4), st.integers(0, 2**31), st.integers(1, 500))
def test_settings_round_trip_through_json(cuts: list[float], seed: int, cap: int) -> None:
    possible, probable, confirmed, strong = [*sorted(cuts[:3]), cuts[3]]
    chosen = Settings(
        seed=seed,
        block_cap=cap,
        thresholds=Thresholds(
            confirmed=confirmed, probable=probable, possible=possible, strong=strong
        ),
    )
    again = Settings.model_validate_json(chosen.model_dump_json())
    assert again == chosen
    assert again.fingerprint() == chosen.fingerprint()


def test_settings_refuse_unknown_keys_and_disordered_thresholds() -> None:
    with pytest.raises(ValueError):
        Settings.model_validate_json('{"seed": 1, "sede": 2}')
    with pytest.raises(ValueError):
        Thresholds(confirmed=0.5, probable=0.9, possible=0.1)
