"""Odd query values and server errors: a queue position or page number out of range is
clamped, not a server error, and a server error logs no values."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from exitmatch.review.app import create_app

from .test_app import sign_in


@pytest.fixture
def app(db: Path) -> Flask:
    return create_app(db, secret_key="test")


@pytest.mark.parametrize("value", ["99999999999999999999999", "1" * 5000, "١٢", "-3", "2.5"])
def test_huge_or_odd_positions_and_pages_are_no_error(app: Flask, value: str) -> None:
    client = sign_in(app, "olivia")
    assert client.get(f"/case/RC-0101?pos={value}").status_code == 200
    assert client.get(f"/queue?page={value}").status_code == 200


def test_a_server_error_logs_method_path_and_class_only(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom/<case_id>")
    def boom(case_id: str) -> str:
        raise ValueError(f"secret value KOWALCZYK for {case_id}")

    client = sign_in(app, "olivia")
    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom/RC-0101?name=TOMASZ")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "GET /boom/RC-0101 500 ValueError" in caplog.text
    for secret in ("KOWALCZYK", "TOMASZ", "Traceback"):
        assert secret not in caplog.text
    assert client.post("/queue").status_code == 405
