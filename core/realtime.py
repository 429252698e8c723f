"""Socket.IO plumbing shared by every feature: room names, the socket's identity, error acks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, request

from concurrency import Turnstile
from core.identity import Identity
from extensions import socketio

SOCKET_PATH = "/socket.io/"  # Flask-SocketIO's default path, which Plume keeps

# A socket's arrival, its story's opening and its departure are paced (`concurrency.Turnstile`): a crowd of
# them, as after a restart, must not hold the event loop that relays everyone's keystrokes.
ARRIVALS = Turnstile()


def route_socket_path(app: Flask) -> None:
    """Give the Socket.IO path a URL rule of its own, so that a socket event's request context matches it.

    Flask-SocketIO pushes a request context, from the socket's handshake environ, for every event but `yjs`
    and for each connection. With no rule for its path, matching the URL raised `NotFound` each time, and
    the exception's traceback tied the context into a cycle of 47 objects that only a full garbage
    collection frees: a connection storm left tens of thousands for one pass to walk. The Socket.IO server
    answers that path before Flask does, so the views never run (they would answer 404). Two rules: werkzeug
    matches a WebSocket handshake only against a WebSocket rule (else `WebsocketMismatch`), and the polling
    transport's requests only against a plain one.
    """
    for websocket in (False, True):
        endpoint = "socketio_websocket" if websocket else "socketio"
        app.add_url_rule(
            SOCKET_PATH,
            endpoint,
            _never,
            provide_automatic_options=False,
            strict_slashes=False,
            websocket=websocket,
        )


def _never() -> Any:
    """What Flask would answer on the Socket.IO path, which the Socket.IO server answers first."""
    abort(404)


def workshop_room(workshop_id: int) -> str:
    return f"workshop:{workshop_id}"


def group_room(group_id: int) -> str:
    return f"group:{group_id}"


def facilitators_room(workshop_id: int) -> str:
    return f"facilitators:{workshop_id}"


def story_room(story_id: int) -> str:
    return f"story:{story_id}"


def save_identity(identity: Identity, **extra: Any) -> None:
    """Remember who holds this socket (for every later event on it)."""
    sid = request.sid  # type: ignore[attr-defined]  # Flask-SocketIO's, on the request of an event
    socketio.server.save_session(sid, {"kind": identity.kind, "id": identity.id, **extra})


def socket_session(sid: str | None = None) -> dict[str, Any]:
    """What `save_identity` kept for socket `sid` (by default, the socket of the event being handled)."""
    found: dict[str, Any] | None = socketio.server.get_session(sid or request.sid)  # type: ignore[attr-defined]
    return found or {}


def socket_identity(sid: str | None = None) -> Identity | None:
    """Who holds socket `sid` (by default, the socket of the event being handled), or None."""
    data = socket_session(sid)
    if data.get("kind") in ("participant", "facilitator") and isinstance(data.get("id"), int):
        return Identity(data["kind"], data["id"])
    return None


def error(code: str, message: object) -> dict[str, Any]:
    """The ack every refused socket event gets: `{"ok": false, "error": {"code", "message"}}`."""
    return {"ok": False, "error": {"code": code, "message": str(message)}}


_gone_hooks: list[Callable[[str], None]] = []


def on_socket_gone(hook: Callable[[str], None]) -> Callable[[str], None]:
    """Register `hook(sid)` to run when a socket disconnects (in the disconnect handler's context)."""
    _gone_hooks.append(hook)
    return hook


def socket_gone(sid: str) -> None:
    """Run the disconnect hooks of every feature for socket `sid`."""
    for hook in _gone_hooks:
        hook(sid)


def audience_room(story_id: int, group_id: int | None) -> str:
    """The sockets of `story_id` held by group `group_id`'s participants (None: by facilitators).

    Events whose audience is narrower than the story's room (comments) go to these rooms, so that every
    worker's Socket.IO manager hands them only to the sockets that may see them.
    """
    return f"{story_room(story_id)}:{'facilitators' if group_id is None else f'group:{group_id}'}"


def is_audience_room(room: object, story_id: int | None = None) -> bool:
    """Whether `room` is an `audience_room` (of `story_id`, when given)."""
    prefix = f"{story_room(story_id)}:" if story_id is not None else "story:"
    return isinstance(room, str) and room.startswith(prefix) and room.count(":") >= 2
