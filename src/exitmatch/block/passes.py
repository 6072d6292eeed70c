"""The blocking passes and their union.

Keys are built from the encodings of both sides (``first_phon`` of surname and given
names, date parts, OCR form of document numbers), hashed to UInt64, and joined. A case is
searched under every identity it has (aliases, alternate dates). Passes:

- ``dob_name``: full date of birth (also with day and month swapped) and the sound of
  either name; catches any spelling of one name when the date is right.
- ``document``: the OCR-confusable form of any document number on the case.
- ``name_year``: the sounds of both names, in either order, and the birth year within
  one year; catches wrong days and months, placeholders and partial dates.
- ``name_only``: the sounds of both names where one side has no birth year.
- ``near_document``: a part of a document number that one keying error leaves intact
  (first half, second half, or both without the two middle characters), with the issuer and
  either the birth year or a name's initial; catches a number keyed with one error.
- ``one_name_year``: the sound of either name, the initial of the other and the birth
  year within one year, where the key is not too common among records (at most ``cap``
  of them); catches one name mangled beyond its sound and a date wrong as well.
"""

from __future__ import annotations

from enum import IntFlag

import polars as pl


class Pass(IntFlag):
    DOB_NAME = 1
    DOCUMENT = 2
    NAME_YEAR = 4
    NAME_ONLY = 8
    ONE_NAME_YEAR = 16
    NEAR_DOCUMENT = 32


PASS_NAMES = {p: str(p.name).lower() for p in Pass}


