"""Opening the store and moving frames in and out of it.

Use ``Store.open`` as a context manager; everything a run changes happens inside
``transaction()``, so a run killed at any moment leaves the store as it was before the run
(DuckDB replays only committed work). Only one process can hold the store for writing: a
second one waits up to ``wait_s`` seconds, then is refused with ``StoreBusyError``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import duckdb
import polars as pl

from exitmatch.errors import ExitmatchError
from exitmatch.store.key_runs import KeyRuns
from exitmatch.store.schema import MIGRATIONS, SCHEMA_VERSION

_POLL_S = 0.25


class StoreError(ExitmatchError):
    """The store cannot be opened or used."""


class StoreBusyError(StoreError):
    """Another exitmatch process holds the store."""


class Store:
    """An open store: one DuckDB connection, migrated to this version's layout."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: str) -> None:
        self.connection = connection
        self.path = path
        # The blocking keys, beside the store's file (in memory with the store).
        folder = None if path == ":memory:" else Path(path + ".keys")
        self.key_runs = KeyRuns(connection, folder)

    @classmethod
    def open(
        cls, path: Path | str, *, wait_s: float = 0.0, memory_gb: float | None = None
    ) -> Store:
        """Open (creating if need be) and migrate the store at ``path`` (``:memory:`` for a
        throw-away one). ``memory_gb`` bounds what DuckDB holds in memory (it spills the
        rest of a large query to a temporary folder beside the store); DuckDB's default is
        80% of the machine's memory."""
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                connection = duckdb.connect(target)
                break
            except duckdb.IOException as e:
                if "lock" not in str(e).lower():
                    raise StoreError(f"{target}: cannot open the store ({e})") from e
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"{target}: another exitmatch run is using this store; "
                        "try again when it has finished (or pass --wait SECONDS)"
                    ) from e
                time.sleep(_POLL_S)
        # The run shows its own stages; DuckDB's progress bar would print into its logs.
        connection.execute("SET enable_progress_bar = false")
        if memory_gb is not None:
            connection.execute(f"SET memory_limit = '{float(memory_gb)}GB'")
        store = cls(connection, target)
        store._migrate()
        store.key_runs.tidy()
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def _migrate(self) -> None:
        version = self.version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store layout {version} is newer than this exitmatch "
                f"({SCHEMA_VERSION}); upgrade exitmatch"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for step in MIGRATIONS[number]:
                    if isinstance(step, str):
                        self.connection.execute(step)
                    else:
                        step(self.connection, self.key_runs)
                self.set_meta("schema_version", str(number + 1))

    def version(self) -> int:
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        )
        if not exists:
            return 0
        value = self.meta("schema_version")
        return int(value) if value is not None else 0

    def meta(self, key: str) -> str | None:
        """What the store notes under ``key`` about itself (None where it notes nothing)."""
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def forget_meta(self, key: str) -> None:
        self.connection.execute("DELETE FROM meta WHERE key = ?", [key])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            self.key_runs.settle()
            raise
        self.connection.execute("COMMIT")
        self.key_runs.settle()

    # ---- frames in and out -------------------------------------------------------------

    def frame(self, sql: str, parameters: list[object] | None = None) -> pl.DataFrame:
        """A query's result as a polars frame, timestamps in UTC."""
        result: pl.DataFrame = self.connection.sql(sql, params=parameters or None).pl()
        return result.with_columns(
            pl.col(name).dt.convert_time_zone("UTC")
            for name, dtype in result.schema.items()
            if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
        )

    @contextlib.contextmanager
    def registered(self, name: str, frame: pl.DataFrame) -> Iterator[None]:
        """``frame`` readable by SQL as the view ``name`` while the block runs."""
        self.connection.register(name, frame.to_arrow())
        try:
            yield
        finally:
            # In an aborted transaction this fails too; the first error is the one to see.
            with contextlib.suppress(duckdb.Error):
                self.connection.unregister(name)

    def insert(self, table: str, frame: pl.DataFrame) -> None:
        """Append ``frame`` (columns named as the table's) to ``table``."""
        if frame.is_empty():
            return
        with self.registered("__incoming", frame):
            columns = ", ".join(f'"{c}"' for c in frame.columns)
            self.connection.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM __incoming"
            )

    def delete_keys(self, table: str, column: str, keys: pl.Series) -> None:
        """Delete the rows of ``table`` whose ``column`` is one of ``keys``."""
        if keys.is_empty():
            return
        with self.registered("__keys", pl.DataFrame({"key": keys})):
            self.connection.execute(
                f'DELETE FROM {table} WHERE "{column}" IN (SELECT key FROM __keys)'
            )

    def scalar(self, sql: str, parameters: list[object] | None = None) -> object:
        """The first value of a query's first row (None without rows). The whole result is
        fetched: DuckDB refuses other work while a result is half read."""
        rows = self.connection.execute(sql, parameters or []).fetchall()
        return rows[0][0] if rows else None

    def next_run_id(self) -> int:
        last = self.scalar("SELECT max(run_id) FROM runs")
        return int(last) + 1 if isinstance(last, int) else 1
