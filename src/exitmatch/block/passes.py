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
  year (the same year; ``broad_years`` searches years either side too), where the key is
  not too common among records (at most ``cap`` of them); catches one name mangled beyond
  its sound and a wrong day or month as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

# The columns of both sides that keys are made of (besides the document numbers).
_KEYED = (
    "dob_year",
    "dob_month",
    "dob_day",
    "sur_phon1",
    "giv_phon1",
    "sur_initial",
    "giv_initial",
)


def case_keys(identities: pl.DataFrame, *, broad_years: int = 0) -> pl.DataFrame:
    """Every blocking key of the case identities: ``case_idx``, ``pass_bit``, ``key`` and
    ``no_year`` (the identity has no birth year, for the name-only pass). The broadest
    pass searches ``broad_years`` birth years either side of the case's."""
    identities = identities.select("case_idx", *_KEYED, "doc_ocr", "doc_issuers")
    near = identities.select(
        "case_idx",
        "dob_year",
        "sur_initial",
        "giv_initial",
        number="doc_ocr",
        issuer="doc_issuers",
    ).explode("number", "issuer")
    return _keys(
        "case_idx",
        [
            (Pass.DOB_NAME, _dob_name_keys(identities, "case_idx", case_side=True)),
            (Pass.DOCUMENT, _case_document_keys(identities)),
            (Pass.NAME_YEAR, _name_year_keys(identities, "case_idx", widen=1)),
            (Pass.NAME_ONLY, _name_only_keys(identities, "case_idx")),
            (Pass.ONE_NAME_YEAR, _one_name_year_keys(identities, "case_idx", widen=broad_years)),
            (Pass.NEAR_DOCUMENT, _near_document_keys(near, "case_idx")),
        ],
    )


def record_keys(records: pl.DataFrame) -> pl.DataFrame:
    """Every blocking key of the travel records: ``rec``, ``pass_bit``, ``key``, ``no_year``.

    They depend on each record alone, so the store keeps them as records arrive and a new
    case is searched against the whole history by key."""
    # Only what the keys are made of: every pass filters its own rows.
    records = records.select("rec", *_KEYED, "doc_ocr", "doc_issuer")
    near = records.select(
        "rec",
        "dob_year",
        "sur_initial",
        "giv_initial",
        number="doc_ocr",
        issuer="doc_issuer",
    )
    return _keys(
        "rec",
        [
            (Pass.DOB_NAME, _dob_name_keys(records, "rec", case_side=False)),
            (Pass.DOCUMENT, _record_document_keys(records)),
            (Pass.NAME_YEAR, _name_year_keys(records, "rec", widen=0)),
            (Pass.NAME_ONLY, _name_only_keys(records, "rec")),
            (Pass.ONE_NAME_YEAR, _one_name_year_keys(records, "rec", widen=0)),
            (Pass.NEAR_DOCUMENT, _near_document_keys(near, "rec")),
        ],
    )


def common_keys(keys: pl.DataFrame, cap: int) -> pl.Series:
    """Keys of the broadest pass shared by more than ``cap`` records of ``keys`` (all of
    them: a key is skipped the same whichever night its records came)."""
    broad = keys.filter(pl.col("pass_bit") == int(Pass.ONE_NAME_YEAR))
    return broad.group_by("key").len().filter(pl.col("len") > cap)["key"]


