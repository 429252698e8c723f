"""`overview:join` and `vote:join`: an organiser's page asks to follow its consultation live (the overview
of its workshops, or its vote's results).

Thin, and one for both (:func:`join_as_organiser`): who asks (a facilitator with a live login, connected
without a workshop), the command, the check that they organise the consultation
(`consultations.operations.consultation_for`), then the socket joins the view's room and the ack carries
its whole snapshot (`consultations.overview`, `consultations.vote_live`). Anyone else gets an error ack and
joins nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask_socketio import join_room

from accounts import operations as accounts
from consultations import operations as ops
from consultations import overview, vote_live
from core import commands, refusals
from core.commands import Id, command, parse
from core.realtime import error, socket_identity, socket_session
from errors import RefusedError
from extensions import db

log = logging.getLogger(__name__)


class OverviewError(RefusedError):
    """A refused `overview:join`: `code` for programs (docs/protocol.md), `message` translated for people."""


class VoteJoinError(RefusedError):
    """A refused `vote:join`: `code` for programs (docs/protocol.md), `message` translated for people."""


@command("overview", error=OverviewError)
class Join:
    """`overview:join`: `{"consultation_id"}`."""

    consultation_id: Id


@command("vote_live", error=VoteJoinError)
class VoteJoin:
    """`vote:join`: `{"consultation_id"}`."""

    consultation_id: Id


def join_as_organiser(
    payload: Any,
    asked_as: type[Join] | type[VoteJoin],
    scope: str,
    room: Callable[[int], str],
    snapshot: Callable[[int, set[int]], dict[str, Any]],
) -> dict[str, Any]:
    """Join `room(consultation id)` and answer `{"ok": true, **snapshot(consultation id, runs)}` when the
    socket's facilitator organises the consultation (`runs`: its workshops they run); else an error ack of
    `scope` (refusals), and no room."""
    forbidden = error("forbidden", refusals.message(scope, "forbidden"))
    try:
        identity = socket_identity()
        if identity is None or not identity.is_facilitator:
            return forbidden
        if not accounts.session_alive(socket_session().get("login")):
            return forbidden
        try:
            asked = parse(asked_as, payload)
        except RefusedError as refused:
            return {"ok": False, "error": refused.to_dict()}
        consultation = ops.consultation_for(identity.id, asked.consultation_id)
        if consultation is None:  # not an organiser, or no such consultation: the same answer
            return forbidden
        runs = ops.run_by(identity.id, ops.workshops_in(consultation))
        consultation_id = consultation.id
        db.session.rollback()  # joining waits for the other workers: no transaction meanwhile
        join_room(room(consultation_id))  # first: no change falls between snapshot and join
        return {"ok": True, **snapshot(consultation_id, runs)}
    except Exception:
        log.exception("%s join %r failed", scope, payload)
        return error("server_error", refusals.message(scope, "server_error"))
    finally:
        db.session.remove()


@commands.on("overview:join", Join)
def on_overview_join(payload: Any = None) -> dict[str, Any]:
    """Join the consultation's overview room: `{"ok": true, "overview": {...}}`, or an error ack."""
    return join_as_organiser(
        payload,
        Join,
        "overview",
        overview.overview_room,
        lambda consultation_id, runs: {"overview": overview.snapshot(consultation_id, runs=runs)},
    )


@commands.on("vote:join", VoteJoin)
def on_vote_join(payload: Any = None) -> dict[str, Any]:
    """Join the consultation's vote room: `{"ok": true, "results": {...} | null}`, or an error ack."""
    return join_as_organiser(
        payload,
        VoteJoin,
        "vote_live",
        vote_live.vote_room,
        lambda consultation_id, _runs: {"results": vote_live.snapshot(consultation_id)},
    )
