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

gevent.config.track_greenlet_tree = False  # as websocket_worker.py does

SYNC, AWARENESS = 0, 1
STEP1, STEP2, UPDATE = 0, 1, 2
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


def _room(story_id: int) -> str:
    return f"story:{story_id}"


def _payload(data: bytes, start: int) -> bytes:
    """The varUint8Array at `start` (lib0: a varuint length, then the bytes)."""
    length = shift = 0
    while True:
        byte = data[start]
        start += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return data[start : start + length]


def _message(kind: int, payload: bytes) -> bytes:
    """A sync message of `kind` carrying `payload`."""
    length, head = len(payload), bytearray((SYNC, kind))
    while length >= 0x80:
        head.append(0x80 | (length & 0x7F))
        length >>= 7
    head.append(length)
    return bytes(head) + payload


@server.on("connect")
def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
    return True


@server.on("story:open")
def open_story(sid: str, payload: dict[str, Any]) -> dict[str, Any]:
    story_id = payload["story_id"]
    doc = documents.setdefault(story_id, Doc())
    server.enter_room(sid, _room(story_id))
    server.emit("yjs", (story_id, _message(STEP1, doc.get_state())), to=sid)
    return {"ok": True, "writable": True}


@server.on("yjs")
def yjs(sid: str, story_id: int, data: bytes) -> dict[str, Any]:
    doc = documents[story_id]
    if data[0] == SYNC and data[1] == STEP1:
        server.emit("yjs", (story_id, _message(STEP2, doc.get_update(_payload(data, 2)))), to=sid)
    elif data[0] == SYNC:
        update = _payload(data, 2)
        if update != b"\x00\x00":
            doc.apply_update(update)
            relay = data if data[1] == UPDATE else _message(UPDATE, update)
            server.emit("yjs", (story_id, relay), to=_room(story_id), skip_sid=sid)
    elif data[0] == AWARENESS:
        server.emit("yjs", (story_id, data), to=_room(story_id), skip_sid=sid)
    return OK


gc.collect()
gc.freeze()
gc.set_threshold(700, 10, 100)  # gunicorn.conf.py's GC_THRESHOLDS
