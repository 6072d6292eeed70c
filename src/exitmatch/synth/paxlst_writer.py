"""Writing air exit rows as a UN/EDIFACT PAXLST interchange, the way carriers send them.

Reach for ``write_paxlst`` to turn air rows (synthetic or otherwise) into a manifest file
that ``exitmatch.ingest.paxlst.read_paxlst`` reads back to the same rows. One message per
flight (carrier, flight number, departure airport and time, destination), split into
several messages past ``passengers_per_message``, in the WCO/IATA API layout.

Segments are built as text, column-wise with polars, and joined per message: 100,000
passengers take about a second. Output is deterministic: flights are ordered by
departure time and flight, passengers keep their input order within a flight, and the
UNB date is the latest departure rather than the clock.

What does not survive the trip, by the nature of PAXLST: seconds of ``departed_at``
(minute resolution), a ``date_of_birth`` not written ``YYYY-MM-DD`` that happens to be six
or eight digits, a missing ``record_id`` (the reader builds one from the message), line
breaks inside values (the reader drops line breaks), and rows without a usable flight
(written as they are, so that the reader quarantines them).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from exitmatch.contract.values import parse_timestamp
from exitmatch.errors import SynthError
from exitmatch.ingest.paxlst import AIR_COLUMNS

RECIPIENT = "CBSAAPI"
_REQUIRED = ("carrier", "flight_number", "departure_airport", "departed_at")
# The air contract's columns that are written as text (departed_at is formatted apart).
_TEXT = tuple(c for c in AIR_COLUMNS if c != "departed_at")
# Characters outside the UNOA repertoire (upper-case Latin letters, digits, some signs).
_NOT_UNOA = re.compile(r"[^A-Z0-9 .,\-()/='+:?!\"%&*;<>\n]")
_END = "'\n"


def write_paxlst(
    rows: pl.DataFrame,
    path: Path,
    *,
    interchange_ref: str,
    sender: str = "EXITMATCH",
    passengers_per_message: int = 100,
) -> None:
    """Write ``rows`` (air contract columns; ``departed_at`` a Datetime or ISO 8601 text)
    to ``path`` as one PAXLST interchange with control reference ``interchange_ref``.

    A row missing a flight-level value, or whose departure time is not a timestamp, is
    written as it is, in a message of its own flight key, so that reading the file
    quarantines it as it would a carrier's. Raises ``SynthError`` when a column is absent or
    the arguments cannot make an interchange.
    """
    if passengers_per_message < 1:
        raise SynthError("passengers_per_message must be at least 1")
    if not 0 < len(interchange_ref) <= 14 or not sender:
        raise SynthError("interchange_ref must be 1 to 14 characters and sender non-empty")
    missing = [c for c in _REQUIRED if c not in rows.columns]
    if missing:
        raise SynthError(f"air rows lack column(s) {', '.join(missing)}")
    frame = _prepared(rows)
    messages = _messages(frame, passengers_per_message)
    body = "".join(messages)
    latest = frame["_dt"].max() if frame.height else None
    stamp = latest.strftime("%y%m%d:%H%M") if isinstance(latest, datetime) else "000101:0000"
    parties = f"{_escape(sender)}:ZZ+{RECIPIENT}:ZZ+{stamp}+{_escape(interchange_ref)}"
    content = parties + body
    # Declare the smallest syntax level the text fits in; beyond ASCII, UTF-8 (UNOY).
    syntax = "UNOA" if not _NOT_UNOA.search(content) else "UNOB" if content.isascii() else "UNOY"
    text = (
        f"UNA:+.? '\nUNB+{syntax}:4+{parties}{_END}{body}"
        f"UNZ+{len(messages)}+{_escape(interchange_ref)}{_END}"
    )
    path.write_bytes(text.encode("utf-8"))


def _escape(text: str) -> str:
    return text.translate(_RELEASE)


_RELEASE = {ord(c): "?" + c for c in "?:+'"}


def _escaped(column: str) -> pl.Expr:
    """The column as text, empty as missing, with the release character before each
    service character (``?`` first, so the added ones are not doubled)."""
    text = pl.col(column).cast(pl.Utf8)
    text = pl.when(text == "").then(None).otherwise(text)
    for char in "?:+'":
        text = text.str.replace_all(char, "?" + char, literal=True)
    return text


def _departures(rows: pl.DataFrame) -> pl.Series:
    """``departed_at`` as UTC datetimes, null where it is missing or not a timestamp."""
    column = rows["departed_at"]
    if isinstance(column.dtype, pl.Datetime):
        if column.dtype.time_zone is None:
            return column.dt.replace_time_zone("UTC")
        return column.dt.convert_time_zone("UTC")
    if column.dtype != pl.Utf8:
        raise SynthError(f"departed_at must be a Datetime or text, not {column.dtype}")
    # Parsed once per distinct text: a night's air rows share a few thousand departures.
    parsed: dict[str, datetime | None] = {}
    for value in column.drop_nulls().unique().to_list():
        try:
            parsed[value] = parse_timestamp(value)
        except ValueError:
            parsed[value] = None
    return column.replace_strict(parsed, default=None, return_dtype=pl.Datetime("us", "UTC"))


def _prepared(rows: pl.DataFrame) -> pl.DataFrame:
    """Escaped text, the departure as a datetime (and as text where it is not one), and
    each passenger's segments."""
    present = [c for c in _TEXT if c in rows.columns]
    text_departure = (
        _escaped("departed_at").alias("_dt_text") if rows["departed_at"].dtype == pl.Utf8 else None
    )
    frame = rows.select(
        *[_escaped(c).alias(c) for c in present],
        *[pl.lit(None, pl.Utf8).alias(c) for c in _TEXT if c not in rows.columns],
        _raw("given_names", rows).alias("_given_raw"),
        _raw("date_of_birth", rows).alias("_dob_raw"),
        pl.lit(None, pl.Utf8).alias("_dt_text") if text_departure is None else text_departure,
    ).with_columns(_departures(rows).alias("_dt"))
    # Text that is not a timestamp is written as sent, for the reader to refuse.
    frame = frame.with_columns(
        pl.when(pl.col("_dt").is_null()).then(pl.col("_dt_text")).alias("_dt_text")
    )
    return frame.with_columns(_passenger_segments())


