"""One case file for the review screen: the case and its departure side by side, field
by field, with character-level differences; the evidence weights; the person's travel
history as a timeline; competing candidates; and why the pair is in its band.

Use ``load`` with a case id; it reads the store only (the caller audits the view). The
per-field weights are the run's own, read from the candidate's evidence line (term
frequency adjusted); for re-entry alerts, which keep no evidence line, they are the
model's level weights.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from exitmatch.review.queue import item
from exitmatch.settings import Thresholds
from exitmatch.store.store import Store

# Comparison name -> (what the screen calls it, how the evidence line starts it).
FIELDS = {
    "surname": ("Surname", "surname"),
    "given_names": ("Given names", "given names"),
    "date_of_birth": ("Date of birth", "DOB"),
    "document": ("Travel document", "document"),
    "nationality": ("Nationality", "nationality"),
    "sex": ("Sex", "sex"),
}
_WEIGHT = re.compile(r"\s([+-]\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class FieldRow:
    label: str
    case_parts: list[Segment]
    record_parts: list[Segment]
    level: str
    weight: float | None

    @property
    def same(self) -> bool:
        return not any(s.changed for s in (*self.case_parts, *self.record_parts))


@dataclass(frozen=True)
class Event:
    day: date
    kind: str  # order, enforceable, deadline, exit, entry
    label: str
    chosen: bool = False


@dataclass(frozen=True)
class CaseFile:
    case: dict[str, Any]
    item: dict[str, Any]
    record: dict[str, Any] | None
    entry: dict[str, Any] | None
    fields: list[FieldRow]
    prior_weight: float
    weights: list[tuple[str, str, float]]
    events: list[Event]
    competing_records: list[dict[str, Any]]
    competing_cases: list[dict[str, Any]]
    band_reasons: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def total_weight(self) -> float:
        return self.prior_weight + sum(w for _, _, w in self.weights)


def char_diff(left: str, right: str) -> tuple[list[Segment], list[Segment]]:
    """Both strings cut into runs that the other side shares or not, to the character."""
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    a: list[Segment] = []
    b: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            a.append(Segment(left[i1:i2], not same))
        if j2 > j1:
            b.append(Segment(right[j1:j2], not same))
    return a, b


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _dob(year: object, month: object, day: object) -> str:
    if year is None:
        return ""
    parts = [f"{int(str(year)):04d}"]
    for part in (month, day):
        parts.append(f"{int(str(part)):02d}" if part is not None else "00")
    return "-".join(parts)


def _model(store: Store, run_id: object) -> dict[str, Any]:
    value = store.scalar("SELECT model FROM models WHERE run_id = ?", [run_id])
    if value is None:
        value = store.scalar("SELECT model FROM models ORDER BY run_id DESC LIMIT 1")
    return dict(json.loads(str(value))) if value is not None else {}


def thresholds(store: Store) -> dict[str, float]:
    value = store.scalar("SELECT report FROM runs ORDER BY run_id DESC LIMIT 1")
    if value is None:
        return _default_thresholds()
    found = json.loads(str(value)).get("settings", {}).get("thresholds", {})
    return {**_default_thresholds(), **found}


def _default_thresholds() -> dict[str, float]:
    """The band thresholds a run uses when its settings say nothing else."""
    return {k: float(v) for k, v in Thresholds().model_dump().items()}


def _level_weight(level: dict[str, Any]) -> float:
    m, u = float(level["m"]), float(level["u"])
    return math.log2(m / u) if m > 0 and u > 0 else 0.0


def _vector_weight(model: dict[str, Any], vector: dict[str, Any]) -> float:
    return float(
        sum(_level_weight(c["levels"][int(vector[f"g_{c['name']}"])]) for c in model["comparisons"])
    )


def _probability(prior: float, weight: float) -> float:
    log_odds = math.log2(prior / (1 - prior)) + weight
    return 1.0 / (1.0 + math.pow(2.0, -log_odds))


def _evidence_weights(evidence: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for part in evidence.split("; "):
        for name, (_, prefix) in FIELDS.items():
            if part.startswith(prefix + " ") and name not in found:
                match = _WEIGHT.search(part)
                found[name] = float(match.group(1)) if match else 0.0
    return found


def _best_vector(store: Store, model: dict[str, Any], key: tuple[str, str, str]) -> dict[str, Any]:
    frame = store.frame(
        "SELECT * FROM vectors WHERE case_id = ? AND kind = ? AND record_id = ? "
        "ORDER BY name_no, dob_no",
        list(key),
    )
    rows = frame.to_dicts()
    if not rows or not model:
        return rows[0] if rows else {}
    return max(rows, key=lambda v: _vector_weight(model, v))


def _case_values(case: dict[str, Any], vector: dict[str, Any]) -> dict[str, str]:
    surname, given = _text(case["surname"]), _text(case["given_names"])
    name_no = int(vector.get("name_no") or 0)
    aliases = case.get("aliases") or []
    if 0 < name_no <= len(aliases):
        alias_surname, _, alias_given = str(aliases[name_no - 1]).partition(",")
        surname, given = alias_surname.strip(), alias_given.strip()
    dob = _text(case["date_of_birth"])
    dob_no = int(vector.get("dob_no") or 0)
    alternates = case.get("alt_dates_of_birth") or []
    if 0 < dob_no <= len(alternates):
        dob = str(alternates[dob_no - 1])
    return {
        "surname": surname.upper(),
        "given_names": given.upper(),
        "date_of_birth": dob,
        "nationality": " ".join(case.get("citizenships") or []),
        "sex": _text(case["sex"]),
    }


def _documents(case: dict[str, Any]) -> list[str]:
    return [
        f"{d['type'] or '?'}/{d['issuer'] or '?'}/{d['number'] or ''}"
        for d in case.get("documents") or []
    ]


def _record_values(record: dict[str, Any], swapped: bool) -> dict[str, str]:
    surname, given = _text(record["surname"]), _text(record["given"])
    if swapped:
        surname, given = given, surname
    return {
        "surname": surname,
        "given_names": given,
        "date_of_birth": _dob(record["dob_year"], record["dob_month"], record["dob_day"]),
        "nationality": _text(record["nationality"]),
        "sex": _text(record["sex"]),
        "document": "/".join(
            _text(record[c]) or "?" for c in ("doc_type", "doc_issuer", "doc_number")
        )
        if record["doc_number"]
        else "",
    }


def _fields(
    case: dict[str, Any],
    record: dict[str, Any],
    vector: dict[str, Any],
    model: dict[str, Any],
    weights: dict[str, float],
) -> list[FieldRow]:
    ours = _case_values(case, vector)
    theirs = _record_values(record, bool(vector.get("name_swapped")))
    documents = _documents(case)
    ours["document"] = (
        max(
            documents,
            key=lambda d: difflib.SequenceMatcher(None, d, theirs["document"]).ratio(),
        )
        if documents
        else ""
    )
    levels = {c["name"]: c["levels"] for c in model.get("comparisons", [])}
    rows = []
    for name, (label, _) in FIELDS.items():
        gamma = vector.get(f"g_{name}")
        level = levels[name][int(gamma)]["label"] if name in levels and gamma is not None else ""
        left, right = char_diff(ours[name], theirs[name])
        rows.append(FieldRow(label, left, right, level, weights.get(name)))
    return rows


def _linked_records(
    store: Store, model: dict[str, Any], case_id: str, floor: float
) -> list[dict[str, Any]]:
    """Every record compared with the case, with the model's probability (best identity),
    at or above ``floor``."""
    frame = store.frame(
        'SELECT v.*, r."at", r.place FROM vectors v JOIN records r USING (kind, record_id) '
        "WHERE v.case_id = ?",
        [case_id],
    )
    if not model:
        return []
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for vector in frame.to_dicts():
        p = _probability(float(model["prior"]), _vector_weight(model, vector))
        key = (vector["kind"], vector["record_id"])
        if key not in best or p > best[key]["probability"]:
            best[key] = {**vector, "probability": p}
    linked = [v for v in best.values() if v["probability"] >= floor]
    return sorted(linked, key=lambda v: (v["at"], v["kind"], v["record_id"]))


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _events(
    case: dict[str, Any], linked: list[dict[str, Any]], chosen: tuple[str, str]
) -> list[Event]:
    events: list[Event] = []
    order, enforceable = _day(case["order_date"]), _day(case["enforceable_date"])
    if order:
        events.append(Event(order, "order", f"{case['order_type']} order made"))
    if enforceable:
        events.append(Event(enforceable, "enforceable", "order enforceable"))
        if case["order_type"] == "departure":
            deadline = date.fromordinal(enforceable.toordinal() + 30)
            events.append(
                Event(deadline, "deadline", "30 days: a departure order becomes deportation")
            )
    for record in linked:
        day = _day(record["at"])
        if day is None:
            continue
        kind = "entry" if record["kind"] == "entry" else "exit"
        place = record.get("place") or ""
        events.append(
            Event(
                day,
                kind,
                f"{kind} {record['kind']} {record['record_id']} {place}".strip(),
                (record["kind"], record["record_id"]) == chosen,
            )
        )
    return sorted(events, key=lambda e: (e.day, e.kind))


def _band_reasons(
    queued: dict[str, Any], evidence: str, document_level: str, limits: dict[str, float]
) -> list[str]:
    band = queued["band"]
    p = float(queued["match_probability"] or 0.0)
    reasons: list[str] = []
    ambiguous = [
        part
        for part in evidence.split("; ")
        if part.startswith(("another traveller", "this exit also"))
    ]
    contradicts = "a field contradicts" in evidence
    if band == "alert":
        return [
            "The subject was seen leaving and later entering Canada again: a re-entry is "
            "not a closure under IRPR 240(3).",
            "Authorization to return: "
            + (_text(queued.get("arc_reason")) or "not needed on the order type and timing"),
        ]
    if band == "confirmed":
        reasons.append(f"Probability {p:.6f} is at or above {limits['confirmed']} (confirmed).")
        reasons.append(f"The case's own travel document corroborates: {document_level}.")
        reasons.append("No other traveller or case competes for this link.")
        return reasons
    if band == "probable":
        reasons.append(f"Probability {p:.6f} is at or above {limits['probable']} (probable).")
        if p < limits["confirmed"]:
            reasons.append(f"Below the confirmed threshold {limits['confirmed']}.")
        if document_level not in ("same number", "same number but for OCR-confusable characters"):
            reasons.append(
                f"Not confirmed: the case's own document does not corroborate ({document_level})."
            )
        reasons.append(
            "A field contradicts, but the document corroborates."
            if contradicts
            else "No field contradicts."
        )
        return reasons
    reasons.append(f"Probability {p:.6f} is at or above {limits['possible']} (possible).")
    if p < limits["probable"]:
        reasons.append(f"Below the probable threshold {limits['probable']}.")
    reasons.extend(f"Ambiguous: {part}." for part in ambiguous)
    if contradicts:
        reasons.append("A field contradicts and the document does not corroborate.")
    return reasons


def load(store: Store, case_id: str) -> CaseFile | None:
    """The case file of a queued case, or None when the case has nothing in the queue."""
    queued = item(store, case_id)
    if queued is None:
        return None
    case = store.frame("SELECT * FROM cases WHERE case_id = ?", [case_id]).row(0, named=True)
    key = (case_id, str(queued["exit_source"]), str(queued["exit_record_id"]))
    found = store.frame(
        "SELECT * FROM records WHERE kind = ? AND record_id = ?", [key[1], key[2]]
    ).to_dicts()
    record = found[0] if found else None
    entry = None
    evidence = ""
    if queued["item"] == "alert":
        alert = store.frame("SELECT * FROM alerts WHERE case_id = ?", [case_id]).row(0, named=True)
        queued = {**queued, "arc_reason": alert["arc_reason"]}
        entries = store.frame(
            "SELECT * FROM records WHERE kind = 'entry' AND record_id = ?",
            [alert["entry_record_id"]],
        ).to_dicts()
        entry = entries[0] if entries else None
    else:
        evidence = _text(
            store.scalar("SELECT evidence FROM candidates WHERE case_id = ?", [case_id])
        )
    model = _model(store, queued["run_id"])
    vector = _best_vector(store, model, key)
    by_evidence = _evidence_weights(evidence)
    weights: dict[str, float] = {}
    for comparison in model.get("comparisons", []):
        name = comparison["name"]
        gamma = vector.get(f"g_{name}")
        if name in by_evidence:
            weights[name] = by_evidence[name]
        elif gamma is not None:
            weights[name] = _level_weight(comparison["levels"][int(gamma)])
    fields = _fields(case, record, vector, model, weights) if record and vector else []
    limits = thresholds(store)
    linked = _linked_records(store, model, case_id, limits["possible"])
    chosen = (key[1], key[2])
    competing_records = [
        r
        for r in linked
        if r["kind"] != "entry"
        and (r["kind"], r["record_id"]) != chosen
        and r["probability"] >= limits["strong"]
    ]
    competing_cases = _competing_cases(store, model, key, limits["possible"])
    document_level = next((f.level for f in fields if f.label == "Travel document"), "")
    prior = float(model.get("prior", 0.5))
    notes = [
        part
        for part in evidence.split("; ")
        if part and not any(part.startswith(prefix + " ") for _, prefix in FIELDS.values())
    ]
    return CaseFile(
        case=case,
        item=queued,
        record=record,
        entry=entry,
        fields=fields,
        prior_weight=math.log2(prior / (1 - prior)),
        weights=[
            (FIELDS[name][0], next((f.level for f in fields if f.label == FIELDS[name][0]), ""), w)
            for name, w in weights.items()
        ],
        events=_events(case, linked, chosen),
        competing_records=competing_records,
        competing_cases=competing_cases,
        band_reasons=_band_reasons(queued, evidence, document_level, limits),
        notes=notes,
    )


def _competing_cases(
    store: Store, model: dict[str, Any], key: tuple[str, str, str], floor: float
) -> list[dict[str, Any]]:
    """Other cases this exit record links to, at or above ``floor``."""
    frame = store.frame(
        "SELECT v.*, c.band FROM vectors v LEFT JOIN candidates c "
        "ON c.case_id = v.case_id AND c.exit_source = v.kind AND c.exit_record_id = v.record_id "
        "WHERE v.kind = ? AND v.record_id = ? AND v.case_id <> ?",
        [key[1], key[2], key[0]],
    )
    if not model:
        return []
    best: dict[str, dict[str, Any]] = {}
    for vector in frame.to_dicts():
        p = _probability(float(model["prior"]), _vector_weight(model, vector))
        if p >= floor and (vector["case_id"] not in best or p > best[vector["case_id"]]["p"]):
            best[vector["case_id"]] = {"case_id": vector["case_id"], "p": p, "band": vector["band"]}
    return sorted(best.values(), key=lambda c: (-c["p"], c["case_id"]))
