"""`overview:join`: an organiser's overview page asks to follow its consultation live.

Thin: who asks (a facilitator with a live login, connected without a workshop), the command, the check that
they organise the consultation (`consultations.operations.organises`), then the socket joins the
consultation's overview room and the ack carries the whole snapshot (`consultations.overview`). Anyone else
gets an error ack and joins nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from flask_socketio import join_room

from accounts import operations as accounts
from consultations import operations as ops
from consultations import overview
from core import commands, refusals
from core.commands import Id, command, parse
from core.realtime import error, socket_identity, socket_session
from errors import RefusedError
from extensions import db

log = logging.getLogger(__name__)


class OverviewError(RefusedError):
    """A refused `overview:join`: `code` for programs (docs/protocol.md), `message` translated for people."""


@command("overview", error=OverviewError)
class Join:
    """`overview:join`: `{"consultation_id"}`."""

    consultation_id: Id


def _forbidden() -> dict[str, Any]:
    return error("forbidden", refusals.message("overview", "forbidden"))


@commands.on("overview:join", Join)
def on_overview_join(payload: Any = None) -> dict[str, Any]:
    """Join the consultation's overview room: `{"ok": true, "overview": {...}}`, or an error ack."""
    try:
        identity = socket_identity()
        if identity is None or not identity.is_facilitator:
            return _forbidden()
        if not accounts.session_alive(socket_session().get("login")):
            return _forbidden()
        try:
            asked = parse(Join, payload)
        except OverviewError as refused:
            return {"ok": False, "error": refused.to_dict()}
        consultation = ops.consultation_for(identity.id, asked.consultation_id)
        if consultation is None:  # not an organiser, or no such consultation: the same answer
            return _forbidden()
        workshops = ops.workshops_in(consultation)
        runs = ops.run_by(identity.id, workshops)
        consultation_id = consultation.id
        db.session.rollback()  # joining waits for the other workers: no transaction meanwhile
        join_room(overview.overview_room(consultation_id))  # first: no change falls between snapshot and join
        return {"ok": True, "overview": overview.snapshot(consultation_id, runs=runs)}
    except Exception:
        log.exception("overview:join %r failed", payload)
        return error("server_error", refusals.message("overview", "server_error"))
    finally:
        db.session.remove()
