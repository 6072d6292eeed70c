"""Consistency checks of the golden night in ``fixtures/golden``.

These check the fixture, not the matcher. The inputs, ``truth.csv`` and the expected outputs
must agree with each other, with the contract's value rules and with the IRPR 240(3)
decision rules, so that when the matcher is later scored against ``expected/`` a failure
means the matcher is wrong, not the fixture. Nothing here links records: which record
belongs to whom comes from ``truth.csv``, written by hand with the night.

Each check returns a list of problems. ``test_golden_fixture_is_consistent`` wants none; the
mutation tests break one thing in a copy of the night and want the checks to notice.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from exitmatch.contract.countries import canonical_country
from exitmatch.contract.inputs import InventoryCase
from exitmatch.contract.values import (
    check_country,
    check_partial_date,
    check_sex,
    parse_timestamp,
    split_list,
)

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "golden"

Row = dict[str, str]

INPUT_COLUMNS = {
    "inventory": [
        "case_id", "uci", "surname", "given_names", "aliases", "date_of_birth",
        "alt_dates_of_birth", "sex", "citizenships", "documents", "order_type", "order_date",
        "enforceable_date", "inventory_status", "priority", "warrant_id", "warrant_status",
        "region",
    ],
    "land": [
        "record_id", "surname", "given_name", "middle_names", "date_of_birth", "sex",
        "nationality", "document_type", "document_number", "document_country", "crossed_at",
        "port",
    ],
    "air": [
        "record_id", "surname", "given_names", "date_of_birth", "sex", "nationality",
        "document_type", "document_number", "document_country", "carrier", "flight_number",
        "departure_airport", "departed_at", "destination_airport",
    ],
    "entries": [
        "record_id", "surname", "given_names", "date_of_birth", "sex", "nationality",
        "document_type", "document_number", "document_country", "entered_at", "port",
    ],
}  # fmt: skip
EXPECTED_COLUMNS = {
    "closure_candidates": [
        "case_id", "uci", "exit_source", "exit_record_id", "departed_at", "departure_place",
        "band", "warrant_id",
    ],
    "warrant_cancellations": [
        "warrant_id", "case_id", "uci", "exit_source", "exit_record_id", "departed_at", "band",
        "needs_supervisor",
    ],
    "reentry_alerts": [
        "case_id", "uci", "exit_record_id", "departed_at", "entry_record_id", "entered_at",
    ],
    "early_departures": ["case_id", "exit_source", "exit_record_id", "reason"],
    "quarantine": ["source", "file", "row", "reason_keyword"],
    "data_issues": ["source", "file", "row", "column", "value"],
    "truth": ["source", "record_id", "uci"],
    "band_limits": ["case_id", "exit_source", "exit_record_id", "max_band", "why"],
}  # fmt: skip
TIME_COLUMN = {"land": "crossed_at", "air": "departed_at", "entries": "entered_at"}
REQUIRED_TEXT = {
    "land": ["port"],
    "air": ["carrier", "flight_number", "departure_airport"],
    "entries": ["port"],
}
BANDS = ["confirmed", "probable", "possible"]  # least review first
OCR_FOLD = str.maketrans({"O": "0", "I": "1", "S": "5", "B": "8"})


@dataclass
class Night:
    """Every file of the golden night, as text rows (empty cell = empty string)."""

    inputs: dict[str, list[Row]]
    expected: dict[str, list[Row]]
    headers: dict[str, list[str]]
    readme: str
    # filled in by index(): lookups used by several checks
    cases: dict[str, Row] = field(default_factory=dict)
    records: dict[tuple[str, str], Row] = field(default_factory=dict)
    owner: dict[tuple[str, str], str] = field(default_factory=dict)

    def index(self) -> Night:
        self.cases = {r["case_id"]: r for r in self.inputs["inventory"]}
        self.records = {}
        for source in TIME_COLUMN:
            for row in self.inputs[source]:
                self.records.setdefault((source, row["record_id"]), row)
        # truth rows naming a record or person that does not exist are check_truth's to report
        ucis = {c["uci"] for c in self.cases.values()}
        self.owner = {
            (r["source"], r["record_id"]): r["uci"]
            for r in self.expected["truth"]
            if (r["source"], r["record_id"]) in self.records and r["uci"] in ucis
        }
        return self


def _read(path: Path) -> tuple[list[str], list[Row]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def load_night(folder: Path = GOLDEN) -> Night:
    inputs, expected, headers = {}, {}, {}
    for name in INPUT_COLUMNS:
        headers[name], inputs[name] = _read(folder / f"{name}.csv")
    for name in EXPECTED_COLUMNS:
        headers[name], expected[name] = _read(folder / "expected" / f"{name}.csv")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    return Night(inputs, expected, headers, readme).index()


# ---- small helpers -------------------------------------------------------------------


def utc_text(text: str) -> str:
    """An input timestamp as the outputs write it: ISO 8601 UTC with Z."""
    return parse_timestamp(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment(night: Night, source: str, record_id: str) -> datetime:
    return parse_timestamp(night.records[(source, record_id)][TIME_COLUMN[source]])


def place(source: str, row: Row) -> str:
    if source == "land":
        return row["port"]
    return f"{row['departure_airport']} {row['carrier']}{row['flight_number']}"


def fold_name(text: str) -> str:
    """Upper case, diacritics and everything but letters removed (for look-alike guards)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if "A" <= c <= "Z")


