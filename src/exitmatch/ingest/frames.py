"""Canonical column types of accepted rows, per source.

Everything after ingestion (normalise, block, score, decide) reads these frames and only
these. Two provenance columns ride along: ``_file`` (the file as given) and ``_row`` (the
1-based data row, or ``message/segment`` for PAXLST), so any output can point back to
the row it came from.
"""

from __future__ import annotations

import polars as pl

from exitmatch.contract.codes import Source

UTC_TIMESTAMP = pl.Datetime("us", "UTC")
DOCUMENT = pl.Struct({"type": pl.Utf8, "issuer": pl.Utf8, "number": pl.Utf8})

PROVENANCE: dict[str, pl.DataType] = {"_file": pl.Utf8(), "_row": pl.Utf8()}

# Date of birth as recorded (canonical text, may be partial) and split into parts, with
# unknown parts (00) as nulls.
_DOB: dict[str, pl.DataType] = {
    "date_of_birth": pl.Utf8(),
    "dob_year": pl.Int16(),
    "dob_month": pl.Int8(),
    "dob_day": pl.Int8(),
}

_TRAVEL_DOCUMENT: dict[str, pl.DataType] = {
    "sex": pl.Utf8(),
    "nationality": pl.Utf8(),
    "document_type": pl.Utf8(),
    "document_number": pl.Utf8(),
    "document_country": pl.Utf8(),
}

INVENTORY: dict[str, pl.DataType] = {
    "case_id": pl.Utf8(),
    "uci": pl.Utf8(),
    "surname": pl.Utf8(),
    "given_names": pl.Utf8(),
    "aliases": pl.List(pl.Utf8),
    **_DOB,
    "alt_dates_of_birth": pl.List(pl.Utf8),
    "sex": pl.Utf8(),
    "citizenships": pl.List(pl.Utf8),
    "documents": pl.List(DOCUMENT),
    "order_type": pl.Utf8(),
    "order_date": pl.Date(),
    "enforceable_date": pl.Date(),
    "inventory_status": pl.Utf8(),
    "priority": pl.Utf8(),
    "warrant_id": pl.Utf8(),
    "warrant_status": pl.Utf8(),
    "region": pl.Utf8(),
    **PROVENANCE,
}

LAND: dict[str, pl.DataType] = {
    "record_id": pl.Utf8(),
    "surname": pl.Utf8(),
    "given_name": pl.Utf8(),
    "middle_names": pl.Utf8(),
    **_DOB,
    **_TRAVEL_DOCUMENT,
    "crossed_at": UTC_TIMESTAMP,
    "port": pl.Utf8(),
    **PROVENANCE,
}

AIR: dict[str, pl.DataType] = {
    "record_id": pl.Utf8(),
    "surname": pl.Utf8(),
    "given_names": pl.Utf8(),
    **_DOB,
    **_TRAVEL_DOCUMENT,
    "carrier": pl.Utf8(),
    "flight_number": pl.Utf8(),
    "departure_airport": pl.Utf8(),
    "departed_at": UTC_TIMESTAMP,
    "destination_airport": pl.Utf8(),
    **PROVENANCE,
}

ENTRIES: dict[str, pl.DataType] = {
    "record_id": pl.Utf8(),
    "surname": pl.Utf8(),
    "given_names": pl.Utf8(),
    **_DOB,
    **_TRAVEL_DOCUMENT,
    "entered_at": UTC_TIMESTAMP,
    "port": pl.Utf8(),
    **PROVENANCE,
}

CANONICAL: dict[Source, dict[str, pl.DataType]] = {
    Source.INVENTORY: INVENTORY,
    Source.LAND: LAND,
    Source.AIR: AIR,
    Source.ENTRIES: ENTRIES,
}
