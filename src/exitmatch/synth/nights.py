"""Splitting a synthetic night into several nights, as deliveries would arrive.

Use ``split_into_nights`` to replay a generated data set through the store night by
night: records go to the night of their timestamp (the history cut into equal spans of
time), cases to the night before their first record could matter (every case is in the
first night unless ``late_cases`` moves a share of them to later nights, to show a new case
found against the whole retained history).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl

from exitmatch.contract.codes import Source

_TIME_COLUMN = {Source.LAND: "crossed_at", Source.AIR: "departed_at", Source.ENTRIES: "entered_at"}


def split_into_nights(
    data: Path, out: Path, nights: int, *, late_cases: float = 0.2
) -> list[dict[Source, list[Path]]]:
    """Write ``nights`` folders under ``out`` (``night-1`` ...), each with the files of one
    delivery, and return each night's inputs. CSV files only."""
    if nights < 1:
        raise ValueError("nights must be at least 1")
    night_inputs: list[dict[Source, list[Path]]] = [{} for _ in range(nights)]
    folders = [out / f"night-{n + 1}" for n in range(nights)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for source, column in _TIME_COLUMN.items():
        path = data / f"{source.value}.csv"
        if not path.exists():
            continue
        frame = pl.read_csv(path, infer_schema=False)
        moment = pl.col(column).str.slice(0, 10)
        ordered = frame.with_columns(__day=moment).sort("__day", maintain_order=True)
        days = ordered["__day"].drop_nulls()
        bounds = _cuts(days, nights)
        for night, part in enumerate(_parts(ordered, bounds)):
            target = folders[night] / path.name
            part.drop("__day").write_csv(target)
            night_inputs[night].setdefault(source, []).append(target)
    inventory = pl.read_csv(data / "inventory.csv", infer_schema=False)
    index = pl.int_range(pl.len())
    if late_cases > 0 and nights > 1:
        # A share of the cases (every k-th by position) arrives later, spread over the
        # later nights.
        every = max(round(1 / late_cases), 1)
        late_night = 1 + (index // every) % (nights - 1)
        night_of_case = pl.when(index % every == 0).then(late_night).otherwise(0)
    else:
        night_of_case = pl.lit(0)
    assigned = inventory.with_columns(__night=night_of_case)
    for night in range(nights):
        part = assigned.filter(pl.col("__night") == night).drop("__night")
        if part.is_empty():
            continue
        target = folders[night] / "inventory.csv"
        part.write_csv(target)
        night_inputs[night][Source.INVENTORY] = [target]
    return night_inputs


def _cuts(days: pl.Series, nights: int) -> list[str]:
    """Day strings splitting ``days`` into ``nights`` runs of about equal size."""
    ordered = days.sort()
    if ordered.is_empty():
        return []
    return [str(ordered[len(ordered) * n // nights]) for n in range(1, nights)]


def _parts(frame: pl.DataFrame, bounds: list[str]) -> list[pl.DataFrame]:
    """One frame per span between ``bounds``; rows without a usable day go with the first
    night, so nothing is lost."""
    day = pl.col("__day")
    edges: list[str | None] = [None, *bounds, None]
    parts = []
    for start, end in itertools.pairwise(edges):
        condition = day.is_null() if start is None else pl.lit(False)
        inside = pl.lit(True)
        if start is not None:
            inside &= day >= start
        if end is not None:
            inside &= day < end
        parts.append(frame.filter(condition | inside.fill_null(False)))
    return parts