def exit_given(source: str, row: Row) -> str:
    if source == "land":
        return f"{row['given_name']} {row['middle_names']}"
    return row["given_names"]


def case_documents(case: Row) -> set[tuple[str, str]]:
    docs = set()
    for doc in split_list(case["documents"]):
        _kind, issuer, number = doc.split("/")
        docs.add((canonical_country(issuer) or issuer, number.translate(OCR_FOLD)))
    return docs


def document_agrees(case: Row, row: Row) -> bool:
    """Same issuer and the same number once O/0, I/1, S/5 and B/8 are folded together."""
    issuer = canonical_country(row["document_country"]) or row["document_country"]
    number = row["document_number"].upper().translate(OCR_FOLD)
    return bool(number) and (issuer, number) in case_documents(case)


# ---- the checks ----------------------------------------------------------------------


def check_headers(night: Night) -> list[str]:
    problems = []
    for name, columns in {**INPUT_COLUMNS, **EXPECTED_COLUMNS}.items():
        if night.headers[name] != columns:
            problems.append(f"{name}: header {night.headers[name]} is not {columns}")
    return problems


def check_inventory(night: Night) -> list[str]:
    problems = []
    for number, row in enumerate(night.inputs["inventory"], start=1):
        try:
            InventoryCase.model_validate({k: v for k, v in row.items() if v != ""})
        except ValueError as e:
            problems.append(f"inventory row {number} does not load: {e}")
    for key in ("case_id", "uci"):
        repeated = [
            v for v, n in Counter(r[key] for r in night.inputs["inventory"]).items() if n > 1
        ]
        if repeated:
            problems.append(f"inventory: repeated {key} {repeated}")
    return problems


def audit_inputs(night: Night) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """What the contract says must be quarantined and set aside, row by row:
    (source, file, row, keyword) and (source, file, row, column, value)."""
    quarantined: set[tuple[str, ...]] = set()
    issues: set[tuple[str, ...]] = set()
    for source, time_column in TIME_COLUMN.items():
        file, seen = f"{source}.csv", set()
        given = "given_name" if source == "land" else "given_names"
        for number, row in enumerate(night.inputs[source], start=1):
            where = (source, file, str(number))
            reason = None
            if not row["record_id"].strip():
                reason = "record_id"
            elif row["record_id"] in seen:
                reason = "duplicate"
            elif not any(row[c].strip() for c in ("surname", given, "document_number")):
                reason = "name"
            elif any(not row[c].strip() for c in REQUIRED_TEXT[source]):
                reason = "missing"
            else:
                try:
                    parse_timestamp(row[time_column])
                except ValueError:
                    reason = "timestamp"
            seen.add(row["record_id"])
            if reason:
                quarantined.add((*where, reason))
                continue
            checks: dict[str, Callable[[str], str]] = {
                "date_of_birth": check_partial_date,
                "sex": check_sex,
                "nationality": check_country,
                "document_country": check_country,
            }
            for column, check in checks.items():
                if row[column].strip():
                    try:
                        check(row[column])
                    except ValueError:
                        issues.add((*where, column, row[column]))
    return quarantined, issues


