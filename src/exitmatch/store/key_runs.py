"""The retained records' blocking keys, kept as sorted runs that a search seeks in.

A case searched against the whole history needs the few records that share one of its
keys among the billions kept: a table scan reads every one of them. A run is the keys of
one slice of a night's records, sorted, so a search finds its keys in each run between
two of the run's fences and reads a page or so per key (``find``, ``run_reads``). A run
is four arrays in files beside the store: the keys in order and, for each, its record's
number (counted from the run's first), its pass and whether it ignores the year of
birth; and its fences, every 512th key.

The ``key_runs`` table lists the runs of a store and changes in the run's transaction, so
a run that fails leaves only files that no row lists (named by their content, they never
overwrite a listed run's); they are removed once the transaction has ended, or when the
store is next opened (``tidy``). A store in memory keeps its runs in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from exitmatch.store import run_reads
from exitmatch.store.run_reads import fences, fences_of_file, gather, spans

# What a run keeps of each key, and how.
COLUMNS: dict[str, type[np.generic]] = {
    "key": np.uint64,
    "row": np.uint32,
    "pass_bit": np.uint8,
    "no_year": np.bool_,
}

# Keys a migration sorts into one run: about a slice of records' worth.
MIGRATION_RUN = 20_000_000

# Runs of about the same size (within a factor of MERGE_FAN_IN, from SMALLEST_TIER keys)
# are merged MERGE_FAN_IN at a time, into runs of up to LARGEST_RUN keys, MERGE_CHUNK keys
# held at a time.
MERGE_FAN_IN = 8
SMALLEST_TIER = 8_000_000
LARGEST_RUN = 1_000_000_000
MERGE_CHUNK = 10_000_000

# The threads a search seeks in its runs on, a run each at a time.
_SEEKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="exitmatch-seek")

FOUND_SCHEMA = {"seq": pl.Int64, "pass_bit": pl.UInt8, "key": pl.UInt64, "no_year": pl.Boolean}


class KeyRuns:
    """The runs of one store: files in ``folder``, or in memory where it is None."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, folder: Path | None) -> None:
        self.connection = connection
        self.folder = folder
        self._memory: dict[str, dict[str, np.ndarray]] = {}
        # Runs written since the store's last commit: no committed row lists them.
        self._fresh: set[str] = set()

    def write(self, keys: pl.DataFrame) -> None:
        """Keep ``keys`` (seq, pass_bit, key, no_year: the keys of records numbered from the
        smallest seq among them) as one run, listed in ``key_runs``."""
        if keys.is_empty():
            return
        first = int(str(keys["seq"].min()))
        # By key alone, in the order given among equal keys (a search sorts what it
        # finds): a sort on one column is about half the time of one on three. The
        # columns are made narrow first, so that the sort moves fewer bytes.
        run = keys.select(
            pl.col("key").cast(pl.UInt64),
            row=(pl.col("seq") - first).cast(pl.UInt32),
            pass_bit=pl.col("pass_bit").cast(pl.UInt8),
            no_year=pl.col("no_year"),
        ).sort("key", maintain_order=True)
        # Named by content: a failed run rewrites no file that a listed run reads.
        digest = np.bitwise_xor.reduce(run.hash_rows(seed=0).to_numpy())
        name = f"run-{first:012d}-{run.height}-{int(digest):016x}"
        arrays = self._create(name, run.height)
        # Written through the files, not the mapping: a page written is not also faulted in.
        output = _Output(arrays)
        for column in COLUMNS:
            output.put(column, 0, run[column].to_numpy())
        self._keep_fence(name, fences(run["key"].to_numpy()))
        self._list(name, first, run.height, arrays)

    def _create(self, name: str, size: int) -> dict[str, np.ndarray]:
        """The arrays of a new run of ``size`` keys, to be filled in."""
        if self.folder is None:
            return {column: np.empty(size, dtype) for column, dtype in COLUMNS.items()}
        self.folder.mkdir(parents=True, exist_ok=True)
        return {
            column: np.lib.format.open_memmap(self._path(name, column), "w+", dtype, (size,))
            for column, dtype in COLUMNS.items()
        }

    def settle(self) -> None:
        """After a commit or a rollback: remove what no row lists any more (nothing, in
        a store whose layout has no runs yet)."""
        self._fresh.clear()
        with contextlib.suppress(duckdb.CatalogException):
            self.tidy()

    def _list(self, name: str, first: int, size: int, arrays: dict[str, np.ndarray]) -> None:
        self._fresh.add(name)
        if self.folder is None:
            self._memory[name] = arrays
        else:
            for values in arrays.values():
                if isinstance(values, np.memmap):
                    values.flush()
        self.connection.execute(
            "INSERT OR REPLACE INTO key_runs VALUES (?, ?, ?)", [name, first, size]
        )

    def compact(self) -> None:
        """Merge runs of about the same size, ``MERGE_FAN_IN`` at a time, into one (up to
        ``LARGEST_RUN`` keys), so that a search seeks in a few runs, not one a slice: a
        key's pages are read once for each run it is sought in, which counts when they
        are not in the page cache. Each merge is its own transaction (outside a run's),
        so that the disk holds the runs merged and the merged one only while it lasts."""
        while True:
            listed = self.connection.execute(
                "SELECT name, first_seq, keys FROM key_runs ORDER BY first_seq"
            ).fetchall()
            tiers: dict[int, list[tuple[str, int, int]]] = {}
            for name, first, size in listed:
                tier = max(math.floor(math.log(max(size / SMALLEST_TIER, 1), MERGE_FAN_IN)), 0)
                tiers.setdefault(tier, []).append((str(name), int(first), int(size)))
            mergeable = [
                runs[:MERGE_FAN_IN]
                for _, runs in sorted(tiers.items())
                if len(runs) >= MERGE_FAN_IN
                and sum(size for _, _, size in runs[:MERGE_FAN_IN]) <= LARGEST_RUN
            ]
            if not mergeable:
                return
            self.connection.execute("BEGIN TRANSACTION")
            try:
                self._merge(mergeable[0])
            except BaseException:
                self.connection.execute("ROLLBACK")
                self.settle()
                raise
            self.connection.execute("COMMIT")
            self.settle()

    def _merge(self, runs: list[tuple[str, int, int]]) -> None:
        """Replace ``runs`` (name, first seq, keys) by one run of all their keys, merged a
        range of key values at a time (the keys are hashes, spread evenly)."""
        base = min(first for _, first, _ in runs)
        total = sum(size for _, _, size in runs)
        joined = hashlib.sha256(" ".join(name for name, _, _ in runs).encode()).hexdigest()
        name = f"run-{base:012d}-{total}-{joined[:16]}"
        inputs = [
            (first - base, {column: self._column(run, column) for column in COLUMNS})
            for run, first, _ in runs
        ]
        merged = self._create(name, total)
        output = _Output(merged)
        del merged  # written through files, not mapped: memory stays at a chunk's
        parts = max(math.ceil(total / MERGE_CHUNK), 1)
        width = 2**64 // parts
        at = 0
        fence_parts = []
        for part in range(parts):
            low, high = part * width, (part + 1) * width if part < parts - 1 else None
            pieces = []
            for (offset, arrays), (run, _, _) in zip(inputs, runs, strict=True):
                keys = arrays["key"]
                start = int(np.searchsorted(keys, np.uint64(low), side="left"))
                end = (
                    len(keys)
                    if high is None
                    else int(np.searchsorted(keys, np.uint64(high), side="left"))
                )
                # Read, not mapped: what was merged does not stay mapped into the process.
                span = np.array([start]), np.array([end])
                piece = {column: self._gather(run, column, *span) for column in COLUMNS}
                piece["row"] = piece["row"] + np.uint32(offset)
                pieces.append(piece)
            joined_piece = {c: np.concatenate([p[c] for p in pieces]) for c in COLUMNS}
            # By key, each run's keys in their order (a stable sort of sorted pieces
            # merges them).
            order = np.argsort(joined_piece["key"], kind="stable")
            for column in COLUMNS:
                output.put(column, at, joined_piece[column][order])
            fence_parts.append(fences(joined_piece["key"][order], at))
            at += len(order)
        assert at == total, (at, total)
        self._keep_fence(name, np.concatenate(fence_parts))
        self.connection.execute(
            "DELETE FROM key_runs WHERE name IN (SELECT unnest(?::TEXT[]))",
            [[run for run, _, _ in runs]],
        )
        self._list(name, base, total, output.arrays)
        # Runs merged before they were ever committed are nobody's: gone at once (the
        # others stay until the merge is committed).
        for run, _, _ in runs:
            if run in self._fresh:
                self._remove(run)
                self._fresh.discard(run)

    def find(self, keys: pl.Series, year_free: pl.Series | None = None) -> pl.DataFrame:
        """Every kept key equal to one of ``keys``: seq, pass_bit, key, no_year, ordered
        by seq, pass and key. Where ``year_free`` flags a key (one flag per key, True for
        every time the key is given), it finds only the keys kept with no_year."""
        sought = (
            pl.DataFrame(
                {
                    "key": keys.cast(pl.UInt64),
                    "only": year_free
                    if year_free is not None
                    else pl.Series([False] * keys.len(), dtype=pl.Boolean),
                }
            )
            .group_by("key")
            .agg(pl.col("only").all())
            .sort("key")
        )
        wanted, only = sought["key"].to_numpy(), sought["only"].to_numpy()
        # A run at a time on each core: the reads and searches let go of the interpreter.
        listed = self._listed()
        parts = list(
            _SEEKERS.map(
                lambda run: self._found(run[0], run[1], wanted, only),
                listed,
            )
        )
        found = [part for part in parts if not part.is_empty()]
        if not found:
            return pl.DataFrame(schema=FOUND_SCHEMA)
        return pl.concat(found).sort("seq", "pass_bit", "key")

    def every_key(self) -> pl.DataFrame:
        """Every kept key (as ``find`` gives them), read whole: for checks, not for runs."""
        parts = [
            pl.DataFrame(
                {
                    "seq": self._column(name, "row").astype(np.int64) + first,
                    "pass_bit": self._column(name, "pass_bit"),
                    "key": self._column(name, "key"),
                    "no_year": self._column(name, "no_year"),
                },
                schema=FOUND_SCHEMA,
            )
            for name, first in self._listed()
        ]
        return pl.concat([pl.DataFrame(schema=FOUND_SCHEMA), *parts]).sort("seq", "pass_bit", "key")

    def count(self) -> int:
        """How many keys the runs hold."""
        (total,) = self.connection.execute("SELECT sum(keys) FROM key_runs").fetchall()[0]
        return int(total) if total is not None else 0

    def forget(self) -> None:
        """List no run (their files go when the store is next opened)."""
        self.connection.execute("DELETE FROM key_runs")

    def tidy(self) -> None:
        """Remove the files (or, in memory, the arrays) of runs no row lists."""
        listed = {name for name, _ in self._listed()}
        for name in set(self._memory) - listed:
            del self._memory[name]
        if self.folder is None or not self.folder.exists():
            return
        for path in self.folder.glob("run-*"):
            if path.name.split(".")[0] not in listed:
                path.unlink()

    def _remove(self, name: str) -> None:
        self._memory.pop(name, None)
        if self.folder is not None:
            for column in COLUMNS:
                self._path(name, column).unlink(missing_ok=True)
            self._fence_path(name).unlink(missing_ok=True)

    def _listed(self) -> list[tuple[str, int]]:
        rows = self.connection.execute(
            "SELECT name, first_seq FROM key_runs ORDER BY first_seq"
        ).fetchall()
        return [(str(name), int(first)) for name, first in rows]

    def _path(self, name: str, column: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}.{column}.npy"

    def _column(self, name: str, column: str) -> np.ndarray:
        if self.folder is None:
            return self._memory[name][column]
        values: np.ndarray = np.load(self._path(name, column), mmap_mode="r", allow_pickle=False)
        return values

    def _found(self, name: str, first: int, wanted: np.ndarray, only: np.ndarray) -> pl.DataFrame:
        run_keys = self._column(name, "key")
        starts, ends = spans(self._fence(name, run_keys), wanted, len(run_keys))
        # The spans of a sorted run, one after another, are sorted too: every key sought
        # that the run holds lies whole in one span of what was read.
        keys = self._gather(name, "key", starts, ends)
        low = np.searchsorted(keys, wanted, side="left")
        lengths = np.searchsorted(keys, wanted, side="right") - low
        hit = lengths > 0
        if not hit.any():
            return pl.DataFrame(schema=FOUND_SCHEMA)
        # Where each hit starts in the run: its span's start, and how far into the span.
        read_before = np.cumsum(ends - starts) - (ends - starts)
        span = np.searchsorted(read_before, low[hit], side="right") - 1
        hit_starts = starts[span] + low[hit] - read_before[span]
        lengths = lengths[hit]
        hit_ends = hit_starts + lengths
        # The rest of each found key's columns, read for the hits alone; less the keys kept
        # with a year where only those without are sought.
        no_year = self._gather(name, "no_year", hit_starts, hit_ends)
        kept = ~np.repeat(only[hit], lengths) | no_year
        return pl.DataFrame(
            {
                "seq": self._gather(name, "row", hit_starts, hit_ends)[kept].astype(np.int64)
                + first,
                "pass_bit": self._gather(name, "pass_bit", hit_starts, hit_ends)[kept],
                "key": np.repeat(wanted[hit], lengths)[kept],
                "no_year": no_year[kept],
            },
            schema=FOUND_SCHEMA,
        )

    def _gather(self, name: str, column: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Positions ``starts[i]`` to ``ends[i]`` of a run's column, one after another."""
        dtype = np.dtype(COLUMNS[column])
        if self.folder is None:
            return gather(self._memory[name][column], None, dtype, 0, starts, ends)
        mapped = self._column(name, column)
        assert isinstance(mapped, np.memmap)
        return gather(None, self._path(name, column), dtype, mapped.offset, starts, ends)

    def _fence(self, name: str, run_keys: np.ndarray) -> np.ndarray:
        """A run's fences: from its file, made from its keys where it has none yet (a
        run written before runs kept fences)."""
        if self.folder is None:
            return fences(run_keys)
        path = self._fence_path(name)
        if not path.exists():
            assert isinstance(run_keys, np.memmap)
            made = fences_of_file(self._path(name, "key"), run_keys.offset, len(run_keys))
            self._keep_fence(name, made)
        fence: np.ndarray = np.load(path, allow_pickle=False)
        return fence

    def _keep_fence(self, name: str, fence: np.ndarray) -> None:
        """Write a run's fences beside its columns (whole, or not at all)."""
        if self.folder is None:
            return
        path = self._fence_path(name)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as handle:
            np.save(handle, fence, allow_pickle=False)
        partial.replace(path)

    def _fence_path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{name}.fence-{run_reads.FENCE_EVERY}.npy"


def runs_from_table(connection: duckdb.DuckDBPyConnection, runs: KeyRuns) -> None:
    """Sort the keys of the ``record_keys`` table (seq, pass_bit, key, no_year) into runs
    of about ``MIGRATION_RUN`` keys, each of a range of records."""
    for low, high in _seq_ranges(connection):
        keys = connection.sql(
            'SELECT seq, pass_bit, "key", no_year FROM record_keys WHERE seq >= ? AND seq < ?',
            params=[low, high],
        ).pl()
        runs.write(keys)


def _seq_ranges(connection: duckdb.DuckDBPyConnection) -> Iterator[tuple[int, int]]:
    query = "SELECT min(seq), max(seq), count(*) FROM record_keys"
    first, last, count = connection.execute(query).fetchall()[0]
    if first is None:
        return
    low = int(first)
    per_record = int(count) / max(int(last) - low + 1, 1)
    step = max(int(MIGRATION_RUN / max(per_record, 1.0)), 1)
    while low <= last:
        yield low, low + step
        low += step


class _Output:
    """A new run's columns, filled a part at a time: arrays in memory, or their files
    written to where the arrays were mapped (``np.memmap`` gives the layout), so that
    what was written does not stay mapped into the process."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.files = {
            column: (Path(values.filename), values.offset, values.dtype.itemsize)
            for column, values in arrays.items()
            if isinstance(values, np.memmap) and values.filename is not None
        }
        self.arrays = {} if self.files else arrays

    def put(self, column: str, at: int, values: np.ndarray) -> None:
        if not self.files:
            self.arrays[column][at : at + len(values)] = values
            return
        path, offset, size = self.files[column]
        with path.open("r+b") as handle:
            handle.seek(offset + at * size)
            np.ascontiguousarray(values).tofile(handle)
