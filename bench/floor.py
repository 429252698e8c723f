"""The floor: Plume's own stack doing what Hocuspocus in memory does, and nothing more.

One gunicorn worker as Plume runs it (gevent-websocket, `websocket_worker.Worker`, the garbage collector set
as `gunicorn.conf.py` sets it), python-socketio with Plume's MessagePack packets and its batched frames
(`socket_frames`), and Plume's protocol (docs/protocol.md) as the load generator speaks it: `story:open`,
then `yjs` messages, each update applied to the story's pycrdt document in memory, relayed to the others
and acked. No database, no sign-in, no access checks, no rate limits, no cursor pacing (every awareness
message is relayed, as Hocuspocus relays them), no metrics.

What Plume spends per update beyond this floor is its own work (storing before the ack, checking who may
write, the CRDT rules); what the floor spends beyond Hocuspocus is the stack's. `make bench` runs it when
`--targets` names it (`floor`), as:

    gunicorn --worker-class websocket_worker.Worker bench.floor:app
"""

from __future__ import annotations

import gc
from typing import Any

import gevent
import socketio
from pycrdt import Doc

import socket_frames
import socket_packets
from core.realtime import story_room
from stories.cowriting import crdt

gevent.config.track_greenlet_tree = False  # as websocket_worker.py does

OK = {"ok": True}

server = socketio.Server(
    async_mode="gevent",
    serializer=socket_packets.PlumePacket,
    async_handlers=False,
    max_http_buffer_size=1024 * 1024,
)
socket_frames.install(server.eio)
app = socketio.WSGIApp(server)
documents: dict[int, Doc[Any]] = {}


@server.on("connect")
def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
    return True


@server.on("story:open")
def open_story(sid: str, payload: dict[str, Any]) -> dict[str, Any]:
    story_id = payload["story_id"]
    doc = documents.setdefault(story_id, Doc())
    server.enter_room(sid, story_room(story_id))
    server.emit("yjs", (story_id, crdt.sync_step1(doc.get_state())), to=sid)
    return {"ok": True, "writable": True}


@server.on("yjs")
def yjs(sid: str, story_id: int, data: bytes) -> dict[str, Any]:
    """Plume's messages, read as Plume reads them (`crdt.parse_message`), without its checks."""
    doc, message = documents[story_id], crdt.parse_message(data)
    if message.kind is crdt.Kind.SYNC_STEP1:
        server.emit("yjs", (story_id, crdt.sync_step2(doc.get_update(message.payload))), to=sid)
    elif message.is_update and message.payload != crdt.EMPTY_UPDATE:
        doc.apply_update(message.payload)
        relay = data if message.kind is crdt.Kind.SYNC_UPDATE else crdt.update_message(message.payload)
        server.emit("yjs", (story_id, relay), to=story_room(story_id), skip_sid=sid)
    elif message.kind is crdt.Kind.AWARENESS:
        server.emit("yjs", (story_id, data), to=story_room(story_id), skip_sid=sid)
    return OK


gc.collect()
gc.freeze()
gc.set_threshold(700, 10, 100)  # gunicorn.conf.py's GC_THRESHOLDS