def check_quarantine_and_issues(night: Night) -> list[str]:
    quarantined, issues = audit_inputs(night)
    stated_q = {tuple(r.values()) for r in night.expected["quarantine"]}
    stated_i = {tuple(r.values()) for r in night.expected["data_issues"]}
    problems = [f"quarantine.csv lacks {q}" for q in sorted(quarantined - stated_q)]
    problems += [
        f"quarantine.csv states {q}, inputs disagree" for q in sorted(stated_q - quarantined)
    ]
    problems += [f"data_issues.csv lacks {i}" for i in sorted(issues - stated_i)]
    problems += [f"data_issues.csv states {i}, inputs disagree" for i in sorted(stated_i - issues)]
    return problems


def check_truth(night: Night) -> list[str]:
    problems = []
    quarantined, _ = audit_inputs(night)
    q_rows = {(q[0], q[2]) for q in quarantined}
    ucis = {c["uci"] for c in night.cases.values()}
    keys = Counter((r["source"], r["record_id"]) for r in night.expected["truth"])
    problems += [f"truth: {k} listed twice" for k, n in keys.items() if n > 1]
    for row in night.expected["truth"]:
        key = (row["source"], row["record_id"])
        if key not in night.records:
            problems.append(f"truth: {key} is not in the {row['source']} input")
            continue
        number = str(night.inputs[row["source"]].index(night.records[key]) + 1)
        if (row["source"], number) in q_rows:
            problems.append(f"truth: {key} is a quarantined row")
        if row["uci"] not in ucis:
            problems.append(f"truth: {key} belongs to unknown uci {row['uci']}")
    return problems


@dataclass
class Decisions:
    closures: dict[str, tuple[str, str]] = field(default_factory=dict)
    alerts: dict[str, tuple[str, str]] = field(default_factory=dict)
    early: set[tuple[str, str, str, str]] = field(default_factory=set)


def classify(case: Row, departed: datetime | date) -> str:
    """The 240(3) timing of a departure. A moment is read cautiously across Canada's time
    zones (before the order only if so everywhere, qualifying only if so everywhere); a
    plain date is read as it is."""
    if isinstance(departed, datetime):
        latest = departed.astimezone(ZoneInfo("America/St_Johns")).date()
        earliest = departed.astimezone(ZoneInfo("America/Vancouver")).date()
    else:
        latest = earliest = departed
    if latest < date.fromisoformat(case["order_date"]):
        return "before_order"
    if case["inventory_status"] == "stayed":
        return "while_stayed"
    enforceable = case["enforceable_date"]
    if not enforceable or earliest < date.fromisoformat(enforceable):
        return "before_enforceable"
    return "qualifying"


def decide(night: Night) -> Decisions:
    """The 240(3) rules applied to the true departures (from truth.csv) of every case."""
    decisions = Decisions()
    for case in night.cases.values():
        if case["inventory_status"] == "closed":
            continue
        mine = [k for k, uci in night.owner.items() if uci == case["uci"]]
        exits = sorted((k for k in mine if k[0] != "entries"), key=lambda k: moment(night, *k))
        qualifying = []
        for source, record_id in exits:
            kind = classify(case, moment(night, source, record_id))
            if kind == "qualifying":
                qualifying.append((source, record_id))
            else:
                decisions.early.add((case["case_id"], source, record_id, kind))
        if not qualifying:
            continue
        first = qualifying[0]
        left = moment(night, *first)
        later = sorted(
            (moment(night, *k), k[1])
            for k in mine
            if k[0] == "entries" and moment(night, *k) > left
        )
        if later:
            decisions.alerts[case["case_id"]] = (first[1], later[0][1])
        else:
            decisions.closures[case["case_id"]] = first
    return decisions


