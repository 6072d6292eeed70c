"""Input rows as the contract defines them: one model per input file kind.

A model instance is a row that loads with nothing set aside. The vectorised validator in
``exitmatch.ingest.validate`` applies the same rules to whole columns; a property test keeps
the two in agreement. Fields shared by the travel records come first through
inheritance; the order of columns in a file is CONTRACT.md's (``ingest.frames``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from exitmatch.contract.codes import InventoryStatus, OrderType, Priority, Sex, WarrantStatus
from exitmatch.contract.values import (
    check_country,
    check_date,
    check_document,
    check_partial_date,
    check_sex,
    clean_text,
    parse_timestamp,
    split_list,
)


def _text(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _optional(check: Any) -> Any:
    def validate(value: Any) -> Any:
        value = _text(value)
        return None if value is None else check(value)

    return validate


def _required(check: Any) -> Any:
    def validate(value: Any) -> Any:
        value = _text(value)
        if value is None:
            raise ValueError("required value is missing")
        return check(value) if isinstance(value, str) else value

    return validate


def _list_of(check: Any) -> Any:
    def validate(value: Any) -> list[str]:
        return [check(item) for item in split_list(value)]

    return validate


def _timestamp(value: Any) -> Any:
    value = _text(value)
    if value is None:
        raise ValueError("required value is missing")
    return parse_timestamp(value) if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    value = _text(value)
    return value.lower() if isinstance(value, str) else value


RequiredText = Annotated[str, BeforeValidator(_required(str)), Field(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(_text)]
PartialDate = Annotated[
    str | None,
    BeforeValidator(_optional(check_partial_date)),
    Field(description="YYYY-MM-DD; 00 for an unknown month or day (1984-00-00, 1984-07-00)"),
]
RequiredDate = Annotated[
    str, BeforeValidator(_required(check_date)), Field(json_schema_extra={"format": "date"})
]
OptionalDate = Annotated[str | None, BeforeValidator(_optional(check_date))]
OptionalSex = Annotated[Sex | None, BeforeValidator(_optional(check_sex))]
CountryCode = Annotated[
    str | None,
    BeforeValidator(_optional(check_country)),
    Field(description="ICAO 9303 three-letter code (ISO alpha-3 or ICAO's own, e.g. D, XXA)"),
]
Timestamp = Annotated[
    datetime,
    BeforeValidator(_timestamp),
    Field(description="ISO 8601; without an offset the time is taken as UTC"),
]
NameList = Annotated[
    list[str],
    BeforeValidator(_list_of(str)),
    Field(description="'|'-separated in CSV; each entry 'SURNAME, GIVEN NAMES'"),
]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)


class InventoryCase(_Row):
    """One removal case from the removal inventory (``--inventory``)."""

    case_id: RequiredText = Field(description="Removal case identifier, unique in the input")
    uci: RequiredText = Field(description="The person's unique client identifier")
    surname: OptionalText = Field(None, description="Family name(s); a single name goes here")
    given_names: OptionalText = Field(None, description="Given names, space-separated")
    aliases: NameList = Field(default_factory=list, description="Other names")
    date_of_birth: PartialDate = None
    alt_dates_of_birth: Annotated[list[str], BeforeValidator(_list_of(check_partial_date))] = Field(
        default_factory=list, description="Other recorded dates of birth, may be partial"
    )
    sex: OptionalSex = None
    citizenships: Annotated[list[str], BeforeValidator(_list_of(check_country))] = Field(
        default_factory=list, description="ICAO 9303 three-letter codes"
    )
    documents: Annotated[list[str], BeforeValidator(_list_of(check_document))] = Field(
        default_factory=list, description="Known travel documents, each TYPE/ISSUER/NUMBER"
    )
    order_type: Annotated[OrderType, BeforeValidator(_lower)]
    order_date: RequiredDate = Field(description="Date the removal order was made")
    enforceable_date: OptionalDate = Field(
        None, description="Date it became enforceable; empty = not (yet) enforceable"
    )
    inventory_status: Annotated[InventoryStatus, BeforeValidator(_lower)]
    priority: Annotated[Priority, BeforeValidator(_lower)]
    warrant_id: OptionalText = Field(None, description="Immigration warrant; empty = none")
    warrant_status: Annotated[WarrantStatus | None, BeforeValidator(_lower)] = None
    region: OptionalText = Field(None, description="CBSA region holding the case")

    @model_validator(mode="after")
    def _has_a_name(self) -> InventoryCase:
        if self.surname is None and self.given_names is None:
            raise ValueError("neither surname nor given_names")
        return self


class _Traveller(_Row):
    """Identity columns shared by every exit and entry record."""

    record_id: RequiredText = Field(description="Unique within its source")
    surname: OptionalText = None
    date_of_birth: PartialDate = None
    sex: OptionalSex = None
    nationality: CountryCode = None
    document_type: OptionalText = Field(None, description="e.g. P, PR, EDL, NEXUS")
    document_number: OptionalText = None
    document_country: CountryCode = Field(None, description="Issuing country")


class LandRecord(_Traveller):
    """One traveller entering the United States at a land port: a departure from Canada."""

    given_name: OptionalText = Field(None, description="First given name")
    middle_names: OptionalText = None
    crossed_at: Timestamp
    port: RequiredText = Field(description="Land port of entry")

    @model_validator(mode="after")
    def _identifiable(self) -> LandRecord:
        if self.surname is None and self.given_name is None and self.document_number is None:
            raise ValueError("no surname, given name or document number")
        return self


class _AirIdentity(_Traveller):
    given_names: OptionalText = Field(None, description="All given names in one field")

    @model_validator(mode="after")
    def _identifiable(self) -> _AirIdentity:
        if self.surname is None and self.given_names is None and self.document_number is None:
            raise ValueError("no surname, given names or document number")
        return self


class AirRecord(_AirIdentity):
    """One passenger on a flight that left Canada (exit manifest, CSV or PAXLST)."""

    carrier: RequiredText = Field(description="IATA airline code")
    flight_number: RequiredText
    departure_airport: RequiredText = Field(description="IATA code of the last Canadian airport")
    departed_at: Timestamp
    destination_airport: OptionalText = None


class EntryRecord(_AirIdentity):
    """One arrival into Canada (``--entries``)."""

    entered_at: Timestamp
    port: RequiredText


INPUT_MODELS: dict[str, type[_Row]] = {
    "inventory": InventoryCase,
    "land": LandRecord,
    "air": AirRecord,
    "entries": EntryRecord,
}
