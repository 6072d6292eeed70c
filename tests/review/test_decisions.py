"""Decisions: who may do what, the four-eyes rule, one winner when two decide at once,
exports of what was accepted, and an audit row for every decision."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import polars as pl
import pytest

from exitmatch.review import exports
from exitmatch.review.accounts import User, get_user
from exitmatch.review.decisions import (
    Action,
    ConflictError,
    DecisionError,
    ForbiddenError,
    decide,
)
from exitmatch.review.queue import item
from exitmatch.store.store import Store

# In the golden night: RC-0116 is a confirmed closure with no warrant and priority
# "other"; RC-0110 is serious inadmissibility with an active warrant; RC-0101 has an
# active warrant, priority "other".
PLAIN, SERIOUS, WARRANT = "RC-0116", "RC-0110", "RC-0101"


def _user(store: Store, name: str) -> User:
    user = get_user(store, name)
    assert user is not None
    return user


def _state(store: Store, case_id: str) -> tuple[str, int]:
    found = item(store, case_id)
    assert found is not None
    return str(found["state"]), int(str(found["version"]))


def test_golden_cases_are_what_the_tests_assume(db: Path) -> None:
    with Store.open(db) as store:
        plain, serious, warrant = (item(store, c) for c in (PLAIN, SERIOUS, WARRANT))
    assert plain and plain["warrant_id"] is None and plain["priority"] == "other"
    assert serious and serious["priority"] == "serious_inadmissibility"
    assert warrant and warrant["warrant_id"] == "W-23-10441" and warrant["priority"] == "other"


def test_an_officer_accepts_a_plain_case_outright(db: Path) -> None:
    with Store.open(db) as store:
        outcome = decide(store, _user(store, "olivia"), PLAIN, Action.ACCEPT, 0)
        assert (outcome.state, outcome.version) == ("accepted", 1)
        assert _state(store, PLAIN) == ("accepted", 1)
        with pytest.raises(DecisionError, match="already accepted"):
            decide(store, _user(store, "oscar"), PLAIN, Action.REJECT, 1, "different_person")


@pytest.mark.parametrize("case_id", [SERIOUS, WARRANT])
def test_sensitive_acceptances_wait_for_another_supervisor(db: Path, case_id: str) -> None:
    with Store.open(db) as store:
        outcome = decide(store, _user(store, "sam"), case_id, Action.ACCEPT, 0)
        assert outcome.state == "awaiting_approval"
        with pytest.raises(ForbiddenError, match="four-eyes"):
            decide(store, _user(store, "sam"), case_id, Action.APPROVE, 1)
        with pytest.raises(ForbiddenError, match="cannot approve"):
            decide(store, _user(store, "olivia"), case_id, Action.APPROVE, 1)
        assert _state(store, case_id) == ("awaiting_approval", 1)
        assert decide(store, _user(store, "sue"), case_id, Action.APPROVE, 1).state == "accepted"
        row = store.frame("SELECT * FROM reviews WHERE case_id = ?", [case_id]).row(0, named=True)
    assert (row["proposed_by"], row["approved_by"]) == ("sam", "sue")


def test_a_supervisor_can_send_a_proposal_back(db: Path) -> None:
    with Store.open(db) as store:
        decide(store, _user(store, "olivia"), WARRANT, Action.ACCEPT, 0)
        assert decide(store, _user(store, "sue"), WARRANT, Action.RETURN, 1).state == "returned"
        # Back in the queue: it can be decided again.
        assert decide(store, _user(store, "oscar"), WARRANT, Action.DEFER, 2).state == "deferred"


def test_an_analyst_decides_nothing(db: Path) -> None:
    with Store.open(db) as store:
        for action in Action:
            with pytest.raises(ForbiddenError):
                decide(store, _user(store, "ann"), PLAIN, action, 0, "different_person")
        assert _state(store, PLAIN) == ("open", 0)


def test_a_rejection_needs_a_listed_reason(db: Path) -> None:
    with Store.open(db) as store:
        officer = _user(store, "olivia")
        with pytest.raises(DecisionError, match="reason"):
            decide(store, officer, PLAIN, Action.REJECT, 0, "")
        with pytest.raises(DecisionError, match="note"):
            decide(store, officer, PLAIN, Action.REJECT, 0, "other", "  ")
        assert decide(store, officer, PLAIN, Action.REJECT, 0, "other", "twin brother").state == (
            "rejected"
        )


def test_a_decision_on_a_stale_view_is_refused_and_names_who_decided(db: Path) -> None:
    with Store.open(db) as store:
        decide(store, _user(store, "olivia"), PLAIN, Action.DEFER, 0)
        with pytest.raises(ConflictError, match="olivia changed this candidate"):
            decide(store, _user(store, "oscar"), PLAIN, Action.ACCEPT, 0)
        assert _state(store, PLAIN) == ("deferred", 1)


def test_two_officers_deciding_at_once_one_wins(db: Path) -> None:
    with Store.open(db) as store:
        officers = [_user(store, "olivia"), _user(store, "oscar")]
    results: list[str] = []
    start = threading.Barrier(2)

    def attempt(user: User, action: Action) -> None:
        # Each request opens its own connection, as the app does.
        with Store.open(db, wait_s=5) as store:
            start.wait()
            try:
                results.append(decide(store, user, PLAIN, action, 0, "different_person").state)
            except ConflictError:
                results.append("conflict")

    threads = [
        threading.Thread(target=attempt, args=(officers[0], Action.ACCEPT)),
        threading.Thread(target=attempt, args=(officers[1], Action.REJECT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert results.count("conflict") == 1
    with Store.open(db) as store:
        state, version = _state(store, PLAIN)
        decided = store.frame(
            "SELECT actor FROM audit WHERE entity = 'review' AND \"key\" = ?", [PLAIN]
        )
    assert version == 1 and state in ("accepted", "rejected")
    assert decided.height == 1


def test_every_decision_is_audited_with_before_and_after(db: Path) -> None:
    with Store.open(db) as store:
        decide(store, _user(store, "olivia"), WARRANT, Action.ACCEPT, 0)
        decide(store, _user(store, "sue"), WARRANT, Action.APPROVE, 1, note="checked the PNR")
        rows = store.frame(
            'SELECT actor, "action", "before", "after" FROM audit '
            'WHERE entity = \'review\' AND "key" = ? ORDER BY "at"',
            [WARRANT],
        ).to_dicts()
    assert [(r["actor"], r["action"]) for r in rows] == [("olivia", "accept"), ("sue", "approve")]
    before = json.loads(rows[0]["before"])
    assert {k: before[k] for k in ("state", "version")} == {"state": "open", "version": 0}
    assert before["exit_record_id"] == json.loads(rows[1]["after"])["exit_record_id"]
    assert json.loads(rows[1]["after"])["state"] == "accepted"
    assert json.loads(rows[1]["after"])["note"] == "checked the PNR"


def test_exports_hold_accepted_warrants_and_every_decision(db: Path) -> None:
    with Store.open(db) as store:
        decide(store, _user(store, "olivia"), WARRANT, Action.ACCEPT, 0)
        decide(store, _user(store, "oscar"), SERIOUS, Action.ACCEPT, 0)
        # Before approval, no warrant is listed.
        assert pl.read_csv(exports.warrant_cancellations(store).encode()).height == 0
        decide(store, _user(store, "sam"), WARRANT, Action.APPROVE, 1)
        decide(store, _user(store, "olivia"), PLAIN, Action.REJECT, 0, "record_error")
        warrants = pl.read_csv(exports.warrant_cancellations(store).encode())
        decisions = pl.read_csv(exports.decisions(store).encode())
    assert warrants.select("warrant_id", "case_id", "approved_by").rows() == [
        ("W-23-10441", WARRANT, "sam")
    ]
    assert dict(decisions.select("case_id", "state").rows()) == {
        PLAIN: "rejected",
        SERIOUS: "awaiting_approval",
        WARRANT: "accepted",
    }


def test_alerts_are_acknowledged_not_closed(db: Path) -> None:
    with Store.open(db) as store:
        officer = _user(store, "olivia")
        with pytest.raises(DecisionError, match="alerts are not closed"):
            decide(store, officer, "RC-0124", Action.ACCEPT, 0)
        with pytest.raises(DecisionError, match="only re-entry alerts"):
            decide(store, officer, PLAIN, Action.ACKNOWLEDGE, 0)
        with pytest.raises(ForbiddenError):
            decide(store, _user(store, "ann"), "RC-0124", Action.ACKNOWLEDGE, 0)
        outcome = decide(store, officer, "RC-0124", Action.ACKNOWLEDGE, 0, note="passed to GTA")
        assert outcome.state == "acknowledged"
        assert _state(store, "RC-0124") == ("acknowledged", 1)
        assert pl.read_csv(exports.warrant_cancellations(store).encode()).height == 0