def check_closures(night: Night) -> list[str]:
    problems = []
    decisions = decide(night)
    rows = night.expected["closure_candidates"]
    stated = Counter(r["case_id"] for r in rows)
    problems += [f"closure: {c} has {n} rows" for c, n in stated.items() if n > 1]
    for case_id in sorted(set(decisions.closures) - set(stated)):
        problems.append(f"closure: {case_id} qualifies under 240(3) but is not expected")
    for row in rows:
        case = night.cases.get(row["case_id"])
        if case is None:
            problems.append(f"closure: unknown case {row['case_id']}")
            continue
        source, record_id = row["exit_source"], row["exit_record_id"]
        where = f"closure {row['case_id']}"
        if case["inventory_status"] in {"closed", "stayed"}:
            problems.append(f"{where}: case is {case['inventory_status']}")
        if row["uci"] != case["uci"]:
            problems.append(f"{where}: uci {row['uci']} is not the case's {case['uci']}")
        exit_row = night.records.get((source, record_id))
        if exit_row is None or source not in {"land", "air"}:
            problems.append(f"{where}: no {source} record {record_id}")
            continue
        if night.owner.get((source, record_id)) != case["uci"]:
            problems.append(f"{where}: {record_id} is not this person's per truth.csv")
        if row["departed_at"] != utc_text(exit_row[TIME_COLUMN[source]]):
            problems.append(f"{where}: departed_at {row['departed_at']} is not the record's")
        if row["departure_place"] != place(source, exit_row):
            problems.append(f"{where}: departure_place {row['departure_place']!r} is wrong")
        if classify(case, moment(night, source, record_id)) != "qualifying":
            problems.append(f"{where}: the departure does not qualify")
        if decisions.closures.get(row["case_id"]) != (source, record_id):
            problems.append(f"{where}: rules give {decisions.closures.get(row['case_id'])}")
        active = case["warrant_id"] if case["warrant_status"] == "active" else ""
        if row["warrant_id"] != active:
            problems.append(f"{where}: warrant_id {row['warrant_id']!r}, case has {active!r}")
        if row["band"] not in BANDS:
            problems.append(f"{where}: band {row['band']!r}")
    return problems


def check_bands(night: Night) -> list[str]:
    """The band policy as necessary conditions: a shared document number is overwhelming
    (confirmed), and nothing else confirms: a renewed passport with every identity field
    agreeing looks the same on a namesake with a passport of the same country; a possible
    link never shares a document."""
    problems = []
    for row in night.expected["closure_candidates"]:
        case = night.cases.get(row["case_id"])
        exit_row = night.records.get((row["exit_source"], row["exit_record_id"]))
        if case is None or exit_row is None:
            continue
        shared = document_agrees(case, exit_row)
        band, where = row["band"], f"band {row['case_id']}"
        if shared and band != "confirmed":
            problems.append(f"{where}: same document number, yet {band}")
        if band == "confirmed" and not shared:
            problems.append(f"{where}: confirmed without a shared document")
    for row in night.expected["band_limits"]:
        case = night.cases.get(row["case_id"])
        key = (row["exit_source"], row["exit_record_id"])
        where = f"band_limits {row['case_id']} {row['exit_record_id']}"
        if case is None or key not in night.records:
            problems.append(f"{where}: unknown case or record")
            continue
        if night.owner.get(key) == case["uci"]:
            problems.append(f"{where}: a look-alike listed as the person in truth.csv")
        if document_agrees(case, night.records[key]):
            problems.append(f"{where}: a look-alike that shares the case's document")
        if row["max_band"] not in BANDS[1:]:
            problems.append(f"{where}: max_band {row['max_band']!r}")
    return problems


