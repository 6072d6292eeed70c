"""Term frequencies among travellers: how common each surname, given name and date of
birth is in the travel records, so that agreeing on a common value counts for less.

Use ``with_term_frequencies`` on the travel records after their names are encoded.
"""

from __future__ import annotations

import polars as pl

# A value seen less than this share of the time is treated as this rare: keeps one
# typo-made name from earning unlimited weight.
MIN_FREQUENCY = 1e-7


def with_term_frequencies(records: pl.DataFrame, encodings: pl.DataFrame) -> pl.DataFrame:
    """Add tf_sur, tf_giv (the record's own surname and first given name), tf_sur_x,
    tf_giv_x (the same values read the other way round) and tf_dob."""
    joined = encodings.select("name", "joined", "first")
    frame = records.join(
        joined.rename({"name": "surname", "joined": "sur_joined", "first": "sur_first"}),
        on="surname",
        how="left",
    ).join(
        joined.rename({"name": "given", "joined": "giv_joined", "first": "giv_first"}),
        on="given",
        how="left",
    )
    total = max(frame.height, 1)
    surname_share = _shares(frame["sur_joined"], total)
    given_share = _shares(frame["giv_first"], total)
    dob = pl.struct("dob_year", "dob_month", "dob_day")
    return frame.with_columns(
        tf_sur=_lookup("sur_joined", surname_share),
        tf_giv=_lookup("giv_first", given_share),
        tf_sur_x=_lookup("giv_joined", surname_share),
        tf_giv_x=_lookup("sur_first", given_share),
        tf_dob=(dob.count().over(dob) / total).clip(MIN_FREQUENCY, 1.0),
    ).drop("sur_joined", "sur_first", "giv_joined", "giv_first")


def _shares(values: pl.Series, total: int) -> dict[str, float]:
    counts = values.drop_nulls().value_counts()
    return dict(zip(counts[:, 0].to_list(), (counts["count"] / total).to_list(), strict=True))


def _lookup(column: str, shares: dict[str, float]) -> pl.Expr:
    return (
        pl.col(column)
        .replace_strict(shares, default=MIN_FREQUENCY, return_dtype=pl.Float64)
        .clip(MIN_FREQUENCY, 1.0)
    )
