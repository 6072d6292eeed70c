"""Refusals leave an audit row (who, what was tried, why not), and a refused sign-in
records what was typed as the username only when it has a username's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from exitmatch.review.app import create_app
from exitmatch.store.store import Store

from .conftest import csrf_token
from .test_app import post_decision, sign_in


@pytest.fixture
def app(db: Path) -> Flask:
    return create_app(db, secret_key="test")


def _refusals(db: Path) -> list[tuple[str, str, str, dict[str, object]]]:
    with Store.open(db) as store:
        rows = store.connection.execute(
            'SELECT actor, entity, "key", "after" FROM audit WHERE "action" = \'refused\' '
            'ORDER BY "at"'
        ).fetchall()
    return [(str(a), str(e), str(k), json.loads(str(after))) for a, e, k, after in rows]


def test_a_page_refused_to_a_role_is_audited(app: Flask, db: Path) -> None:
    assert sign_in(app, "olivia").get("/audit").status_code == 403
    [(actor, entity, key, after)] = _refusals(db)
    assert (actor, entity, key) == ("olivia", "access", "/audit")
    assert after["why"] == "the officer role cannot do this"
    assert after["attempted"] == "GET audit_trail"


def test_refused_decisions_are_audited(app: Flask, db: Path) -> None:
    analyst = sign_in(app, "ann")
    post_decision(analyst, "RC-0116", action="accept", version="0")
    officer = sign_in(app, "olivia")
    post_decision(officer, "RC-0116", action="accept", version="0")
    status, body = post_decision(officer, "RC-0116", action="defer", version="0")
    assert "your decision was not saved" in body
    status, body = post_decision(officer, "RC-0101", action="approve", version="0")
    assert status == 403
    refusals = _refusals(db)
    assert [(a, e, k) for a, e, k, _ in refusals] == [
        ("ann", "access", "/case/RC-0116/decision"),
        ("olivia", "review", "RC-0116"),
        ("olivia", "review", "RC-0101"),
    ]
    conflict, forbidden = refusals[1][3], refusals[2][3]
    assert conflict["attempted"] == "defer" and "not saved" in str(conflict["why"])
    assert forbidden["attempted"] == "approve" and "cannot approve" in str(forbidden["why"])


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("olivia", "olivia"),
        ("nobody", "nobody"),
        ("My Secret Passw0rd!", "(invalid)"),
        ("x" * 5000, "(invalid)"),
    ],
)
def test_a_refused_sign_in_records_only_a_username_shape(
    app: Flask, db: Path, typed: str, recorded: str
) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": typed, "password": "wrong", "csrf_token": token}
    )
    assert response.status_code == 401
    with Store.open(db) as store:
        rows = store.connection.execute(
            'SELECT actor, "key" FROM audit WHERE "action" = \'sign-in refused\''
        ).fetchall()
    assert rows == [(recorded, recorded)]