def check_warrants(night: Night) -> list[str]:
    problems = []
    closures = {r["case_id"]: r for r in night.expected["closure_candidates"]}
    wanted = {
        c
        for c, r in closures.items()
        if night.cases.get(c, {}).get("warrant_status") == "active" and r["band"] in BANDS[:1]
    }
    stated = [r["case_id"] for r in night.expected["warrant_cancellations"]]
    problems += [f"warrant: {c} listed twice" for c, n in Counter(stated).items() if n > 1]
    problems += [f"warrant: {c} should be cancelled" for c in sorted(wanted - set(stated))]
    problems += [f"warrant: {c} must not be cancelled" for c in sorted(set(stated) - wanted)]
    for row in night.expected["warrant_cancellations"]:
        case, closure = night.cases.get(row["case_id"]), closures.get(row["case_id"])
        where = f"warrant {row['warrant_id']}"
        if case is None or closure is None:
            problems.append(f"{where}: case {row['case_id']} has no closure candidate")
            continue
        if case["warrant_status"] != "active" or case["warrant_id"] != row["warrant_id"]:
            problems.append(f"{where}: not the case's active warrant")
        if row["band"] != closure["band"]:
            problems.append(f"{where}: band {row['band']}, the closure's is {closure['band']}")
        for column in ("uci", "exit_source", "exit_record_id", "departed_at"):
            if row[column] != closure[column]:
                problems.append(f"{where}: {column} differs from the closure")
        supervisor = "true" if case["priority"] == "serious_inadmissibility" else "false"
        if row["needs_supervisor"] != supervisor:
            problems.append(f"{where}: needs_supervisor should be {supervisor}")
    return problems


def check_reentries(night: Night) -> list[str]:
    problems = []
    decisions = decide(night)
    stated = {r["case_id"]: r for r in night.expected["reentry_alerts"]}
    if len(stated) != len(night.expected["reentry_alerts"]):
        problems.append("reentry: a case has two alerts")
    for case_id in sorted(set(decisions.alerts) | set(stated)):
        row, rule = stated.get(case_id), decisions.alerts.get(case_id)
        if row is None or rule is None:
            problems.append(f"reentry {case_id}: expected {row is not None}, rules {rule}")
            continue
        case = night.cases[case_id]
        exit_key = next((k for k in night.records if k[1] == row["exit_record_id"]), None)
        entry_key = ("entries", row["entry_record_id"])
        if exit_key is None or entry_key not in night.records or row["uci"] != case["uci"]:
            problems.append(f"reentry {case_id}: unknown record or uci")
            continue
        if (row["exit_record_id"], row["entry_record_id"]) != rule:
            problems.append(f"reentry {case_id}: rules give {rule}")
        if row["departed_at"] != utc_text(night.records[exit_key][TIME_COLUMN[exit_key[0]]]):
            problems.append(f"reentry {case_id}: departed_at is not the record's")
        if row["entered_at"] != utc_text(night.records[entry_key]["entered_at"]):
            problems.append(f"reentry {case_id}: entered_at is not the record's")
        if row["entered_at"] <= row["departed_at"]:
            problems.append(f"reentry {case_id}: entry is not after the departure")
    return problems


def check_early_departures(night: Night) -> list[str]:
    stated = {tuple(r.values()) for r in night.expected["early_departures"]}
    derived = decide(night).early
    problems = [f"early_departures.csv lacks {e}" for e in sorted(derived - stated)]
    problems += [
        f"early_departures.csv: {e} contradicts the rules" for e in sorted(stated - derived)
    ]
    return problems


def check_timezones(night: Night) -> list[str]:
    """No true departure sits so near a boundary that local and UTC dates classify it apart."""
    problems = []
    uci_case = {c["uci"]: c for c in night.cases.values()}
    for (source, record_id), uci in night.owner.items():
        if source == "entries":
            continue
        written = night.records[(source, record_id)][TIME_COLUMN[source]]
        when = moment(night, source, record_id)
        local, utc = date.fromisoformat(written[:10]), when.date()
        plain = {classify(uci_case[uci], day) for day in (local, utc)}
        if plain != {classify(uci_case[uci], when)}:
            problems.append(f"{record_id}: classification depends on the time zone")
    return problems


