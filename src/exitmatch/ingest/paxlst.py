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
segments) it takes about 8 s just to tokenize, where this whole reader takes about 6 s.
The tokenizer below swaps escaped characters for placeholders and then splits with plain
``str.split``, keeping each segment's raw text and position, so one damaged segment costs
one passenger and not the file.

Departure times in PAXLST are the airport's local time. We have no airport-to-time-zone
table here, so ``departed_at`` is written with ``Z``: the hour is as the carrier sent it and
may be several hours off true UTC. Date-scale comparisons are unaffected; anything finer
must allow for it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from exitmatch.errors import ContractError

AIR_COLUMNS: tuple[str, ...] = (
    "record_id",
    "surname",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "document_country",
    "carrier",
    "flight_number",
    "departure_airport",
    "departed_at",
    "destination_airport",
)
QUARANTINE_COLUMNS: tuple[str, ...] = ("row", "reason", "raw")

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
# Components of the composites we map (segment, element) -> at most.
_MAX_COMPONENTS: dict[str, tuple[tuple[int, int], ...]] = {
    "NAD": ((4, 6),),
    "DTM": ((1, 3),),
    "ATT": ((3, 4),),
    "DOC": ((1, 4), (2, 6)),
    "LOC": ((2, 4),),
}
_TAG = re.compile(r"[A-Z]{3}")

# ISO 9735 syntax identifiers that are not UTF-8. UTF-8 is tried first whatever the file
# declares, because carriers often declare UNOA/UNOC and send UTF-8.
_CHARSETS = {
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
}


@dataclass(frozen=True)
class Syntax:
    """Service characters, from the UNA service string advice or the ISO 9735 defaults."""

    component: str = ":"
    data: str = "+"
    release: str | None = "?"
    terminator: str = "'"


@dataclass(slots=True)
class Segment:
    """One segment: position (in its message, or in the file outside messages), tag,
    unescaped elements (``elements[0]`` is the tag), raw text and what is wrong with it."""

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


@dataclass
class _Interchange:
    sender: str
    control_ref: str
    rows: list[dict[str, str | None]] = field(default_factory=list)
    quarantine: list[tuple[str, str, str]] = field(default_factory=list)