@dataclass
class NightKeys:
    """The broadest pass's keys of a night's records, counted as its slices are keyed:
    those too common to pair by are the ones common before the night (``known``) and
    those the night's records alone carry more than ``cap`` times. The rest of the keys
    that became common with the night are found once it is stored
    (``store.state.count_common``), and take that pass from the pairs they found."""

    known: pl.Series
    cap: int
    counts: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={"key": pl.UInt64, "n": pl.UInt32})
    )

    def add(self, keys: pl.DataFrame) -> pl.Series:
        """Count a slice's record keys (pass_bit, key); the keys too common now."""
        broad = keys.filter(pl.col("pass_bit") == int(Pass.ONE_NAME_YEAR))
        slice_counts = broad.group_by("key").agg(n=pl.len().cast(pl.UInt32))
        self.counts = pl.concat([self.counts, slice_counts]).group_by("key").agg(pl.col("n").sum())
        return pl.concat([self.known, self.crowded()]).unique().sort()

    def crowded(self) -> pl.Series:
        """The keys not common before the night that its records alone carry more than
        ``cap`` times."""
        crowded = self.counts.filter(pl.col("n") > self.cap)["key"]
        return crowded.filter(~crowded.is_in(self.known.implode()))

    def not_known(self) -> pl.Series:
        """The night's keys that were not common before it."""
        keys = self.counts["key"]
        return keys.filter(~keys.is_in(self.known.implode())).sort()


