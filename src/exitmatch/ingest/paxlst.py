"""Reading UN/EDIFACT PAXLST passenger manifests into air exit rows.

Reach for ``read_paxlst`` when an air exit file is a carrier's API manifest (``.edi`` or
``.paxlst``): it returns the passengers as text columns named like the air contract, plus
the segments it could not use. Values are mapped, not judged: the shared validator in
``exitmatch.ingest`` checks dates, codes and sexes afterwards, like any CSV column.

The file holds one interchange (optional UNA, UNB ... UNZ) of PAXLST messages (UNH ... UNT,
optionally inside UNG/UNE groups), laid out per the WCO/IATA/ICAO API PAXLST guide:

* flight level, before the first party: ``TDT+20+AC0856+++AC`` (flight, carrier),
  ``LOC+125`` departure airport with ``DTM+189`` departure time, ``LOC+87`` arrival;
* one party group per ``NAD`` of a party (FL passenger, FM crew, DDT/DDU in transit): only
  FL is a departing passenger; the others are read past so their segments are not taken
  for the passenger before them.

Where a row comes from is ``_row`` = ``"<message>/<segment>"``: 1-based message number in
the file and 1-based position of the passenger's NAD within its message (UNH = 1). A
segment outside every message is reported as ``0/<segment in file>``.

Why not pydifact: its parser stops the whole file at the first bad segment (a generator
that raises cannot be resumed), keeps neither a segment's position nor its text for the
quarantine, and reads one character at a time in Python: on 100,000 passengers (600,000
segments) it takes about 8 s just to tokenize, several times what this whole reader takes.
Here escaped characters are swapped for placeholders, segments split with ``str.split``
and then held in a polars frame with their position and raw text; passengers are mapped
column-wise and only the few service and flight-level segments are looked at in Python.
One damaged segment costs one passenger, not the file.

Departure times in PAXLST are the airport's local time. We have no airport-to-time-zone
table here, so ``departed_at`` is written with ``Z``: the hour is as the carrier sent it and
may be several hours off true UTC. Date-scale comparisons are unaffected; anything finer
must allow for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from exitmatch.errors import ContractError
from exitmatch.ingest.edifact import Tokens, decode, service_advice, tokenize

AIR_COLUMNS: tuple[str, ...] = (
    *("record_id", "surname", "given_names", "date_of_birth", "sex", "nationality"),
    *("document_type", "document_number", "document_country", "carrier", "flight_number"),
    *("departure_airport", "departed_at", "destination_airport"),
)
QUARANTINE_COLUMNS: tuple[str, ...] = ("row", "reason", "raw")
# Quarantine rows carry their file position (``_at``) until they are put in file order.
_QUARANTINE_SCHEMA = dict.fromkeys(QUARANTINE_COLUMNS, pl.Utf8) | {"_at": pl.Int64}

PASSENGER = "FL"
# Party functions that open a person's group: passenger, crew, in-transit crew/passenger.
PARTIES = frozenset({"FL", "FM", "DDT", "DDU"})

# Segments of a PAXLST message (UNTDID D98B-D15B). Anything else inside a message is a
# fragment of a damaged segment, typically cut off by an unescaped terminator.
_HEADER_TAGS = frozenset({"BGM", "RFF", "DTM", "NAD", "CTA", "COM", "TDT", "LOC", "GEI", "FTX"})
_PARTY_TAGS = frozenset(
    {"ATT", "DTM", "MEA", "GIS", "GEI", "FTX", "LOC", "COM", "EMP", "NAT", "RFF", "DOC"}
    | {"CPI", "QTY", "GID", "TDT"}
)
_IN_PARTY = _PARTY_TAGS | {"NAD"}
_KNOWN_TAGS = _HEADER_TAGS | _PARTY_TAGS | {"UNH", "UNT", "CNT"}
# Data elements each mapped segment may have; more means an unescaped data separator.
_MAX_ELEMENTS = {"NAD": 9, "ATT": 3, "DTM": 1, "NAT": 2, "RFF": 1, "DOC": 5, "LOC": 5}
# Components of the composites we map: (segment, element) -> at most.
_MAX_COMPONENTS = {("NAD", 4): 6, ("DTM", 1): 3, ("ATT", 3): 4, ("LOC", 2): 4}
_MAX_COMPONENTS |= {("DOC", 1): 4, ("DOC", 2): 6}
_NOT_A_SEGMENT = (
    "is not a segment (its tag is not three capital letters): "
    "an unescaped terminator in the segment before can cause this"
)
_MISPLACED = "is a {} segment, which does not belong here"
_TOO_MANY_ELEMENTS = (
    "has {} data elements where {} has at most {}: an unescaped data separator in a value?"
)
_COMPONENT = ": an unescaped component separator in a value?"


@dataclass(slots=True)
class Segment:
    """One flight-level segment: position in its message, tag, unescaped elements
    (``elements[0]`` is the tag), raw text and what is wrong with it."""

    position: int
    tag: str
    elements: list[list[str]]
    raw: str
    problem: str | None

    def value(self, element: int, component: int = 0) -> str | None:
        """The text at ``element``/``component``, or None when absent or empty."""
        if element >= len(self.elements):
            return None
        components = self.elements[element]
        if component >= len(components):
            return None
        return components[component] or None


@dataclass(frozen=True)
class _Message:
    number: int
    start: int  # file position of its UNH
    end: int  # file position of its UNT, or of its last segment when there is none
    reference: str
    kind: str | None
    trouble: str | None  # why none of its passengers can be loaded


def read_paxlst(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Passengers of a PAXLST file as air rows (all text, plus ``_row``) and the
    quarantine (row, reason, raw) of passengers whose segments could not be used.

    Raises ``ContractError`` naming the file when it is not an EDIFACT interchange, or is
    cut short (unterminated, no UNZ, fewer messages than UNZ counts).
    """
    name = str(path)
    text = decode(path, name)
    syntax, body = service_advice(text, name)
    tokens = tokenize(body, syntax, name)
    sender, control_ref, messages = _interchange(tokens, name)
    segments = _placed(tokens.segments, messages)
    quarantine = [_outside_messages(segments), _other_messages(tokens.segments, messages)]
    paxlst = [m for m in messages if m.kind == "PAXLST"]
    rows = pl.DataFrame(schema=dict.fromkeys((*AIR_COLUMNS, "_row"), pl.Utf8))
    if paxlst:
        body_segments = _marked(
            tokens, segments.filter(pl.col("message").is_in([m.number for m in paxlst]))
        )
        flights = _flights(tokens, body_segments, paxlst)
        rows, refused = _passengers(tokens, body_segments, flights, sender, control_ref)
        quarantine.append(refused)
    return rows, pl.concat(quarantine).sort("_at").drop("_at")


