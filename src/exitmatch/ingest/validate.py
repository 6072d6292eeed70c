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

from collections.abc import Mapping, Sequence
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
from exitmatch.ingest.frames import CANONICAL, DOCUMENT

# Exactly the characters Python's str.strip() removes (str.isspace()), which the contract's
# clean_text uses. Polars' default strip follows Unicode White_Space, which leaves out the
# separators \x1c-\x1f; naming the set keeps the two sides identical.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def _ascii_digits(pattern: str) -> str:
    # The contract's patterns use \d, which matches any script's digits in both Python and
    # Rust regexes; a date written in, say, Arabic-Indic digits cannot become an integer
    # column, so only 0-9 count as digits here.
    return pattern.replace(r"\d", "[0-9]")


_PARTIAL_DATE = _ascii_digits(PARTIAL_DATE_PATTERN)
_TIMESTAMP = _ascii_digits(TIMESTAMP_PATTERN)
_DOCUMENT = _ascii_digits(DOCUMENT_PATTERN)

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


# --- value rules, one per kind: (canonical value, problem in words or null) ------------


def clean(text: pl.Expr) -> pl.Expr:
    """Strip surrounding white space; empty text is missing (``values.clean_text``)."""
    stripped = text.str.strip_chars(WHITESPACE)
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _null_text() -> pl.Expr:
    return pl.lit(None, pl.Utf8)


def _int(text: pl.Expr) -> pl.Expr:
    return text.cast(pl.Int32, strict=False)


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _date_parts(text: pl.Expr, pattern: str) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    parts = text.str.extract_groups(pattern)
    year, month, day = (_int(parts.struct.field(str(i))) for i in (1, 2, 3))
    return text.str.contains(pattern), year, month, day


def _is_calendar_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    # What date.fromisoformat accepts once the text is YYYY-MM-DD: years 1-9999.
    return (
        (year >= 1)
        & month.is_between(1, 12)
        & day.is_between(1, _days_in_month(year, month.clip(1, 12)))
    )


def partial_date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_partial_date``: the same checks, in the same order."""
    matched, year, month, day = _date_parts(text, _PARTIAL_DATE)
    last_day = pl.when(month == 0).then(0).otherwise(_days_in_month(year, month.clip(1, 12)))
    problem = (
        pl.when(text.is_null())
        .then(_null_text())
        .when(~matched)
        .then(pl.lit("not a date of the form YYYY-MM-DD"))
        .when(~year.is_between(MIN_BIRTH_YEAR, MAX_BIRTH_YEAR))
        .then(pl.lit(f"year outside {MIN_BIRTH_YEAR}-{MAX_BIRTH_YEAR}"))
        .when(month > 12)
        .then(pl.lit("month above 12"))
        .when((month == 0) & (day != 0))
        .then(pl.lit("day given without a month"))
        .when(day > last_day)
        .then(pl.lit("day beyond the end of the month"))
    )
    return pl.when(problem.is_null()).then(text), problem


def date_parts(text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Year, month and day of an accepted partial date; 00 parts are unknown (null)."""
    _, year, month, day = _date_parts(text, _PARTIAL_DATE)
    return (
        year.cast(pl.Int16),
        pl.when(month > 0).then(month).cast(pl.Int8),
        pl.when(day > 0).then(day).cast(pl.Int8),
    )


