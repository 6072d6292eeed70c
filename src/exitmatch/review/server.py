"""Serving the review app on this machine (``exitmatch review``).

Binds to 127.0.0.1 by default. The access log says method, path (ids only), status and
time; query strings, form bodies and page contents are never logged.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

from exitmatch.review.accounts import list_users
from exitmatch.review.app import create_app
from exitmatch.store.store import Store

LOCAL = ("127.0.0.1", "localhost", "::1")


def build_server(
    db: Path | str,
    host: str = "127.0.0.1",
    port: int = 8000,
    idle_minutes: float = 15.0,
    max_session_hours: float = 12.0,
) -> BaseWSGIServer:
    """A threaded WSGI server for the app (``port=0`` picks a free port)."""
    # Werkzeug's own access log prints full URLs with query strings: ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(db, idle_minutes=idle_minutes, max_session_hours=max_session_hours)
    return make_server(host, port, app, threaded=True)


def serve(
    db: Path, host: str, port: int, idle_minutes: float, max_session_hours: float = 12.0
) -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")
    log = logging.getLogger("exitmatch.review")
    # Brings an older store to this layout now, and says what is missing before anyone
    # tries to sign in.
    with Store.open(db, wait_s=5) as store:
        if not any(user.active for user in list_users(store)):
            log.warning(
                "no active accounts yet: add one with `exitmatch users add NAME --db %s`", db
            )
    server = build_server(db, host, port, idle_minutes, max_session_hours)
    if host not in LOCAL:
        log.warning("listening on %s: reachable from other machines; put TLS in front of it", host)
    log.info("exitmatch review on http://%s:%s/ (Ctrl-C to stop)", host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
