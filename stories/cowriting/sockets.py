"""Socket.IO handlers of story sync: `story:open`, `yjs`, `story:close` (thin: parse, call, emit after).

`story:open` and `story:close` go through Flask-SocketIO like every other event. `yjs` comes with every
keystroke and cursor move, so `register` puts it on the python-socketio server directly: it runs without
the request context that Flask-SocketIO builds for each event (which made p99 relay time at 100 writers
four times longer, `make bench`), and without an app context. A refusal is still worded in the socket's
language: its lazy message is read inside the socket's request context.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import emit, join_room, leave_room

import metrics
from core import audience, commands, rates, refusals, settings
from core.realtime import ARRIVALS, error, on_socket_gone, socket_identity, story_room
from extensions import socketio
from stories.cowriting import sync
from stories.cowriting.engine import engine, engine_of

NAMESPACE = "/"
log = logging.getLogger(__name__)


@commands.on("story:open", sync.OpenStory)
def on_open(payload: Any = None) -> dict[str, Any]:
    """Subscribe to a story: ack `{"ok", "writable"}`, then our sync step 1 (see docs/protocol.md).

    Each opening takes a token of the socket's `yjs` bucket: opening a story costs a few milliseconds, and a
    socket opening it over and over must not keep the sockets arriving after it waiting in line."""
    if not _bucket_of(current_app).take(request.sid):  # type: ignore[attr-defined]
        metrics.refused("rate_limited")
        return error("rate_limited", RATE_LIMITED)
    try:
        with ARRIVALS.turn():
            opened = sync.open_story(socket_identity(), request.sid, payload)  # type: ignore[attr-defined]
    except sync.SyncError as refused:
        return error(refused.code, refused.message)
    except Exception:
        log.exception("story:open %r from socket %s failed", payload, request.sid)  # type: ignore[attr-defined]
        return error("unavailable", sync.refusal("unavailable").message)
    join_room(story_room(opened.story_id))
    audience.join(request.sid, socket_identity(), opened.story_id)  # type: ignore[attr-defined]
    emit("yjs", (opened.story_id, opened.step1))
    if opened.cursors is not None:
        emit("yjs", (opened.story_id, opened.cursors))
    return sync.ok(writable=opened.writable)


@commands.on("story:close", sync.CloseStory)
def on_close(payload: Any = None) -> dict[str, Any]:
    """Unsubscribe from a story; the others see this socket's cursors go."""
    try:
        story_id, removal = sync.close_story(request.sid, payload)  # type: ignore[attr-defined]
    except sync.SyncError as refused:
        return error(refused.code, refused.message)
    leave_room(story_room(story_id))
    audience.leave(request.sid, story_id)  # type: ignore[attr-defined]
    if removal is not None:
        socketio.emit("yjs", (story_id, removal), to=story_room(story_id))
    return sync.ok()


commands.declare("yjs", commands.Raw("(story_id, bytes): a y-protocols message", "sync.receive"))


def register(app: Flask) -> None:
    """Handle `yjs` on the app's Socket.IO server (call after `socketio.init_app`)."""
    socketio.server.on("yjs", on_yjs, namespace=NAMESPACE)


@on_socket_gone
def _forget(sid: str) -> None:
    """A socket went away: its cursors leave every story it had open, at once."""
    engine().drop_socket(sid)
    if _buckets:
        _buckets[0].forget(sid)


RATE_LIMITED = refusals.message("story", "rate_limited")
_buckets: list[rates.Buckets] = []  # this process's, made from the app's PLUME_SOCKET_BURST at first use


def _bucket_of(app: Flask) -> rates.Buckets:
    if not _buckets:
        burst, per_second = settings.of(app).socket_burst
        _buckets.append(rates.Buckets(burst, per_second))
    return _buckets[0]


def on_yjs(sid: str, *args: Any) -> dict[str, Any]:
    """One y-protocols message `(story_id, bytes)`; the ack of an update comes once it is stored.

    No app context is pushed (`sync.receive` says why); a refusal is worded in the socket's request context.
    """
    environ = socketio.server.get_environ(sid, namespace=NAMESPACE)
    if not environ:  # a socket that is already gone
        return {"ok": False, "error": {"code": "invalid", "message": "unknown socket"}}
    app: Flask = environ["flask.app"]
    if not _bucket_of(app).take(sid):  # a flood: refused at once, before any work
        metrics.refused("rate_limited")
        with app.request_context(environ):
            return error("rate_limited", RATE_LIMITED)
    try:
        if len(args) != 2:
            raise sync.refusal("invalid")
        story_id = sync.parse_story_id(args[0])
        reply = sync.receive(engine_of(app), socket_identity(sid), sid, story_id, args[1])
    except sync.SyncError as refused:
        metrics.refused(refused.code)
        with app.request_context(environ):  # the socket's language (its cookie, Accept-Language)
            return error(refused.code, refused.message)
    except Exception:
        log.exception("yjs message from socket %s failed", sid)
        metrics.refused("unavailable")
        with app.request_context(environ):
            return error("unavailable", sync.refusal("unavailable").message)
    for message in reply.to_sender:
        socketio.server.emit("yjs", (story_id, message), to=sid, namespace=NAMESPACE)
    if reply.relay is not None:
        socketio.server.emit(
            "yjs", (story_id, reply.relay), to=story_room(story_id), skip_sid=reply.skip, namespace=NAMESPACE
        )
        metrics.relayed()
    return sync.ok()