def check_scenarios(night: Night) -> list[str]:
    """The situations the README promises are really in the data."""
    problems = []
    decisions = decide(night)
    by_status: dict[str, list[Row]] = {}
    for case in night.cases.values():
        by_status.setdefault(case["inventory_status"], []).append(case)
    truth_ucis = set(night.owner.values())
    for status in ("closed", "stayed"):
        if not any(c["uci"] in truth_ucis for c in by_status.get(status, [])):
            problems.append(f"scenario: no {status} case with a departure")
    for status in ("deferred", "suspended"):
        if not any(c["case_id"] in decisions.closures for c in by_status.get(status, [])):
            problems.append(f"scenario: no {status} case with a closure")
    closed_types = {night.cases[c]["order_type"] for c in decisions.closures}
    if closed_types != {"departure", "exclusion", "deportation"}:
        problems.append(f"scenario: closures only for order types {sorted(closed_types)}")
    reasons = {e[3] for e in decisions.early}
    if reasons != {"before_order", "before_enforceable", "while_stayed"}:
        problems.append(f"scenario: early departure reasons {sorted(reasons)}")
    if not any(not c["enforceable_date"] and c["uci"] in truth_ucis for c in night.cases.values()):
        problems.append("scenario: no departure on a case without an enforceable date")
    bands = Counter(r["band"] for r in night.expected["closure_candidates"])
    if set(bands) != set(BANDS):
        problems.append(f"scenario: bands {dict(bands)}")
    supervised = [
        r for r in night.expected["warrant_cancellations"] if r["needs_supervisor"] == "true"
    ]
    if not supervised:
        problems.append("scenario: no warrant cancellation needing a supervisor")
    # The namesake: same name, date of birth and sex, different person, no shared document.
    namesakes = [r for r in night.expected["band_limits"] if _is_namesake(night, r)]
    if not namesakes:
        problems.append("scenario: no namesake of a person who never left")
    for case_id, (claim, holds) in CASE_CLAIMS.items():
        subject = night.cases.get(case_id)
        first = _first_exit(night, subject) if subject else None
        if subject is None or first is None or not holds(subject, first):
            problems.append(f"scenario {case_id}: not true that {claim}")
    return problems


def _is_namesake(night: Night, limit: Row) -> bool:
    case = night.cases.get(limit["case_id"])
    row = night.records.get((limit["exit_source"], limit["exit_record_id"]))
    if case is None or row is None:
        return False
    return (
        fold_name(case["surname"] + case["given_names"])
        == fold_name(row["surname"] + exit_given(limit["exit_source"], row))
        and case["date_of_birth"] == row["date_of_birth"]
        and not case["date_of_birth"].endswith("-01-01")
        and case["sex"] == row["sex"]
        and case["uci"] not in night.owner.values()
    )


def _first_exit(night: Night, case: Row) -> tuple[str, Row] | None:
    """The person's earliest true departure, with its source."""
    exits = [k for k, uci in night.owner.items() if uci == case["uci"] and k[0] != "entries"]
    if not exits:
        return None
    source, record_id = min(exits, key=lambda k: moment(night, *k))
    return source, night.records[(source, record_id)]


Claim = Callable[[Row, tuple[str, Row]], bool]


