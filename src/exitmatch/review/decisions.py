"""Decisions on closure candidates, with four-eyes approval and optimistic concurrency.

States of a (case, exit record) pair: ``open`` (no decision yet), ``deferred``,
``acknowledged`` (a re-entry alert, seen; alerts are never closed),
``awaiting_approval`` (accepted by one person, waiting for a supervisor), ``returned``
(a supervisor sent it back: open again), ``accepted`` (departure confirmed under IRPR
240(3)), ``rejected``. An acceptance needs a supervisor's approval, by someone other
than the proposer, when the case is a serious-inadmissibility case or carries an active
warrant (every warrant cancellation is approved).

Each decision names the version of the pair the officer saw. In one transaction the
version is checked and raised: when two people decide the same pair at once, one wins
and the other gets ``ConflictError`` naming who decided first. Only one process can hold
the store, so a lock in this process makes check-and-write atomic between requests;
DuckDB's own write conflicts are caught as well.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import duckdb

from exitmatch.contract.codes import Priority
from exitmatch.errors import ExitmatchError
from exitmatch.review import audit
from exitmatch.review.accounts import User
from exitmatch.review.queue import item, pair_item
from exitmatch.store.rejections import latest_run, pair_digest
from exitmatch.store.store import Store

REJECT_REASONS = {
    "different_person": "Different person (identity does not match on review)",
    "document_mismatch": "Travel document belongs to someone else",
    "not_departed": "Evidence the person is still in Canada",
    "record_error": "Exit record is erroneous or a duplicate",
    "already_removed": "Removal already enforced or recorded",
    "other": "Other (explain in the note)",
}
OPEN_STATES = frozenset({"open", "deferred", "returned"})
_DECIDING = threading.Lock()


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    DEFER = "defer"
    APPROVE = "approve"
    RETURN = "return"
    ACKNOWLEDGE = "acknowledge"  # a re-entry alert: seen and passed on, not a closure


class DecisionError(ExitmatchError):
    """A decision that cannot be taken as asked."""


class ForbiddenError(DecisionError):
    """The user's role does not allow this action."""


class ConflictError(DecisionError):
    """Someone else decided the same candidate first."""


@dataclass(frozen=True)
class Outcome:
    state: str
    version: int
    message: str


def needs_approval(priority: object, warrant_id: object) -> bool:
    return priority == Priority.SERIOUS_INADMISSIBILITY.value or warrant_id is not None


def _check_role(user: User, action: Action) -> None:
    if action in (Action.APPROVE, Action.RETURN):
        if not user.can_approve:
            raise ForbiddenError(f"{user.username} ({user.role}) cannot approve: supervisors do")
    elif not user.can_decide:
        raise ForbiddenError(f"{user.username} ({user.role}) has read-only access")


def decide(
    store: Store,
    user: User,
    case_id: str,
    action: Action,
    seen_version: int,
    reason: str = "",
    note: str = "",
    pair: tuple[str, str] | None = None,
) -> Outcome:
    """Apply ``action`` by ``user`` to the case's current candidate, if still as seen.

    ``pair`` is the (exit source, exit record id) the user saw: a decision on a case
    whose candidate changed since is refused (``ConflictError``). Approving or sending
    back addresses that pair's own proposal, even when a later run proposes another
    departure for the case."""
    _check_role(user, action)
    note = note.strip()[:2000]
    if action is Action.REJECT:
        if reason not in REJECT_REASONS:
            raise DecisionError("choose a reason for the rejection from the list")
        if reason == "other" and not note:
            raise DecisionError("a rejection for another reason needs a note saying why")
    try:
        with _DECIDING, store.transaction():
            return _apply(store, user, case_id, action, seen_version, reason, note, pair)
    except (duckdb.TransactionException, duckdb.ConstraintException) as e:
        # DuckDB refuses the second of two concurrent writes to one row.
        raise ConflictError(
            f"{case_id}: another person decided this candidate at the same moment; "
            "reload to see their decision"
        ) from e


