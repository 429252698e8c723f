"""Socket.IO handlers of story sync: `story:open`, `yjs`, `story:close` (thin: parse, call, emit after)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import emit, join_room, leave_room

from extensions import socketio
from stories import atomic_packets, sync
from workshops.realtime import error, socket_identity, story_room

atomic_packets.install()


@socketio.on("story:open")
def on_open(payload: Any = None) -> dict[str, Any]:
    """Subscribe to a story: ack `{"ok", "writable"}`, then our sync step 1 (see docs/protocol.md)."""
    try:
        opened = sync.open_story(socket_identity(), request.sid, payload)
    except sync.SyncError as refused:
        return error(refused.code, refused.message)
    join_room(story_room(opened.story_id))
    emit("yjs", (opened.story_id, opened.step1))
    return sync.ok(writable=opened.writable)


@socketio.on("yjs")
def on_yjs(*args: Any) -> dict[str, Any]:
    """One y-protocols message `(story_id, bytes)`; the ack of an update comes once it is stored."""
    try:
        if len(args) != 2:
            raise sync.refusal("invalid")
        story_id = sync.parse_story_id(args[0])
        reply = sync.receive(socket_identity(), request.sid, story_id, args[1])
    except sync.SyncError as refused:
        return error(refused.code, refused.message)
    for message in reply.to_sender:
        emit("yjs", (story_id, message))
    if reply.relay is not None:
        socketio.emit("yjs", (story_id, reply.relay), to=story_room(story_id), skip_sid=request.sid)
    return sync.ok()


@socketio.on("story:close")
def on_close(payload: Any = None) -> dict[str, Any]:
    """Unsubscribe from a story; the others see this socket's cursors go."""
    try:
        story_id, removal = sync.close_story(request.sid, payload)
    except sync.SyncError as refused:
        return error(refused.code, refused.message)
    leave_room(story_room(story_id))
    if removal is not None:
        socketio.emit("yjs", (story_id, removal), to=story_room(story_id))
    return sync.ok()
