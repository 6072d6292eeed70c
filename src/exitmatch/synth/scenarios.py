"""Subjects: a removal case each, and what the person did (left, when, came back).

Use :func:`make_subject` once per subject. It draws the case (order, status, priority,
warrant, region), the scenario, and the exit and entry records that scenario implies, all
from one seeded ``random.Random``. Which outputs the records should produce is decided
later, by the rules in :mod:`.truth`, not here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from exitmatch.synth import people, world
from exitmatch.synth.calendar_model import AIR_DATA_FROM, HOURS_UTC
from exitmatch.synth.config import SynthConfig
from exitmatch.synth.names.pools import NameForm

Row = dict[str, Any]
_BOUNDARY = 0.08  # share of departures placed on the day a 240(3) rule turns
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SUBJECT_ORIGINS = [o for o in world.ORIGINS if o.subjects > 0]
_ORIGIN_CUM = list(accumulate(o.subjects for o in _SUBJECT_ORIGINS))
_ROUTES = [(c, d, lo, hi) for c, dests, lo, hi, _ in world.CARRIERS for d in dests]
_ROUTE_CUM = list(accumulate(w / len(dests) for _, dests, _, _, w in world.CARRIERS for _ in dests))


@dataclass
class Subject:
    index: int
    case: Row
    tags: list[str]
    exits: list[tuple[str, Row]] = field(default_factory=list)  # (land|air, row)
    entries: list[Row] = field(default_factory=list)
    decoys: list[tuple[str, Row]] = field(default_factory=list)  # namesakes' exits
    variations: list[str] = field(default_factory=list)  # how case and documents differ


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _seconds(day: date, rng: random.Random) -> int:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    hour = rng.choices(range(24), weights=HOURS_UTC)[0]
    return int((start - _EPOCH).total_seconds()) + hour * 3600 + rng.randrange(3600)


def _day_between(rng: random.Random, first: date, last: date) -> date | None:
    if last < first:
        return None
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _stamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _land_stamp(rng: random.Random, at: int, port: str) -> str:
    """As ordinary land records: a quarter in the port's local time with its offset. Only
    where the local date is the UTC date, so no rule's day depends on the writing."""
    offset = world.port_offset_hours(port)
    moment = datetime.fromtimestamp(at, UTC)
    if rng.random() >= 0.25 or moment.hour + offset < 0:
        return _stamp(at)
    local = datetime.fromtimestamp(at + offset * 3600, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{local}-{-offset:02d}:00"


def _case_fields(rng: random.Random, index: int, scenario: str, c: SynthConfig) -> Row:
    priority = _weighted(
        rng,
        (
            ("serious_inadmissibility", 12),
            ("failed_irregular_migrant", 8),
            ("failed_refugee_claimant", 50),
            ("other", 30),
        ),
    )
    if priority == "serious_inadmissibility":
        order_type = "deportation"
    else:
        order_type = _weighted(rng, (("departure", 40), ("exclusion", 20), ("deportation", 40)))
    if scenario == "closed":
        status = "closed"
    elif scenario == "stayed":
        status = "stayed"
    else:
        status = _weighted(
            rng,
            (
                ("wanted", 45),
                ("working", 25),
                ("monitoring", 15),
                ("deferred", 8),
                ("suspended", 7),
            ),
        )
    if status == "wanted":
        warrant = "active" if rng.random() < 0.92 else None
    elif status == "closed":
        warrant = _weighted(rng, (("executed", 40), ("cancelled", 40), ("", 20))) or None
    else:
        warrant = (
            _weighted(rng, (("active", 20), ("executed", 50), ("cancelled", 30)))
            if rng.random() < 0.25
            else None
        )
    # Orders from years before the exit history to shortly before its end.
    first = date(c.history_start.year - 6, 1, 1)
    order = _day_between(rng, first, c.history_end - timedelta(days=90)) or c.history_start
    return {
        "case_id": f"RC-{order.year}-{index + 1:07d}",
        "uci": f"{rng.randrange(10**10):010d}",
        "order_type": order_type,
        "order_date": order,
        "inventory_status": status,
        "priority": priority,
        "warrant_id": f"IW{rng.randrange(10**9):09d}" if warrant else None,
        "warrant_status": warrant,
        "region": _weighted(rng, world.CBSA_REGIONS),
    }


def _scenario(rng: random.Random, c: SynthConfig) -> str:
    s = c.scenarios
    options = (
        ("left_qualifying", s.left_qualifying),
        ("left_before_order", s.left_before_order),
        ("left_before_enforceable", s.left_before_enforceable),
        ("left_and_returned", s.left_and_returned),
        ("closed", s.closed),
        ("stayed", s.stayed),
    )
    draw = rng.random()
    for name, edge in zip([o for o, _ in options], accumulate(w for _, w in options), strict=True):
        if draw < edge:
            return name
    return "never_left"


def _exit_row(rng: random.Random, source: str, identity: Row, at: int) -> Row:
    row = {"record_id": None, "surname": identity["surname"]}
    given, middle = identity.get("given_name"), identity.get("middle_names")
    if source == "land":
        row.update(given_name=given, middle_names=middle)
    else:
        row["given_names"] = " ".join(x for x in (given, middle) if x) or None
    for key in ("date_of_birth", "sex", "nationality", "document_type", "document_number"):
        row[key] = identity.get(key)
    row["document_country"] = identity.get("document_country")
    if source == "land":
        port = _weighted(rng, world.LAND_PORTS)
        row.update(crossed_at=_land_stamp(rng, at, port), port=port)
    else:
        carrier, dest, lo, hi = rng.choices(_ROUTES, cum_weights=_ROUTE_CUM)[0]
        at = at - at % 900
        row.update(
            carrier=carrier,
            flight_number=str(rng.randint(lo, hi)),
            departure_airport=_weighted(rng, world.AIRPORTS),
            departed_at=_stamp(at),
            destination_airport=dest,
        )
    row["_at"] = at
    return row


def _entry_row(rng: random.Random, identity: Row, at: int) -> Row:
    given, middle = identity.get("given_name"), identity.get("middle_names")
    row: Row = {"record_id": None, "surname": identity["surname"]}
    row["given_names"] = " ".join(x for x in (given, middle) if x) or None
    for key in (
        "date_of_birth",
        "sex",
        "nationality",
        "document_type",
        "document_number",
        "document_country",
    ):
        row[key] = identity.get(key)
    row.update(entered_at=_stamp(at), port=_weighted(rng, world.ENTRY_PORTS), _at=at)
    return row


def _departure_day(
    rng: random.Random, scenario: str, case: Row, c: SynthConfig
) -> tuple[date | None, date | None]:
    """(enforceable date, departure day) for the scenario; departure None: never left."""
    order: date = case["order_date"]
    lag = rng.choice((0, 0, 15, 15, 30, rng.randint(31, 400)))
    enforceable: date | None = order + timedelta(days=lag)
    end = c.history_end
    start = max(c.history_start, order)
    if scenario == "stayed" or (scenario == "never_left" and rng.random() < 0.1):
        enforceable = None
    if enforceable is not None and enforceable > end:
        enforceable = None  # not enforceable yet when the history ends
    # Some departures fall on the very day a rule turns, to pin down < against <=.
    edge = rng.random() < _BOUNDARY
    if scenario == "left_before_order":
        last = order - timedelta(days=1)
        if edge and last >= c.history_start:
            return enforceable, last
        return enforceable, _day_between(rng, c.history_start, last)
    if scenario == "left_before_enforceable":
        if rng.random() < 0.4:
            return None, order if edge and order >= start else _day_between(rng, start, end)
        enforceable = order + timedelta(days=rng.randint(60, 400))
        last = min(end, enforceable - timedelta(days=1))
        if edge and start <= last == enforceable - timedelta(days=1):
            return enforceable, last
        return enforceable, _day_between(rng, start, last)
    if scenario in ("left_qualifying", "left_and_returned"):
        if enforceable is None:
            return None, None
        first = max(start, enforceable)
        if edge and first == enforceable:
            return enforceable, first
        return enforceable, _day_between(rng, first, end - timedelta(days=30))
    if scenario in ("closed", "stayed") and rng.random() < 0.5:
        return enforceable, _day_between(rng, start, end)
    return enforceable, None


def make_subject(rng: random.Random, index: int, c: SynthConfig) -> Subject:
    v = c.variations
    scenario = _scenario(rng, c)
    case = _case_fields(rng, index, scenario, c)
    enforceable, leave = _departure_day(rng, scenario, case, c)
    if leave is None and scenario.startswith("left"):
        scenario = "never_left"  # the window was empty (e.g. an order near history_start)
    tags = [scenario]
    if leave is not None:
        order = case["order_date"]
        turns = {order, order - timedelta(days=1)}
        if enforceable is not None:
            turns |= {enforceable, enforceable - timedelta(days=1)}
        if leave in turns:
            tags.append("boundary_day")
    origin = rng.choices(_SUBJECT_ORIGINS, cum_weights=_ORIGIN_CUM)[0]
    person = people.draw_person(
        rng, origin, case["order_date"], long_name=rng.random() < v.long_name
    )
    out = people.Rendered()
    people.render_names(rng, person, v, out)
    people.add_aliases(rng, person, v, out)
    people.render_dates(rng, person, v, out)
    people.render_documents(rng, person, v, out)
    case.update(
        surname=out.case["surname"],
        given_names=out.case["given_names"],
        aliases=out.aliases,
        date_of_birth=out.case["date_of_birth"],
        alt_dates_of_birth=out.alt_dobs,
        sex=person.sex if rng.random() > 0.03 else None,
        citizenships=out.citizenships,
        documents=out.documents,
        enforceable_date=enforceable,
    )
    subject = Subject(index, case, tags, variations=out.tags)
    leave_at = None
    if leave is not None:
        by_air = rng.random() >= c.scenarios.land_share and leave >= AIR_DATA_FROM
        source = "air" if by_air else "land"
        leave_at = _seconds(leave, rng)
        row = _exit_row(rng, source, out.exit, leave_at)
        row["_vtags"] = "|".join(out.tags)
        subject.exits.append((source, row))
        tags.append(f"exit_{source}")
    if scenario == "left_and_returned" and leave_at is not None:
        back = leave_at + rng.randint(10, 700) * 86_400
        if back < _seconds(c.history_end, rng):
            subject.entries.append(_entry_row(rng, out.exit, back))
        else:
            tags[0] = "left_qualifying"
    if rng.random() < c.scenarios.prior_entry:
        last = min(case["order_date"], leave or case["order_date"]) - timedelta(days=30)
        if (arrived := _day_between(rng, c.history_start, last)) is not None:
            identity = dict(out.exit, document_number=person.passport)
            subject.entries.append(_entry_row(rng, identity, _seconds(arrived, rng)))
            tags.append("prior_entry")
    if rng.random() < c.scenarios.namesake * _commonness(person):
        subject.decoys.append(_namesake(rng, person, out, c))
        tags.append("namesake")
    return subject


def _commonness(person: people.Person) -> float:
    """How much likelier than average a namesake with the same full name is for this
    person: real look-alikes share common names (WANG WEI, MOHAMMED ALI), hardly ever
    rare ones. The product of the surname's and the given name's weights, each relative
    to the weight-averaged weight of its table, so the average over drawn people is 1."""
    givens = person.table.given_f if person.sex == "F" else person.table.given_m
    return _relative(person.table.surnames, person.surname) * _relative(givens, person.given)


def _relative(forms: tuple[NameForm, ...], form: NameForm) -> float:
    return form.weight / _drawn_mean_weight(forms)


# id(table) -> (table, mean): the table is held so that its id cannot be reused.
_MEAN_WEIGHTS: dict[int, tuple[tuple[NameForm, ...], float]] = {}


def _drawn_mean_weight(forms: tuple[NameForm, ...]) -> float:
    """Mean weight of a name drawn in proportion to its weight: sum(w^2) / sum(w)."""
    key = id(forms)
    if key not in _MEAN_WEIGHTS:
        total = sum(f.weight for f in forms) or 1.0
        _MEAN_WEIGHTS[key] = (forms, (sum(f.weight**2 for f in forms) / total) or 1.0)
    return _MEAN_WEIGHTS[key][1]


def _namesake(
    rng: random.Random, person: people.Person, out: people.Rendered, c: SynthConfig
) -> tuple[str, Row]:
    """Another traveller with the subject's passport name and date of birth, own document."""
    identity = dict(out.exit)
    identity["surname"] = person.surname.doc
    identity["given_name"] = person.given.doc
    identity["middle_names"] = None
    if rng.random() < 0.4:
        identity["sex"] = "F" if person.sex == "M" else "M"
    other = rng.choice([o for o in world.ORIGINS if o.locale == person.origin.locale])
    identity.update(
        nationality=other.code,
        document_country=other.code,
        document_number=people.number_like(rng, other.doc_pattern),
    )
    day = _day_between(rng, max(c.history_start, AIR_DATA_FROM), c.history_end)
    source = "air" if rng.random() < 0.5 else "land"
    return source, _exit_row(rng, source, identity, _seconds(day or c.history_end, rng))
