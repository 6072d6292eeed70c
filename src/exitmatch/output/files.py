"""Atomic writers for output files: CSV with the contract's header, and JSON.

Reach for these whenever a stage writes into ``--out``. Each file is written to a temporary
file in the same folder and moved into place with ``os.replace``, so a crash or a reader
running at the same time never sees a half-written output, and a re-run replaces the old
file in one step.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl
from pydantic import BaseModel

from exitmatch.errors import ExitmatchError


def model_columns(model: type[BaseModel]) -> list[str]:
    """An output's columns, in the order its contract model declares them."""
    return list(model.model_fields)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path``; moved onto ``path`` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        temp.replace(path)  # os.replace: atomic within one file system
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_csv(frame: pl.DataFrame, path: Path, columns: Sequence[str]) -> int:
    """Write ``frame`` as CSV with exactly ``columns`` as the header; return the row count.

    Columns missing from the frame are an error, not an empty column: a writer that loses a
    contract column should fail loudly.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ExitmatchError(f"{path.name}: frame lacks column(s) {', '.join(missing)}")
    with atomic_path(path) as temp:
        frame.select(columns).write_csv(temp)
    return frame.height


def write_model_csv(frame: pl.DataFrame, path: Path, model: type[BaseModel]) -> int:
    """Write an output whose header is the field order of its contract model."""
    return write_csv(frame, path, model_columns(model))


def write_json(model: BaseModel, path: Path) -> None:
    """Write a pydantic model as indented JSON (UTF-8, newline at the end)."""
    with atomic_path(path) as temp:
        temp.write_text(model.model_dump_json(indent=2) + "\n", encoding="utf-8")
