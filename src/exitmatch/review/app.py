"""The review web app's routes (Flask, server-rendered Jinja2 pages).

Use ``create_app(db)``; ``exitmatch.review.server`` serves it. Every request opens the
store briefly (the nightly run must be able to take it between requests) and shows a
"store busy" page when a run holds it. Every page, decision and refusal is audited;
sessions end after ``idle_minutes`` without a request, ``max_session_hours`` after
sign-in, and at sign-out (a session nonce in the store, see ``accounts``); every POST
carries a CSRF token (Flask-WTF); roles are checked on the server for every action.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as BaseResponse

from exitmatch.review import accounts, audit, casefile, charts, dashboard, exports
from exitmatch.review import queue as work_queue
from exitmatch.review.accounts import Role, User
from exitmatch.review.decisions import (
    REJECT_REASONS,
    Action,
    ConflictError,
    DecisionError,
    ForbiddenError,
    decide,
    needs_approval,
)
from exitmatch.review.redirects import same_site_path
from exitmatch.store.store import Store, StoreBusyError

log = logging.getLogger("exitmatch.review")
STORE_WAIT_S = 2.0
F = TypeVar("F", bound=Callable[..., Any])


def create_app(
    db: Path | str,
    *,
    idle_minutes: float = 15.0,
    max_session_hours: float = 12.0,
    secret_key: str | None = None,
) -> Flask:
    """The app over the store at ``db``. Sessions are signed with ``secret_key`` (a fresh
    random key by default: restarting the server signs everyone out); a session ends after
    ``idle_minutes`` without a request, ``max_session_hours`` after sign-in, and at
    sign-out (the account's session nonce changes: a copied cookie stops working)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        WTF_CSRF_TIME_LIMIT=None,  # the idle timeout ends sessions; tokens live as long
        STORE_PATH=str(db),
        IDLE_SECONDS=idle_minutes * 60,
        MAX_SESSION_SECONDS=max_session_hours * 3600,
        STORE_WAIT_S=STORE_WAIT_S,
    )
    CSRFProtect(app)
    app.jinja_env.globals.update(reasons=REJECT_REASONS, Role=Role)
    app.jinja_env.filters["state"] = lambda s: str(s).replace("_", " ")
    app.jinja_env.filters["label"] = lambda s: str(s or "").replace("_", " ")
    _hooks(app)
    _routes(app)
    return app


# ---- per request: the store, the user, the log ------------------------------------------


def store() -> Store:
    if "store" not in g:
        from flask import current_app

        g.store = Store.open(
            current_app.config["STORE_PATH"], wait_s=current_app.config["STORE_WAIT_S"]
        )
    return cast(Store, g.store)


def current_user() -> User | None:
    return cast(User | None, g.get("user"))


