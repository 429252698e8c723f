"""Site-wide pages: home, language switch, liveness and readiness checks, error pages."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

import health
import privacy
from accounts.safety import safe_next
from core.rendering import render_markdown
from extensions import db, limiter
from version import VERSION

log = logging.getLogger(__name__)
bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    return render_template("home.html")


@bp.get("/privacy")
def privacy_page() -> str:
    """What Plume keeps about people, why, for how long, who to ask, and what it keeps in the browser."""
    language = str(get_locale())
    return render_template(
        "privacy.html",
        text=render_markdown(privacy.text(language)),
        stored=privacy.in_browser(),
    )


@bp.post("/lang")
def set_language() -> Any:
    """Remember the language the visitor chose, then go back where they were."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        session["lang_chosen"] = True  # a workshop's language no longer overrides this choice
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
@limiter.exempt
def liveness() -> Any:
    """The process answers (nothing else is checked: see `health`), and which release it runs."""
    return jsonify(status="ok", version=VERSION)


@bp.get("/readyz")
@limiter.exempt
def readiness() -> Any:
    """200 `{"ok": true, "checks": {...}}` when the database (and Redis) answer, else 503 saying which not."""
    checks = health.readiness()
    ready = all(state == "ok" for state in checks.values())
    return jsonify(ok=ready, checks=checks), 200 if ready else 503


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def register_error_handlers(app: Flask) -> None:
    """HTML error pages for people, `{"error": {"code", "message"}}` for API clients."""
    messages = {
        400: lambda: _("The request could not be understood."),
        403: lambda: _("You are not allowed to do that."),
        404: lambda: _("This page does not exist, or is not public."),
        405: lambda: _("This method is not allowed here."),
        413: lambda: _("What you sent is too large."),
        429: lambda: _("Too many attempts. Please wait a moment and try again."),
        500: lambda: _("Something went wrong on our side. Please try again."),
    }

    def handle(error: HTTPException) -> Any:
        status = error.code or 500
        message = messages.get(status, messages[500])()
        if getattr(error, "description", None) and status == 400 and "CSRF" in str(error.description):
            message = _("Your form expired. Please reload the page and try again.")
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            return jsonify(error={"code": code, "message": message}), status
        return render_template("error.html", status=status, message=message), status

    for status in messages:
        app.register_error_handler(status, handle)

    from core.budget import OverBudgetError

    def over_budget(error: OverBudgetError) -> Any:
        """Work cut at its budget, or no slot free: 503, with the reason (docs/protocol.md)."""
        if wants_json():
            return jsonify(error=error.to_dict()), 503
        return render_template("error.html", status=503, message=str(error.message)), 503

    app.register_error_handler(OverBudgetError, over_budget)
    for kind in DATABASE_AWAY:
        app.register_error_handler(kind, database_away)
    app.teardown_appcontext(_end_session)  # runs before Flask-SQLAlchemy's (teardowns run in reverse)


def _end_session(_error: BaseException | None) -> None:
    """End the request's session, even on a connection the database closed (restarted, killed): its
    rollback fails, and Flask-SQLAlchemy's own teardown would raise after the answer was made (a 500)."""
    try:
        db.session.remove()
    except Exception as exc:
        log.warning("the database connection was lost at the end of a request: %s", exc)
        db.session.registry.clear()


#: Down, restarted, locked (SQLite), pool full; or a transaction the database's loss invalidated earlier in
#: the request (a query that failed and was logged, then the commit: `PendingRollbackError`).
DATABASE_AWAY = (OperationalError, InterfaceError, PoolTimeout, PendingRollbackError)
RETRY_AFTER_SECONDS = 5


def database_away(error: Exception) -> Any:
    """The database did not answer (restarted, locked, out of connections): 503 and `Retry-After`."""
    log.warning("database unavailable for %s %s: %s", request.method, request.path, error)
    try:
        db.session.rollback()
    except Exception:
        log.debug("rollback after a database error failed", exc_info=True)
    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        return jsonify(error={"code": "unavailable", "message": message}), 503, headers
    try:
        return render_template("error.html", status=503, message=message), 503, headers
    except Exception:  # the page itself needs the database (the signed-in user): plain text
        return message + "\n", 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
