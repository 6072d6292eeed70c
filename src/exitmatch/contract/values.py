"""Value rules of the contract, one definition each, shared by the row models and the
vectorised validator in ``exitmatch.ingest`` so the two cannot drift apart.

Each ``check_*`` function takes the text as read and returns the canonical text, or raises
``ValueError`` with a reason fit for ``data_issues.csv`` / ``quarantine.csv``. The regular
expressions are written once here and used by polars as well.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, timezone

from exitmatch.contract.countries import is_country_code

LIST_SEPARATOR = "|"

# Plausible birth years: earlier or later than this is a keying error, not a person.
MIN_BIRTH_YEAR = 1890
MAX_BIRTH_YEAR = 2099

# [0-9], not \d: Python's \d also matches other scripts' digits (Arabic-Indic and more).
PARTIAL_DATE_PATTERN = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"
DATE_PATTERN = PARTIAL_DATE_PATTERN
# Date, 'T' or space, hh:mm, optional :ss and fraction, optional Z or +hh:mm / +hhmm / +hh.
TIMESTAMP_PATTERN = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
# TYPE/ISSUER/NUMBER, e.g. P/MEX/G12345678.
DOCUMENT_PATTERN = r"^([A-Z]{1,5})/([A-Z]{1,3})/([A-Z0-9<][A-Z0-9< -]{0,29})$"
SEX_VALUES = frozenset({"M", "F", "X"})

_PARTIAL_DATE = re.compile(PARTIAL_DATE_PATTERN)
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_DOCUMENT = re.compile(DOCUMENT_PATTERN)


def clean_text(value: str | None) -> str | None:
    """Strip surrounding white space; empty text is missing."""
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def check_partial_date(text: str) -> str:
    """A date of birth, possibly partial: ``1984-07-03``, ``1984-07-00`` or ``1984-00-00``."""
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError("not a date of the form YYYY-MM-DD")
    year, month, day = (int(g) for g in match.groups())
    if not MIN_BIRTH_YEAR <= year <= MAX_BIRTH_YEAR:
        raise ValueError(f"year outside {MIN_BIRTH_YEAR}-{MAX_BIRTH_YEAR}")
    if month > 12:
        raise ValueError("month above 12")
    if month == 0 and day != 0:
        raise ValueError("day given without a month")
    if day > (calendar.monthrange(year, month)[1] if month else 0):
        raise ValueError("day beyond the end of the month")
    return text.strip()


def check_date(text: str) -> str:
    """A full calendar date ``YYYY-MM-DD`` (order and enforceable dates)."""
    try:
        return date.fromisoformat(_full_date(text)).isoformat()
    except ValueError as e:
        raise ValueError("not a calendar date of the form YYYY-MM-DD") from e


def _full_date(text: str) -> str:
    stripped = text.strip()
    if not _PARTIAL_DATE.match(stripped):
        raise ValueError(stripped)
    return stripped


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp in UTC. Without an offset the time is taken as UTC."""
    match = _TIMESTAMP.match(text.strip())
    if not match:
        raise ValueError("not an ISO 8601 timestamp")
    day, hour, minute, second, fraction, offset = match.groups()
    try:
        base = date.fromisoformat(day)
        moment = datetime(
            base.year,
            base.month,
            base.day,
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=_offset(offset),
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as e:
        # OverflowError: an offset that carries the time past year 1 or 9999.
        raise ValueError("not a valid date and time") from e


def _offset(text: str | None) -> timezone:
    if text is None or text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def check_sex(text: str) -> str:
    upper = text.strip().upper()
    if upper not in SEX_VALUES:
        raise ValueError("sex must be M, F or X")
    return upper


def check_country(text: str) -> str:
    upper = text.strip().upper()
    if not is_country_code(upper):
        raise ValueError("not an ICAO 9303 country code")
    return upper


def check_document(text: str) -> str:
    """A known travel document ``TYPE/ISSUER/NUMBER`` with a valid issuing-country code."""
    upper = text.strip().upper()
    match = _DOCUMENT.match(upper)
    if not match:
        raise ValueError("not a document of the form TYPE/ISSUER/NUMBER")
    if not is_country_code(match.group(2)):
        raise ValueError("document issuer is not an ICAO 9303 country code")
    return upper


def split_list(value: str | list[str] | None) -> list[str]:
    """A list cell: ``|``-separated text or a real list; blank items dropped."""
    if value is None:
        return []
    items = value.split(LIST_SEPARATOR) if isinstance(value, str) else value
    return [s for item in items if (s := item.strip())]