# --- interchange and messages ------------------------------------------------------------

_SERVICE = ("UNB", "UNG", "UNE", "UNH", "UNT", "UNZ")


def _interchange(tokens: Tokens, name: str) -> tuple[str, str, list[_Message]]:
    """Sender, control reference and messages, from the service segments alone."""
    service = tokens.segments.filter(pl.col("tag").is_in(_SERVICE))
    last = tokens.segments.height

    def value(elements: list[list[str]], element: int) -> str | None:
        if element >= len(elements):
            return None
        return tokens.components(elements[element])[0] or None

    rows = service.select("i", "tag", "el").rows()
    if not rows or rows[0][0] != 1 or rows[0][1] != "UNB":
        raise ContractError("not an EDIFACT interchange: no UNB header", file=name)
    sender, control_ref = value(rows[0][2], 2) or "", value(rows[0][2], 5)
    if control_ref is None:
        raise ContractError("the UNB header has no interchange control reference", file=name)
    messages: list[_Message] = []
    groups = 0
    opened: tuple[int, str, str | None] | None = None  # start, reference, kind
    for i, tag, elements in rows[1:]:
        if opened is not None and tag in ("UNH", "UNG", "UNE", "UNZ", "UNT"):
            start, reference, kind = opened
            trouble: str | None = "the message has no UNT trailer, so it may be incomplete"
            if tag == "UNT" and (value(elements, 2) or "") == reference:
                trouble = None
            elif tag == "UNT":
                trouble = f"UNT reference {value(elements, 2)!r} does not match UNH {reference!r}"
            end = i if tag == "UNT" else i - 1
            messages.append(_Message(len(messages) + 1, start, end, reference, kind, trouble))
            opened = None
            if tag == "UNT":
                continue
        if tag == "UNH":
            opened = (i, value(elements, 1) or "", value(elements, 2))
        elif tag == "UNG":
            groups += 1
        elif tag == "UNZ":
            if i != last:
                raise ContractError(
                    "segments follow the UNZ trailer: one interchange a file", file=name
                )
            _check_trailer(
                value(elements, 2), value(elements, 1), control_ref, groups or len(messages), name
            )
            return sender, control_ref, messages
    raise ContractError("no UNZ interchange trailer: the file is truncated", file=name)