def pairs_from_keys(cases: pl.DataFrame, records: pl.DataFrame, common: pl.Series) -> pl.DataFrame:
    """Distinct (case_idx, rec) pairs that share a key, with a ``passes`` bitmask.

    Each pass hashes its keys with its own seed, so the join is on the key alone and the
    pass is checked after; pairs are grouped on one integer (case_idx and rec packed).
    The name-only pass is filtered after the join too: splitting the join by it copies the
    record keys, which costs more than the rows it saves."""
    joined = cases.join(records, on="key", how="inner").filter(
        pl.col("pass_bit") == pl.col("pass_bit_right")
    )
    name_only = pl.col("pass_bit") == int(Pass.NAME_ONLY)
    too_common = (pl.col("pass_bit") == int(Pass.ONE_NAME_YEAR)) & pl.col("key").is_in(
        common.implode()
    )
    packed = pl.col("case_idx").cast(pl.UInt64) * _PACK + pl.col("rec").cast(pl.UInt64)
    return (
        joined.filter(~name_only | pl.col("no_year") | pl.col("no_year_right"))
        .filter(~too_common)
        .group_by(__pair=packed)
        .agg(passes=pl.col("pass_bit").bitwise_or())
        .sort("__pair")
        .select(
            case_idx=(pl.col("__pair") // _PACK).cast(pl.UInt32),
            rec=(pl.col("__pair") % _PACK).cast(pl.UInt32),
            passes="passes",
        )
    )


_PACK = 1 << 32


def pairable(found: pl.DataFrame, wanted: pl.DataFrame, common: pl.Series) -> pl.DataFrame:
    """Those of ``found`` (record keys with ``pass_bit``, ``key`` and ``no_year``) that
    ``pairs_from_keys`` would pair with a case key of ``wanted`` (``pass_bit``, ``key``
    and ``no_year``, one row a key), where ``common`` are keys too common (or fewer of
    them: a key common now is common on every later night).

    A case search finds by the name-only pass every record with the case's names, most
    of which have a birth year and pair only with a case that has none; and by the
    broadest pass the records of keys too common to pair by. Neither is read."""
    name_only = pl.col("pass_bit") == int(Pass.NAME_ONLY)
    too_common = (pl.col("pass_bit") == int(Pass.ONE_NAME_YEAR)) & pl.col("key").is_in(
        common.implode()
    )
    by_key = wanted.select("pass_bit", "key", case_no_year="no_year")
    return (
        found.join(by_key, on=["pass_bit", "key"], how="inner")
        .filter(~name_only | pl.col("no_year") | pl.col("case_no_year"))
        .filter(~too_common)
        .drop("case_no_year")
    )


def candidate_pairs(
    identities: pl.DataFrame,
    records: pl.DataFrame,
    *,
    cap: int = 200,
    broad_years: int = 0,
    population: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Distinct (case_idx, rec) pairs with a ``passes`` bitmask (UInt8).

    ``identities`` needs case_idx, dob parts, ``sur_phon1``/``giv_phon1`` (first-token sound
    of each name), their initials and ``doc_ocr``/``doc_issuers`` (lists); ``records``
    needs rec and the same as scalars. ``population`` is every record, when ``records`` is
    only the new ones: the broadest pass skips keys by how common they are among all.
    """
    found = record_keys(records)
    counted = found if population is None else record_keys(population)
    wanted = case_keys(identities, broad_years=broad_years)
    return pairs_from_keys(wanted, found, common_keys(counted, cap))


def _keys(id_column: str, parts: list[tuple[Pass, pl.DataFrame]]) -> pl.DataFrame:
    """The passes' keys in one frame. Each pass yields a key at most once per row of its
    input, so only the case side (several identities per case) needs de-duplicating (in
    no particular order: pairs are grouped and sorted after the join)."""
    keys = pl.concat(
        [
            keys.select(
                id_column,
                pass_bit=pl.lit(int(found_by), dtype=pl.UInt8),
                key="key",
                no_year=pl.col("no_year") if "no_year" in keys.columns else pl.lit(False),
            )
            for found_by, keys in parts
        ]
    )
    return keys.unique() if id_column == "case_idx" else keys


# Keys are hashes of small structs of plain columns, one select per variant (never lists
# exploded per row): this is the hot path of every night.

_SUR, _GIV = pl.col("sur_phon1"), pl.col("giv_phon1")


def _variants(frame: pl.DataFrame, id_column: str, keys: list[pl.Expr]) -> pl.DataFrame:
    """``frame`` keyed once per expression of ``keys`` (null keys dropped)."""
    return pl.concat([frame.select(id_column, key=key) for key in keys]).drop_nulls("key")


def _when(condition: pl.Expr, key: pl.Expr) -> pl.Expr:
    return pl.when(condition).then(key)


def _heard(sound: pl.Expr) -> pl.Expr:
    return sound.is_not_null() & (sound != "")


def _date(year: str, month: str, day: str) -> pl.Expr:
    return (
        pl.col(year).cast(pl.Int32) * 10_000
        + pl.col(month).cast(pl.Int32) * 100
        + pl.col(day).cast(pl.Int32)
    )


def _dob_name_keys(frame: pl.DataFrame, id_column: str, *, case_side: bool) -> pl.DataFrame:
    full = frame.filter(
        pl.col("dob_year").is_not_null()
        & pl.col("dob_month").is_not_null()
        & pl.col("dob_day").is_not_null()
    )
    dates = [_date("dob_year", "dob_month", "dob_day")]
    if case_side:
        dates.append(_date("dob_year", "dob_day", "dob_month"))
    # The given name's key only where it differs from the surname's (the same key twice).
    given_heard = _heard(_GIV) & (_GIV != _SUR).fill_null(True)
    keys = [
        _when(heard, pl.struct(date=date, sound=sound).hash(1))
        for date in dates
        for sound, heard in ((_SUR, _heard(_SUR)), (_GIV, given_heard))
    ]
    return _variants(full, id_column, keys)


def _case_document_keys(identities: pl.DataFrame) -> pl.DataFrame:
    return (
        identities.select("case_idx", number="doc_ocr")
        .explode("number")
        .drop_nulls("number")
        .select("case_idx", key=pl.col("number").hash(2))
    )


def _record_document_keys(records: pl.DataFrame) -> pl.DataFrame:
    return records.drop_nulls("doc_ocr").select("rec", key=pl.col("doc_ocr").hash(2))


def _both_sounds(year: pl.Expr | None = None) -> pl.Expr:
    """Both names' sounds in either order (and the year): the same whichever name is
    filed as the surname."""
    fields = [
        pl.min_horizontal(_SUR, _GIV).alias("low"),
        pl.max_horizontal(_SUR, _GIV).alias("high"),
    ]
    if year is not None:
        fields.append(year.alias("year"))
    return pl.struct(fields)


def _years(widen: int) -> list[pl.Expr]:
    """The birth year and ``widen`` years either side."""
    year = pl.col("dob_year").cast(pl.Int32)
    return [year + offset for offset in range(-widen, widen + 1)]


def _name_year_keys(frame: pl.DataFrame, id_column: str, *, widen: int) -> pl.DataFrame:
    named = frame.filter(pl.col("dob_year").is_not_null() & _SUR.is_not_null() & _GIV.is_not_null())
    return _variants(named, id_column, [_both_sounds(y).hash(3) for y in _years(widen)])


def _name_only_keys(frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
    return frame.filter(_SUR.is_not_null() & _GIV.is_not_null()).select(
        id_column, key=_both_sounds().hash(4), no_year=pl.col("dob_year").is_null()
    )


def _one_name_year_keys(frame: pl.DataFrame, id_column: str, *, widen: int) -> pl.DataFrame:
    """The sound of one name with the other's initial: surname and given name meet in the
    same key space, so names filed the other way round still meet."""
    halves = [
        (_SUR, pl.col("giv_initial"), _heard(_SUR) & pl.col("giv_initial").is_not_null()),
        (
            _GIV,
            pl.col("sur_initial"),
            _heard(_GIV)
            & pl.col("sur_initial").is_not_null()
            # Not the first half again.
            & ((_GIV != _SUR) | (pl.col("sur_initial") != pl.col("giv_initial"))).fill_null(True),
        ),
    ]
    keys = [
        _when(present, pl.struct(sound=sound, initial=initial, year=year).hash(6))
        for sound, initial, present in halves
        for year in _years(widen)
    ]
    return _variants(frame.filter(pl.col("dob_year").is_not_null()), id_column, keys)


# Shortest number whose parts still say something.
_NEAR_MIN_LENGTH = 6


def _near_document_keys(frame: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """Parts of each document number that survive one keying error, each with the issuer
    and one of: birth year, surname initial, given-name initial."""
    number = pl.col("number")
    half = number.str.len_chars() // 2
    issuer = pl.col("issuer").fill_null("")
    parts = [
        pl.struct(issuer=issuer, tag=pl.lit(tag), part=part).hash(7)
        for tag, part in (
            (0, number.str.slice(0, half)),
            (1, number.str.slice(half)),
            (2, pl.concat_str(number.str.slice(0, half - 1), number.str.slice(half + 1))),
        )
    ]
    extras = [
        _when(value.is_not_null(), pl.struct(tag=pl.lit(tag), value=value).hash(8))
        for tag, value in (
            (0, pl.col("dob_year").cast(pl.Utf8)),
            (1, pl.col("sur_initial")),
            (2, pl.col("giv_initial")),
        )
    ]
    hashed = frame.filter(number.str.len_chars() >= _NEAR_MIN_LENGTH).select(
        id_column,
        *(part.alias(f"part{i}") for i, part in enumerate(parts)),
        *(extra.alias(f"extra{j}") for j, extra in enumerate(extras)),
    )
    keys = [
        _when(pl.col(f"extra{j}").is_not_null(), pl.struct(f"part{i}", f"extra{j}").hash(10))
        for i in range(len(parts))
        for j in range(len(extras))
    ]
    return _variants(hashed, id_column, keys)


def lost_pairs(
    suspects: pl.DataFrame, case_keys: pl.DataFrame, record_keys: pl.DataFrame, common: pl.Series
) -> pl.DataFrame:
    """Of ``suspects`` (case_idx, seq: kept pairs that the broadest pass found, whose
    record carries a key too common now), those that blocking today's whole history would
    no longer find by that pass: the case and record share no broadest-pass key that is
    not common. ``case_keys`` are the cases' keys and ``record_keys`` (seq, pass_bit, key,
    no_year) the records' broadest-pass keys as the store keeps them.

    Kept comparisons were blocked against the history of their night; clearing this pass
    of the lost pairs (and dropping those left with none) makes N nights equal one run.
    """
    broad = int(Pass.ONE_NAME_YEAR)
    wanted = case_keys.filter(
        (pl.col("pass_bit") == broad) & pl.col("case_idx").is_in(suspects["case_idx"].implode())
    )
    found = pairs_from_keys(
        wanted, record_keys.with_columns(rec=pl.col("seq").cast(pl.UInt32)), common
    ).select("case_idx", seq=pl.col("rec").cast(pl.Int64))
    return suspects.join(found, on=["case_idx", "seq"], how="anti")
