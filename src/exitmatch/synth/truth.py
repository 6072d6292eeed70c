"""The outputs a correct run should produce, by the IRPR 240(3) rules exitmatch applies.

Use :func:`expected_outputs` once every record id is known. It reads only the case fields
and the subjects' true exit and entry records, so the expectations follow the rules, not
the scenario that was drawn: a ``closed`` case gets nothing; a departure before the order
date everywhere in Canada is ``before_order``; a later one of a ``stayed`` case is
``while_stayed``; one before the enforceable date somewhere in Canada (or with none) is
``before_enforceable``; the earliest departure on or after it everywhere is the closure,
unless the person entered Canada after it, which makes it a re-entry alert instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from exitmatch.synth.scenarios import Subject


@dataclass(frozen=True)
class Link:
    source: str  # land | air | entries
    record_id: str
    at: int  # epoch seconds
    stamp: str  # UTC, ISO 8601 with Z


@dataclass
class Expected:
    closures: list[dict[str, object]] = field(default_factory=list)
    warrants: list[dict[str, object]] = field(default_factory=list)
    reentries: list[dict[str, object]] = field(default_factory=list)
    early: list[dict[str, object]] = field(default_factory=list)


# A moment's local date in Canada lies between its dates in these two time zones; the
# rules are read cautiously, as exitmatch.decide.timing reads them.
_WESTERNMOST = ZoneInfo("America/Vancouver")
_EASTERNMOST = ZoneInfo("America/St_Johns")


def _earliest_day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).astimezone(_WESTERNMOST).date()


def _latest_day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).astimezone(_EASTERNMOST).date()


def expected_outputs(
    subjects: list[Subject],
    exits: dict[int, list[Link]],
    entries: dict[int, list[Link]],
    quarantined_cases: set[int],
) -> Expected:
    out = Expected()
    for s in subjects:
        case = s.case
        if s.index in quarantined_cases or case["inventory_status"] == "closed":
            continue
        stayed = case["inventory_status"] == "stayed"
        order: date = case["order_date"]
        enforceable: date | None = case["enforceable_date"]
        qualifying: list[Link] = []
        for link in sorted(exits.get(s.index, []), key=lambda x: (x.at, x.record_id)):
            reason = None
            if _latest_day(link.at) < order:
                reason = "before_order"
            elif stayed:
                reason = "while_stayed"
            elif enforceable is None or _earliest_day(link.at) < enforceable:
                reason = "before_enforceable"
            if reason is None:
                qualifying.append(link)
                continue
            out.early.append(
                {
                    "case_id": case["case_id"],
                    "uci": case["uci"],
                    "exit_source": link.source,
                    "exit_record_id": link.record_id,
                    "departed_at": link.stamp,
                    "reason": reason,
                }
            )
        if not qualifying:
            continue
        first = qualifying[0]
        later = sorted(
            (e for e in entries.get(s.index, []) if e.at > first.at),
            key=lambda x: (x.at, x.record_id),
        )
        if later:
            out.reentries.append(
                {
                    "case_id": case["case_id"],
                    "uci": case["uci"],
                    "exit_record_id": first.record_id,
                    "departed_at": first.stamp,
                    "entry_record_id": later[0].record_id,
                    "entered_at": later[0].stamp,
                }
            )
            continue
        out.closures.append(
            {
                "case_id": case["case_id"],
                "uci": case["uci"],
                "exit_source": first.source,
                "exit_record_id": first.record_id,
                "departed_at": first.stamp,
            }
        )
        if case["warrant_id"] and case["warrant_status"] == "active":
            out.warrants.append(
                {
                    "warrant_id": case["warrant_id"],
                    "case_id": case["case_id"],
                    "uci": case["uci"],
                    "exit_source": first.source,
                    "exit_record_id": first.record_id,
                    "departed_at": first.stamp,
                    "needs_supervisor": str(case["priority"] == "serious_inadmissibility").lower(),
                }
            )
    return out