def _raw(column: str, rows: pl.DataFrame) -> pl.Expr:
    if column in rows.columns:
        return pl.col(column).cast(pl.Utf8)
    return pl.lit(None, pl.Utf8)


def _passenger_segments() -> list[pl.Expr]:
    given, raw_given = pl.col("given_names"), pl.col("_given_raw")
    # Given names go one per component when a single-space split gives them back exactly,
    # as carriers send them; otherwise (double spaces, more than four) in one component.
    split = (
        (raw_given.str.split(" ").list.len() <= 4)
        & ~raw_given.str.contains("  ", literal=True)
        & ~raw_given.str.starts_with(" ")
        & ~raw_given.str.ends_with(" ")
    )
    given_part = pl.when(split).then(given.str.replace_all(" ", ":", literal=True)).otherwise(given)
    name = pl.concat_str(
        [pl.col("surname").fill_null(""), pl.lit(":") + given_part], ignore_nulls=True
    )
    has_name = pl.col("surname").is_not_null() | given.is_not_null()
    nad = pl.lit("NAD+FL") + pl.when(has_name).then("+++" + name).otherwise(pl.lit("")) + _END

    has_doc = pl.any_horizontal(
        pl.col(c).is_not_null() for c in ("document_type", "document_number", "document_country")
    )
    doc = (
        "DOC+"
        + pl.col("document_type").fill_null("")
        + ":110:111"
        + pl.when(pl.col("document_number").is_not_null())
        .then("+" + pl.col("document_number"))
        .otherwise(pl.lit(""))
        + _END
    )
    optional = [
        "ATT+2++" + pl.col("sex") + _END,
        _birth_segment(),
        "NAT+2+" + pl.col("nationality") + _END,
        "RFF+ABO:" + pl.col("record_id") + _END,
        pl.when(has_doc).then(doc),
        "LOC+91+" + pl.col("document_country") + _END,
    ]
    count = 1 + pl.sum_horizontal(s.is_not_null().cast(pl.Int32) for s in optional)
    return [
        pl.concat_str([nad, *optional], ignore_nulls=True).alias("_block"),
        count.alias("_segments"),
    ]