def _swap_day_month(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{day}-{month}"


# What the README says about the subtler cases, checked against the first true exit, so a
# slip of the pen in the hand-written rows cannot quietly remove a scenario.
CASE_CLAIMS: dict[str, tuple[str, Claim]] = {
    "RC-0106": (
        "the case has surname and given name swapped",
        lambda c, e: (c["surname"], c["given_names"]) == (e[1]["given_names"], e[1]["surname"]),
    ),
    "RC-0108": (
        "the exit uses an alias from the case",
        lambda c, e: (
            f"{e[1]['surname']}, {e[1]['given_name']} {e[1]['middle_names']}"
            in split_list(c["aliases"])
        ),
    ),
    "RC-0113": (
        "the exit name fills the 39-character MRZ field",
        lambda c, e: len(f"{e[1]['surname']}<<{e[1]['given_names']}".replace(" ", "<")) == 39,
    ),
    "RC-0114": (
        "the case has a 1 January placeholder and the exit the real date of the same year",
        lambda c, e: (
            c["date_of_birth"].endswith("-01-01")
            and e[1]["date_of_birth"][:4] == c["date_of_birth"][:4]
            and e[1]["date_of_birth"] != c["date_of_birth"]
        ),
    ),
    "RC-0115": (
        "day and month are swapped",
        lambda c, e: (
            _swap_day_month(c["date_of_birth"]) == e[1]["date_of_birth"] != c["date_of_birth"]
        ),
    ),
    "RC-0116": (
        "the year is one off",
        lambda c, e: (
            abs(int(e[1]["date_of_birth"][:4]) - int(c["date_of_birth"][:4])) == 1
            and e[1]["date_of_birth"][4:] == c["date_of_birth"][4:]
        ),
    ),
    "RC-0117": (
        "the case date of birth is partial and the exit's is in that year",
        lambda c, e: (
            c["date_of_birth"].endswith("-00-00")
            and e[1]["date_of_birth"][:4] == c["date_of_birth"][:4]
        ),
    ),
    "RC-0118": (
        "the exit passport is a new number from the same issuer",
        lambda c, e: (
            not document_agrees(c, e[1])
            and any(d.split("/")[1] == e[1]["document_country"] for d in split_list(c["documents"]))
        ),
    ),
    "RC-0119": (
        "the exit passport is from the case's other citizenship",
        lambda c, e: (
            e[1]["nationality"] in split_list(c["citizenships"])
            and all(d.split("/")[1] != e[1]["document_country"] for d in split_list(c["documents"]))
        ),
    ),
    "RC-0120": (
        "the document number agrees only once OCR confusions are folded",
        lambda c, e: (
            document_agrees(c, e[1])
            and all(d.split("/")[2] != e[1]["document_number"] for d in split_list(c["documents"]))
        ),
    ),
    "RC-0122": (
        "the departure is on the order date",
        lambda c, e: utc_text(e[1][TIME_COLUMN[e[0]]])[:10] == c["order_date"],
    ),
    "RC-0138": (
        "the departure is on the enforceable date",
        lambda c, e: utc_text(e[1][TIME_COLUMN[e[0]]])[:10] == c["enforceable_date"],
    ),
}


def check_readme(night: Night) -> list[str]:
    lines = [ln for ln in night.readme.splitlines() if ln.startswith("| RC-")]
    listed = Counter(ln.split("|")[1].strip() for ln in lines)
    problems = [f"README: {c} listed {n} times" for c, n in listed.items() if n != 1]
    problems += [f"README: {c} not described" for c in sorted(set(night.cases) - set(listed))]
    problems += [f"README: {c} is not a case" for c in sorted(set(listed) - set(night.cases))]
    return problems


def check_no_stray_lookalikes(night: Night) -> list[str]:
    """Outside truth.csv and band_limits.csv, no record shares a case's document, or its
    surname together with its full date of birth: background must not be a hidden link."""
    problems = []
    limited = {(r["exit_source"], r["exit_record_id"]) for r in night.expected["band_limits"]}
    for key, row in night.records.items():
        if key in night.owner or key in limited:
            continue
        for case in night.cases.values():
            same_person_ish = (
                fold_name(case["surname"]) == fold_name(row["surname"])
                and case["date_of_birth"] == row["date_of_birth"]
            )
            if document_agrees(case, row) or same_person_ish:
                problems.append(f"{key} looks like {case['case_id']} but is not in truth")
    return problems


CHECKS = [
    check_headers,
    check_inventory,
    check_quarantine_and_issues,
    check_truth,
    check_closures,
    check_bands,
    check_warrants,
    check_reentries,
    check_early_departures,
    check_timezones,
    check_scenarios,
    check_readme,
    check_no_stray_lookalikes,
]


def problems_of(night: Night) -> list[str]:
    return [p for check in CHECKS for p in check(night)]


# ---- tests ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def night() -> Night:
    return load_night()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_golden_fixture_is_consistent(night: Night, check: Callable[[Night], list[str]]) -> None:
    assert check(night) == []


def test_background_is_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_background", GOLDEN / "make_background.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    first, second = module.background(), module.background()
    assert first == second
    committed = load_night()
    for name, (columns, rows) in first.items():
        source = name.removesuffix(".csv")
        assert columns == INPUT_COLUMNS[source]
        present = {tuple(r.values()) for r in committed.inputs[source]}
        missing = [r["record_id"] for r in rows if tuple(r.values()) not in present]
        assert missing == [], f"{name}: generated rows not in the fixture"


# One edit each: (file, the row to change, the new values). The checks must notice every one.
EDITS: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "closure time shifted": (
        "closure_candidates", {"case_id": "RC-0101"}, {"departed_at": "2026-11-23T22:55:00Z"}),
    "closure on later exit": (
        "closure_candidates", {"case_id": "RC-0131"},
        {"exit_source": "air", "exit_record_id": "Y9DR5CX2LW"}),
    "closure for stayed case": (
        "closure_candidates", {"case_id": "RC-0101"}, {"case_id": "RC-0127", "uci": "1128846175"}),
    "closure place wrong": (
        "closure_candidates", {"case_id": "RC-0102"}, {"departure_place": "YUL RJ272"}),
    "common name confirmed": ("closure_candidates", {"case_id": "RC-0132"}, {"band": "confirmed"}),
    "name variant confirmed": (
        "closure_candidates", {"case_id": "RC-0104"}, {"band": "confirmed"}),
    "shared document not confirmed": (
        "closure_candidates", {"case_id": "RC-0110"}, {"band": "probable"}),
    "closure warrant not active": (
        "closure_candidates", {"case_id": "RC-0134"}, {"warrant_id": "W-21-06620"}),
    "enforceable after departure": (
        "inventory", {"case_id": "RC-0138"}, {"enforceable_date": "2025-09-11"}),
    "order made later": ("inventory", {"case_id": "RC-0122"}, {"order_date": "2025-06-03"}),
    "truth owner wrong": ("truth", {"record_id": "L158837206"}, {"uci": "1110764428"}),
    "supervisor flag wrong": (
        "warrant_cancellations", {"case_id": "RC-0110"}, {"needs_supervisor": "false"}),
    "entry before departure": (
        "entries", {"record_id": "E540118273"}, {"entered_at": "2024-01-30T06:05:00Z"}),
    "second entry chosen": (
        "reentry_alerts", {"case_id": "RC-0133"}, {"entry_record_id": "E771305926"}),
    "early reason wrong": ("early_departures", {"case_id": "RC-0122"}, {"reason": "before_order"}),
    "quarantine row off by one": ("quarantine", {"reason_keyword": "timestamp"}, {"row": "174"}),
    "header counted as a row": ("data_issues", {"column": "sex"}, {"row": "181"}),
    "stray broken value": ("land", {"record_id": "L984650560"}, {"sex": "W"}),
    "background holds a subject's passport": (
        "air", {"record_id": "ATPVB0LJQ6"},
        {"document_number": "G1873345", "document_country": "GHA"}),
    "day/month swap lost": ("air", {"record_id": "WB7C4NR2YT"}, {"date_of_birth": "1990-04-07"}),
    "OCR confusion lost": ("land", {"record_id": "L663092174"}, {"document_number": "S1038459"}),
}  # fmt: skip