def _hooks(app: Flask) -> None:
    @app.before_request
    def start() -> BaseResponse | None:
        g.started = time.perf_counter()
        if request.endpoint in ("static", "login") or request.endpoint is None:
            return None
        username = session.get("user")
        if not username:
            return redirect(url_for("login", next=_return_to()))
        now = time.time()
        if now - float(session.get("signed_in", 0)) > app.config["MAX_SESSION_SECONDS"]:
            session.clear()
            flash("Your session reached its maximum length: sign in again.", "info")
            return redirect(url_for("login", next=_return_to()))
        if now - float(session.get("seen", 0)) > app.config["IDLE_SECONDS"]:
            session.clear()
            flash("You were signed out after a period of inactivity.", "info")
            return redirect(url_for("login", next=_return_to()))
        user = accounts.session_user(store(), str(username), str(session.get("nonce", "")))
        if user is None:
            session.clear()
            return redirect(url_for("login"))
        session["seen"] = now
        g.user = user
        return None

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        # Paths carry ids only; query strings (filters) and bodies are never logged.
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info("%s %s %s %.0fms", request.method, request.path, response.status_code, elapsed)
        return response

    @app.teardown_appcontext
    def close(_: BaseException | None) -> None:
        opened = g.pop("store", None)
        if opened is not None:
            opened.close()

    @app.errorhandler(StoreBusyError)
    def busy(_: StoreBusyError) -> tuple[str, int, dict[str, str]]:
        return render_template("busy.html"), 503, {"Retry-After": "30"}

    @app.errorhandler(CSRFError)
    def csrf(error: CSRFError) -> tuple[str, int]:
        return render_template(
            "error.html",
            title="Form expired or not sent from this app",
            message="The form's security token was missing or did not match "
            f"({error.description}). Reload the page and try again.",
        ), 400

    @app.errorhandler(ForbiddenError)
    def forbidden_decision(error: ForbiddenError) -> tuple[str, int]:
        return render_template("error.html", title="Not allowed", message=str(error)), 403

    @app.errorhandler(403)
    def forbidden(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", title="Not allowed", message=error.description), 403

    @app.errorhandler(Exception)
    def failed(error: Exception) -> HTTPException | tuple[str, int]:
        if isinstance(error, HTTPException):  # 400, 405...: Flask's own page
            return error
        # The method, the path (ids only) and the exception's class: never its message,
        # which can quote values (names, query parameters, SQL).
        log.error("%s %s 500 %s", request.method, request.path, type(error).__name__)
        return render_template(
            "error.html",
            title="Something went wrong",
            message="The request failed on the server; it was logged. Try again, or go back "
            "to the queue.",
        ), 500

    @app.errorhandler(404)
    def missing(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", title="Not found", message=error.description), 404


def _return_to() -> str:
    """Where to go after signing in again: the page asked for, or for a form posted
    after the session ended, the page it was posted from (the case), never the POST-only
    URL itself."""
    if request.method == "GET":
        return request.path
    if request.endpoint == "decision" and request.view_args:
        return url_for("case", case_id=request.view_args["case_id"])
    return url_for("queue")


def requires(*roles: Role) -> Callable[[F], F]:
    """Only these roles may use the route (checked on the server, every request)."""

    def wrap(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or user.role not in roles:
                role = user.role.value if user else "nobody"
                why = f"the {role} role cannot do this"
                _refused("access", request.path, f"{request.method} {request.endpoint}", why)
                abort(403, why)
            return view(*args, **kwargs)

        return cast(F, checked)

    return wrap


EVERYONE = (Role.OFFICER, Role.SUPERVISOR, Role.ANALYST)


MAX_COUNT = 1_000_000_000  # far past any queue; keeps OFFSET within DuckDB's integers


def _count_arg(text: str, default: int) -> int:
    """A page number or queue position from the query string: ASCII digits only, at most
    ``MAX_COUNT``; anything else is ``default``."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_COUNT)):
        return default
    return min(int(text), MAX_COUNT)


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _audit(entity: str, key: str, action: str, before: object = None, after: object = None) -> None:
    user = current_user()
    s = store()
    with s.transaction():
        audit.record(s, user.username if user else "anonymous", entity, key, action, before, after)


def _refused(entity: str, key: str, attempted: str, why: str, **more: object) -> None:
    """One audit row for an action the app refused: who, what they tried, why not."""
    _audit(entity, key, "refused", None, {"attempted": attempted, "why": why, **more})


# ---- routes -----------------------------------------------------------------------------


def _routes(app: Flask) -> None:
    @app.get("/")
    def home() -> BaseResponse:
        return redirect(url_for("queue"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> BaseResponse | str:
        if request.method == "GET":
            return render_template("login.html")
        username = request.form.get("username", "").strip().lower()
        password = request.form.get("password", "")
        s = store()
        user = accounts.authenticate(s, username, password)
        # What was typed is kept only when it has a username's shape: a password typed
        # into the username box must not land in the audit, which analysts read.
        named = username if accounts.valid_username(username) else "(invalid)"
        with s.transaction():
            audit.record(s, named, "session", named, "signed in" if user else "sign-in refused")
        if user is None:
            flash("Wrong username or password, or the account is disabled.", "error")
            return render_template("login.html"), 401  # type: ignore[return-value]
        with s.transaction():
            nonce = accounts.new_session(s, user.username)
        session.clear()
        session["user"] = user.username
        session["nonce"] = nonce
        session["signed_in"] = session["seen"] = time.time()
        return redirect(same_site_path(request.args.get("next"), url_for("queue")))

    @app.post("/logout")
    def logout() -> BaseResponse:
        user = current_user()
        if user:
            s = store()
            with s.transaction():
                accounts.end_sessions(s, user.username)
                audit.record(s, user.username, "session", user.username, "signed out")
        session.clear()
        flash("Signed out.", "info")
        return redirect(url_for("login"))

    @app.get("/queue")
    @requires(*EVERYONE)
    def queue() -> str:
        filters = work_queue.Filters.from_args(request.args)
        number = _count_arg(request.args.get("page", ""), 1)
        page = work_queue.page(store(), filters, number)
        _audit("queue", "page", "viewed", None, {**filters.as_args(), "page": page.number})
        return render_template(
            "queue.html",
            page=page,
            filters=filters,
            regions=work_queue.regions(store()),
            bands=work_queue.BANDS,
            priorities=work_queue.PRIORITIES,
            states=list(work_queue.STATES),
            args=filters.as_args(),
            query=urlencode(filters.as_args()),
        )

    @app.get("/case/<case_id>")
    @requires(*EVERYONE)
    def case(case_id: str) -> str:
        s = store()
        found = casefile.load(s, case_id)
        if found is None:
            abort(404, f"{case_id} has no candidate or alert in the queue")
        filters = work_queue.Filters.from_args(request.args)
        pos = _count_arg(request.args.get("pos", ""), 0)
        before = work_queue.at_position(s, filters, pos - 1) if pos else None
        after = work_queue.at_position(s, filters, pos + 1) if pos else None
        _audit("case", case_id, "viewed", None, {"state": found.item["state"]})
        trail = audit.trail(s, case_id, limit=50)
        return render_template(
            "case.html",
            cf=found,
            approval=needs_approval(found.item["priority"], found.item["warrant_id"]),
            superseded=[
                p
                for p in work_queue.superseded_proposals(s, case_id)
                if (p["exit_source"], p["exit_record_id"])
                != (found.item["exit_source"], found.item["exit_record_id"])
            ],
            trail=trail,
            query=urlencode(filters.as_args()),
            pos=pos,
            prev_case=before["case_id"] if before else None,
            next_case=after["case_id"] if after else None,
            weights_svg=charts.weights(
                [
                    (f"{label} ({_short(level)})" if level else label, w)
                    for label, level, w in found.weights
                ],
                found.prior_weight,
                "Evidence weights",
            ),
            timeline_svg=charts.timeline(
                [(e.day, e.kind, e.label, e.chosen) for e in found.events], "Travel history"
            ),
            user=current_user(),
        )

    @app.post("/case/<case_id>/decision")
    @requires(Role.OFFICER, Role.SUPERVISOR)
    def decision(case_id: str) -> BaseResponse:
        user = current_user()
        assert user is not None
        try:
            action = Action(request.form.get("action", ""))
        except ValueError:
            abort(400)
        version = _count_arg(request.form.get("version", ""), -1)
        back = url_for("case", case_id=case_id) + "?" + request.form.get("back", "")
        pair = (request.form.get("exit_source", ""), request.form.get("exit_record_id", ""))
        try:
            outcome = decide(
                store(),
                user,
                case_id,
                action,
                version,
                request.form.get("reason", ""),
                request.form.get("note", ""),
                pair=pair,
            )
        except DecisionError as e:
            _refused(
                "review",
                case_id,
                action.value,
                str(e),
                version=version,
                exit_source=pair[0][:40],
                exit_record_id=pair[1][:40],
            )
            if isinstance(e, ForbiddenError):
                raise
            flash(str(e), "conflict" if isinstance(e, ConflictError) else "error")
            return redirect(back, 303)
        flash(outcome.message, "ok")
        return redirect(back, 303)

    @app.get("/dashboard")
    @requires(*EVERYONE)
    def dashboard_page() -> str:
        board = dashboard.build(store())
        _audit("dashboard", "-", "viewed")
        return render_template("dashboard.html", board=board)

    @app.get("/exports/<name>.csv")
    @requires(*EVERYONE)
    def export(name: str) -> Response:
        makers = {
            "warrant_cancellations": exports.warrant_cancellations,
            "decisions": exports.decisions,
        }
        if name not in makers:
            abort(404, f"no export {name}")
        text = makers[name](store())
        _audit("export", f"{name}.csv", "exported", None, {"rows": max(0, text.count("\n") - 1)})
        return Response(
            text,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    @app.get("/audit")
    @requires(Role.SUPERVISOR, Role.ANALYST)
    def audit_trail() -> str:
        key = request.args.get("key", "").strip()
        rows = audit.trail(store(), key or None, limit=300)
        _audit("audit", key or "-", "viewed")
        return render_template("audit.html", rows=rows, key=key)
