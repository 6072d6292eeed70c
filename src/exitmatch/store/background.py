"""Store writes made in the background while a run goes on computing.

DuckDB releases the GIL while it writes, so a night's records, keys and vectors can be
written while names are normalised and pairs compared. The writes run one at a time, in
the order given, on one thread; nothing else may use the store until ``wait`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exitmatch-store")


class BackgroundWrites:
    """Writes handed to the store's writer thread, awaited together."""

    def __init__(self) -> None:
        self._pending: list[Future[None]] = []

    def submit(self, write: Callable[..., None], *args: Any) -> None:
        self._pending.append(_WRITER.submit(write, *args))

    def wait(self) -> None:
        """Block until every write submitted is done; the first failure is raised (after
        all of them have ended, so none is still running against the store)."""
        pending, self._pending = self._pending, []
        errors = [f.exception() for f in pending]
        for error in errors:
            if error is not None:
                raise error
