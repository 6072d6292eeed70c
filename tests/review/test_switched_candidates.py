"""A run that proposes another departure for a case while someone has it open: the
decision is refused (it would land on a departure nobody saw), and a proposal already
awaiting approval stays approvable, for its own departure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from exitmatch.review.accounts import get_user
from exitmatch.review.app import create_app
from exitmatch.review.decisions import Action, ConflictError, decide
from exitmatch.review.queue import Filters, page
from exitmatch.store.store import Store

from .conftest import csrf_token, shown_pair, switch_candidate
from .test_app import sign_in

PLAIN, WARRANT = "RC-0116", "RC-0101"


@pytest.fixture
def app(db: Path) -> Flask:
    return create_app(db, secret_key="test")


def test_a_decision_on_a_switched_candidate_is_refused(app: Flask, db: Path) -> None:
    client = sign_in(app, "olivia")
    html = client.get(f"/case/{PLAIN}").get_data(as_text=True)
    seen = shown_pair(html)
    assert seen["exit_source"] and seen["exit_record_id"]
    with Store.open(db) as store:
        switch_candidate(store, PLAIN)
    response = client.post(
        f"/case/{PLAIN}/decision",
        data={"csrf_token": csrf_token(html), "action": "accept", "version": "0", **seen},
        follow_redirects=True,
    )
    assert "the run now proposes another departure" in response.get_data(as_text=True)
    with Store.open(db) as store:
        assert store.scalar("SELECT count(*) FROM reviews") == 0


def test_a_form_without_the_pair_is_refused(app: Flask, db: Path) -> None:
    client = sign_in(app, "olivia")
    html = client.get(f"/case/{PLAIN}").get_data(as_text=True)
    client.post(
        f"/case/{PLAIN}/decision",
        data={"csrf_token": csrf_token(html), "action": "accept", "version": "0"},
    )
    with Store.open(db) as store:
        assert store.scalar("SELECT count(*) FROM reviews") == 0


def test_the_audit_names_the_decided_departure(db: Path) -> None:
    with Store.open(db) as store:
        olivia = get_user(store, "olivia")
        assert olivia is not None
        source, record_id = store.connection.execute(
            "SELECT exit_source, exit_record_id FROM candidates WHERE case_id = ?", [PLAIN]
        ).fetchone() or ("", "")
        decide(store, olivia, PLAIN, Action.DEFER, 0, pair=(source, record_id))
        before, after = store.connection.execute(
            'SELECT "before", "after" FROM audit WHERE entity = \'review\' AND "key" = ?',
            [PLAIN],
        ).fetchone() or ("{}", "{}")
    for value in (json.loads(before), json.loads(after)):
        assert (value["exit_source"], value["exit_record_id"]) == (source, record_id)


def test_a_proposal_stays_approvable_after_the_run_switches(app: Flask, db: Path) -> None:
    with Store.open(db) as store:
        olivia = get_user(store, "olivia")
        assert olivia is not None
        source, proposed = store.connection.execute(
            "SELECT exit_source, exit_record_id FROM candidates WHERE case_id = ?", [WARRANT]
        ).fetchone() or ("", "")
        decide(store, olivia, WARRANT, Action.ACCEPT, 0, pair=(source, proposed))
        switch_candidate(store, WARRANT)
        waiting = page(store, Filters(state="awaiting_approval"), 1, 100).rows
        assert [
            (r["exit_record_id"], r["superseded"]) for r in waiting if r["case_id"] == WARRANT
        ] == [(proposed, True)]
        # A decision naming the old pair is not taken on the new candidate.
        with pytest.raises(ConflictError):
            decide(store, olivia, WARRANT, Action.DEFER, 0, pair=(source, proposed))
    supervisor = sign_in(app, "sue")
    listed = supervisor.get("/queue?state=awaiting_approval").get_data(as_text=True)
    assert WARRANT in listed and "the run now proposes another departure" in listed
    html = supervisor.get(f"/case/{WARRANT}").get_data(as_text=True)
    assert "Earlier proposal awaiting approval" in html and proposed in html
    response = supervisor.post(
        f"/case/{WARRANT}/decision",
        data={
            "csrf_token": csrf_token(html),
            "action": "approve",
            "version": "1",
            "exit_source": source,
            "exit_record_id": proposed,
        },
        follow_redirects=True,
    )
    assert "departure confirmed" in response.get_data(as_text=True)
    with Store.open(db) as store:
        rows = store.connection.execute(
            "SELECT exit_record_id, state, approved_by FROM reviews WHERE case_id = ?", [WARRANT]
        ).fetchall()
    assert rows == [(proposed, "accepted", "sue")]
