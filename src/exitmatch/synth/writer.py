"""Writers that stream frames to CSV or Parquet a chunk at a time, in contract columns.

Use :class:`TableWriter` for every input file the generator writes, and :func:`write_csv`
for the small truth files. Column lists come from :mod:`exitmatch.ingest.frames`, the
canonical order of the contract, so the files and the readers cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import IO, Literal

import polars as pl
import pyarrow.parquet as pq

from exitmatch.contract.codes import Source
from exitmatch.contract.values import LIST_SEPARATOR
from exitmatch.ingest.frames import CANONICAL

_DERIVED = {"dob_year", "dob_month", "dob_day", "_file", "_row"}


def contract_columns(source: Source) -> list[str]:
    """The contract's columns of one input, in order."""
    return [c for c in CANONICAL[source] if c not in _DERIVED]


LIST_COLUMNS = ("aliases", "alt_dates_of_birth", "citizenships", "documents")


class TableWriter:
    """Appends chunks to one file; CSV lists are joined with ``|``, Parquet keeps lists."""

    def __init__(self, path: Path, columns: list[str], fmt: Literal["csv", "parquet"]) -> None:
        self.path = path
        self.columns = columns
        self.format = fmt
        self.rows = 0
        self._csv: IO[bytes] | None = None
        self._parquet: pq.ParquetWriter | None = None
        if fmt == "csv":
            self._csv = path.open("wb")
            self._csv.write((",".join(columns) + "\n").encode())

    def _shape(self, frame: pl.DataFrame) -> pl.DataFrame:
        exprs = []
        for name in self.columns:
            col = pl.col(name)
            if name in LIST_COLUMNS:
                listed = col.cast(pl.List(pl.Utf8))
                empty = listed.list.len().fill_null(0) == 0
                joined = listed.list.join(LIST_SEPARATOR) if self.format == "csv" else listed
                expr = pl.when(empty).then(None).otherwise(joined)
            else:
                expr = col.cast(pl.Utf8)
            exprs.append(expr.alias(name))
        return frame.select(exprs)

    def write(self, frame: pl.DataFrame) -> None:
        shaped = self._shape(frame)
        self.rows += len(shaped)
        if self._csv is not None:
            shaped.write_csv(self._csv, include_header=False)
            return
        table = shaped.to_arrow()
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()
        elif self.format == "parquet":  # nothing written: an empty file with the columns
            self._shape(pl.DataFrame(schema=dict.fromkeys(self.columns, pl.Utf8))).write_parquet(
                self.path
            )

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> int:
    """A small CSV (truth files): header always written, rows in the order given."""
    frame = pl.DataFrame(
        {c: [None if r.get(c) is None else str(r[c]) for r in rows] for c in columns},
        schema=dict.fromkeys(columns, pl.Utf8),
    )
    frame.write_csv(path)
    return len(frame)
