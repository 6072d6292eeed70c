"""The value rules of the contract as polars expressions, one per kind of value.

Reach for this when a column of text has to be judged the way ``exitmatch.contract.values``
judges one value: ``rule(kind)`` gives the expressions, ``clean`` and ``list_items`` the
white-space and list handling. ``exitmatch.ingest.validate`` applies them to whole sources.

A rule has two halves so that each costly step (a regex, an upper-casing) runs once per
value: ``parse`` turns the cleaned text into a struct of parts in one pass, and ``judge``
reads that struct (cheap field access) to give the problem in words (null when fine or
missing) and the canonical value (meaningful only where there is no problem). The same
halves work on a column and, inside ``list.eval``/``list.filter``, on the items of a list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from enum import Enum
from typing import NamedTuple

import polars as pl

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
from exitmatch.ingest.frames import UTC_TIMESTAMP

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


LIST_KINDS = frozenset({Kind.NAMES, Kind.PARTIAL_DATES, Kind.COUNTRIES, Kind.DOCUMENTS})
ITEM_KIND = {
    Kind.NAMES: Kind.TEXT,
    Kind.PARTIAL_DATES: Kind.PARTIAL_DATE,
    Kind.COUNTRIES: Kind.COUNTRY,
    Kind.DOCUMENTS: Kind.DOCUMENTS,
}


class Rule(NamedTuple):
    """How to judge one kind of value: parse (one pass), optional refine, judge."""

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


def field(parts: pl.Expr, *path: str) -> pl.Expr:
    """A field of a struct of parts, following nested names."""
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


def judge_text(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return pl.lit(None, pl.Utf8), field(parts, "text")


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
    year, month, day = (field(parts, p) for p in ("year", "month", "day"))
    last_day = pl.when(month == 0).then(0).otherwise(_days_in_month(year, month.clip(1, 12)))
    problem = _problem(
        (~field(parts, "ok"), "not a date of the form YYYY-MM-DD"),
        (~year.is_between(MIN_BIRTH_YEAR, MAX_BIRTH_YEAR), f"year outside {_BIRTH_YEARS}"),
        (month > 12, "month above 12"),
        ((month == 0) & (day != 0), "day given without a month"),
        (day > last_day, "day beyond the end of the month"),
    )
    return problem, field(parts, "text")


def _judge_date(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_date``: a calendar date YYYY-MM-DD."""
    year, month, day = (field(parts, p) for p in ("year", "month", "day"))
    ok = field(parts, "ok") & _is_calendar_date(year, month, day)
    problem = _problem((~ok, "not a calendar date of the form YYYY-MM-DD"))
    # Days from 1970 in integer arithmetic (pl.date would build each date and raise on
    # impossible ones); the value is only read where there is no problem.
    days = pl.when(ok).then(_days_from_civil(year, month, day))
    return problem, days.cast(pl.Int32).cast(pl.Date)


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
    head, rest, offset = (field(parts, p) for p in ("head", "rest", "offset"))
    # ":ss" or ":ss.fff" (signed: lengths are unsigned and 3 - 4 must not wrap around)
    seconds_length = (rest.str.len_bytes() - offset.str.len_bytes()).cast(pl.Int32)
    fraction = pl.when(seconds_length > 4).then(rest.str.slice(4, seconds_length - 4))
    digits = offset.str.replace(":", "", literal=True)
    return pl.struct(
        field(parts, "matched").alias("matched"),
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
        field(parts, p) for p in ("year", "month", "day", "hour", "minute", "second")
    )
    off_hours, off_minutes = field(parts, "off_hours"), field(parts, "off_minutes")
    ok = (
        _is_calendar_date(year, month, day)
        & (hour <= 23)
        & (minute <= 59)
        & (second <= 59)
        & (off_hours <= 23)
        & (off_minutes <= 59)
    )
    offset = field(parts, "sign") * (off_hours * 60 + off_minutes)
    seconds = (hour * 60 + minute - offset).cast(pl.Int64) * 60 + second
    micros = (
        _days_from_civil(year, month, day) * _MICROS_PER_DAY
        + seconds * 1_000_000
        + field(parts, "micro")
    )
    problem = _problem(
        (~field(parts, "matched"), "not an ISO 8601 timestamp"),
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
        code = field(parts, case)
        return _problem((~code.is_in(values), reason)), code

    return judge


def _parse_document(text: pl.Expr) -> pl.Expr:
    upper = text.str.to_uppercase()
    return pl.struct(text.alias("text"), upper.str.extract_groups(_DOCUMENT).alias("g"))


def _judge_document(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``values.check_document``: TYPE/ISSUER/NUMBER with a known issuer, as a struct."""
    kind, issuer, number = (field(parts, "g", g) for g in ("1", "2", "3"))
    problem = _problem(
        (kind.is_null(), "not a document of the form TYPE/ISSUER/NUMBER"),
        (~issuer.is_in(_COUNTRIES), "document issuer is not an ICAO 9303 country code"),
    )
    value = pl.struct(kind.alias("type"), issuer.alias("issuer"), number.alias("number"))
    return problem, value


Judge = Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]
_BIRTH_YEARS = f"{MIN_BIRTH_YEAR}-{MAX_BIRTH_YEAR}"
_COUNTRIES = sorted(icao_codes())


def rule(kind: Kind, values: Sequence[str] = ()) -> Rule:
    """The rule for a kind of value (for a list kind: for each of its items); ``values`` are
    the allowed values of an ENUM."""
    kind = ITEM_KIND.get(kind, kind)
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
    if kind is Kind.ENUM:
        reason = f"not one of {', '.join(values)}"
        return Rule(_parse_lower, _judge_code(values, reason, case="lower"))
    return Rule(_parse_text, judge_text)