def _check_trailer(
    reference: str | None, declared: str | None, control_ref: str, count: int, name: str
) -> None:
    if reference != control_ref:
        raise ContractError(
            f"UNZ reference {reference!r} does not match the UNB's {control_ref!r}: "
            "two interchanges spliced together?",
            file=name,
        )
    if declared is None or not declared.isdigit() or int(declared) != count:
        raise ContractError(
            f"UNZ counts {declared!r} messages or groups but the file holds {count}: "
            "the file is incomplete",
            file=name,
        )


def _placed(segments: pl.DataFrame, messages: list[_Message]) -> pl.DataFrame:
    """Each segment with its message number (0 outside messages) and position in it."""
    spans = pl.DataFrame(
        {
            "start": [m.start for m in messages],
            "end": [m.end for m in messages],
            "message": [m.number for m in messages],
        },
        schema={"start": pl.Int64, "end": pl.Int64, "message": pl.Int64},
    )
    placed = segments.join_asof(spans, left_on="i", right_on="start", strategy="backward")
    inside = pl.col("message").is_not_null() & (pl.col("i") <= pl.col("end"))
    return placed.with_columns(
        pl.when(inside).then(pl.col("message")).otherwise(0).alias("message"),
        pl.when(inside).then(pl.col("i") - pl.col("start") + 1).alias("position"),
    ).drop("start", "end")


def _quarantine(row: pl.Expr, reason: pl.Expr, raw: str, at: str) -> list[pl.Expr]:
    return [
        row.alias("row"),
        reason.alias("reason"),
        pl.col(raw).alias("raw"),
        pl.col(at).alias("_at"),
    ]


def _outside_messages(segments: pl.DataFrame) -> pl.DataFrame:
    service = pl.col("tag").is_in(("UNG", "UNE", "UNZ")) | (pl.col("i") == 1)  # UNB is 1
    reason = pl.lit("segment outside any message (between UNT and UNH)")
    stray = segments.filter((pl.col("message") == 0) & ~service)
    return stray.select(_quarantine(pl.format("0/{}", pl.col("i")), reason, "raw", "i"))


def _other_messages(segments: pl.DataFrame, messages: list[_Message]) -> pl.DataFrame:
    other = {m.start: m for m in messages if m.kind != "PAXLST"}
    raws = segments.filter(pl.col("i").is_in(list(other))).select("i", "raw").rows()
    rows = [
        (f"{other[i].number}/1", f"message type {other[i].kind!r} is not PAXLST", raw, i)
        for i, raw in raws
    ]
    return pl.DataFrame(rows, schema=_QUARANTINE_SCHEMA, orient="row")


