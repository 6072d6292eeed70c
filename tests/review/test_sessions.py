"""Sessions end on the server: a session cookie copied before sign-out, before the next
sign-in or before the password is set no longer works; no session outlives its maximum
age; accounts are enabled again and given a password from the command line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exitmatch.cli import app as cli
from exitmatch.review.accounts import authenticate, set_password
from exitmatch.review.app import create_app
from exitmatch.store.store import Store

from .conftest import PASSWORD, csrf_token
from .test_app import sign_in


def _cookie(client: object) -> str:
    cookie = client.get_cookie("session")  # type: ignore[attr-defined]
    assert cookie is not None
    return str(cookie.value)


def test_a_cookie_copied_before_sign_out_no_longer_works(db: Path) -> None:
    app = create_app(db, secret_key="test")
    client = sign_in(app, "olivia")
    copied = _cookie(client)
    token = csrf_token(client.get("/queue").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_signing_in_again_ends_the_earlier_session(db: Path) -> None:
    app = create_app(db, secret_key="test")
    first = sign_in(app, "olivia")
    assert first.get("/queue").status_code == 200
    sign_in(app, "olivia")
    assert first.get("/queue").status_code == 302


def test_a_session_ends_at_its_maximum_age_even_when_busy(db: Path) -> None:
    app = create_app(db, secret_key="test", max_session_hours=1.5 / 3600)  # 1.5 seconds
    client = sign_in(app, "olivia")
    for _ in range(4):
        assert client.get("/queue").status_code == 200
        time.sleep(0.2)
    time.sleep(1.0)
    response = client.get("/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "maximum length" in client.get("/login").get_data(as_text=True)


def test_setting_a_password_ends_the_users_sessions(db: Path) -> None:
    app = create_app(db, secret_key="test")
    client = sign_in(app, "olivia")
    with Store.open(db) as store:
        set_password(store, "olivia", "a brand new password", "test")
        assert authenticate(store, "olivia", PASSWORD) is None
        assert authenticate(store, "olivia", "a brand new password") is not None
    assert client.get("/queue").status_code == 302


def test_enable_and_set_password_from_the_command_line(db: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["users", "disable", "oscar", "--db", str(db)]).exit_code == 0
    enabled = runner.invoke(cli, ["users", "enable", "oscar", "--db", str(db)])
    assert enabled.exit_code == 0, enabled.output
    changed = runner.invoke(
        cli,
        ["users", "set-password", "oscar", "--db", str(db), "--password-stdin"],
        input="oscar's new password\n",
    )
    assert changed.exit_code == 0, changed.output
    prompted = runner.invoke(
        cli,
        ["users", "set-password", "sam", "--db", str(db)],
        input="sam's new password\nsam's new password\n",
    )
    assert prompted.exit_code == 0, prompted.output
    short = runner.invoke(
        cli, ["users", "set-password", "sue", "--db", str(db), "--password-stdin"], input="x\n"
    )
    assert short.exit_code == 1 and "too short" in short.output
    with Store.open(db) as store:
        assert authenticate(store, "oscar", "oscar's new password") is not None
        assert authenticate(store, "sam", "sam's new password") is not None
        audited = store.connection.execute(
            "SELECT \"key\", \"action\" FROM audit WHERE entity = 'user' AND actor LIKE 'cli:%' "
            'ORDER BY "at"'
        ).fetchall()
    assert audited == [
        ("oscar", "disabled"),
        ("oscar", "enabled"),
        ("oscar", "password set"),
        ("sam", "password set"),
    ]


def test_a_form_posted_after_the_session_ended_returns_to_its_page(db: Path) -> None:
    app = create_app(db, idle_minutes=0.02, secret_key="test")  # 1.2 seconds
    client = sign_in(app, "olivia")
    html = client.get("/case/RC-0116").get_data(as_text=True)
    time.sleep(1.5)
    response = client.post(
        "/case/RC-0116/decision",
        data={"csrf_token": csrf_token(html), "action": "defer", "version": "0"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/case/RC-0116"
    token = csrf_token(client.get("/login").get_data(as_text=True))
    signed_in = client.post(
        "/login?next=/case/RC-0116",
        data={"username": "olivia", "password": PASSWORD, "csrf_token": token},
    )
    assert signed_in.headers["Location"] == "/case/RC-0116"
    assert client.get(signed_in.headers["Location"]).status_code == 200


def test_review_takes_a_maximum_session_age(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    import exitmatch.review.server as server

    served: dict[str, object] = {}

    def fake_serve(*args: object) -> None:
        served["args"] = args

    monkeypatch.setattr(server, "serve", fake_serve)
    result = CliRunner().invoke(cli, ["review", "--db", str(db), "--max-session-hours", "8"])
    assert result.exit_code == 0, result.output
    assert served["args"] == (db, "127.0.0.1", 8000, 15.0, 8.0)
    CliRunner().invoke(cli, ["review", "--db", str(db)])
    assert served["args"] == (db, "127.0.0.1", 8000, 15.0, 12.0)