def _birth_segment() -> pl.Expr:
    """DTM+329 as YYMMDD, or CCYYMMDD (format 102) when the reader's century rule (the
    latest century not after the departure) would give another year, e.g. a centenarian."""
    raw = pl.col("_dob_raw")
    full = raw.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    digits = raw.str.replace_all("-", "", literal=True)
    recent = "20" + raw.str.slice(2)
    departed = pl.col("_dt").dt.strftime("%Y-%m-%d")
    read_as = pl.when(recent <= departed).then(recent).otherwise("19" + raw.str.slice(2))
    return (
        pl.when(full & (read_as == raw))
        .then("DTM+329:" + digits.str.slice(2) + _END)
        .when(full)
        .then("DTM+329:" + digits + ":102" + _END)
        .otherwise("DTM+329:" + pl.col("date_of_birth") + _END)
    )


def _messages(frame: pl.DataFrame, per_message: int) -> list[str]:
    keys = ["_dt", "carrier", "flight_number", "departure_airport", "destination_airport"]
    keys.append("_dt_text")
    grouped = (
        frame.with_row_index("_order")
        .sort([*keys, "_order"], nulls_last=True)
        .with_columns(pl.struct(keys).rle_id().alias("_flight"))
        .with_columns((pl.int_range(pl.len()).over("_flight") // per_message).alias("_part"))
        .group_by("_flight", "_part", maintain_order=True)
        .agg(
            pl.col(keys).first(),
            pl.col("_block").str.join(""),
            pl.col("_segments").sum(),
            pl.len().alias("_passengers"),
        )
        .with_columns(pl.col("_part").max().over("_flight").alias("_parts"))
    )
    messages: list[str] = []
    for number, m in enumerate(grouped.iter_rows(named=True), start=1):
        part, last = m["_part"] + 1, m["_part"] == m["_parts"]
        status = f"{part:02d}" + (":F" if last else ":C" if part == 1 else "")
        head = _flight_level(m)
        head[0] = f"UNH+{number}+PAXLST:D:05B:UN:IATA+{head[0]}+{status}"
        count = len(head) + m["_segments"] + 2  # + CNT and UNT
        messages.append(
            _END.join(head)
            + _END
            + m["_block"]
            + f"CNT+42:{m['_passengers']}{_END}UNT+{count}+{number}{_END}"
        )
    return messages


def _flight_level(m: dict[str, Any]) -> list[str]:
    """The common access reference (flight/date/time, completed into the UNH by the
    caller), then BGM, TDT, LOC+125, DTM+189 and LOC+87, leaving out what is missing."""
    carrier, number = m["carrier"], m["flight_number"]
    departed: datetime | None = m["_dt"]
    flight = (carrier or "") + (number or "")
    reference = f"{flight}/{departed:%y%m%d/%H%M}" if departed is not None else flight
    tdt = "TDT+20+" + flight + (f"+++{carrier}" if carrier is not None else "")
    head = [reference, "BGM+745", tdt if number is not None else "TDT+20++++" + (carrier or "")]
    if m["departure_airport"] is not None:
        head.append(f"LOC+125+{m['departure_airport']}")
    if departed is not None:
        head.append(f"DTM+189:{departed:%Y%m%d%H%M}:203")
    elif m["_dt_text"] is not None:
        head.append(f"DTM+189:{m['_dt_text']}")
    if m["destination_airport"] is not None:
        head.append(f"LOC+87+{m['destination_airport']}")
    return head
