"""The app over HTTP (Flask's test client): sign-in, sessions and their idle timeout,
CSRF, roles checked on the server, the queue's order, filters and pages, the busy page
while a run holds the store, and no personal data in the server log."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from exitmatch.review.app import create_app
from exitmatch.review.queue import Filters, page
from exitmatch.store.store import Store

from .conftest import PASSWORD, csrf_token, shown_pair


@pytest.fixture
def app(db: Path) -> Flask:
    made = create_app(db, idle_minutes=15, secret_key="test")
    made.config["STORE_WAIT_S"] = 0.3
    return made


def sign_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_decision(client: FlaskClient, case_id: str, **form: str) -> tuple[int, str]:
    page_html = client.get(f"/case/{case_id}").get_data(as_text=True)
    response = client.post(
        f"/case/{case_id}/decision",
        data={"csrf_token": csrf_token(page_html), **shown_pair(page_html), **form},
        follow_redirects=True,
    )
    return response.status_code, response.get_data(as_text=True)


def test_pages_need_a_signed_in_user(app: Flask) -> None:
    client = app.test_client()
    for path in ("/queue", "/case/RC-0101", "/dashboard", "/exports/decisions.csv", "/audit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_a_wrong_password_is_refused_and_audited(app: Flask, db: Path) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "olivia", "password": "guess", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    with Store.open(db) as store:
        assert store.scalar(
            "SELECT count(*) FROM audit WHERE entity = 'session' AND \"action\" = 'sign-in refused'"
        )


def test_a_post_without_csrf_token_is_rejected(app: Flask, db: Path) -> None:
    client = sign_in(app, "olivia")
    response = client.post("/case/RC-0116/decision", data={"action": "accept", "version": "0"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    login = app.test_client().post("/login", data={"username": "olivia", "password": PASSWORD})
    assert login.status_code == 400
    with Store.open(db) as store:
        assert store.scalar("SELECT count(*) FROM reviews") == 0


def test_an_analyst_reads_but_cannot_decide(app: Flask, db: Path) -> None:
    client = sign_in(app, "ann")
    html = client.get("/case/RC-0116").get_data(as_text=True)
    assert "Read-only access" in html and 'id="accept"' not in html
    status, body = post_decision(client, "RC-0116", action="accept", version="0")
    assert status == 403 and "analyst role cannot do this" in body
    assert client.get("/dashboard").status_code == 200
    assert client.get("/audit").status_code == 200
    with Store.open(db) as store:
        assert store.scalar("SELECT count(*) FROM reviews") == 0


def test_officers_cannot_see_the_audit_page_nor_approve(app: Flask) -> None:
    officer = sign_in(app, "olivia")
    assert officer.get("/audit").status_code == 403
    status, body = post_decision(officer, "RC-0101", action="accept", version="0")
    assert status == 200 and "waiting for a supervisor" in body
    status, body = post_decision(officer, "RC-0101", action="approve", version="1")
    assert status == 403 and "cannot approve" in body


def test_idle_sessions_end(db: Path) -> None:
    app = create_app(db, idle_minutes=0.02, secret_key="test")  # 1.2 seconds
    client = sign_in(app, "olivia")
    assert client.get("/queue").status_code == 200
    time.sleep(1.5)
    response = client.get("/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "inactivity" in client.get("/login").get_data(as_text=True)


def test_a_disabled_account_is_signed_out_at_once(app: Flask, db: Path) -> None:
    client = sign_in(app, "oscar")
    with Store.open(db) as store:
        store.connection.execute("UPDATE users SET active = FALSE WHERE username = 'oscar'")
    assert client.get("/queue").status_code == 302


def test_the_queue_is_ordered_by_band_then_priority_and_filters(db: Path) -> None:
    with Store.open(db) as store:
        rows = page(store, Filters(), 1, 100).rows
        ranks = [(r["band_rank"], r["priority_rank"]) for r in rows]
        assert ranks == sorted(ranks)
        assert rows[0]["band"] == "alert"
        serious = page(store, Filters(priority="serious_inadmissibility"), 1, 100).rows
        assert serious and {r["priority"] for r in serious} == {"serious_inadmissibility"}
        with_warrant = page(store, Filters(warrant="with", band="confirmed"), 1, 100).rows
        assert with_warrant
        assert all(r["warrant_id"] and r["band"] == "confirmed" for r in with_warrant)
        dated = page(store, Filters(date_from="2025-01-01", date_to="2025-06-30"), 1, 100).rows
        assert dated
        assert all(
            "2025-01-01" <= r["departed_at"].date().isoformat() <= "2025-06-30" for r in dated
        )
        first, second = page(store, Filters(), 1, 7), page(store, Filters(), 2, 7)
        assert first.pages == -(-first.total // 7) and second.number == 2
        assert {r["case_id"] for r in first.rows}.isdisjoint(r["case_id"] for r in second.rows)
        assert page(store, Filters(), 99, 7).number == first.pages


def test_unknown_filter_values_are_dropped() -> None:
    filters = Filters.from_args({"band": "'; DROP TABLE cases", "date_from": "yesterday"})
    assert filters == Filters()


def test_a_busy_store_shows_the_busy_page(app: Flask, db: Path) -> None:
    client = sign_in(app, "olivia")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        response = client.get("/queue")
        assert response.status_code == 503
        assert "a run is in progress" in response.get_data(as_text=True)
    finally:
        holder.communicate("")
    assert client.get("/queue").status_code == 200


def test_the_server_log_holds_no_personal_data(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = sign_in(app, "olivia")
    client.get("/queue?region=Pacific")
    html = client.get("/case/RC-0101").get_data(as_text=True)
    client.get("/exports/decisions.csv")
    assert "KOWALCZYK" in html and "1978-02-19" in html
    logged = caplog.text
    assert "GET /case/RC-0101 200" in logged
    for personal in ("KOWALCZYK", "TOMASZ", "1978-02-19", "EA4471902", PASSWORD, "Pacific"):
        assert personal not in logged
