"""Socket.IO handlers of workshops: connect (authenticate, join rooms, send the state), disconnect, and the
facilitator's commands. Thin: they check who is asking and call `workshops.live` / `workshops.state`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_socketio import ConnectionRefusedError, emit, join_room

from accounts import operations as accounts
from accounts import sockets as login_sockets
from core import commands, refusals
from core.access import facilitates
from core.commands import Id, NotNull, command, parse
from core.identity import Identity, identify
from core.realtime import (
    ARRIVALS,
    error,
    facilitators_room,
    group_room,
    save_identity,
    socket_gone,
    socket_identity,
    socket_session,
    workshop_room,
)
from core.settings import settings
from core.unit_of_work import committed
from extensions import db, socketio
from ids import parse_id
from workshops import calls, live, presence, rooms, state
from workshops.models import Participant

log = logging.getLogger(__name__)


@command("console", error=live.CommandError, extra="ignore")
class ConsoleAuth:
    """A facilitator's `connect` auth: `{"role": "facilitator", "workshop_id"?}` (none: no workshop)."""

    workshop_id: Id | None = None


def _console_of(auth: Any) -> int | None:
    """The workshop whose rooms a facilitator's socket asks to join; a wrong one refuses the connection."""
    try:
        return parse(ConsoleAuth, auth).workshop_id if isinstance(auth, dict) else None
    except live.CommandError:
        raise ConnectionRefusedError("forbidden") from None


@commands.on("connect", ConsoleAuth, commands.Raw("{token} or cookies: who it is", "core.identity.identify"))
def on_connect(auth: Any = None) -> None:
    """Refuse sockets without a valid identity; put the others in their rooms and send them the state.

    Participants join their workshop's and group's rooms. Facilitators pass `{"role": "facilitator",
    "workshop_id": N}` and join that workshop's rooms when they run it. A connection the server cannot set
    up now (its database out of connections or away, Redis away) is refused `unavailable`, never left
    unanswered: the browser tries again a little later (static/src/retry.js).
    """
    try:
        with ARRIVALS.turn():
            identity = identify(auth if isinstance(auth, dict) else None)
            if identity is None:
                raise ConnectionRefusedError("unauthorized")
            rooms.follow(current_app._get_current_object())  # type: ignore[attr-defined]
            if identity.is_facilitator:
                _connect_facilitator(identity, auth)
            else:
                _connect_participant(identity)
        role = "facilitator" if identity.is_facilitator else "participant"
        log.debug("socket connected: %s %s", role, identity.id)
    except ConnectionRefusedError:
        raise
    except Exception:
        log.exception("socket connection refused as unavailable")
        raise ConnectionRefusedError("unavailable") from None
    finally:
        db.session.remove()


def _connect_facilitator(identity: Identity, auth: Any) -> None:
    login = accounts.find_session(session.get(accounts.SESSION_KEY), identity.id)
    if login is None:  # signed out (or in again) since the page loaded
        raise ConnectionRefusedError("unauthorized")
    workshop_id = _console_of(auth)
    if workshop_id is not None:
        if not facilitates(identity.id, workshop_id):
            raise ConnectionRefusedError("forbidden")
        join_room(workshop_room(workshop_id))
        join_room(facilitators_room(workshop_id))
    login_sockets.track(login.id, request.sid)  # closed when that browser signs out
    save_identity(identity, workshop_id=workshop_id, login=login.id)
    if workshop_id is not None:
        emit(state.EVENT, state.facilitator_state(workshop_id))
        emit(state.PRESENCE_EVENT, state.presence_payload(workshop_id))


def _connect_participant(identity: Identity) -> None:
    participant = db.session.get(Participant, identity.id)
    workshop_id, group_id = participant.workshop_id, participant.group_id
    first_state = state.participant_state(participant)
    # The connection goes back to the pool before Redis is asked: a crowd connecting at once must not hold
    # every connection of the pool while it waits on Redis (or on the loop).
    db.session.remove()
    cap = settings().sockets_per_participant
    if not presence.store().claim(request.sid, workshop_id, identity.id, cap):
        raise ConnectionRefusedError("too_many_sockets")
    try:
        join_room(workshop_room(workshop_id))
        join_room(group_room(group_id))
        save_identity(identity, workshop_id=workshop_id)
        emit(state.EVENT, first_state)
    except Exception:  # a refused socket gets no disconnect: give its place back
        presence.store().remove(request.sid)
        raise
    state.publish_presence(workshop_id, on_commit=False)


