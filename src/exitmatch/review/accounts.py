"""Review accounts: users, roles and passwords, managed from the command line
(``exitmatch users ...``) and checked by the app at sign-in.

Passwords are hashed with Argon2id (argon2-cffi); only the hash is stored. Roles:
``officer`` decides, ``supervisor`` decides and approves other people's proposals,
``analyst`` reads (queue, cases, dashboard, exports) and decides nothing.

Each account holds a session nonce, a random value the app puts in the session cookie at
sign-in and checks on every request. It is replaced at sign-in, at sign-out and when the
password is set, so a copied cookie stops working then.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from exitmatch.errors import ExitmatchError
from exitmatch.review import audit
from exitmatch.store.store import Store

MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
_HASHER = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so
# timing does not tell which usernames exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"


DECIDING_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})


class AccountError(ExitmatchError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    active: bool

    @property
    def can_decide(self) -> bool:
        return self.role in DECIDING_ROLES

    @property
    def can_approve(self) -> bool:
        return self.role is Role.SUPERVISOR


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise AccountError(f"unknown role {value!r}: use one of {names}") from None


def valid_username(text: str) -> bool:
    """Whether ``text`` has the shape of a username (not whether the account exists)."""
    return bool(_USERNAME.match(text))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")


def add_user(store: Store, username: str, password: str, role: str, actor: str) -> User:
    if not _USERNAME.match(username):
        raise AccountError(
            f"username {username!r}: 2-32 characters, lower-case letters, digits, . _ -, "
            "starting with a letter"
        )
    _check_password(password)
    chosen = _role(role)
    with store.transaction():
        if store.scalar("SELECT count(*) FROM users WHERE username = ?", [username]):
            raise AccountError(f"user {username!r} exists already")
        now = datetime.now(UTC)
        store.connection.execute(
            "INSERT INTO users (username, password_hash, role, active, created_at, changed_at) "
            "VALUES (?, ?, ?, TRUE, ?, ?)",
            [username, _HASHER.hash(password), chosen.value, now, now],
        )
        audit.record(store, actor, "user", username, "created", None, {"role": chosen.value})
    return User(username, chosen, True)


def get_user(store: Store, username: str) -> User | None:
    rows = store.connection.execute(
        "SELECT username, role, active FROM users WHERE username = ?", [username]
    ).fetchall()
    if not rows:
        return None
    name, role, active = rows[0]
    return User(str(name), Role(str(role)), bool(active))


def list_users(store: Store) -> list[User]:
    rows = store.connection.execute(
        "SELECT username, role, active FROM users ORDER BY username"
    ).fetchall()
    return [User(str(n), Role(str(r)), bool(a)) for n, r, a in rows]


def _existing(store: Store, username: str) -> User:
    user = get_user(store, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def set_role(store: Store, username: str, role: str, actor: str) -> User:
    chosen = _role(role)
    with store.transaction():
        user = _existing(store, username)
        store.connection.execute(
            "UPDATE users SET role = ?, changed_at = ? WHERE username = ?",
            [chosen.value, datetime.now(UTC), username],
        )
        audit.record(
            store, actor, "user", username, "role changed", {"role": user.role}, {"role": chosen}
        )
    return User(username, chosen, user.active)


def set_active(store: Store, username: str, active: bool, actor: str) -> User:
    """Enable or disable an account; either way its sessions end."""
    with store.transaction():
        user = _existing(store, username)
        store.connection.execute(
            "UPDATE users SET active = ?, changed_at = ?, session_nonce = NULL WHERE username = ?",
            [active, datetime.now(UTC), username],
        )
        audit.record(
            store,
            actor,
            "user",
            username,
            "enabled" if active else "disabled",
            {"active": user.active},
            {"active": active},
        )
    return User(username, user.role, active)


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The active user with this password, or None (the same answer for a wrong password,
    an unknown user and a disabled account)."""
    rows = store.connection.execute(
        "SELECT password_hash FROM users WHERE username = ? AND active", [username]
    ).fetchall()
    stored = str(rows[0][0]) if rows else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not rows:
        return None
    return get_user(store, username)


def set_password(store: Store, username: str, password: str, actor: str) -> User:
    """Replace an account's password and end its sessions."""
    _check_password(password)
    with store.transaction():
        user = _existing(store, username)
        store.connection.execute(
            "UPDATE users SET password_hash = ?, changed_at = ?, session_nonce = NULL "
            "WHERE username = ?",
            [_HASHER.hash(password), datetime.now(UTC), username],
        )
        audit.record(store, actor, "user", username, "password set")
    return user


def new_session(store: Store, username: str) -> str:
    """A fresh session nonce for the user (ending their other sessions), to put in the
    session cookie. Call inside the caller's transaction, if any."""
    nonce = secrets.token_urlsafe(32)
    store.connection.execute(
        "UPDATE users SET session_nonce = ? WHERE username = ?", [nonce, username]
    )
    return nonce


def end_sessions(store: Store, username: str) -> None:
    """No session of the user is valid any more (sign-out)."""
    store.connection.execute("UPDATE users SET session_nonce = NULL WHERE username = ?", [username])


def session_user(store: Store, username: str, nonce: str) -> User | None:
    """The active user whose current session nonce is ``nonce``, else None."""
    rows = store.connection.execute(
        "SELECT role, session_nonce FROM users WHERE username = ? AND active", [username]
    ).fetchall()
    if not rows or rows[0][1] is None or not nonce:
        return None
    if not secrets.compare_digest(str(rows[0][1]), nonce):
        return None
    return User(username, Role(str(rows[0][0])), True)