def read_paxlst(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Passengers of a PAXLST file as air rows (all text, plus ``_row``) and the
    quarantine (row, reason, raw) of passengers whose segments could not be used.

    Raises ``ContractError`` naming the file when it is not an EDIFACT interchange, or is
    cut short (unterminated, no UNZ, fewer messages than UNZ counts).
    """
    name = str(path)
    text = _decode(path, name)
    syntax, body = _service_advice(text, name)
    segments = list(_segments(body, syntax, name))
    interchange = _read_interchange(segments, name)
    rows = pl.DataFrame(
        {c: [r[c] for r in interchange.rows] for c in (*AIR_COLUMNS, "_row")},
        schema=dict.fromkeys((*AIR_COLUMNS, "_row"), pl.Utf8),
    )
    quarantine = pl.DataFrame(
        interchange.quarantine,
        schema=dict.fromkeys(QUARANTINE_COLUMNS, pl.Utf8),
        orient="row",
    )
    return rows, quarantine


# --- characters and segments -------------------------------------------------------------


def _decode(path: Path, name: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ContractError(f"cannot be read ({e.strerror})", file=name) from e
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"UNB.(UNO[A-Z])", data[:300])
    charset = _CHARSETS.get(declared.group(1).decode() if declared else "", "latin-1")
    try:
        return data.decode(charset)
    except UnicodeDecodeError as e:
        raise ContractError(f"not valid {charset} text at byte {e.start}", file=name) from e


def _service_advice(text: str, name: str) -> tuple[Syntax, str]:
    """The separators (UNA, else defaults) and the text after the UNA."""
    text = text.lstrip()
    if text.startswith("UNA"):
        chars = text[3:9]
        if len(chars) < 6:
            raise ContractError("the UNA service string advice is cut short", file=name)
        # UNA: component, data, decimal mark, release, reserved, terminator.
        component, data, release, terminator = chars[0], chars[1], chars[3], chars[5]
        # A space as release character means the interchange uses none (ISO 9735).
        syntax = Syntax(component, data, None if release == " " else release, terminator)
        if len({component, data, terminator} - {" "}) < 3 or release in (
            component,
            data,
            terminator,
        ):
            raise ContractError(f"the UNA separators {chars!r} are not distinct", file=name)
        text = text[9:]
    else:
        syntax = Syntax()
    # Line breaks are not EDIFACT, but carriers add them after segments or wrap long lines.
    for brk in "\r\n":
        if brk not in (syntax.component, syntax.data, syntax.release, syntax.terminator):
            text = text.replace(brk, "")
    if not text.lstrip().startswith("UNB" + syntax.data):
        raise ContractError(
            "not an EDIFACT interchange: it does not start with UNA or UNB", file=name
        )
    return syntax, text


def _placeholders(body: str, count: int) -> list[str]:
    """``count`` private-use characters that do not occur in ``body``."""
    found: list[str] = []
    code = 0xE000
    while len(found) < count:
        if chr(code) not in body:
            found.append(chr(code))
        code += 1
    return found


def _segments(body: str, syntax: Syntax, name: str) -> Iterator[tuple[str, list[list[str]]]]:
    """Raw segment text (terminator included) and its unescaped elements, in file order.

    Escaped service characters are first swapped for private-use placeholders, so that
    every split after that is a plain ``str.split`` (fast, in C); each value then gets its
    characters back, and each raw text its release characters.
    """
    release = syntax.release
    services = (syntax.component, syntax.data, syntax.terminator)
    to_value: dict[int, str] = {}
    to_raw: dict[int, str] = {}
    escaped: re.Pattern[str] | None = None
    if release is not None and release in body:
        # A release character dangling at the very end stays in the tail: "truncated".
        swap = dict(zip((*services, release), _placeholders(body, 4), strict=True))
        to_value = {ord(p): c for c, p in swap.items()}
        to_raw = {ord(p): release + c for c, p in swap.items()}
        pair = re.compile(f"{re.escape(release)}(.)", re.DOTALL)
        # A release before any other character is dropped, from the raw text as well.
        body = pair.sub(lambda m: swap.get(m.group(1), m.group(1)), body)
        escaped = re.compile("[" + "".join(swap.values()) + "]")
    texts = body.split(syntax.terminator)
    if texts.pop().strip():
        raise ContractError("the last segment has no terminator: the file is truncated", file=name)
    for text in texts:
        text = text.lstrip(" \t")
        if not text:
            continue  # an empty segment (two terminators in a row) carries nothing
        elements = [element.split(syntax.component) for element in text.split(syntax.data)]
        if escaped is not None and escaped.search(text):
            elements = [[c.translate(to_value) for c in element] for element in elements]
            text = text.translate(to_raw)
        yield text + syntax.terminator, elements


def _problem(tag: str, elements: list[list[str]], where: frozenset[str]) -> str | None:
    """What makes a segment structurally unusable here, or None."""
    if len(elements[0]) > 1 or not _TAG.fullmatch(tag):
        return (
            "is not a segment (its tag is not three capital letters): "
            "an unescaped terminator in the segment before can cause this"
        )
    if tag not in _KNOWN_TAGS:
        return f"has tag {tag}, which is not a PAXLST segment"
    if tag not in where:
        return f"is a {tag} segment, which does not belong here"
    limit = _MAX_ELEMENTS.get(tag)
    if limit is not None and len(elements) - 1 > limit:
        return (
            f"has {len(elements) - 1} data elements where {tag} has at most {limit}: "
            "an unescaped data separator in a value?"
        )
    for element, most in _MAX_COMPONENTS.get(tag, ()):
        if element < len(elements) and len(elements[element]) > most:
            return (
                f"has {len(elements[element])} components in element {element} where at "
                f"most {most} are defined: an unescaped component separator in a value?"
            )
    return None


# --- interchange and messages ------------------------------------------------------------


def _read_interchange(items: list[tuple[str, list[list[str]]]], name: str) -> _Interchange:
    if not items or items[0][1][0][0] != "UNB":
        raise ContractError("not an EDIFACT interchange: no UNB header", file=name)
    unb = _plain(1, items[0])
    control_ref = unb.value(5)
    if control_ref is None:
        raise ContractError("the UNB header has no interchange control reference", file=name)
    interchange = _Interchange(sender=unb.value(2) or "", control_ref=control_ref)
    messages = groups = 0
    message: list[Segment] | None = None
    for index, item in enumerate(items[1:], start=2):
        tag = item[1][0][0]
        if message is not None and tag in ("UNH", "UNG", "UNE", "UNZ"):
            messages += 1
            _read_message(messages, message, interchange)  # message without UNT
            message = None
        if tag == "UNH":
            message = [_plain(1, item)]
        elif message is not None:
            segment = _plain(len(message) + 1, item)
            message.append(segment)
            if tag == "UNT":
                messages += 1
                _read_message(messages, message, interchange)
                message = None
        elif tag == "UNG":
            groups += 1
        elif tag == "UNZ":
            if index != len(items):
                raise ContractError(
                    "segments follow the UNZ trailer: one interchange a file", file=name
                )
            _check_trailer(_plain(index, item), interchange, groups or messages, name)
            return interchange
        elif tag != "UNE":
            stray = _plain(index, item)
            interchange.quarantine.append(
                (f"0/{index}", "segment outside any message (between UNT and UNH)", stray.raw)
            )
    raise ContractError("no UNZ interchange trailer: the file is truncated", file=name)


def _plain(position: int, item: tuple[str, list[list[str]]]) -> Segment:
    raw, elements = item
    return Segment(position, elements[0][0], elements, raw, None)


def _check_trailer(unz: Segment, interchange: _Interchange, count: int, name: str) -> None:
    if unz.value(2) != interchange.control_ref:
        raise ContractError(
            f"UNZ reference {unz.value(2)!r} does not match the UNB's "
            f"{interchange.control_ref!r}: two interchanges spliced together?",
            file=name,
        )
    declared = unz.value(1)
    if declared is None or not declared.isdigit() or int(declared) != count:
        raise ContractError(
            f"UNZ counts {declared!r} messages or groups but the file holds {count}: "
            "the file is incomplete",
            file=name,
        )


def _read_message(number: int, segments: list[Segment], interchange: _Interchange) -> None:
    unh = segments[0]
    if unh.value(2) != "PAXLST":
        interchange.quarantine.append(
            (f"{number}/1", f"message type {unh.value(2)!r} is not PAXLST", unh.raw)
        )
        return
    reference = unh.value(1) or ""
    header, parties = _groups(segments)
    trouble = _trailer_problem(segments, reference)
    flight, flight_problem = _flight(header, number)
    trouble = trouble or (
        f"flight-level data unusable: {flight_problem}" if flight_problem else None
    )
    for ordinal, party in enumerate((p for p in parties if p[0].value(1) == PASSENGER), 1):
        nad = party[0]
        row = f"{number}/{nad.position}"
        if trouble:
            raw = "".join(s.raw for s in party)
            interchange.quarantine.append((row, f"passenger not loaded: {trouble}", raw))
            continue
        bad = next((s for s in party if s.problem), None)
        if bad is not None:
            reason = f"passenger at {row} not loaded: segment {number}/{bad.position} {bad.problem}"
            interchange.quarantine.append((f"{number}/{bad.position}", reason, bad.raw))
            continue
        fallback = f"{interchange.sender}/{interchange.control_ref}/{reference}/{ordinal}"
        interchange.rows.append(
            {**_passenger(party, flight["departed_at"] or "", fallback), **flight, "_row": row}
        )


def _groups(segments: list[Segment]) -> tuple[list[Segment], list[list[Segment]]]:
    """Split a message into flight-level segments and party groups, marking problems."""
    header: list[Segment] = []
    parties: list[list[Segment]] = []
    in_party = False
    for seg in segments[1:]:
        if seg.tag in ("CNT", "UNT"):
            in_party = False
            continue
        if seg.tag == "NAD":
            in_party = seg.value(1) in PARTIES
        seg.problem = _problem(seg.tag, seg.elements, _IN_PARTY if in_party else _HEADER_TAGS)
        if in_party and seg.tag == "NAD":
            parties.append([seg])
        elif in_party:
            parties[-1].append(seg)
        else:
            header.append(seg)
    return header, parties


def _trailer_problem(segments: list[Segment], reference: str) -> str | None:
    # The UNT segment count is not checked: one unescaped terminator shifts it, and the
    # passenger it damaged is quarantined on its own.
    last = segments[-1]
    if last.tag != "UNT":
        return "the message has no UNT trailer, so it may be incomplete"
    if (last.value(2) or "") != reference:
        return f"UNT reference {last.value(2)!r} does not match UNH reference {reference!r}"
    return None


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
    if not value.isdigit() or fmt not in (None, "201", "203"):
        return None
    if len(value) == 10 and fmt in (None, "201"):
        # Electronic API data starts after 2000, so a two-digit year is 20YY.
        value = "20" + value
    elif len(value) != 12 or fmt == "201":
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:00Z"


def _passenger(party: list[Segment], departed_at: str, fallback_id: str) -> dict[str, str | None]:
    nad = party[0]
    given = [c for c in nad.elements[4][1:5] if c] if len(nad.elements) > 4 else []
    row: dict[str, str | None] = {
        "record_id": None,
        "surname": nad.value(4),
        "given_names": " ".join(given) or None,
        "date_of_birth": None,
        "sex": None,
        "nationality": None,
        "document_type": None,
        "document_number": None,
        "document_country": None,
    }
    other_ref: str | None = None
    documents = 0
    for seg in party[1:]:
        tag, qualifier = seg.tag, seg.value(1)
        if tag == "DOC":
            documents += 1
            if documents == 1:
                row["document_type"] = qualifier
                row["document_number"] = seg.value(2)
        elif documents > 1:
            continue  # the segments of a second document (a visa) describe that one
        elif tag == "ATT" and qualifier == "2":
            row["sex"] = row["sex"] or seg.value(3)
        elif tag == "DTM" and qualifier == "329":
            row["date_of_birth"] = row["date_of_birth"] or _birth_date(seg, departed_at)
        elif tag == "NAT" and qualifier == "2":
            row["nationality"] = row["nationality"] or seg.value(2)
        elif tag == "RFF" and qualifier == "AVF":
            row["record_id"] = row["record_id"] or seg.value(1, 1)
        elif tag == "RFF" and qualifier == "ABO":
            other_ref = other_ref or seg.value(1, 1)
        elif tag == "LOC" and qualifier == "91" and documents == 1:
            row["document_country"] = row["document_country"] or seg.value(2)
    # Without RFF+AVF the guide's unique passenger reference (ABO) is next best; without
    # either, the id is built from where the passenger sits in the interchange. The sender
    # is part of it because an interchange control reference is unique per sender only.
    row["record_id"] = row["record_id"] or other_ref or fallback_id
    return row


def _birth_date(seg: Segment, departed_at: str) -> str | None:
    """``YYYY-MM-DD`` from YYMMDD (101) or CCYYMMDD (102); other text as sent, so the
    validator reports it. The century of YYMMDD is the latest that does not put the birth
    after the departure (a 2-digit year cannot say more; it misdates people over 100)."""
    value, fmt = seg.value(1, 1), seg.value(1, 2)
    if value is None or not value.isdigit():
        return value
    if len(value) == 8 and fmt in (None, "102"):
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if len(value) != 6 or fmt not in (None, "101"):
        return value
    recent = f"20{value[:2]}-{value[2:4]}-{value[4:]}"
    # Text comparison of YYYY-MM-DD works even for a day the validator will refuse.
    return recent if recent <= departed_at[:10] else f"19{value[:2]}-{value[2:4]}-{value[4:]}"
