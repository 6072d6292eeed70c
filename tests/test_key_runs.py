"""The blocking keys' sorted runs: a search finds every kept key it asks for, however the
runs were written and merged, and a night that fails leaves the runs as they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from exitmatch.store import key_runs, run_reads
from exitmatch.store.store import Store


def _keys(first_seq: int, records: int, seed: int) -> pl.DataFrame:
    """Keys of ``records`` records numbered from ``first_seq``: a few each, drawn from a
    small set of values so that records share keys within and across runs."""
    rng = np.random.default_rng(seed)
    size = records * 3
    return pl.DataFrame(
        {
            "seq": rng.integers(first_seq, first_seq + records, size),
            "pass_bit": rng.choice([1, 2, 16], size).astype(np.uint8),
            "key": rng.integers(0, 2**64 - 1, 50, dtype=np.uint64, endpoint=True)[
                rng.integers(0, 50, size)
            ],
            "no_year": rng.random(size) < 0.2,
        },
        schema=key_runs.FOUND_SCHEMA,
    ).unique(["seq", "pass_bit", "key"], keep="first", maintain_order=True)


def _store(tmp_path: Path, where: str) -> Store:
    return Store.open(":memory:" if where == "memory" else tmp_path / "s.duckdb")


@pytest.fixture
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs of a few hundred keys merge four at a time, a hundred keys held at a time.
    monkeypatch.setattr(key_runs, "SMALLEST_TIER", 100)
    monkeypatch.setattr(key_runs, "MERGE_CHUNK", 100)
    monkeypatch.setattr(key_runs, "LARGEST_RUN", 10_000)
    # Fences every few keys: a key's entries span several.
    monkeypatch.setattr(run_reads, "FENCE_EVERY", 4)


@pytest.mark.parametrize("where", ["memory", "files"])
def test_a_search_finds_every_kept_key_equal_to_one_sought(
    tmp_path: Path, where: str, small_runs: None
) -> None:
    written = [_keys(1 + 200 * night, 200, night) for night in range(23)]
    with _store(tmp_path, where) as store:
        for keys in written:
            store.key_runs.write(keys)
        store.key_runs.compact()
        every = pl.concat(written).sort("seq", "pass_bit", "key")
        sought = pl.concat([every["key"].head(7), pl.Series([0, 5], dtype=pl.UInt64)])
        expected = every.filter(pl.col("key").is_in(sought.implode()))
        assert store.key_runs.find(sought).equals(expected)
        assert store.key_runs.every_key().equals(every)
        assert store.key_runs.count() == every.height
        # Merged as they came: far fewer runs than writes.
        assert store.scalar("SELECT count(*) FROM key_runs") < 10


def test_runs_of_about_the_same_size_are_merged_eight_at_a_time(
    tmp_path: Path, small_runs: None
) -> None:
    folder = tmp_path / "s.duckdb.keys"
    with _store(tmp_path, "files") as store:
        for night in range(7):
            store.key_runs.write(_keys(1 + 200 * night, 200, night))
        store.key_runs.compact()
        assert store.scalar("SELECT count(*) FROM key_runs") == 7
        store.key_runs.write(_keys(1401, 200, 7))
        store.key_runs.compact()
        (name,) = store.frame("SELECT name FROM key_runs")["name"]
        # The merged runs' files are gone.
        files = sorted(p.name for p in folder.iterdir())
        assert files == sorted(
            [f"{name}.{column}.npy" for column in key_runs.COLUMNS]
            + [f"{name}.fence-{run_reads.FENCE_EVERY}.npy"]
        )


def test_a_merge_that_fails_leaves_the_runs_as_they_were(
    tmp_path: Path, small_runs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = [_keys(1 + 200 * night, 200, night) for night in range(8)]
    with _store(tmp_path, "files") as store:
        for keys in written:
            store.key_runs.write(keys)
        before = store.key_runs.every_key()

        def fails(*args: object, **kwargs: object) -> None:
            raise OSError("no space left on device")

        monkeypatch.setattr(key_runs.KeyRuns, "_list", fails)
        with pytest.raises(OSError, match="no space"):
            store.key_runs.compact()
        assert store.scalar("SELECT count(*) FROM key_runs") == 8
        assert store.key_runs.every_key().equals(before)
        assert len(list((tmp_path / "s.duckdb.keys").iterdir())) == 8 * (len(key_runs.COLUMNS) + 1)


def test_a_night_that_fails_leaves_the_runs_as_they_were(tmp_path: Path) -> None:
    kept = _keys(1, 300, 1)
    with _store(tmp_path, "files") as store:
        store.key_runs.write(kept)
        with pytest.raises(RuntimeError), store.transaction():
            store.key_runs.forget()
            store.key_runs.write(_keys(1, 300, 2))  # the same first record, other keys
            raise RuntimeError("the night fails")
        assert store.key_runs.every_key().equals(kept.sort("seq", "pass_bit", "key"))
        assert len(list((tmp_path / "s.duckdb.keys").iterdir())) == len(key_runs.COLUMNS) + 1
    with _store(tmp_path, "files") as store:
        assert store.key_runs.every_key().equals(kept.sort("seq", "pass_bit", "key"))
    assert len(list((tmp_path / "s.duckdb.keys").iterdir())) == len(key_runs.COLUMNS) + 1


def test_a_run_kept_without_fences_is_searched_the_same(tmp_path: Path, small_runs: None) -> None:
    written = [_keys(1 + 200 * night, 200, night) for night in range(3)]
    sought = pl.Series([*written[1]["key"].head(5), 0, 2**64 - 1], dtype=pl.UInt64)
    with _store(tmp_path, "files") as store:
        for keys in written:
            store.key_runs.write(keys)
        found = store.key_runs.find(sought)
        fences = sorted((tmp_path / "s.duckdb.keys").glob("*.fence-*.npy"))
        assert len(fences) == 3
        for path in fences:
            path.unlink()
        # Made again from the keys, as for a store whose runs came before fences.
        assert store.key_runs.find(sought).equals(found)
        assert sorted((tmp_path / "s.duckdb.keys").glob("*.fence-*.npy")) == fences
        every = pl.concat(written)
        assert found.height == every.filter(pl.col("key").is_in(sought.implode())).height > 0