def _possible_link_cancels_warrant(night: Night) -> None:
    closure = next(r for r in night.expected["closure_candidates"] if r["case_id"] == "RC-0132")
    row = {c: closure.get(c, "") for c in EXPECTED_COLUMNS["warrant_cancellations"]}
    row.update(warrant_id=night.cases["RC-0132"]["warrant_id"], needs_supervisor="false")
    night.expected["warrant_cancellations"].append(row)


OTHER_BREAKAGES: dict[str, Callable[[Night], Any]] = {
    "closure dropped": lambda n: n.expected["closure_candidates"].pop(0),
    "truth record unknown": lambda n: n.expected["truth"].append(
        {"source": "air", "record_id": "NOSUCHROW1", "uci": "1103482219"}
    ),
    "possible link cancels a warrant": _possible_link_cancels_warrant,
    "case missing from README": lambda n: setattr(
        n, "readme", n.readme.replace("| RC-0139 ", "| RC-XXXX ")
    ),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_checks_notice_an_edit(night: Night, name: str) -> None:
    table, match, values = EDITS[name]
    broken = copy.deepcopy(night)
    rows = broken.inputs.get(table) or broken.expected[table]
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"the edit should change one row of {table}, not {len(hits)}"
    hits[0].update(values)
    assert problems_of(broken.index()) != []


@pytest.mark.parametrize("name", list(OTHER_BREAKAGES))
def test_checks_notice_a_breakage(night: Night, name: str) -> None:
    broken = copy.deepcopy(night)
    OTHER_BREAKAGES[name](broken)
    assert problems_of(broken.index()) != []
