"""Term frequencies among travellers: how common each name and date of birth is in the
travel records, so that agreeing on a common value counts for less.

Use ``term_counts`` to count a set of travel records after their names are encoded (the
counts of every retained record are kept as sums, ``TermCounts.plus``), and
``with_term_frequencies`` to give records their frequencies from those counts.

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
_ALL = "*"
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
        total = self.nationalities.filter(pl.col("nationality") == _ALL)["n"]
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
        values.filter(pl.col("__nationality") != _ALL)
        .group_by("__nationality", "value")
        .agg(count)
        .rename({"__nationality": "nationality"})
    )
    overall = (
        values.group_by("value").agg(count).select(nationality=pl.lit(_ALL), value="value", n="n")
    )
    sizes = (
        frame.filter(pl.col("__nationality") != _ALL)
        .group_by(nationality="__nationality")
        .agg(count)
    )
    total = pl.DataFrame({"nationality": [_ALL], "n": [frame.height]}, schema=sizes.schema)
    dates = records.group_by(_DOB).agg(count)
    return TermCounts.empty().plus(
        TermCounts(pl.concat([per_nationality, overall]), pl.concat([sizes, total]), dates)
    )


def with_term_frequencies(
    records: pl.DataFrame, encodings: pl.DataFrame, counts: TermCounts
) -> pl.DataFrame:
    """Add tf_sur, tf_giv (the record's own surname and first given name), tf_sur_x,
    tf_giv_x (the same values read the other way round), each the share of records of the
    record's nationality (where it has enough) carrying the value, and tf_dob, the share
    of all records born on the record's date. ``records`` carry their names' ``sur_id``
    and ``giv_id`` (row numbers of ``encodings``); ``counts`` are those of every retained
    record, these included."""
    total = max(counts.records, 1)
    floor = 1.0 / total
    sizes = counts.nationalities.rename({"nationality": "__nationality", "n": "__size"})
    frame = (
        _with_forms(records, encodings)
        .join(sizes, on="__nationality", how="left")
        .with_columns(
            __group=pl.when(pl.col("__size") >= MIN_GROUP)
            .then("__nationality")
            .otherwise(pl.lit(_ALL))
        )
        .drop("__size")
    )
    shares = counts.names.join(counts.nationalities.rename({"n": "size"}), on="nationality").select(
        __group="nationality", value="value", share=pl.col("n") / pl.col("size")
    )
    frame = (
        _attach(frame, shares, "sur_joined", "tf_sur", floor)
        .pipe(_attach, shares, "giv_first", "tf_giv", floor)
        .pipe(_attach, shares, "giv_joined", "tf_sur_x", floor)
        .pipe(_attach, shares, "sur_first", "tf_giv_x", floor)
    )
    dates = counts.dates.select(*_DOB, tf_dob=pl.col("n") / total)
    return (
        frame.join(dates, on=list(_DOB), how="left", nulls_equal=True, maintain_order="left")
        .with_columns(pl.col("tf_dob").fill_null(floor).clip(floor, 1.0))
        .drop("sur_joined", "sur_first", "giv_joined", "giv_first", "__group", "__nationality")
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
        __nationality=pl.coalesce("nationality", "doc_issuer").fill_null(_ALL),
    )


def _attach(
    frame: pl.DataFrame, shares: pl.DataFrame, column: str, name: str, floor: float
) -> pl.DataFrame:
    joined = frame.join(
        shares.rename({"value": column, "share": name}),
        on=["__group", column],
        how="left",
        maintain_order="left",
    )
    return joined.with_columns(pl.col(name).fill_null(floor).clip(floor, 1.0))


def attach_term_frequencies(vectors: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """``tf_surname``, ``tf_given`` and ``tf_dob`` of each vector's agreed values: the
    record's own, read the other way round where the names were swapped."""
    tf = records.select("rec", "tf_sur", "tf_giv", "tf_sur_x", "tf_giv_x", "tf_dob")
    swapped = pl.col("name_swapped")
    return (
        vectors.join(tf, on="rec", how="left")
        .with_columns(
            tf_surname=pl.when(swapped).then("tf_sur_x").otherwise("tf_sur"),
            tf_given=pl.when(swapped).then("tf_giv_x").otherwise("tf_giv"),
        )
        .drop("tf_sur", "tf_giv", "tf_sur_x", "tf_giv_x")
    )
