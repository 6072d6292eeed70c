"""Vectorised validation: raw text columns in, canonical accepted rows, quarantine and data
issues out.

Reach for ``validate`` once the files of a source have been read into one raw frame of text
(``exitmatch.ingest.formats``). It applies exactly the value rules of
``exitmatch.contract.values`` and the row models of ``exitmatch.contract.inputs``, but as
polars expressions over whole columns: no Python runs per row. A property test keeps this
module and the pydantic models in agreement.

What happens to a row:
- a required value missing or invalid, or no identity at all: the row is quarantined with
  every problem listed, ``"; "``-joined, each naming its column;
- a bad value in an optional column: the value becomes null, the row is kept and the value
  is reported as a data issue (for lists: each bad item, the good items kept);
- a repeated case_id/record_id: the first occurrence is kept, later ones quarantined.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

import polars as pl

from exitmatch.contract.codes import InventoryStatus, OrderType, Priority, Source, WarrantStatus
from exitmatch.contract.countries import icao_codes
from exitmatch.contract.values import (
    DOCUMENT_PATTERN,
    LIST_SEPARATOR,
    MAX_BIRTH_YEAR,
    MIN_BIRTH_YEAR,
    PARTIAL_DATE_PATTERN,
    SEX_VALUES,
    TIMESTAMP_PATTERN,
)
from exitmatch.ingest.formats import RAW_LINE
from exitmatch.ingest.frames import CANONICAL, UTC_TIMESTAMP

# Exactly the characters Python's str.strip() removes (str.isspace()), which the contract's
# clean_text uses. Polars' default strip follows Unicode White_Space, which leaves out the
# separators \x1c-\x1f; naming the set keeps the two sides identical.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


# The contract's patterns are written for both engines (Rust regex in polars, Python re).
_PARTIAL_DATE = PARTIAL_DATE_PATTERN
_TIMESTAMP = TIMESTAMP_PATTERN
_DOCUMENT = DOCUMENT_PATTERN

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "file": pl.Utf8(),
    "row": pl.Utf8(),
    "reason": pl.Utf8(),
    "raw": pl.Utf8(),
}
ISSUES_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.Utf8(),
    "file": pl.Utf8(),
    "row": pl.Utf8(),
    "column": pl.Utf8(),
    "value": pl.Utf8(),
    "reason": pl.Utf8(),
}


class Kind(Enum):
    """What a column holds, which decides the rule applied to it."""

    TEXT = "text"
    NAMES = "names"  # list of text
    PARTIAL_DATE = "partial_date"
    PARTIAL_DATES = "partial_dates"  # list
    DATE = "date"
    TIMESTAMP = "timestamp"
    SEX = "sex"
    COUNTRY = "country"
    COUNTRIES = "countries"  # list
    DOCUMENTS = "documents"  # list of TYPE/ISSUER/NUMBER
    ENUM = "enum"


class Column(NamedTuple):
    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()  # the allowed values of an ENUM column


def _enum(name: str, enum: type[Enum], *, required: bool) -> Column:
    return Column(name, Kind.ENUM, required, tuple(str(m.value) for m in enum))


_TRAVELLER = (
    Column("date_of_birth", Kind.PARTIAL_DATE),
    Column("sex", Kind.SEX),
    Column("nationality", Kind.COUNTRY),
    Column("document_type", Kind.TEXT),
    Column("document_number", Kind.TEXT),
    Column("document_country", Kind.COUNTRY),
)
_AIR_NAMES = (
    Column("record_id", Kind.TEXT, required=True),
    Column("surname", Kind.TEXT),
    Column("given_names", Kind.TEXT),
)

COLUMNS: dict[Source, tuple[Column, ...]] = {
    Source.INVENTORY: (
        Column("case_id", Kind.TEXT, required=True),
        Column("uci", Kind.TEXT, required=True),
        Column("surname", Kind.TEXT),
        Column("given_names", Kind.TEXT),
        Column("aliases", Kind.NAMES),
        Column("date_of_birth", Kind.PARTIAL_DATE),
        Column("alt_dates_of_birth", Kind.PARTIAL_DATES),
        Column("sex", Kind.SEX),
        Column("citizenships", Kind.COUNTRIES),
        Column("documents", Kind.DOCUMENTS),
        _enum("order_type", OrderType, required=True),
        Column("order_date", Kind.DATE, required=True),
        Column("enforceable_date", Kind.DATE),
        _enum("inventory_status", InventoryStatus, required=True),
        _enum("priority", Priority, required=True),
        Column("warrant_id", Kind.TEXT),
        _enum("warrant_status", WarrantStatus, required=False),
        Column("region", Kind.TEXT),
    ),
    Source.LAND: (
        Column("record_id", Kind.TEXT, required=True),
        Column("surname", Kind.TEXT),
        Column("given_name", Kind.TEXT),
        Column("middle_names", Kind.TEXT),
        *_TRAVELLER,
        Column("crossed_at", Kind.TIMESTAMP, required=True),
        Column("port", Kind.TEXT, required=True),
    ),
    Source.AIR: (
        *_AIR_NAMES,
        *_TRAVELLER,
        Column("carrier", Kind.TEXT, required=True),
        Column("flight_number", Kind.TEXT, required=True),
        Column("departure_airport", Kind.TEXT, required=True),
        Column("departed_at", Kind.TIMESTAMP, required=True),
        Column("destination_airport", Kind.TEXT),
    ),
    Source.ENTRIES: (
        *_AIR_NAMES,
        *_TRAVELLER,
        Column("entered_at", Kind.TIMESTAMP, required=True),
        Column("port", Kind.TEXT, required=True),
    ),
}

# A row needs at least one of these; the reason is the contract model's own wording.
IDENTITY: dict[Source, tuple[tuple[str, ...], str]] = {
    Source.INVENTORY: (("surname", "given_names"), "neither surname nor given_names"),
    Source.LAND: (
        ("surname", "given_name", "document_number"),
        "no surname, given name or document number",
    ),
    Source.AIR: (
        ("surname", "given_names", "document_number"),
        "no surname, given names or document number",
    ),
    Source.ENTRIES: (
        ("surname", "given_names", "document_number"),
        "no surname, given names or document number",
    ),
}

KEY: dict[Source, str] = {
    Source.INVENTORY: "case_id",
    Source.LAND: "record_id",
    Source.AIR: "record_id",
    Source.ENTRIES: "record_id",
}

_LIST_KINDS = frozenset({Kind.NAMES, Kind.PARTIAL_DATES, Kind.COUNTRIES, Kind.DOCUMENTS})
_ITEM_KIND = {
    Kind.NAMES: Kind.TEXT,
    Kind.PARTIAL_DATES: Kind.PARTIAL_DATE,
    Kind.COUNTRIES: Kind.COUNTRY,
    Kind.DOCUMENTS: Kind.DOCUMENTS,
}


@dataclass(frozen=True)
class Validated:
    """Accepted rows (``frames.CANONICAL[source]``), quarantined rows and data issues."""

    frame: pl.DataFrame
    quarantine: pl.DataFrame
    issues: pl.DataFrame


# --- value rules, one per kind ---------------------------------------------------------
#
# A rule has two halves so that each costly step (a regex, an upper-casing) runs once per
# value: ``parse`` turns the cleaned text into a struct of parts in one pass, and ``judge``
# reads that struct (cheap field access) to give the problem in words (null when fine or
# missing) and the canonical value (meaningful only where there is no problem). The same
# halves work on a column and, inside ``list.eval``, on the items of a list column.


class Rule(NamedTuple):
    parse: Callable[[pl.Expr], pl.Expr]
    judge: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]
    # A second step over the parsed parts, stored too (scalar columns only).
    refine: Callable[[pl.Expr], pl.Expr] | None = None


def clean(text: pl.Expr) -> pl.Expr:
    """Strip surrounding white space; empty text is missing (``values.clean_text``)."""
    # replace, not when/then: the stripped text would be computed once per branch.
    return text.str.strip_chars(WHITESPACE).replace("", None)


def list_items(cell: pl.Expr) -> pl.Expr:
    """``values.split_list``: ``|``-separated, items stripped, blank items dropped."""
    # list.filter, not a filter inside list.eval: that one runs list by list, many times
    # slower.
    items = cell.str.split(LIST_SEPARATOR).list.eval(pl.element().str.strip_chars(WHITESPACE))
    items = items.list.filter(pl.element().str.len_bytes() > 0)
    return items.fill_null(pl.lit([], pl.List(pl.Utf8)))


def _int(text: pl.Expr) -> pl.Expr:
    return text.cast(pl.Int32, strict=False)


def _field(parts: pl.Expr, *path: str) -> pl.Expr:
    for name in path:
        parts = parts.struct.field(name)
    return parts


def _problem(*checks: tuple[pl.Expr, str]) -> pl.Expr:
    """The first failing check's reason, in order (as the contract's checks raise)."""
    (failed, reason), *rest = checks
    later = _problem(*rest) if rest else pl.lit(None, pl.Utf8)
    return pl.when(failed).then(pl.lit(reason)).otherwise(later)


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _is_calendar_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    # What date.fromisoformat accepts once the text is YYYY-MM-DD: years 1-9999.
    return (
        (year >= 1)
        & month.is_between(1, 12)
        & day.is_between(1, _days_in_month(year, month.clip(1, 12)))
    )


def _parse_text(text: pl.Expr) -> pl.Expr:
    return pl.struct(text.alias("text"))


def _judge_text(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return pl.lit(None, pl.Utf8), _field(parts, "text")


def _parse_date(text: pl.Expr) -> pl.Expr:
    # The pattern is fixed-width, so once it matches the parts are plain slices.
    return pl.struct(
        text.alias("text"),
        text.str.contains(_PARTIAL_DATE).alias("ok"),
        _int(text.str.slice(0, 4)).alias("year"),
        _int(text.str.slice(5, 2)).alias("month"),
        _int(text.str.slice(8, 2)).alias("day"),
    )


def _judge_partial_date(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_partial_date``: the same checks, in the same order."""
    year, month, day = (_field(parts, p) for p in ("year", "month", "day"))
    last_day = pl.when(month == 0).then(0).otherwise(_days_in_month(year, month.clip(1, 12)))
    problem = _problem(
        (~_field(parts, "ok"), "not a date of the form YYYY-MM-DD"),
        (~year.is_between(MIN_BIRTH_YEAR, MAX_BIRTH_YEAR), f"year outside {_BIRTH_YEARS}"),
        (month > 12, "month above 12"),
        ((month == 0) & (day != 0), "day given without a month"),
        (day > last_day, "day beyond the end of the month"),
    )
    return problem, _field(parts, "text")


