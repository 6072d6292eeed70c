"""Date-of-birth comparison over the split parts (year, month, day; unknown parts null).

The levels tell apart the ways one person's date is recorded differently: a 1 January
placeholder (common for people without documents, so weak evidence), day and month
swapped, a partial date, one digit keyed wrong, one year off.
"""

from __future__ import annotations

import polars as pl

from exitmatch.compare.levels import Comparison, Level, else_level


def _part(side: str, part: str) -> pl.Expr:
    return pl.col(f"{side}_dob_{part}")


def _is_placeholder(side: str) -> pl.Expr:
    return (_part(side, "month") == 1) & (_part(side, "day") == 1)


def _packed(side: str) -> pl.Expr:
    """YYYYMMDD as an integer (null when partial)."""
    return (
        _part(side, "year").cast(pl.Int32) * 10_000
        + _part(side, "month").cast(pl.Int32) * 100
        + _part(side, "day").cast(pl.Int32)
    )


def _digits_differing(left: str, right: str) -> pl.Expr:
    """How many of the eight digits of YYYYMMDD differ."""
    a, b = _packed(left), _packed(right)
    return pl.sum_horizontal(
        [((a // 10**i) % 10 != (b // 10**i) % 10).cast(pl.UInt8) for i in range(8)]
    )


def dob_comparison(left: str = "c", right: str = "r") -> Comparison:
    """Case date of birth (``c_dob_*``) against the record's (``r_dob_*``)."""
    same_year = _part(left, "year") == _part(right, "year")
    same_month = _part(left, "month") == _part(right, "month")
    same_day = _part(left, "day") == _part(right, "day")
    full = (
        _part(left, "month").is_not_null()
        & _part(left, "day").is_not_null()
        & _part(right, "month").is_not_null()
        & _part(right, "day").is_not_null()
    )
    exact = full & same_year & same_month & same_day
    return Comparison(
        "date_of_birth",
        (
            Level(
                "missing",
                "not on both records",
                _part(left, "year").is_null() | _part(right, "year").is_null(),
                is_missing=True,
            ),
            Level("exact", "same", exact & ~_is_placeholder(left), tf_column="tf_dob"),
            Level(
                "exact_placeholder",
                "same, but 1 January (often a placeholder)",
                exact,
                tf_column="tf_dob",
            ),
            Level(
                "partial",
                "agrees as far as known (partial date)",
                ~full
                & same_year
                & (same_month | _part(left, "month").is_null() | _part(right, "month").is_null()),
            ),
            Level(
                "swap",
                "day and month swapped",
                full
                & same_year
                & (_part(left, "month") == _part(right, "day"))
                & (_part(left, "day") == _part(right, "month")),
            ),
            Level(
                "placeholder_one_side",
                "same year, 1 January on one side (placeholder)",
                full & same_year & (_is_placeholder(left) ^ _is_placeholder(right)),
            ),
            Level("one_digit", "one digit differs", full & (_digits_differing(left, right) == 1)),
            Level(
                "year_off",
                "one year off",
                full
                & same_month
                & same_day
                & ((_part(left, "year").cast(pl.Int32) - _part(right, "year")).abs() == 1),
            ),
            Level("same_year", "same year only", same_year),
            else_level(),
        ),
    )
