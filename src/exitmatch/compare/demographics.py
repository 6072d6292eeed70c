"""Nationality and sex comparisons."""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison, Level, else_level


def nationality_comparison(left: str = "c", right: str = "r") -> Comparison:
    """The record's nationality (or, without one, its document's issuer) against the case's
    citizenships and the issuers of its known documents."""
    known = pl.concat_list(
        pl.col(f"{left}_citizenships").fill_null([]), pl.col(f"{left}_doc_issuers").fill_null([])
    )
    record = pl.coalesce(pl.col(f"{right}_nationality"), pl.col(f"{right}_doc_issuer"))
    return Comparison(
        "nationality",
        (
            Level(
                "missing", "missing", (known.list.len() == 0) | record.is_null(), is_missing=True
            ),
            Level("same", "same", known.list.contains(record)),
            else_level(),
        ),
    )


def sex_comparison(left: str = "c", right: str = "r") -> Comparison:
    """M/F agreement; X or empty on either side is missing."""
    a, b = pl.col(f"{left}_sex"), pl.col(f"{right}_sex")
    return Comparison(
        "sex",
        (
            Level(
                "missing",
                "missing",
                a.is_null() | b.is_null() | (a == "X") | (b == "X"),
                is_missing=True,
            ),
            Level("same", "same", a == b),
            else_level(),
        ),
    )
