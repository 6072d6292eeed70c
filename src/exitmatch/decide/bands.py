"""Bands and ambiguity.

``confirmed`` must be nearly free of false links: it needs a very high probability, a
document that corroborates (the same number, or the same but for OCR slips), and no
ambiguity. ``probable`` needs a high probability and no ambiguity. Everything else above
the floor is ``possible``. A link is ambiguous when the case strongly matches travellers
who are evidently different people (different documents or dates of birth), or the exit
strongly matches another person's case.
"""

from __future__ import annotations

import polars as pl

from exitmatch.contract.codes import Band
from exitmatch.settings import Thresholds

CORROBORATING_DOCUMENT = (1, 2)  # document levels: exact, OCR-equivalent
BAND_RANK = {Band.CONFIRMED.value: 0, Band.PROBABLE.value: 1, Band.POSSIBLE.value: 2}


def mark_ambiguity(links: pl.DataFrame, strong: float) -> pl.DataFrame:
    """Add ``ambiguous_case`` and ``ambiguous_exit`` to exit links.

    ``links`` holds one row per (case, exit record) with uci, match_probability and the
    record's doc_ocr and date-of-birth parts.
    """
    is_strong = pl.col("match_probability") >= strong
    strong_links = links.filter(is_strong)
    dob = pl.struct("r_dob_year", "r_dob_month", "r_dob_day")
    full_dob = (
        pl.col("r_dob_year").is_not_null()
        & pl.col("r_dob_month").is_not_null()
        & pl.col("r_dob_day").is_not_null()
    )
    travellers = strong_links.group_by("case_idx").agg(
        documents=pl.col("r_doc_ocr").drop_nulls().n_unique(),
        dates=dob.filter(full_dob).n_unique(),
    )
    ambiguous_cases = travellers.filter((pl.col("documents") > 1) | (pl.col("dates") > 1))
    persons = strong_links.group_by("rec").agg(persons=pl.col("uci").n_unique())
    ambiguous_exits = persons.filter(pl.col("persons") > 1)
    return links.with_columns(
        ambiguous_case=pl.col("case_idx").is_in(ambiguous_cases["case_idx"].implode()),
        ambiguous_exit=pl.col("rec").is_in(ambiguous_exits["rec"].implode()) & is_strong,
    )


def band(thresholds: Thresholds) -> pl.Expr:
    """The band of a link, from its probability, document level and ambiguity flags."""
    p = pl.col("match_probability")
    ambiguous = pl.col("ambiguous_case") | pl.col("ambiguous_exit")
    corroborated = pl.col("g_document").is_in(CORROBORATING_DOCUMENT)
    return (
        pl.when((p >= thresholds.confirmed) & corroborated & ~ambiguous)
        .then(pl.lit(Band.CONFIRMED.value))
        .when((p >= thresholds.probable) & ~ambiguous)
        .then(pl.lit(Band.PROBABLE.value))
        .when(p >= thresholds.possible)
        .then(pl.lit(Band.POSSIBLE.value))
        .otherwise(None)
    )