def candidate_pairs(
    identities: pl.DataFrame,
    records: pl.DataFrame,
    *,
    cap: int = 200,
    population: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Distinct (case_idx, rec) pairs with a ``passes`` bitmask (UInt8).

    ``identities`` needs case_idx, dob parts, ``sur_phon1``/``giv_phon1`` (first-token sound
    of each name) and ``doc_ocr`` (list); ``records`` needs rec, the same name and date
    columns, and ``doc_ocr``. ``population`` is every record, when ``records`` is only the
    new ones: the broadest pass skips keys by how common they are among all of them.
    """
    found = [
        _join(
            _dob_name_keys(identities, "case_idx", case_side=True),
            _dob_name_keys(records, "rec", case_side=False),
            Pass.DOB_NAME,
        ),
        _join(_document_keys(identities), _record_document_keys(records), Pass.DOCUMENT),
        _join(
            _name_year_keys(identities, "case_idx", widen=True),
            _name_year_keys(records, "rec", widen=False),
            Pass.NAME_YEAR,
        ),
        _name_only(identities, records),
        _one_name_year(identities, records, cap, population),
        _join(
            _near_document_keys(
                identities.select(
                    "case_idx",
                    "dob_year",
                    "sur_initial",
                    "giv_initial",
                    number="doc_ocr",
                    issuer="doc_issuers",
                ).explode("number", "issuer"),
                "case_idx",
            ),
            _near_document_keys(
                records.select(
                    "rec",
                    "dob_year",
                    "sur_initial",
                    "giv_initial",
                    number="doc_ocr",
                    issuer="doc_issuer",
                ),
                "rec",
            ),
            Pass.NEAR_DOCUMENT,
        ),
    ]
    return (
        pl.concat(found)
        .group_by("case_idx", "rec")
        .agg(passes=pl.col("passes").bitwise_or())
        .sort("case_idx", "rec")
    )


def _join(left: pl.DataFrame, right: pl.DataFrame, found_by: Pass) -> pl.DataFrame:
    return (
        left.unique()
        .join(right.unique(), on="key", how="inner")
        .select("case_idx", "rec", passes=pl.lit(int(found_by), dtype=pl.UInt8))
        .unique()
    )


def _name_sounds() -> pl.Expr:
    return pl.concat_list(pl.col("sur_phon1"), pl.col("giv_phon1")).list.drop_nulls()


def _dob_name_keys(frame: pl.DataFrame, id_column: str, *, case_side: bool) -> pl.DataFrame:
    full = frame.filter(
        pl.col("dob_year").is_not_null()
        & pl.col("dob_month").is_not_null()
        & pl.col("dob_day").is_not_null()
    )
    dates = [pl.struct(y="dob_year", m="dob_month", d="dob_day")]
    if case_side:
        dates.append(pl.struct(y="dob_year", m="dob_day", d="dob_month"))
    keyed = (
        full.select(id_column, date=pl.concat_list(dates), sound=_name_sounds())
        .explode("date")
        .explode("sound")
    )
    keyed = keyed.filter(pl.col("sound") != "")
    return keyed.select(id_column, key=pl.struct("date", "sound").hash(1))


def _document_keys(identities: pl.DataFrame) -> pl.DataFrame:
    return (
        identities.select("case_idx", number="doc_ocr")
        .explode("number")
        .drop_nulls("number")
        .select("case_idx", key=pl.col("number").hash(2))
    )


def _record_document_keys(records: pl.DataFrame) -> pl.DataFrame:
    return records.drop_nulls("doc_ocr").select("rec", key=pl.col("doc_ocr").hash(2))


def _sorted_sounds() -> pl.Expr:
    return _name_sounds().list.sort().list.join(" ")


def _name_year_keys(frame: pl.DataFrame, id_column: str, *, widen: bool) -> pl.DataFrame:
    years = frame.filter(pl.col("dob_year").is_not_null())
    year = pl.col("dob_year").cast(pl.Int32)
    candidates = pl.concat_list(year - 1, year, year + 1) if widen else pl.concat_list(year)
    keyed = (
        years.filter(_name_sounds().list.len() == 2)
        .select(id_column, sounds=_sorted_sounds(), year=candidates)
        .explode("year")
    )
    return keyed.select(id_column, key=pl.struct("sounds", "year").hash(3))


def _name_only(identities: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    def keys(frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
        return frame.filter(_name_sounds().list.len() == 2).select(
            id_column,
            pl.col("dob_year").is_null().alias("no_year"),
            key=_sorted_sounds().hash(4),
        )

    left, right = keys(identities, "case_idx").unique(), keys(records, "rec").unique()
    joined = left.join(right, on="key", how="inner").filter(
        pl.col("no_year") | pl.col("no_year_right")
    )
    return joined.select(
        "case_idx", "rec", passes=pl.lit(int(Pass.NAME_ONLY), dtype=pl.UInt8)
    ).unique()


def _one_name_year(
    identities: pl.DataFrame,
    records: pl.DataFrame,
    cap: int,
    population: pl.DataFrame | None,
) -> pl.DataFrame:
    def keys(frame: pl.DataFrame, id_column: str, *, widen: bool) -> pl.DataFrame:
        year = pl.col("dob_year").cast(pl.Int32)
        years = pl.concat_list(year - 1, year, year + 1) if widen else pl.concat_list(year)
        halves = pl.concat_list(
            pl.concat_str("sur_phon1", pl.lit("|"), "giv_initial"),
            pl.concat_str("giv_phon1", pl.lit("|"), "sur_initial"),
        ).list.drop_nulls()
        keyed = (
            frame.filter(pl.col("dob_year").is_not_null())
            .select(id_column, half=halves, year=years)
            .explode("half")
            .explode("year")
            .filter(pl.col("half").is_not_null() & ~pl.col("half").str.starts_with("|"))
        )
        return keyed.select(id_column, key=pl.struct("half", "year").hash(6)).unique()

    record_keys = keys(records, "rec", widen=False)
    # How common a key is, is counted over every record (``population``), not just those
    # being blocked now: a key is skipped the same whichever night its records came.
    counted = record_keys if population is None else keys(population, "rec", widen=False)
    common = counted.group_by("key").len().filter(pl.col("len") > cap).select("key")
    record_keys = record_keys.join(common, on="key", how="anti")
    return _join(keys(identities, "case_idx", widen=True), record_keys, Pass.ONE_NAME_YEAR)


# Shortest number whose parts still say something.
_NEAR_MIN_LENGTH = 6


def _near_document_keys(frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """Parts of each document number that survive one keying error, each with the issuer
    and one of: birth year, surname initial, given-name initial."""
    number = pl.col("number")
    half = number.str.len_chars() // 2
    parts = pl.concat_list(
        pl.concat_str(pl.lit("a"), number.str.slice(0, half)),
        pl.concat_str(pl.lit("b"), number.str.slice(half)),
        pl.concat_str(pl.lit("c"), number.str.slice(0, half - 1), number.str.slice(half + 1)),
    )
    extras = pl.concat_list(
        pl.concat_str(pl.lit("y"), pl.col("dob_year").cast(pl.Utf8)),
        pl.concat_str(pl.lit("s"), "sur_initial"),
        pl.concat_str(pl.lit("g"), "giv_initial"),
    ).list.drop_nulls()
    keyed = (
        frame.filter(number.str.len_chars() >= _NEAR_MIN_LENGTH)
        .select(id_column, issuer=pl.col("issuer").fill_null(""), part=parts, extra=extras)
        .explode("part")
        .explode("extra")
        .drop_nulls("extra")
    )
    return keyed.select(id_column, key=pl.struct("issuer", "part", "extra").hash(7))


def still_found(
    pairs: pl.DataFrame,
    identities: pl.DataFrame,
    records: pl.DataFrame,
    *,
    cap: int,
) -> pl.DataFrame:
    """``pairs`` (case_idx, rec, passes, ...) as blocking today's whole history would find
    them: the broadest pass's bit is cleared where its key has since become too common
    among ``records`` (all of them), and pairs left with no pass are dropped.

    Kept comparisons were blocked against the history of their night; this makes N nights
    equal one run.
    """
    broad = int(Pass.ONE_NAME_YEAR)
    has_broad = (pl.col("passes") & broad) != 0
    suspects = pairs.filter(has_broad).select("case_idx", "rec").unique()
    if suspects.is_empty():
        return pairs
    cases = identities.join(suspects.select("case_idx").unique(), on="case_idx")
    candidates = records.join(suspects.select("rec").unique(), on="rec")
    found = _one_name_year(cases, candidates, cap, records).select(
        "case_idx", "rec", __still=pl.lit(True)
    )
    marked = pairs.join(found.unique(), on=["case_idx", "rec"], how="left")
    cleared = (
        pl.when(has_broad & pl.col("__still").is_null())
        .then(pl.col("passes") & (255 - broad))
        .otherwise(pl.col("passes"))
        .cast(pl.UInt8)
    )
    return marked.with_columns(passes=cleared).filter(pl.col("passes") != 0).drop("__still")
