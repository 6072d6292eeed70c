"""Deliberately bad values and unusable rows, with a record of each one.

Use :func:`spoil` on a chunk after record ids are assigned. Subjects' own records are
left clean (``_sid`` other than -1), so the truth about who left stays about matching. The kinds
follow CONTRACT.md: a bad value in a column the row can do without is kept and reported
(data issue); a row without name and document, or without a usable timestamp, is
quarantined.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from exitmatch.synth.rng import ColumnRng

# (column, replacement expression) of values a row can do without.
_ISSUES: tuple[tuple[str, pl.Expr], ...] = (
    ("date_of_birth", pl.col("date_of_birth").str.slice(0, 8) + pl.lit("93")),
    ("sex", pl.lit("Q")),
    ("nationality", pl.lit("ZZZ")),
    ("document_country", pl.lit("XQZ")),
)
_NO_IDENTITY = "no name and no document number"
_BAD_TIMESTAMP = "unparseable timestamp"


@dataclass
class Spoiled:
    issues: list[dict[str, object]] = field(default_factory=list)
    quarantine: list[dict[str, object]] = field(default_factory=list)


def spoil(
    frame: pl.DataFrame,
    rng: ColumnRng,
    *,
    source: str,
    rate: float,
    time_column: str,
    name_columns: tuple[str, ...],
    log: Spoiled,
) -> pl.DataFrame:
    """``frame`` with about ``rate`` of its ordinary rows spoiled, each logged in ``log``."""
    n = len(frame)
    u = rng.uniform(n)
    kind = rng.integers(n, len(_ISSUES) + 2)
    ordinary = frame["_sid"] == -1  # not a subject, not a planted look-alike
    hit = (u < rate) & ordinary
    frame = frame.with_columns(hit.alias("_hit"), kind.alias("_kind"))
    exprs = []
    for k, (column, replacement) in enumerate(_ISSUES):
        target = pl.col("_hit") & (pl.col("_kind") == k) & pl.col(column).is_not_null()
        exprs.append(pl.when(target).then(replacement).otherwise(pl.col(column)).alias(column))
        for rid in frame.filter(target)["record_id"].to_list():
            log.issues.append({"source": source, "record_id": rid, "column": column})
    no_identity = pl.col("_hit") & (pl.col("_kind") == len(_ISSUES))
    bad_time = pl.col("_hit") & (pl.col("_kind") == len(_ISSUES) + 1)
    for rid in frame.filter(no_identity)["record_id"].to_list():
        log.quarantine.append({"source": source, "record_id": rid, "reason": _NO_IDENTITY})
    for rid in frame.filter(bad_time)["record_id"].to_list():
        log.quarantine.append({"source": source, "record_id": rid, "reason": _BAD_TIMESTAMP})
    blanked = [
        pl.when(no_identity).then(None).otherwise(pl.col(c)).alias(c)
        for c in (*name_columns, "document_number")
    ]
    exprs.append(
        pl.when(bad_time)
        .then(pl.col(time_column).str.slice(0, 10).str.replace_all("-", "/") + " 25:61")
        .otherwise(pl.col(time_column))
        .alias(time_column)
    )
    # Issue values are only counted on rows that keep a name or document (else quarantined).
    return frame.with_columns(exprs).with_columns(blanked).drop("_hit", "_kind")


def spoil_cases(
    cases: list[dict[str, Any]], py_random: random.Random, rate: float, log: Spoiled
) -> set[int]:
    """Spoil about ``rate`` of the inventory rows in place; returns the quarantined rows
    (an inventory row without an order date cannot be used)."""
    quarantined: set[int] = set()
    for i, case in enumerate(cases):
        if py_random.random() >= rate:
            continue
        kind = py_random.randrange(4)
        case_id = case["case_id"]
        if kind == 0 and case.get("date_of_birth"):
            case["date_of_birth"] = str(case["date_of_birth"])[:8] + "93"
            log.issues.append(
                {"source": "inventory", "record_id": case_id, "column": "date_of_birth"}
            )
        elif kind == 1 and case.get("sex"):
            case["sex"] = "Q"
            log.issues.append({"source": "inventory", "record_id": case_id, "column": "sex"})
        elif kind == 2:
            case["citizenships"] = [*(case["citizenships"] or []), "ZZZ"]
            log.issues.append(
                {"source": "inventory", "record_id": case_id, "column": "citizenships"}
            )
        elif kind == 3:
            case["order_date"] = None
            quarantined.add(i)
            log.quarantine.append(
                {"source": "inventory", "record_id": case_id, "reason": "order_date missing"}
            )
    return quarantined
