"""WebSocket frames written in batches under gevent: a relay framed once for all its recipients, and every
frame waiting for a socket written with one send.

python-socketio encodes a message sent to a room once and puts the same Engine.IO packet in the queue of each
recipient. Each socket's writer greenlet (python-engineio, `Socket._websocket_handler`) then takes every
packet waiting (`Socket.poll`) and writes each as its own frame: gevent-websocket builds the header in
Python, copies header and payload together, and calls `sendall`, once per packet and per recipient. In the
profile of 200 writers (py-spy), that was a third of the worker's time. Here, installed on the Engine.IO
server by `install`:

- a packet's frame (header + payload) is built once and kept on the packet, which every recipient shares;
- a socket's writer, once woken, gets its waiting packets as one `Batch`, whose frames go out in one
  `send` (`FramingWebSocket.send`, `write_all`): nothing waits for more to come, a batch is only what was
  queued; and it waits for them without arming a timer (`poll_batched`);
- a received frame is unmasked with one integer XOR instead of gevent-websocket's byte-by-byte loop.

Only a socket upgraded to WebSocket gets batches: the long-polling transport polls its own packets.
"""

from __future__ import annotations

import struct
from functools import partial
from typing import Any

OPCODE_TEXT, OPCODE_BINARY = 0x1, 0x2
_FRAME = "_plume_frame"  # where a packet keeps its frame


class Frames(bytes):
    """Complete WebSocket frames, written as they are."""


def header(opcode: int, length: int) -> bytes:
    """The header of an unmasked, final frame of `length` payload bytes (RFC 6455, 5.2)."""
    first = 0x80 | opcode
    if length < 126:
        return bytes((first, length))
    if length <= 0xFFFF:
        return struct.pack("!BBH", first, 126, length)
    return struct.pack("!BBQ", first, 127, length)


def frame(packet: Any) -> bytes:
    """The packet's WebSocket frame, built on first use and kept on the packet (a relay's recipients share
    one packet, so they share its frame)."""
    cached = getattr(packet, _FRAME, None)
    if cached is None:
        data = packet.encode()
        if isinstance(data, str):
            payload, opcode = data.encode("utf-8"), OPCODE_TEXT
        else:
            payload, opcode = bytes(data), OPCODE_BINARY
        cached = header(opcode, len(payload)) + payload
        setattr(packet, _FRAME, cached)
    return cached


class Batch:
    """The packets a writer took in one wake-up, seen by it as one packet whose encoding is their frames."""

    __slots__ = ("packets",)

    def __init__(self, packets: list[Any]) -> None:
        self.packets = packets

    def encode(self) -> Frames:
        packets = self.packets
        if len(packets) == 1:
            return Frames(frame(packets[0]))
        return Frames(b"".join([frame(packet) for packet in packets]))


def poll_batched(eio_socket: Any) -> list[Any]:
    """`Socket.poll`, with what a WebSocket writer gets as one `Batch` ([] still means: closed).

    An upgraded socket's writer waits for its first packet without a timer: `Socket.poll` arms one (the ping
    interval plus its timeout) on every wait, which at 200 writers was a thirtieth of the worker's time
    (a gevent `Timeout` made, started and cancelled for each wake-up). It needs none: engine.io puts `None`
    in the queue whenever the socket closes (`Socket.close`, which a missed ping calls too, and the end of
    `_websocket_handler`), and the server pings every socket within the interval. As in `Socket.poll`, each
    packet taken is marked done (`Socket.close` joins the queue) and `None` ends the writer.
    """
    if not eio_socket.upgraded:  # long-polling: its GET must time out
        return type(eio_socket).poll(eio_socket)
    waiting = eio_socket.queue
    first = waiting.get()
    waiting.task_done()
    if first is None:
        return []
    packets = [first]
    while waiting.qsize():
        packet = waiting.get_nowait()
        waiting.task_done()
        if packet is None:  # closing: write what came before, then stop at the next poll
            waiting.put(None)
            break
        packets.append(packet)
    return [Batch(packets)]


def write_all(sock: Any, data: bytes) -> None:
    """`sock.sendall(data)`, mostly as one `send`: frames are small and the kernel's buffer takes them whole,
    while gevent's `sendall` asks the socket its buffer size (a system call) on every write."""
    sent = sock.send(data)
    if sent < len(data):
        sock.sendall(memoryview(data)[sent:])


def unmask(payload: bytes | bytearray, mask: bytes | bytearray) -> bytearray:
    """The payload XOR the 4-byte mask repeated (RFC 6455, 5.3), as one big-integer XOR."""
    length = len(payload)
    if not length:
        return bytearray()
    key = (bytes(mask) * (length // 4 + 1))[:length]
    mixed = int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")
    return bytearray(mixed.to_bytes(length, "little"))


def _unmask_header(self: Any, payload: bytes | bytearray) -> bytearray:
    """gevent-websocket's `Header.mask_payload` (its payload is the frame's, `self.length` bytes)."""
    return unmask(payload, self.mask)


def install(eio_server: Any) -> bool:
    """Write this Engine.IO server's WebSocket frames in batches (gevent with gevent-websocket only)."""
    if eio_server.async_mode != "gevent":
        return False
    from engineio.async_drivers import gevent as driver

    if getattr(driver, "SimpleWebSocketWSGI", None) is not None:
        return False  # simple-websocket, not gevent-websocket: its own writes stay
    from geventwebsocket.exceptions import WebSocketError
    from geventwebsocket.websocket import Header

    class FramingWebSocket(driver.WebSocketWSGI):  # type: ignore[misc, name-defined]
        """engine.io's gevent-websocket wrapper, whose socket's writer gets batches it writes at once."""

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            eio_socket = getattr(self.app, "__self__", None)  # the handler is the socket's bound method
            if eio_socket is not None:
                eio_socket.poll = partial(poll_batched, eio_socket)
            return super().__call__(environ, start_response)

        def send(self, message: Any) -> None:
            if not isinstance(message, Frames):
                return super().send(message)
            ws = self._sock
            if ws.closed:
                raise WebSocketError("socket is already closed")
            try:
                write_all(ws.handler.socket, message)
            except (OSError, AttributeError) as failure:  # AttributeError: the handler let go of its socket
                raise WebSocketError("socket is dead") from failure
            return None

    Header.mask_payload = Header.unmask_payload = _unmask_header
    eio_server._async = {**eio_server._async, "websocket": FramingWebSocket}  # this server only
    return True
