"""Audit rows for the review app: every view and every decision, who, when, what, before
and after (JSON text). The ``audit`` table is append-only; the nightly run writes to it
too. Keys are ids (case ids, usernames), never names or dates of birth."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from exitmatch.store.store import Store


def as_json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str)


def record(
    store: Store,
    actor: str,
    entity: str,
    key: str,
    action: str,
    before: object = None,
    after: object = None,
) -> None:
    """Append one audit row (inside the caller's transaction, if any)."""
    store.connection.execute(
        "INSERT INTO audit VALUES (?, NULL, ?, ?, ?, ?, ?, ?)",
        [datetime.now(UTC), actor, entity, key, action, as_json(before), as_json(after)],
    )


def trail(store: Store, key: str | None = None, limit: int = 200) -> list[dict[str, object]]:
    """The latest audit rows, newest first, optionally for one key (a case id, a user)."""
    where = 'WHERE "key" = ?' if key else ""
    frame = store.frame(
        f'SELECT "at", run_id, actor, entity, "key", "action", "before", "after" FROM audit '
        f'{where} ORDER BY "at" DESC LIMIT {int(limit)}',
        [key] if key else None,
    )
    return frame.to_dicts()
