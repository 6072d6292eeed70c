"""Term frequencies among travellers: how common each name and date of birth is in the
travel records, so that agreeing on a common value counts for less.

Use ``with_term_frequencies`` on the travel records after their names are encoded.

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

import polars as pl

# A nationality needs this many records before its own frequencies are used.
MIN_GROUP = 2000
_ALL = "*"


def with_term_frequencies(records: pl.DataFrame, encodings: pl.DataFrame) -> pl.DataFrame:
    """Add tf_sur, tf_giv (the record's own surname and first given name), tf_sur_x,
    tf_giv_x (the same values read the other way round), each the share of records of the
    record's nationality (where it has enough) carrying the value, and tf_dob, the share
    of all records born on the record's date. ``records`` carry their names' ``sur_id``
    and ``giv_id`` (row numbers of ``encodings``)."""
    forms = encodings.select("joined", "first")
    surnames, givens = forms[records["sur_id"]], forms[records["giv_id"]]
    frame = records.with_columns(
        sur_joined=surnames["joined"],
        sur_first=surnames["first"],
        giv_joined=givens["joined"],
        giv_first=givens["first"],
    )
    nationality = pl.coalesce("nationality", "doc_issuer").fill_null(_ALL)
    frame = frame.with_columns(
        __group=pl.when(nationality.count().over(nationality) >= MIN_GROUP)
        .then(nationality)
        .otherwise(pl.lit(_ALL))
    )
    shares = _name_shares(frame)
    frame = (
        _attach(frame, shares, "sur_joined", "tf_sur")
        .pipe(_attach, shares, "giv_first", "tf_giv")
        .pipe(_attach, shares, "giv_joined", "tf_sur_x")
        .pipe(_attach, shares, "sur_first", "tf_giv_x")
    )
    dob = pl.struct("dob_year", "dob_month", "dob_day")
    floor = 1.0 / max(records.height, 1)
    return frame.with_columns(
        tf_dob=(dob.count().over(dob) / max(records.height, 1)).clip(floor, 1.0)
    ).drop("sur_joined", "sur_first", "giv_joined", "giv_first", "__group")


def _name_shares(frame: pl.DataFrame) -> pl.DataFrame:
    """Share of records, per nationality group and overall, carrying each name value in
    either role."""
    values = pl.concat(
        [
            frame.select("__group", value="sur_joined"),
            frame.select("__group", value="giv_first"),
        ]
    ).drop_nulls("value")
    sizes = frame.group_by("__group").len("size")
    grouped = values.group_by("__group", "value").len("count").join(sizes, on="__group")
    overall = (
        values.group_by("value")
        .len("count")
        .with_columns(__group=pl.lit(_ALL), size=pl.lit(frame.height, dtype=pl.UInt32))
    )
    both = pl.concat([grouped.filter(pl.col("__group") != _ALL), overall], how="diagonal")
    return both.select("__group", "value", share=pl.col("count") / pl.col("size"))


def _attach(frame: pl.DataFrame, shares: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    floor = 1.0 / max(frame.height, 1)
    joined = frame.join(
        shares.rename({"value": column, "share": name}), on=["__group", column], how="left"
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