def _marked(tokens: Tokens, segments: pl.DataFrame) -> pl.DataFrame:
    """Message segments (less UNH, CNT, UNT) with ``party`` (0 = flight level, else the
    party group's number in the message) and ``problem``."""
    tag = pl.col("tag")
    qualifier = pl.col("el").list.get(1, null_on_oob=True).list.first()
    # A party NAD opens a person's group; any other NAD, CNT or UNT goes back to the
    # flight level, which is also where a message starts.
    in_party = (
        pl.when(tag == "NAD")
        .then(qualifier.is_in(PARTIES))
        .when(tag.is_in(("UNH", "CNT", "UNT")))
        .then(False)
        .forward_fill()
        .over("message")
    )
    opens = (tag == "NAD") & in_party
    return (
        segments.sort("i")
        .with_columns(in_party.alias("_in_party"), opens.alias("_opens"))
        .with_columns(
            pl.when(pl.col("_in_party"))
            .then(pl.col("_opens").cum_sum().over("message"))
            .otherwise(0)
            .alias("party")
        )
        .filter(~tag.is_in(("UNH", "CNT", "UNT")))
        .with_columns(_problem().alias("problem"))
        .drop("_in_party", "_opens")
    )


def _problem() -> pl.Expr:
    """What makes a segment structurally unusable where it stands, or null."""
    tag, count = pl.col("tag"), pl.col("el").list.len() - 1
    limit = tag.replace_strict(_MAX_ELEMENTS, default=None, return_dtype=pl.Int64)
    allowed = pl.when(pl.col("_in_party")).then(tag.is_in(_IN_PARTY))
    checks = [
        (~tag.str.contains(r"^[A-Z]{3}$"), pl.lit(_NOT_A_SEGMENT)),
        (~tag.is_in(_KNOWN_TAGS), pl.format("has tag {}, which is not a PAXLST segment", tag)),
        (~allowed.otherwise(tag.is_in(_HEADER_TAGS)), pl.format(_MISPLACED, tag)),
        (count > limit, pl.format(_TOO_MANY_ELEMENTS, count, tag, limit)),
    ]
    for (segment, element), most in _MAX_COMPONENTS.items():
        parts = pl.col("el").list.get(element, null_on_oob=True).list.len()
        reason = f"has {{}} components in element {element} where at most {most} are defined"
        checks.append(((tag == segment) & (parts > most), pl.format(reason + _COMPONENT, parts)))
    problem = pl.lit(None, pl.Utf8)
    for condition, message in reversed(checks):
        problem = pl.when(condition.fill_null(False)).then(message).otherwise(problem)
    return problem


def _flights(tokens: Tokens, segments: pl.DataFrame, messages: list[_Message]) -> pl.DataFrame:
    """Flight-level columns per message, and why a message's passengers cannot load."""
    header = segments.filter(pl.col("party") == 0).select(
        "message", "position", "tag", "el", "raw", "problem"
    )
    by_message: dict[int, list[Segment]] = {m.number: [] for m in messages}
    for number, position, tag, elements, raw, problem in header.rows():
        parsed = [tokens.components(element) for element in elements]
        by_message[number].append(Segment(position, tag, parsed, raw, problem))
    records = []
    for m in messages:
        flight, problem = _flight(by_message[m.number], m.number)
        trouble = m.trouble or (f"flight-level data unusable: {problem}" if problem else None)
        records.append(
            {"message": m.number, "reference": m.reference, "trouble": trouble, **flight}
        )
    schema = {"message": pl.Int64, "reference": pl.Utf8, "trouble": pl.Utf8}
    return pl.DataFrame(records, schema=schema | dict.fromkeys(AIR_COLUMNS[-5:], pl.Utf8))


def _flight(header: list[Segment], message: int) -> tuple[dict[str, str | None], str | None]:
    """Flight-level columns and, when they cannot be used, why."""
    bad = next((s for s in header if s.problem), None)
    if bad is not None:
        # The damage may have touched any flight field, and they apply to every passenger.
        return {}, f"segment {message}/{bad.position} {bad.problem}"
    tdt = next((s for s in header if s.tag == "TDT"), None)
    if tdt is None or tdt.value(2) is None:
        return {}, "no flight (TDT conveyance reference)"
    conveyance = tdt.value(2) or ""
    carrier = tdt.value(5)
    if carrier is None:
        # An IATA airline designator is two characters, not both digits (AC, U2, 9W).
        designator = re.fullmatch(r"([A-Z][A-Z0-9]|\d[A-Z])(\d{1,4}[A-Z]?)", conveyance)
        if designator is None:
            return {}, "no carrier in TDT and none in front of the flight number"
        carrier = designator.group(1)
    number = conveyance[len(carrier) :] if conveyance.startswith(carrier) else conveyance
    departure, departed, destination = _route(header)
    if departure is None:
        return {}, "no departure airport (LOC+125)"
    if departed is None:
        return {}, "no departure date and time (DTM+189 after LOC+125)"
    departed_at = _timestamp(departed)
    if departed_at is None:
        return {}, f"departure time {departed[0]!r} is not YYMMDDHHMM (201) or CCYYMMDDHHMM (203)"
    return {
        "carrier": carrier,
        "flight_number": number or conveyance,
        "departure_airport": departure,
        "departed_at": departed_at,
        "destination_airport": destination,
    }, None