def _apply(
    store: Store,
    user: User,
    case_id: str,
    action: Action,
    seen_version: int,
    reason: str,
    note: str,
    pair: tuple[str, str] | None,
) -> Outcome:
    current = _current(store, case_id, action, pair)
    alert = current["item"] == "alert"
    if alert != (action is Action.ACKNOWLEDGE):
        raise DecisionError(
            f"{case_id}: a re-entry alert is acknowledged, not closed (alerts are not closed)"
            if alert
            else f"{case_id}: only re-entry alerts are acknowledged"
        )
    state, version = str(current["state"]), int(str(current["version"]))
    if version != seen_version:
        who = current["approved_by"] or current["proposed_by"] or "another user"
        raise ConflictError(
            f"{case_id}: {who} changed this candidate (now {state.replace('_', ' ')}) "
            "while you had it open; your decision was not saved"
        )
    key = {k: current[k] for k in ("case_id", "exit_source", "exit_record_id")}
    now = datetime.now(UTC)
    decided = {"exit_source": current["exit_source"], "exit_record_id": current["exit_record_id"]}
    before = {"state": state, "version": version, **decided}
    if action is Action.ACKNOWLEDGE:
        if state not in OPEN_STATES:
            raise DecisionError(f"{case_id}: already {state}")
        new_state = "acknowledged"
        _write(store, key, current, new_state, "", note, False, user.username, now)
    elif action in (Action.ACCEPT, Action.REJECT, Action.DEFER):
        if state not in OPEN_STATES:
            raise DecisionError(f"{case_id}: already {state.replace('_', ' ')}")
        approval = needs_approval(current["priority"], current["warrant_id"])
        new_state = {
            Action.ACCEPT: "awaiting_approval" if approval else "accepted",
            Action.REJECT: "rejected",
            Action.DEFER: "deferred",
        }[action]
        _write(store, key, current, new_state, reason, note, approval, user.username, now)
        if action is Action.REJECT:
            _remember_rejection(store, key, user.username, now)
    else:
        if state != "awaiting_approval":
            raise DecisionError(f"{case_id}: not awaiting approval (it is {state})")
        if current["proposed_by"] == user.username:
            raise ForbiddenError(
                f"{case_id}: four-eyes rule: a supervisor other than {user.username}, "
                "who proposed it, must approve"
            )
        new_state = "accepted" if action is Action.APPROVE else "returned"
        store.connection.execute(
            "UPDATE reviews SET state = ?, approved_by = ?, approved_at = ?, "
            "note = CASE WHEN ? = '' THEN note ELSE ? END, version = version + 1 "
            "WHERE case_id = ? AND exit_source = ? AND exit_record_id = ?",
            [new_state, user.username, now, note, note, *key.values()],
        )
    after = {"state": new_state, "version": version + 1, "reason": reason or None, **decided}
    if note:
        after["note"] = note
    audit.record(store, user.username, "review", case_id, action.value, before, after)
    return Outcome(new_state, version + 1, _message(case_id, new_state))


def _current(
    store: Store, case_id: str, action: Action, pair: tuple[str, str] | None
) -> dict[str, object]:
    """The queue item the decision applies to: the proposal of ``pair`` for an approval,
    else the case's current candidate, which must still be ``pair`` when given."""
    if pair is not None and action in (Action.APPROVE, Action.RETURN):
        proposal = pair_item(store, case_id, *pair)
        if proposal is None:
            raise ConflictError(
                f"{case_id}: no proposal for {pair[0][:20]} record {pair[1][:40]} any more; "
                "your decision was not saved"
            )
        return proposal
    current = item(store, case_id)
    if current is None:
        raise DecisionError(f"{case_id}: nothing in the queue to decide")
    if pair is not None and (current["exit_source"], current["exit_record_id"]) != pair:
        raise ConflictError(
            f"{case_id}: the run now proposes another departure ({current['exit_source']} "
            f"record {current['exit_record_id']}) than the one you saw; "
            "your decision was not saved"
        )
    return current


def _write(
    store: Store,
    key: dict[str, object],
    current: dict[str, object],
    state: str,
    reason: str,
    note: str,
    approval: bool,
    username: str,
    now: datetime,
) -> None:
    store.connection.execute(
        "INSERT INTO reviews (case_id, exit_source, exit_record_id, state, reason, note, "
        "needs_approval, proposed_by, proposed_at, approved_by, approved_at, version, band, "
        "match_probability, departed_at, warrant_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 1, ?, ?, ?, ?) "
        "ON CONFLICT DO UPDATE SET state = excluded.state, reason = excluded.reason, "
        "note = excluded.note, needs_approval = excluded.needs_approval, "
        "proposed_by = excluded.proposed_by, proposed_at = excluded.proposed_at, "
        "approved_by = NULL, approved_at = NULL, version = reviews.version + 1, "
        "band = excluded.band, match_probability = excluded.match_probability, "
        "departed_at = excluded.departed_at, warrant_id = excluded.warrant_id",
        [
            *key.values(),
            state,
            reason or None,
            note or None,
            approval,
            username,
            now,
            current["band"],
            current["match_probability"],
            current["departed_at"],
            current["warrant_id"],
        ],
    )


def _remember_rejection(store: Store, key: dict[str, object], username: str, now: datetime) -> None:
    case_id, kind, record_id = (str(v) for v in key.values())
    store.connection.execute(
        "INSERT OR REPLACE INTO rejections VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            case_id,
            kind,
            record_id,
            username,
            now,
            pair_digest(store, case_id, kind, record_id),
            latest_run(store),
        ],
    )


def _message(case_id: str, state: str) -> str:
    return {
        "accepted": f"{case_id}: departure confirmed under IRPR 240(3)",
        "awaiting_approval": f"{case_id}: accepted, waiting for a supervisor's approval",
        "rejected": f"{case_id}: rejected; not proposed again unless new evidence arrives",
        "deferred": f"{case_id}: deferred",
        "returned": f"{case_id}: sent back to the queue",
        "acknowledged": f"{case_id}: re-entry alert acknowledged",
    }[state]
