"""Term frequencies among travellers: how common each name and date of birth is in the
travel records, so that agreeing on a common value counts for less.

Use ``term_counts`` to count a set of travel records after their names are encoded (the
counts of every retained record are kept as sums, ``TermCounts.plus``), and
``record_terms`` for the values a record's frequencies are looked up by: the store
keeps them with the comparisons, and ``score.stored`` turns them into frequencies.

Two choices keep the frequencies honest:
- A name's frequency is counted within the record's nationality (where enough records
  share it): WILSON is common among Americans and rare among Syrians, and the model
  weighs nationality separately, so an overall frequency would count the same fact twice.
- Dates of birth are counted over all records (a 1 January placeholder is common
  everywhere).
- Surname and given-name roles are pooled: LEE is common as either, and a record read
  with its names the other way round must not find its given name "never seen as a
  surname" and earn an unlimited weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

# A nationality needs this many records before its own frequencies are used.
MIN_GROUP = 2000
# The nationality of every record: its names counted overall, its size the total.
ANY_NATIONALITY = "*"
_DOB = ("dob_year", "dob_month", "dob_day")


@dataclass(frozen=True)
class TermCounts:
    """What the frequencies are counted from, over every retained record: how many carry
    each name value (either role) per nationality and overall (nationality ``*``), how
    many records each nationality has (``*``: all of them), and how many were born on
    each date. They are sums, so the counts of two sets of records add up: a store keeps
    them as records arrive, whatever order they arrive in."""

    names: pl.DataFrame
    nationalities: pl.DataFrame
    dates: pl.DataFrame

    @classmethod
    def empty(cls) -> TermCounts:
        count = {"n": pl.Int64}
        return cls(
            names=pl.DataFrame(schema={"nationality": pl.Utf8, "value": pl.Utf8, **count}),
            nationalities=pl.DataFrame(schema={"nationality": pl.Utf8, **count}),
            dates=pl.DataFrame(
                schema={"dob_year": pl.Int16, "dob_month": pl.Int8, "dob_day": pl.Int8, **count}
            ),
        )

    @property
    def records(self) -> int:
        total = self.nationalities.filter(pl.col("nationality") == ANY_NATIONALITY)["n"]
        return int(total.item()) if total.len() else 0

    def plus(self, other: TermCounts) -> TermCounts:
        def summed(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
            keys = [c for c in a.columns if c != "n"]
            both = pl.concat([a, b.select(pl.col(c).cast(t) for c, t in a.schema.items())])
            return both.group_by(keys).agg(pl.col("n").sum()).sort(keys, nulls_last=True)

        return TermCounts(
            summed(self.names, other.names),
            summed(self.nationalities, other.nationalities),
            summed(self.dates, other.dates),
        )


def term_counts(records: pl.DataFrame, encodings: pl.DataFrame) -> TermCounts:
    """The counts of ``records`` (their names' ``sur_id`` and ``giv_id`` are row numbers
    of ``encodings``)."""
    frame = _with_forms(records, encodings)
    values = pl.concat(
        [
            frame.select("__nationality", value="sur_joined"),
            frame.select("__nationality", value="giv_first"),
        ]
    ).drop_nulls("value")
    count = pl.len().cast(pl.Int64).alias("n")
    per_nationality = (
        values.filter(pl.col("__nationality") != ANY_NATIONALITY)
        .group_by("__nationality", "value")
        .agg(count)
        .rename({"__nationality": "nationality"})
    )
    overall = (
        values.group_by("value")
        .agg(count)
        .select(nationality=pl.lit(ANY_NATIONALITY), value="value", n="n")
    )
    sizes = (
        frame.filter(pl.col("__nationality") != ANY_NATIONALITY)
        .group_by(nationality="__nationality")
        .agg(count)
    )
    total = pl.DataFrame(
        {"nationality": [ANY_NATIONALITY], "n": [frame.height]}, schema=sizes.schema
    )
    dates = records.group_by(_DOB).agg(count)
    return TermCounts.empty().plus(
        TermCounts(pl.concat([per_nationality, overall]), pl.concat([sizes, total]), dates)
    )


def record_terms(records: pl.DataFrame, encodings: pl.DataFrame) -> pl.DataFrame:
    """What a record's frequencies are looked up by (``score.stored`` looks them up in
    the kept counts): its number (``seq``), the nationality its names are counted in,
    its surname and first given name as counted, the same read the other way round, and
    its date of birth. ``records`` carry their names' ``sur_id`` and ``giv_id``."""
    return _with_forms(records, encodings).select(
        "seq",
        nationality="__nationality",
        sur_joined="sur_joined",
        giv_first="giv_first",
        giv_joined="giv_joined",
        sur_first="sur_first",
        dob_year="dob_year",
        dob_month="dob_month",
        dob_day="dob_day",
    )


def _with_forms(records: pl.DataFrame, encodings: pl.DataFrame) -> pl.DataFrame:
    """``records`` with their names' forms that the frequencies count, and the
    nationality they are counted in (``*`` where the record gives none)."""
    forms = encodings.select("joined", "first")
    surnames, givens = forms[records["sur_id"]], forms[records["giv_id"]]
    return records.with_columns(
        sur_joined=surnames["joined"],
        sur_first=surnames["first"],
        giv_joined=givens["joined"],
        giv_first=givens["first"],
        __nationality=pl.coalesce("nationality", "doc_issuer").fill_null(ANY_NATIONALITY),
    )
