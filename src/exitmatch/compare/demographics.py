"""Nationality and sex comparisons."""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison, Level, else_level


def nationality_comparison(left: str = "c", right: str = "r") -> Comparison:
    """The record's nationality (or, without one, its document's issuer) against the case's
    citizenships and the issuers of its known documents.

    Where the record's document was issued by a country that issued one of the case's
    documents, the document comparison already counts that agreement: nationality is then
    not compared again, so one fact does not weigh twice."""
    citizenships, issuers = pl.col(f"{left}_citizenships"), pl.col(f"{left}_doc_issuers")
    known = citizenships.list.len().fill_null(0) + issuers.list.len().fill_null(0)
    record = pl.coalesce(pl.col(f"{right}_nationality"), pl.col(f"{right}_doc_issuer"))
    return Comparison(
        "nationality",
        (
            Level(
                "missing",
                "not compared (missing, or counted with the document's issuer)",
                (known == 0)
                | record.is_null()
                | pl.col(f"{left}_doc_issuers").list.contains(pl.col(f"{right}_doc_issuer")),
                is_missing=True,
            ),
            Level(
                "same",
                "same",
                citizenships.list.contains(record).fill_null(False)
                | issuers.list.contains(record).fill_null(False),
            ),
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
                "not on both records",
                a.is_null() | b.is_null() | (a == "X") | (b == "X"),
                is_missing=True,
            ),
            Level("same", "same", a == b),
            else_level(),
        ),
    )