def full_date(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_date``: a calendar date YYYY-MM-DD."""
    matched, year, month, day = _date_parts(text, _PARTIAL_DATE)
    ok = matched & _is_calendar_date(year, month, day)
    problem = pl.when(text.is_not_null() & ~ok.fill_null(False)).then(
        pl.lit("not a calendar date of the form YYYY-MM-DD")
    )
    # Invalid parts are nulled first: pl.date raises on impossible components.
    return pl.date(*(pl.when(ok).then(part) for part in (year, month, day))), problem


def timestamp(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.parse_timestamp``: ISO 8601, no offset = UTC, fraction cut to microseconds."""
    parts = text.str.extract_groups(_TIMESTAMP)
    day_text = parts.struct.field("1")
    year, month, day = (_int(day_text.str.slice(start, size)) for start, size in _YMD)
    hour, minute = _int(parts.struct.field("2")), _int(parts.struct.field("3"))
    second = _int(parts.struct.field("4")).fill_null(0)
    micro = _int(parts.struct.field("5").str.slice(0, 6).str.pad_end(6, "0")).fill_null(0)
    offset = parts.struct.field("6")
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    digits = offset.str.replace(":", "", literal=True)
    off_hours = _int(digits.str.slice(1, 2)).fill_null(0)
    off_minutes = _int(digits.str.slice(3, 2)).fill_null(0)
    ok = (
        _is_calendar_date(year, month, day)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
        & (off_hours <= 23)
        & (off_minutes <= 59)
    )
    # Invalid parts are nulled first: pl.datetime raises on impossible components.
    parts_ok = ok.fill_null(False)
    local = pl.datetime(
        *(pl.when(parts_ok).then(p) for p in (year, month, day, hour, minute, second, micro)),
        time_zone="UTC",
    )
    moment = local - pl.duration(minutes=sign * (off_hours * 60 + off_minutes))
    # An offset can carry a time past the ends of the calendar (year 1 or 9999): not a time.
    ok = parts_ok & moment.dt.year().is_between(1, 9999)
    problem = (
        pl.when(text.is_null())
        .then(_null_text())
        .when(~text.str.contains(_TIMESTAMP))
        .then(pl.lit("not an ISO 8601 timestamp"))
        .when(~ok.fill_null(False))
        .then(pl.lit("not a valid date and time"))
    )
    return pl.when(problem.is_null()).then(moment), problem


_YMD = ((0, 4), (5, 2), (8, 2))


def code(
    text: pl.Expr, allowed: frozenset[str] | Sequence[str], reason: str
) -> tuple[pl.Expr, pl.Expr]:
    """An upper-case code from a closed list (sex, country)."""
    upper = text.str.to_uppercase()
    ok = upper.is_in(list(allowed))
    return pl.when(ok).then(upper), pl.when(text.is_not_null() & ~ok).then(pl.lit(reason))


def enum(text: pl.Expr, allowed: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """A lower-case value from a closed vocabulary."""
    lower = text.str.to_lowercase()
    ok = lower.is_in(list(allowed))
    reason = pl.lit(f"not one of {', '.join(allowed)}")
    return pl.when(ok).then(lower), pl.when(text.is_not_null() & ~ok).then(reason)


def document(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_document``: TYPE/ISSUER/NUMBER with a known issuer, as a struct."""
    upper = text.str.to_uppercase()
    parts = upper.str.extract_groups(_DOCUMENT)
    issuer = parts.struct.field("2")
    problem = (
        pl.when(text.is_null())
        .then(_null_text())
        .when(~upper.str.contains(_DOCUMENT))
        .then(pl.lit("not a document of the form TYPE/ISSUER/NUMBER"))
        .when(~issuer.is_in(list(icao_codes())))
        .then(pl.lit("document issuer is not an ICAO 9303 country code"))
    )
    value = pl.struct(
        parts.struct.field("1").alias("type"),
        issuer.alias("issuer"),
        parts.struct.field("3").alias("number"),
    )
    return pl.when(problem.is_null()).then(value), problem


def rule(kind: Kind, text: pl.Expr, allowed: Sequence[str] = ()) -> tuple[pl.Expr, pl.Expr]:
    """The canonical value and the problem (null when fine or missing) of a cleaned value."""
    if kind is Kind.TEXT:
        return text, _null_text()
    if kind is Kind.PARTIAL_DATE:
        return partial_date(text)
    if kind is Kind.DATE:
        return full_date(text)
    if kind is Kind.TIMESTAMP:
        return timestamp(text)
    if kind is Kind.SEX:
        return code(text, sorted(SEX_VALUES), "sex must be M, F or X")
    if kind is Kind.COUNTRY:
        return code(text, icao_codes(), "not an ICAO 9303 country code")
    if kind is Kind.DOCUMENTS:
        return document(text)
    if kind is Kind.ENUM:
        return enum(text, allowed)
    raise ValueError(f"no scalar rule for {kind}")


def list_items(cell: pl.Expr) -> pl.Expr:
    """``values.split_list``: ``|``-separated, items stripped, blank items dropped."""
    items = cell.str.split(LIST_SEPARATOR).list.eval(pl.element().str.strip_chars(WHITESPACE))
    items = items.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0))
    return items.fill_null(pl.lit([], pl.List(pl.Utf8)))


# --- the pass over a whole source ------------------------------------------------------


def _t(name: str) -> str:
    return f"__t_{name}"  # cleaned text


def _v(name: str) -> str:
    return f"__v_{name}"  # canonical value


def _p(name: str) -> str:
    return f"__p_{name}"  # problem (scalar) or bad items (list)


def _checked(source: Source, raw: pl.DataFrame) -> pl.DataFrame:
    """The raw frame plus cleaned, canonical and problem columns for every contract column,
    and ``__reason`` (why the row cannot be accepted, null when it can)."""
    columns = COLUMNS[source]
    absent = [c.name for c in columns if c.name not in raw.columns]
    lazy = raw.lazy().with_columns(pl.lit(None, pl.Utf8).alias(name) for name in absent)
    lazy = lazy.with_columns(
        (
            list_items(pl.col(c.name).cast(pl.Utf8))
            if c.kind in _LIST_KINDS
            else clean(pl.col(c.name).cast(pl.Utf8))
        ).alias(_t(c.name))
        for c in columns
    )
    derived: list[pl.Expr] = []
    for c in columns:
        text = pl.col(_t(c.name))
        if c.kind in _LIST_KINDS:
            item = _ITEM_KIND[c.kind]
            value, problem = rule(item, pl.element())
            derived.append(text.list.eval(value.filter(problem.is_null())).alias(_v(c.name)))
            derived.append(
                text.list.eval(pl.element().filter(problem.is_not_null())).alias(_p(c.name))
            )
            continue
        value, problem = rule(c.kind, text, c.values)
        derived.append(value.alias(_v(c.name)))
        derived.append(problem.alias(_p(c.name)))
        if c.kind is Kind.PARTIAL_DATE:
            year, month, day = date_parts(pl.when(problem.is_null()).then(text))
            derived += [year.alias("__dob_year"), month.alias("__dob_month")]
            derived.append(day.alias("__dob_day"))
    lazy = lazy.with_columns(derived)

    reasons: list[pl.Expr] = []
    for c in columns:
        if c.required:
            reasons.append(
                pl.when(pl.col(_t(c.name)).is_null())
                .then(pl.lit(f"missing required value: {c.name}"))
                .otherwise(pl.lit(f"{c.name}: ") + pl.col(_p(c.name)))
            )
    names, no_identity = IDENTITY[source]
    reasons.append(
        pl.when(pl.all_horizontal(pl.col(_t(n)).is_null() for n in names)).then(pl.lit(no_identity))
    )
    joined = pl.concat_str(reasons, separator="; ", ignore_nulls=True)
    lazy = lazy.with_columns(pl.when(joined.str.len_bytes() > 0).then(joined).alias("__reason"))
    return lazy.collect()


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


def _issues(source: Source, kept: pl.DataFrame) -> pl.DataFrame:
    """One row per value set aside in a kept row (per bad item for list columns)."""
    frames: list[pl.DataFrame] = []
    for c in COLUMNS[source]:
        if c.required:
            continue
        where = pl.col("_file").alias("file"), pl.col("_row").alias("row")
        if c.kind in _LIST_KINDS:
            bad = kept.select(*where, pl.col(_p(c.name)).alias("value")).explode("value")
            bad = bad.filter(pl.col("value").is_not_null())
            _, problem = rule(_ITEM_KIND[c.kind], pl.col("value"))
        else:
            bad = kept.filter(pl.col(_p(c.name)).is_not_null()).select(
                *where, pl.col(_t(c.name)).alias("value"), pl.col(_p(c.name)).alias("__reason")
            )
            problem = pl.col("__reason")
        if bad.height:
            frames.append(
                bad.select(
                    pl.lit(source.value, pl.Utf8).alias("source"),
                    "file",
                    "row",
                    pl.lit(c.name, pl.Utf8).alias("column"),
                    "value",
                    problem.alias("reason"),
                )
            )
    if not frames:
        return pl.DataFrame(schema=ISSUES_SCHEMA)
    return pl.concat(frames)


def _accepted(source: Source, kept: pl.DataFrame) -> pl.DataFrame:
    exprs: list[pl.Expr] = []
    for name, dtype in CANONICAL[source].items():
        if name in ("_file", "_row"):
            exprs.append(pl.col(name).cast(dtype))
        elif name.startswith("dob_"):
            exprs.append(pl.col(f"__{name}").cast(dtype).alias(name))
        elif name == "documents":
            exprs.append(pl.col(_v(name)).cast(pl.List(DOCUMENT)).alias(name))
        else:
            exprs.append(pl.col(_v(name)).cast(dtype).alias(name))
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
