"""Each pair's best identity: the packed key chooses what an arg_max ordered by (weight,
-name number, -date number) chooses, for every weight, ties, zeros of either sign and
weights outside its exact range included; and a night scored partly or wholly the slow
way writes the same files."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exitmatch.contract.codes import Source
from exitmatch.reconcile import run_reconcile
from exitmatch.score import best
from exitmatch.settings import Settings

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
FILES = (
    "candidate_pairs.parquet",
    "closure_candidates.csv",
    "warrant_cancellations.csv",
    "reentry_alerts.csv",
    "early_departures.csv",
)

# Weights a pair's identities can have: ordinary ones, ties, and the edges of the range.
_EDGES = [0.0, -0.0, 1e-30, -1e-30, 2.0**-24, -(2.0**-24), 2.0**8, 255.99999, -255.99999]
WEIGHTS = st.one_of(
    st.floats(-300, 300, allow_nan=False),
    st.sampled_from([*_EDGES, 3.5, -3.5, 12.25, math.inf, -math.inf, math.nan]),
    st.none(),
)
IDENTITIES = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 3), WEIGHTS), min_size=1, max_size=5
).map(lambda rows: list({(n, d): w for n, d, w in rows}.items()))
PAIRS = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2", "C-long-case-identifier"]),
        st.integers(1, 4),
        st.sampled_from(["exit", "entry"]),
        st.integers(1, 255),
        IDENTITIES,
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda pair: (pair[0], pair[1]),
)


def _chosen(connection: duckdb.DuckDBPyConnection, table: str) -> list[tuple[object, ...]]:
    rows = connection.sql(
        f"SELECT case_id, seq, name_no, dob_no, passes, entry, match_weight, twice FROM {table}"
    ).fetchall()
    # repr tells -0.0 from 0.0 and keeps nan equal to itself.
    return sorted(tuple(repr(value) for value in row) for row in rows)


@settings(max_examples=200, deadline=None)
@given(PAIRS)
def test_packed_key_chooses_as_the_struct_does(pairs: list[tuple]) -> None:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE comparisons (case_id TEXT, seq BIGINT, name_no USMALLINT, "
        "dob_no USMALLINT, kind TEXT, passes UTINYINT, match_weight DOUBLE)"
    )
    rows = [
        (case, seq, name_no, dob_no, kind, passes, weight)
        for case, seq, kind, passes, identities in pairs
        for (name_no, dob_no), weight in identities
    ]
    connection.executemany("INSERT INTO comparisons VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    extra = "match_weight * 2 AS twice"
    best.keep_best(
        connection, "got", "comparisons", lambda s: f"weighed AS (SELECT * FROM {s})", extra
    )
    connection.execute(
        f"CREATE TABLE expected AS SELECT *, {extra} FROM "
        f"({best.best_by_struct('(SELECT * FROM comparisons) AS weighed')})"
    )
    assert _chosen(connection, "got") == _chosen(connection, "expected")


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("packed")
    run_reconcile({source: [GOLDEN / f"{source.value}.csv"] for source in Source}, out, Settings())
    return out


@pytest.mark.parametrize("exact_range", [(35.0, 2.0**8), (2.0**9, 2.0**10)])
def test_a_night_weighed_the_slow_way_writes_the_same_files(
    packed: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    exact_range: tuple[float, float],
) -> None:
    # (35, 256): the pairs weighing under 35 take the struct's way, the rest the key's;
    # (512, 1024): every pair takes the struct's way.
    monkeypatch.setattr(best, "EXACT_RANGE", exact_range)
    run_reconcile({s: [GOLDEN / f"{s.value}.csv"] for s in Source}, tmp_path, Settings())
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (packed / name).read_bytes(), name
    weights = pl.read_parquet(packed / "candidate_pairs.parquet")["match_weight"].abs()
    assert (weights < exact_range[0]).any()
    assert (weights >= 35.0).any()  # the first range leaves these to the key
