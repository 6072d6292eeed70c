"""Bands, contradictions and ambiguity.

``confirmed`` must be nearly free of false links, since it cancels warrants with light
review: it needs a very high probability, a travel document that corroborates (the same
number, or the same but for OCR slips), no field that contradicts, and no ambiguity. A
name and date of birth alone, however rare, do not confirm: a namesake with a different
passport looks exactly like the subject with a renewed one. ``probable`` needs a high
probability, no ambiguity, and no contradiction unless the document corroborates.
Everything else above the floor is ``possible``.

A link is ambiguous when the case strongly matches travellers who are evidently different
people (different document numbers, dates of birth, sexes or nationalities), or the exit
strongly matches another person's case. The competing record is named in the evidence.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.vectors import comparisons
from exitmatch.contract.codes import Band
from exitmatch.settings import Thresholds

CORROBORATING_DOCUMENT = (1, 2)  # document levels: exact, OCR-equivalent
BAND_RANK = {Band.CONFIRMED.value: 0, Band.PROBABLE.value: 1, Band.POSSIBLE.value: 2}


# Fields on which one person's records almost never disagree outright.
CONTRADICTING = ("sex", "nationality", "date_of_birth", "surname", "given_names")


def contradiction() -> pl.Expr:
    """True where one of ``CONTRADICTING`` falls to its 'else' level: a different sex or
    nationality, a date of birth not even in the same year, a wholly different name."""
    return pl.any_horizontal(
        pl.col(c.gamma_column) == len(c.levels) - 1
        for c in comparisons()
        if c.name in CONTRADICTING
    )


def _traveller_signature(frame: pl.DataFrame) -> pl.DataFrame:
    """What tells two travellers apart when both are present on both records."""
    full_dob = (
        pl.col("r_dob_year").is_not_null()
        & pl.col("r_dob_month").is_not_null()
        & pl.col("r_dob_day").is_not_null()
    )
    return frame.with_columns(
        __dob=pl.when(full_dob).then(pl.struct("r_dob_year", "r_dob_month", "r_dob_day").hash(5)),
    )


def mark_ambiguity(links: pl.DataFrame, strong: float) -> pl.DataFrame:
    """Add ``ambiguous_case``, ``ambiguous_exit`` and ``competing_record`` to exit links.

    ``links`` holds one row per (case, exit record) with uci, record_id,
    match_probability and the record's doc_ocr, sex, nationality and date parts.
    """
    is_strong = pl.col("match_probability") >= strong
    strong_links = _traveller_signature(links.filter(is_strong))
    travellers = strong_links.group_by("case_idx").agg(
        distinct=pl.max_horizontal(
            pl.col("r_doc_ocr").drop_nulls().n_unique(),
            pl.col("__dob").drop_nulls().n_unique(),
            pl.col("r_sex").filter(pl.col("r_sex").is_in(["M", "F"])).n_unique(),
            pl.col("r_nationality").drop_nulls().n_unique(),
        ),
        records=pl.col("record_id").sort(),
    )
    ambiguous_cases = travellers.filter(pl.col("distinct") > 1).select("case_idx", "records")
    persons = strong_links.group_by("rec").agg(
        persons=pl.col("uci").n_unique(), cases=pl.col("case_id").sort()
    )
    ambiguous_exits = persons.filter(pl.col("persons") > 1).select("rec", "cases")
    marked = links.join(ambiguous_cases, on="case_idx", how="left").join(
        ambiguous_exits, on="rec", how="left"
    )
    return marked.with_columns(
        ambiguous_case=pl.col("records").is_not_null(),
        ambiguous_exit=pl.col("cases").is_not_null() & is_strong,
        competing_record=pl.col("records")
        .list.set_difference(pl.concat_list(pl.col("record_id")))
        .list.first(),
        competing_case=pl.col("cases")
        .list.set_difference(pl.concat_list(pl.col("case_id")))
        .list.first(),
    ).drop("records", "cases")


def band(thresholds: Thresholds) -> pl.Expr:
    """The band of a link, from its probability, document level, contradictions and
    ambiguity flags (see the module docstring)."""
    p = pl.col("match_probability")
    ambiguous = pl.col("ambiguous_case") | pl.col("ambiguous_exit")
    corroborated = pl.col("g_document").is_in(CORROBORATING_DOCUMENT)
    contradicted = contradiction()
    return (
        pl.when((p >= thresholds.confirmed) & corroborated & ~ambiguous & ~contradicted)
        .then(pl.lit(Band.CONFIRMED.value))
        .when((p >= thresholds.probable) & ~ambiguous & (corroborated | ~contradicted))
        .then(pl.lit(Band.PROBABLE.value))
        .when(p >= thresholds.possible)
        .then(pl.lit(Band.POSSIBLE.value))
        .otherwise(None)
    )