def _route(header: list[Segment]) -> tuple[str | None, tuple[str, str | None] | None, str | None]:
    """Departure airport, its DTM+189 (value, format) and the arrival airport.

    Where a message lists several legs (each LOC+125 ... LOC+87), they are taken to be in
    flying order with the leg that leaves Canada last, so the last LOC+125 is used with the
    LOC+87 after it. There is no airport table here to check that it is Canadian.
    """
    departure: str | None = None
    departed: tuple[str, str | None] | None = None
    destination: str | None = None
    current: str | None = None
    anywhere: tuple[str, str | None] | None = None
    for seg in header:
        if seg.tag == "LOC":
            current = seg.value(1)
            if current == "125":
                departure, departed, destination = seg.value(2), None, None
            elif current == "87" and departure is not None and destination is None:
                destination = seg.value(2)
        elif seg.tag == "DTM" and seg.value(1) == "189":
            moment = (seg.value(1, 1) or "", seg.value(1, 2))
            if current is None:
                anywhere = anywhere or moment
            elif current == "125":
                departed = moment
    # Some carriers put DTM+189 with the TDT (segment group 2) rather than the LOC.
    return departure, departed or anywhere, destination


def _timestamp(departed: tuple[str, str | None]) -> str | None:
    value, fmt = departed
    if not (value.isascii() and value.isdigit()) or fmt not in (None, "201", "203"):
        return None
    if len(value) == 10 and fmt in (None, "201"):
        # Electronic API data starts after 2000, so a two-digit year is 20YY.
        value = "20" + value
    elif len(value) != 12 or fmt == "201":
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:00Z"


