"""The evidence line an officer reads: which fields agreed, how, and what counted against.

Example: ``surname MOHAMED~MUHAMMAD (variant spelling) +6.1; DOB 1984-03-07 vs 1984-07-03
(day and month swapped) +4.0; document differs, same issuer (renewal plausible) -0.3``.
Built with polars string expressions over whole columns.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison
from exitmatch.decide.bands import contradiction
from exitmatch.score.stored import weight_column

# What each comparison is called in the evidence line.
_FIELD = {
    "surname": "surname",
    "given_names": "given names",
    "date_of_birth": "DOB",
    "document": "document",
    "nationality": "nationality",
    "sex": "sex",
}


def _signed(column: str) -> pl.Expr:
    value = pl.col(column).round(1)
    text = value.cast(pl.Utf8)
    return pl.when(value >= 0).then(pl.concat_str(pl.lit("+"), text)).otherwise(text)


def _label(comparison: Comparison) -> pl.Expr:
    labels = {i: level.label for i, level in enumerate(comparison.levels)}
    return pl.col(comparison.gamma_column).replace_strict(labels, return_dtype=pl.Utf8)


def _dob_text(prefix: str) -> pl.Expr:
    def part(name: str, width: int) -> pl.Expr:
        return pl.col(f"{prefix}_dob_{name}").cast(pl.Utf8).fill_null("0").str.zfill(width)

    return pl.concat_str(
        part("year", 4), pl.lit("-"), part("month", 2), pl.lit("-"), part("day", 2)
    )


def _values(comparison: Comparison) -> tuple[pl.Expr, pl.Expr]:
    """What the case and the record say for this field, upper-cased for reading."""
    swapped = pl.col("name_swapped")
    if comparison.name == "surname":
        record = pl.when(swapped).then(pl.col("r_given")).otherwise(pl.col("r_surname"))
        return pl.col("c_surname").str.to_uppercase(), record.str.to_uppercase()
    if comparison.name == "given_names":
        record = pl.when(swapped).then(pl.col("r_surname")).otherwise(pl.col("r_given"))
        return pl.col("c_given").str.to_uppercase(), record.str.to_uppercase()
    if comparison.name == "date_of_birth":
        return _dob_text("c"), _dob_text("r")
    if comparison.name == "document":
        return pl.col("c_doc_numbers").list.join("|"), pl.col("r_doc_number")
    if comparison.name == "nationality":
        return pl.col("c_citizenships").list.join("|"), pl.col("r_nationality")
    return pl.col("c_sex"), pl.col("r_sex")


def _part(comparison: Comparison) -> pl.Expr:
    case_value, record_value = _values(comparison)
    shown = (
        pl.when(case_value == record_value)
        .then(record_value)
        .otherwise(pl.concat_str(case_value, pl.lit("~"), record_value))
    )
    field = _FIELD[comparison.name]
    present = pl.concat_str(
        pl.lit(f"{field} "),
        shown,
        pl.lit(" ("),
        _label(comparison),
        pl.lit(") "),
        _signed(weight_column(comparison)),
    )
    return (
        pl.when(pl.col(comparison.gamma_column) == 0)
        .then(pl.lit(f"{field} {comparison.levels[0].label}"))
        .otherwise(present)
    )


def evidence(comparisons: tuple[Comparison, ...]) -> pl.Expr:
    """One readable line per link; notes on aliases, alternate dates, swapped names and
    ambiguity come last."""
    notes = [
        pl.when(pl.col("name_swapped")).then(pl.lit("names in the other order")),
        pl.when(pl.col("name_no") > 0).then(pl.lit("matched an alias on the case")),
        pl.when(pl.col("dob_no") > 0).then(pl.lit("matched an alternate date of birth")),
        pl.when(pl.col("ambiguous_case")).then(
            pl.concat_str(
                pl.lit("another traveller also matches this case strongly ("),
                pl.col("competing_record").fill_null("?"),
                pl.lit(")"),
            )
        ),
        pl.when(pl.col("ambiguous_exit")).then(
            pl.concat_str(
                pl.lit("this exit also matches another person's case strongly ("),
                pl.col("competing_case").fill_null("?"),
                pl.lit(")"),
            )
        ),
        pl.when(contradiction()).then(pl.lit("a field contradicts")),
    ]
    return pl.concat_str(
        [*(_part(c) for c in comparisons), *notes], separator="; ", ignore_nulls=True
    ).alias("evidence")