@commands.on("disconnect", commands.Raw("reason: the server's, not the client's", "none"))
def on_disconnect(reason: Any = None) -> None:
    """Forget the socket and tell the facilitators who is connected now."""
    try:
        with ARRIVALS.turn():
            _forget_socket()
    finally:
        db.session.remove()


def _forget_socket() -> None:
    socket_gone(request.sid)
    try:
        login = socket_session().get("login")
    except KeyError:  # the Engine.IO session is already gone (the client left as we closed it)
        login = None
    if isinstance(login, int):
        login_sockets.forget(login, request.sid)
    entry = presence.store().remove(request.sid)
    if entry is not None:
        state.publish_presence(entry.workshop_id, on_commit=False)


def _failed_publishes() -> int:
    """How many emits the message queue has failed to publish so far (0 without one)."""
    return getattr(socketio.server.manager, "failed_publishes", 0)


@commands.on("group:call", calls.Call)
def on_group_call(payload: Any = None) -> dict[str, Any]:
    """Call the facilitator for the sender's group (`workshops.calls`): `{"ok", "called_at"}` or an error."""
    try:
        with committed():
            called_at = calls.call(socket_identity(), payload, datetime.now(UTC))
        return {"ok": True, "called_at": state.iso(called_at)}
    except calls.CallError as refused:
        return {"ok": False, "error": refused.to_dict()}
    except Exception:
        log.exception("group:call %r failed", payload)
        return error("server_error", refusals.message("call", "server_error"))
    finally:
        db.session.remove()


@command("console", error=live.CommandError, extra="ignore", invalid="invalid.workshop")
class Addressed:
    """The workshop a console command is for: `workshop_id`, else the socket's (the command itself is
    `live.CONSOLE`, parsed once the sender is known to run the workshop)."""

    workshop_id: Annotated[Id | None, NotNull()] = None


def _workshop_of(payload: Any) -> int:
    """The workshop the command `payload` is for, or the `invalid` refusal that asks which."""
    named = parse(Addressed, payload).workshop_id if isinstance(payload, Mapping) else None
    workshop_id = named if named is not None else parse_id(socket_session().get("workshop_id"))
    if workshop_id is None:
        raise refusals.refusal(live.CommandError, "console", "invalid.workshop")
    return workshop_id


@commands.on("facilitator:command", Addressed, live.CONSOLE)
def on_facilitator_command(payload: Any = None) -> dict[str, Any]:
    """Apply `{"action", ...}` to the workshop (the socket's, or `workshop_id`) if the sender runs it."""
    try:
        identity = socket_identity()
        live_login = identity is not None and accounts.session_alive(socket_session().get("login"))
        if identity is None or not identity.is_facilitator or not live_login:
            return error("forbidden", refusals.message("console", "forbidden"))
        try:
            workshop_id = _workshop_of(payload)
            if not facilitates(identity.id, workshop_id):
                return error("forbidden", refusals.message("console", "forbidden"))
            failed_before = _failed_publishes()
            live.run_command(workshop_id, payload, by=identity.id)
        except live.CommandError as refused:
            return {"ok": False, "error": refused.to_dict()}
        except Exception:
            log.exception("facilitator:command %r failed", payload)
            return error("server_error", refusals.message("console", "server_error"))
        if _failed_publishes() > failed_before:  # Redis is away: only this worker's sockets heard it
            message = _(
                "Done, but not every participant could be told yet: they will see it as soon as the "
                "connection between the servers is back."
            )
            return {"ok": True, "partial": True, "message": message}
        return {"ok": True}
    finally:
        db.session.remove()
