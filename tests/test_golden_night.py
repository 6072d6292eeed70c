"""The golden fixture night, reconciled, gives exactly its hand-written expected outputs.

Scoring follows fixtures/golden/README.md: closures agree on the stable columns (the
model's probability, weight and evidence are not compared); the only tolerated extra is a
look-alike listed in band_limits.csv, at or below its band.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from exitmatch.contract.codes import Source
from exitmatch.reconcile import run_reconcile
from exitmatch.settings import Settings

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
EXPECTED = GOLDEN / "expected"
BAND_ORDER = {"confirmed": 0, "probable": 1, "possible": 2}


def _csv(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False).fill_null("")


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    run_reconcile({source: [GOLDEN / f"{source.value}.csv"] for source in Source}, out, Settings())
    return out


def _rows(frame: pl.DataFrame, columns: list[str]) -> list[tuple[str, ...]]:
    return sorted(frame.select(columns).fill_null("").iter_rows())


def test_closure_candidates(night: Path) -> None:
    expected = _csv(EXPECTED / "closure_candidates.csv")
    got = _csv(night / "closure_candidates.csv")
    limits = _csv(EXPECTED / "band_limits.csv")
    keys = ["case_id", "exit_source", "exit_record_id"]
    extra = got.join(expected.select("case_id"), on="case_id", how="anti")
    tolerated = extra.join(limits, on=keys, how="inner").filter(
        pl.col("band").replace_strict(BAND_ORDER) >= pl.col("max_band").replace_strict(BAND_ORDER)
    )
    assert extra.height == tolerated.height, extra.join(tolerated, on=keys, how="anti")
    columns = expected.columns
    assert _rows(got.join(extra, on="case_id", how="anti"), columns) == _rows(expected, columns)


@pytest.mark.parametrize("name", ["warrant_cancellations", "reentry_alerts", "early_departures"])
def test_other_outputs(night: Path, name: str) -> None:
    expected = _csv(EXPECTED / f"{name}.csv")
    got = _csv(night / f"{name}.csv")
    assert _rows(got, expected.columns) == _rows(expected, expected.columns)


def test_quarantine_and_data_issues(night: Path) -> None:
    base = pl.col("file").str.split("/").list.last()
    quarantine = _csv(night / "quarantine.csv").with_columns(base)
    expected = _csv(EXPECTED / "quarantine.csv")
    assert _rows(quarantine, ["source", "file", "row"]) == _rows(
        expected, ["source", "file", "row"]
    )
    joined = quarantine.join(expected, on=["source", "file", "row"])
    for reason, keyword in joined.select("reason", "reason_keyword").iter_rows():
        assert keyword in reason
    issues = _csv(night / "data_issues.csv").with_columns(base)
    columns = ["source", "file", "row", "column", "value"]
    assert _rows(issues, columns) == _rows(_csv(EXPECTED / "data_issues.csv"), columns)


def test_every_candidate_explains_itself(night: Path) -> None:
    got = _csv(night / "closure_candidates.csv")
    for evidence in got["evidence"]:
        assert "surname" in evidence and "DOB" in evidence and "document" in evidence


def test_look_alike_never_cancels_a_warrant(night: Path) -> None:
    limits = _csv(EXPECTED / "band_limits.csv")
    warrants = _csv(night / "warrant_cancellations.csv")
    assert warrants.join(limits, on=["case_id", "exit_record_id"], how="semi").is_empty()
