"""Bands, contradictions and ambiguity.

``confirmed`` must be nearly free of false links, since it proposes cancelling warrants.
It needs no ambiguity, a very high probability, and a travel document that corroborates:
the case's own document (the same number from the same issuer, or the same but for OCR
slips). Nothing else confirms. A renewed passport with the whole identity agreeing looks
exactly like a namesake with a passport of the same country (measured on synthetic nights:
about 4% of such links are look-alikes, however high their weight), and without any
document a name and date of birth are how a look-alike looks. ``probable`` needs a high
probability, no ambiguity, and no contradiction unless the document corroborates.
Everything else above the floor is ``possible``.

A link is ambiguous when the case strongly matches travellers who are evidently different
people (different dates of birth, sexes, or document numbers not on the case), or the
exit strongly matches another person's case, unless the link rests on the case's own
document and its rival does not. The competing record is named in the evidence.
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


def _dob_key() -> pl.Expr:
    full = (
        pl.col("r_dob_year").is_not_null()
        & pl.col("r_dob_month").is_not_null()
        & pl.col("r_dob_day").is_not_null()
    )
    return pl.when(full).then(pl.struct("r_dob_year", "r_dob_month", "r_dob_day").hash(5))


def _different_traveller(left: str, right: str) -> pl.Expr:
    """Two records evidently of different people: full dates of birth differ, M/F sexes
    differ, or document numbers differ where neither document is the case's own."""

    def col(name: str, side: str) -> pl.Expr:
        return pl.col(f"{name}{side}")

    both_sexed = col("r_sex", left).is_in(["M", "F"]) & col("r_sex", right).is_in(["M", "F"])
    own = col("__own", left) | col("__own", right)
    return (
        (col("__dob", left) != col("__dob", right)).fill_null(False)
        | (both_sexed & (col("r_sex", left) != col("r_sex", right)))
        | (~own & (col("r_doc_ocr", left) != col("r_doc_ocr", right)).fill_null(False))
    )


def _outweighs(left: str, right: str) -> pl.Expr:
    """A link on the case's own document is not put in doubt by one without it."""
    return pl.col(f"__own{left}") & ~pl.col(f"__own{right}")


def mark_ambiguity(links: pl.DataFrame, strong: float) -> pl.DataFrame:
    """Add ``ambiguous_case``, ``ambiguous_exit``, ``competing_record`` and
    ``competing_case`` to exit links.

    A link is ambiguous for its case when another strong link of the case is evidently a
    different traveller, and for its exit when the exit strongly links to another
    person's case; in either case unless this link rests on the case's own document and
    the other does not. ``links`` holds one row per (case, exit record) with uci, case_id,
    record_id, match_probability, g_document and the record's doc_ocr, sex and date parts.
    """
    is_strong = pl.col("match_probability") >= strong
    strong_links = links.filter(is_strong).select(
        "case_idx",
        "rec",
        "uci",
        "case_id",
        "record_id",
        "r_doc_ocr",
        "r_sex",
        __dob=_dob_key(),
        __own=pl.col("g_document").is_in(CORROBORATING_DOCUMENT),
    )
    rivals = (
        strong_links.join(strong_links, on="case_idx", suffix="_b")
        .filter(
            (pl.col("rec") != pl.col("rec_b"))
            & _different_traveller("", "_b")
            & ~_outweighs("", "_b")
        )
        .group_by("case_idx", "rec")
        .agg(competing_record=pl.col("record_id_b").min())
    )
    other_cases = (
        strong_links.join(strong_links, on="rec", suffix="_b")
        .filter((pl.col("uci") != pl.col("uci_b")) & ~_outweighs("", "_b"))
        .group_by("case_idx", "rec")
        .agg(competing_case=pl.col("case_id_b").min())
    )
    marked = links.join(rivals, on=["case_idx", "rec"], how="left").join(
        other_cases, on=["case_idx", "rec"], how="left"
    )
    return marked.with_columns(
        ambiguous_case=pl.col("competing_record").is_not_null(),
        ambiguous_exit=pl.col("competing_case").is_not_null(),
    )


def band(thresholds: Thresholds) -> pl.Expr:
    """The band of a link, from its probability, document level, contradictions and
    ambiguity flags (see the module docstring)."""
    p = pl.col("match_probability")
    ambiguous = pl.col("ambiguous_case") | pl.col("ambiguous_exit")
    corroborated = pl.col("g_document").is_in(CORROBORATING_DOCUMENT)
    contradicted = contradiction()
    # On the case's own document, a name spelled past recognition or a date keyed wrong
    # on the case file does not stand against it; without one, any contradiction does.
    return (
        pl.when((p >= thresholds.confirmed) & corroborated & ~ambiguous)
        .then(pl.lit(Band.CONFIRMED.value))
        .when((p >= thresholds.probable) & ~ambiguous & (corroborated | ~contradicted))
        .then(pl.lit(Band.PROBABLE.value))
        .when(p >= thresholds.possible)
        .then(pl.lit(Band.POSSIBLE.value))
        .otherwise(None)
    )