def _passengers(
    tokens: Tokens,
    segments: pl.DataFrame,
    flights: pl.DataFrame,
    sender: str,
    control_ref: str,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Passenger rows, and the quarantine of passengers that cannot be loaded."""
    tag, q, value = pl.col("tag"), pl.col("q"), tokens.component
    parties = (
        segments.filter(pl.col("party") > 0)
        .with_columns(value(1, 0).alias("q"))
        .with_columns(
            pl.col("q").first().over("message", "party").alias("_function"),
            # Segments after a second DOC describe that document (a visa), not the person.
            (tag == "DOC").cum_sum().over("message", "party").alias("_doc"),
        )
        .filter(pl.col("_function") == PASSENGER)
        .join(flights.select("message", "departed_at"), on="message", how="left")
        # DTM's date and format, computed once: the birth-date rule reads them many times.
        .with_columns(value(1, 1).alias("_date"), value(1, 2).alias("_format"))
    )
    bad = pl.col("problem").is_not_null()
    person = pl.col("_doc") <= 1
    doc = (tag == "DOC") & (pl.col("_doc") == 1)
    given = (
        pl.col("el")
        .list.get(4, null_on_oob=True)
        .list.slice(1, 4)
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.join(" ")
    )
    # Each field where its segment is, then the first of each per passenger: plain
    # aggregations stay on polars' fast path.
    fields: dict[str, tuple[pl.Expr, pl.Expr]] = {
        "surname": (tag == "NAD", value(4, 0)),
        "given_names": (tag == "NAD", tokens.unescaped(given)),
        "date_of_birth": (person & (tag == "DTM") & (q == "329"), _birth_date()),
        "sex": (person & (tag == "ATT") & (q == "2"), value(3, 0)),
        "nationality": (person & (tag == "NAT") & (q == "2"), value(2, 0)),
        "document_type": (doc, q),
        "document_number": (doc, value(2, 0)),
        "document_country": ((tag == "LOC") & (q == "91") & (pl.col("_doc") == 1), value(2, 0)),
        "_abo": (person & (tag == "RFF") & (q == "ABO"), value(1, 1)),
        "_nad": (tag == "NAD", pl.col("position")),
        "_nad_at": (tag == "NAD", pl.col("i")),
        "_bad": (bad, pl.col("position")),
        "_bad_at": (bad, pl.col("i")),
        "_problem": (bad, pl.col("problem")),
        "_bad_raw": (bad, pl.col("raw")),
    }
    people = (
        parties.with_columns(
            pl.when(condition).then(expr).alias(field)
            for field, (condition, expr) in fields.items()
        )
        .group_by("message", "party", maintain_order=True)
        .agg(
            *(pl.col(field).drop_nulls().first() for field in fields),
            pl.col("raw").str.join("").alias("_raw"),
        )
    )
    people = people.with_columns(
        pl.int_range(1, pl.len() + 1).over("message").alias("_ordinal")
    ).join(flights, on="message", how="left")
    nad_row = pl.format("{}/{}", pl.col("message"), pl.col("_nad"))
    bad_row = pl.format("{}/{}", pl.col("message"), pl.col("_bad"))
    troubled = pl.col("trouble").is_not_null()
    damaged = ~troubled & pl.col("_bad").is_not_null()
    flight_trouble = ("passenger not loaded: " + pl.col("trouble"), "_raw", "_nad_at")
    damage = ("passenger at {} not loaded: segment {} {}", "_bad_raw", "_bad_at")
    refused = pl.concat(
        [
            people.filter(troubled).select(_quarantine(nad_row, *flight_trouble)),
            people.filter(damaged).select(
                _quarantine(
                    bad_row, pl.format(damage[0], nad_row, bad_row, "_problem"), *damage[1:]
                )
            ),
        ]
    )
    # The record id is the guide's unique passenger reference (RFF+ABO). RFF+AVF is the
    # booking (PNR) locator, shared by everyone on one booking, so it is no id. Without
    # ABO the id is built from where the passenger sits in the interchange; the sender is
    # part of it because an interchange control reference is unique per sender only.
    built = pl.concat_str(
        pl.lit(f"{sender}/{control_ref}/"),
        "reference",
        pl.lit("/"),
        pl.col("_ordinal").cast(pl.Utf8),
    )
    rows = people.filter(~troubled & ~damaged).select(
        pl.coalesce("_abo", built).alias("record_id"),
        *AIR_COLUMNS[1:],
        nad_row.alias("_row"),
    )
    return rows, refused


def _birth_date() -> pl.Expr:
    """``YYYY-MM-DD`` from YYMMDD (101) or CCYYMMDD (102); other text as sent, so the
    validator reports it. The century of YYMMDD is the latest that does not put the birth
    after the departure (a 2-digit year cannot say more; it misdates people over 100)."""
    text, fmt = pl.col("_date"), pl.col("_format")
    length = text.str.len_chars()
    short = (length == 6) & (fmt.is_null() | (fmt == "101"))
    long = (length == 8) & (fmt.is_null() | (fmt == "102"))
    month_day = pl.format("{}-{}", text.str.slice(-4, 2), text.str.slice(-2, 2))
    recent = pl.format("20{}-{}", text.str.slice(0, 2), month_day)
    # Text comparison of YYYY-MM-DD works even for a day the validator will refuse.
    century = pl.when(recent <= pl.col("departed_at").str.slice(0, 10)).then(recent)
    return (
        pl.when(~text.str.contains(r"^[0-9]+$"))
        .then(text)
        .when(long)
        .then(pl.format("{}-{}", text.str.slice(0, 4), month_day))
        .when(short)
        .then(century.otherwise(pl.format("19{}-{}", text.str.slice(0, 2), month_day)))
        .otherwise(text)
    )