def _judge_date(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_date``: a calendar date YYYY-MM-DD."""
    year, month, day = (_field(parts, p) for p in ("year", "month", "day"))
    ok = _field(parts, "ok") & _is_calendar_date(year, month, day)
    problem = _problem((~ok, "not a calendar date of the form YYYY-MM-DD"))
    # Impossible parts are nulled first: pl.date raises on them.
    return problem, pl.date(*(pl.when(ok).then(part) for part in (year, month, day)))


def _parse_timestamp(text: pl.Expr) -> pl.Expr:
    # One regex test for the shape; the parts are then slices (extract_groups costs
    # several times more). After the fixed-width YYYY-MM-DDThh:mm comes ":ss.fff" and/or
    # the offset; the offset is what is left once ':', '.' and digits are taken off.
    rest = text.str.slice(16)
    return pl.struct(
        text.alias("text"),
        text.str.contains(_TIMESTAMP).alias("matched"),
        text.str.slice(0, 16).alias("head"),
        rest.alias("rest"),
        rest.str.strip_chars_start(":.0123456789").alias("offset"),
    )


def _refine_timestamp(parts: pl.Expr) -> pl.Expr:
    """The parts as integers, each converted once."""
    head, rest, offset = (_field(parts, p) for p in ("head", "rest", "offset"))
    # ":ss" or ":ss.fff" (signed: lengths are unsigned and 3 - 4 must not wrap around)
    seconds_length = (rest.str.len_bytes() - offset.str.len_bytes()).cast(pl.Int32)
    fraction = pl.when(seconds_length > 4).then(rest.str.slice(4, seconds_length - 4))
    digits = offset.str.replace(":", "", literal=True)
    return pl.struct(
        _field(parts, "matched").alias("matched"),
        *(_int(head.str.slice(at, size)).alias(name) for name, at, size in _YMD),
        _int(head.str.slice(11, 2)).alias("hour"),
        _int(head.str.slice(14, 2)).alias("minute"),
        pl.when(seconds_length > 0).then(_int(rest.str.slice(1, 2))).otherwise(0).alias("second"),
        _int(fraction.str.slice(0, 6).str.pad_end(6, "0")).fill_null(0).alias("micro"),
        pl.when(offset.str.starts_with("-")).then(-1).otherwise(1).alias("sign"),
        _int(digits.str.slice(1, 2)).fill_null(0).alias("off_hours"),
        _int(digits.str.slice(3, 2)).fill_null(0).alias("off_minutes"),
    )


_YMD = (("year", 0, 4), ("month", 5, 2), ("day", 8, 2))
_MICROS_PER_DAY = 86_400_000_000
# 0001-01-01T00:00 and 9999-12-31T23:59:59.999999 UTC, in microseconds from 1970.
_FIRST_MICRO = -719_162 * _MICROS_PER_DAY
_LAST_MICRO = 2_932_897 * _MICROS_PER_DAY - 1


def _days_from_civil(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Days from 1970-01-01 to a proleptic Gregorian date, in integer arithmetic (H. Hinnant's
    days_from_civil), so a whole column converts without building datetimes one by one."""
    y = year.cast(pl.Int64) - (month <= 2).cast(pl.Int64)
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * (month + pl.when(month > 2).then(-3).otherwise(9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _judge_timestamp(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.parse_timestamp``: ISO 8601, no offset = UTC, fraction cut to microseconds."""
    year, month, day, hour, minute, second = (
        _field(parts, p) for p in ("year", "month", "day", "hour", "minute", "second")
    )
    off_hours, off_minutes = _field(parts, "off_hours"), _field(parts, "off_minutes")
    ok = (
        _is_calendar_date(year, month, day)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
        & (off_hours <= 23)
        & (off_minutes <= 59)
    )
    offset = _field(parts, "sign") * (off_hours * 60 + off_minutes)
    seconds = (hour * 60 + minute - offset).cast(pl.Int64) * 60 + second
    micros = (
        _days_from_civil(year, month, day) * _MICROS_PER_DAY
        + seconds * 1_000_000
        + _field(parts, "micro")
    )
    problem = _problem(
        (~_field(parts, "matched"), "not an ISO 8601 timestamp"),
        # An offset can carry a time past the ends of the calendar (year 1 or 9999).
        (~(ok & micros.is_between(_FIRST_MICRO, _LAST_MICRO)), "not a valid date and time"),
    )
    return problem, micros.cast(UTC_TIMESTAMP)


def _parse_upper(text: pl.Expr) -> pl.Expr:
    return pl.struct(text.alias("text"), text.str.to_uppercase().alias("upper"))


def _parse_lower(text: pl.Expr) -> pl.Expr:
    return pl.struct(text.alias("text"), text.str.to_lowercase().alias("lower"))


def _judge_code(allowed: Collection[str], reason: str, case: str = "upper") -> Judge:
    # A plain list: an imploded Series literal is rebuilt for every list in list.filter.
    values = sorted(allowed)

    def judge(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        code = _field(parts, case)
        return _problem((~code.is_in(values), reason)), code

    return judge


def _parse_document(text: pl.Expr) -> pl.Expr:
    upper = text.str.to_uppercase()
    return pl.struct(text.alias("text"), upper.str.extract_groups(_DOCUMENT).alias("g"))


def _judge_document(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_document``: TYPE/ISSUER/NUMBER with a known issuer, as a struct."""
    kind, issuer, number = (_field(parts, "g", g) for g in ("1", "2", "3"))
    problem = _problem(
        (kind.is_null(), "not a document of the form TYPE/ISSUER/NUMBER"),
        (~issuer.is_in(_COUNTRIES), "document issuer is not an ICAO 9303 country code"),
    )
    value = pl.struct(kind.alias("type"), issuer.alias("issuer"), number.alias("number"))
    return problem, value


Judge = Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]
_BIRTH_YEARS = f"{MIN_BIRTH_YEAR}-{MAX_BIRTH_YEAR}"
_COUNTRIES = sorted(icao_codes())


def rule(column: Column | Kind) -> Rule:
    """The rule for a column (for a list column: for each of its items)."""
    kind = column if isinstance(column, Kind) else _ITEM_KIND.get(column.kind, column.kind)
    if kind is Kind.PARTIAL_DATE:
        return Rule(_parse_date, _judge_partial_date)
    if kind is Kind.DATE:
        return Rule(_parse_date, _judge_date)
    if kind is Kind.TIMESTAMP:
        return Rule(_parse_timestamp, _judge_timestamp, _refine_timestamp)
    if kind is Kind.SEX:
        return Rule(_parse_upper, _judge_code(SEX_VALUES, "sex must be M, F or X"))
    if kind is Kind.COUNTRY:
        return Rule(_parse_upper, _judge_code(icao_codes(), "not an ICAO 9303 country code"))
    if kind is Kind.DOCUMENTS:
        return Rule(_parse_document, _judge_document)
    if kind is Kind.ENUM and isinstance(column, Column):
        reason = f"not one of {', '.join(column.values)}"
        return Rule(_parse_lower, _judge_code(column.values, reason, case="lower"))
    return Rule(_parse_text, _judge_text)


# --- the pass over a whole source ------------------------------------------------------


def _t(name: str) -> str:
    return f"__t_{name}"  # cleaned text


def _v(name: str) -> str:
    return f"__v_{name}"  # canonical value


def _p(name: str) -> str:
    return f"__p_{name}"  # problem (scalar) or bad items (list)


def _x(name: str) -> str:
    return f"__x_{name}"  # parsed parts


def _checked(source: Source, raw: pl.DataFrame) -> pl.DataFrame:
    """The raw frame plus cleaned, canonical and problem columns for every contract column,
    and ``__reason`` (why the row cannot be accepted, null when it can).

    Each step is its own ``with_columns`` so that what a later step reads many times (the
    parsed parts) is computed once and stored.
    """
    columns = COLUMNS[source]
    absent = [c.name for c in columns if c.name not in raw.columns]
    frame = raw.with_columns(pl.lit(None, pl.Utf8).alias(name) for name in absent)
    frame = frame.with_columns(
        (
            list_items(pl.col(c.name).cast(pl.Utf8))
            if c.kind in _LIST_KINDS
            else clean(pl.col(c.name).cast(pl.Utf8))
        ).alias(_t(c.name))
        for c in columns
    )
    judged = [c for c in columns if _judged(c)]
    parsed, refined, problems, values = [], [], [], []
    for c in judged:
        parse, judge, refine = rule(c)
        parts, text = pl.col(_x(c.name)), pl.col(_t(c.name))
        if c.kind in _LIST_KINDS:
            problem, value = judge(pl.element())
            parsed.append(text.list.eval(parse(pl.element())).alias(_x(c.name)))
            bad = parts.list.filter(problem.is_not_null()).list.eval(_field(pl.element(), "text"))
            good = parts.list.filter(problem.is_null()).list.eval(value)
            problems.append(bad.alias(_p(c.name)))
            values.append(good.alias(_v(c.name)))
            continue
        problem, value = judge(parts)
        parsed.append(parse(text).alias(_x(c.name)))
        if refine is not None:
            refined.append(refine(parts).alias(_x(c.name)))
        problems.append(pl.when(text.is_not_null()).then(problem).alias(_p(c.name)))
        fine = text.is_not_null() & pl.col(_p(c.name)).is_null()
        values.append(pl.when(fine).then(value).alias(_v(c.name)))
        if c.kind is Kind.PARTIAL_DATE:
            # Year, month and day of the date of birth; 00 parts are unknown (null).
            year, month, day = (_field(parts, p) for p in ("year", "month", "day"))
            values.append(pl.when(fine).then(year).cast(pl.Int16).alias("__dob_year"))
            values.append(
                pl.when(fine & (month > 0)).then(month).cast(pl.Int8).alias("__dob_month")
            )
            values.append(pl.when(fine & (day > 0)).then(day).cast(pl.Int8).alias("__dob_day"))
    frame = frame.with_columns(parsed)
    if refined:
        frame = frame.with_columns(refined)
    frame = frame.with_columns(problems).with_columns(values)

    reasons: list[pl.Expr] = []
    for c in columns:
        if c.required:
            missing = pl.lit(f"missing required value: {c.name}")
            invalid = pl.lit(f"{c.name}: ") + pl.col(_p(c.name)) if c in judged else None
            reasons.append(pl.when(pl.col(_t(c.name)).is_null()).then(missing).otherwise(invalid))
    names, no_identity = IDENTITY[source]
    reasons.append(
        pl.when(pl.all_horizontal(pl.col(_t(n)).is_null() for n in names)).then(pl.lit(no_identity))
    )
    joined = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    frame = frame.with_columns(pl.when(joined.str.len_bytes() > 0).then(joined).alias("__reason"))
    return frame


def _csv_field(expr: pl.Expr) -> pl.Expr:
    """A value as a CSV writer writes it: quoted when it holds a comma, quote or newline."""
    text = expr.cast(pl.Utf8)
    needs_quotes = text.str.contains(r"[,\"\r\n]")
    quoted = pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"')
    return pl.when(text.is_null()).then(pl.lit("")).when(needs_quotes).then(quoted).otherwise(text)


def _raw_text(
    rows: pl.DataFrame, file_columns: Mapping[str, Sequence[str]], default: Sequence[str]
) -> pl.Series:
    """Each row as it was read: the JSON line when there is one, else its values in the
    file's own column order, CSV-encoded. One expression per file, not per row."""
    parts: list[pl.DataFrame] = []
    indexed = rows.with_row_index("__i")
    for file, group in indexed.group_by("_file", maintain_order=True):
        columns = [c for c in file_columns.get(str(file[0]), default) if c in group.columns]
        encoded = pl.concat_str([_csv_field(pl.col(c)) for c in columns], separator=",")
        if RAW_LINE in group.columns:
            encoded = pl.coalesce(pl.col(RAW_LINE), encoded)
        parts.append(group.select("__i", encoded.alias("raw")))
    if not parts:
        return pl.Series("raw", [], pl.Utf8)
    return pl.concat(parts).sort("__i")["raw"]


def _quarantine(
    source: Source,
    rows: pl.DataFrame,
    file_columns: Mapping[str, Sequence[str]],
    default: Sequence[str],
) -> pl.DataFrame:
    raw = _raw_text(rows, file_columns, default)
    return rows.select(
        pl.lit(source.value, pl.Utf8).alias("source"),
        pl.col("_file").alias("file"),
        pl.col("_row").alias("row"),
        pl.col("__reason").alias("reason"),
    ).with_columns(raw.alias("raw"))


def _duplicates(source: Source, candidates: pl.DataFrame) -> pl.DataFrame:
    """Rows whose key was already seen earlier in the source, with why."""
    key = _t(KEY[source])
    repeated = candidates.filter(pl.col(key).is_duplicated())
    first = pl.col(key).is_first_distinct()
    seen = repeated.filter(first).select(
        key, pl.col("_file").alias("__ff"), pl.col("_row").alias("__fr")
    )
    return (
        repeated.filter(~first)
        .join(seen, on=key, how="left", maintain_order="left")
        .with_columns(
            (
                pl.lit(f"duplicate {KEY[source]}, first seen at ")
                + pl.col("__ff")
                + pl.lit(" row ")
                + pl.col("__fr")
            ).alias("__reason")
        )
        .drop("__ff", "__fr")
    )


def _judged(column: Column) -> bool:
    return rule(column).judge is not _judge_text


def _issues(source: Source, kept: pl.DataFrame) -> pl.DataFrame:
    """One row per value set aside in a kept row (per bad item for list columns)."""
    frames: list[pl.DataFrame] = []
    where = pl.col("_file").alias("file"), pl.col("_row").alias("row")
    for c in COLUMNS[source]:
        if c.required or not _judged(c):
            continue
        if c.kind in _LIST_KINDS:
            # Only the few bad items are exploded; their reason is worked out again here.
            bad = kept.select(*where, pl.col(_p(c.name)).alias("value")).explode("value")
            bad = bad.filter(pl.col("value").is_not_null())
            parse, judge, _ = rule(c)
            bad = bad.with_columns(parse(pl.col("value")).alias("__parts"))
            bad = bad.with_columns(judge(pl.col("__parts"))[0].alias("__reason"))
        else:
            bad = kept.filter(pl.col(_p(c.name)).is_not_null()).select(
                *where, pl.col(_t(c.name)).alias("value"), pl.col(_p(c.name)).alias("__reason")
            )
        if bad.height:
            frames.append(
                bad.select(
                    pl.lit(source.value, pl.Utf8).alias("source"),
                    "file",
                    "row",
                    pl.lit(c.name, pl.Utf8).alias("column"),
                    "value",
                    pl.col("__reason").alias("reason"),
                )
            )
    if not frames:
        return pl.DataFrame(schema=ISSUES_SCHEMA)
    return pl.concat(frames)


def _accepted(source: Source, kept: pl.DataFrame) -> pl.DataFrame:
    judged = {c.name for c in COLUMNS[source] if _judged(c)}
    exprs: list[pl.Expr] = []
    for name, dtype in CANONICAL[source].items():
        if name in ("_file", "_row"):
            exprs.append(pl.col(name).cast(dtype))
        elif name.startswith("dob_"):
            exprs.append(pl.col(f"__{name}").cast(dtype).alias(name))
        else:
            value = pl.col(_v(name) if name in judged else _t(name))
            exprs.append(value.cast(dtype).alias(name))
    return kept.select(exprs)


def validate(
    source: Source,
    raw: pl.DataFrame,
    file_columns: Mapping[str, Sequence[str]] | None = None,
) -> Validated:
    """Validate the raw text rows of one source (all its files, in reading order).

    ``raw`` holds text columns plus ``_file`` and ``_row`` (and ``_raw`` for JSON lines);
    ``file_columns`` gives each file's own column order, to show quarantined rows as read.
    """
    default = [c for c in raw.columns if not c.startswith("_")]
    checked = _checked(source, raw)
    candidates = checked.filter(pl.col("__reason").is_null())
    duplicates = _duplicates(source, candidates)
    if duplicates.height:
        candidates = candidates.filter(pl.col(_t(KEY[source])).is_first_distinct())
    rejected = pl.concat(
        [checked.filter(pl.col("__reason").is_not_null()), duplicates], how="vertical"
    )
    quarantine = _quarantine(source, rejected, file_columns or {}, default)
    return Validated(
        frame=_accepted(source, candidates),
        quarantine=quarantine.select(
            pl.col(name).cast(dtype) for name, dtype in QUARANTINE_SCHEMA.items()
        ),
        issues=_issues(source, candidates).select(
            pl.col(name).cast(dtype) for name, dtype in ISSUES_SCHEMA.items()
        ),
    )
