"""Accounts: Argon2 hashes only, wrong passwords and disabled accounts refused, roles
checked, managed from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from exitmatch.cli import app
from exitmatch.review.accounts import (
    AccountError,
    Role,
    add_user,
    authenticate,
    list_users,
    set_active,
    set_role,
)
from exitmatch.store.store import Store


def test_only_an_argon2_hash_is_stored_and_checked(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        add_user(store, "olivia", "correct horse battery", "officer", "test")
        stored = str(store.scalar("SELECT password_hash FROM users WHERE username = 'olivia'"))
        assert stored.startswith("$argon2id$")
        assert "correct horse battery" not in stored
        user = authenticate(store, "olivia", "correct horse battery")
        assert user is not None and user.role is Role.OFFICER
        assert authenticate(store, "olivia", "correct horse batterY") is None
        assert authenticate(store, "nobody", "correct horse battery") is None


def test_disabled_accounts_cannot_sign_in_and_roles_change(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        add_user(store, "sam", "correct horse battery", "officer", "test")
        assert set_role(store, "sam", "supervisor", "test").role is Role.SUPERVISOR
        set_active(store, "sam", False, "test")
        assert authenticate(store, "sam", "correct horse battery") is None
        actions = store.frame(
            "SELECT action FROM audit WHERE entity = 'user' AND \"key\" = 'sam' ORDER BY \"at\""
        )["action"].to_list()
    assert actions == ["created", "role changed", "disabled"]


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("olivia", "short", "officer", "too short"),
        ("Olivia Smith", "correct horse battery", "officer", "username"),
        ("olivia", "correct horse battery", "chief", "unknown role"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(
    tmp_path: Path, username: str, password: str, role: str, message: str
) -> None:
    with Store.open(tmp_path / "s.duckdb") as store, pytest.raises(AccountError, match=message):
        add_user(store, username, password, role, "test")


def test_a_username_is_taken_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as store:
        add_user(store, "olivia", "correct horse battery", "officer", "test")
        with pytest.raises(AccountError, match="exists"):
            add_user(store, "olivia", "another password!", "analyst", "test")


def test_users_are_managed_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["users", "add", "ann", "--db", db, "--role", "analyst", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["users", "set-role", "ann", "supervisor", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "ann", "--db", db]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--db", db])
    assert listed.output.split() == ["ann", "supervisor", "disabled"]
    refused = runner.invoke(
        app,
        ["users", "add", "bob", "--db", db, "--role", "boss", "--password-stdin"],
        input="x" * 12,
    )
    assert refused.exit_code == 1
    assert "unknown role 'boss'" in refused.output
    with Store.open(db) as store:
        assert [u.username for u in list_users(store)] == ["ann"]


def test_review_refuses_a_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["review", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no store there" in result.output
