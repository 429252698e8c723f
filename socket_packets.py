"""Socket.IO packets as MessagePack, also as the standard JavaScript parser writes and reads them.

python-socketio's `MsgPackPacket` (what `serializer="msgpack"` means), with two changes so that npm's
`socket.io-msgpack-parser` (which encodes with notepack.io) talks to Plume as Plume's own parser does
(`static/src/socket-parser.js`; docs/protocol.md, "Encoding"):

- notepack writes an `ArrayBuffer` or a `Uint8Array` that is not a Node `Buffer` as a msgpack extension of
  type 0 holding the bytes, and `undefined` as the one-byte extension of type 0 holding 0x00: they are read
  as bytes and as nil. Any other extension stays a `msgpack.ExtType`, which every handler refuses as
  malformed.
- A packet without a payload (the server's disconnect) is written without `data`, not with `data: nil`,
  which that parser refuses by throwing.
"""

from __future__ import annotations

from typing import Any

import msgpack
from socketio.msgpack_packet import MsgPackPacket

NOTEPACK_BINARY = 0  # notepack.io's extension type for an ArrayBuffer (and, one byte 0x00, for undefined)
NOTEPACK_UNDEFINED = b"\x00"


def read_extension(code: int, data: bytes) -> Any:
    """A msgpack extension as notepack.io means it: bytes, or nil for its `undefined`."""
    if code != NOTEPACK_BINARY:
        return msgpack.ExtType(code, data)
    return None if data == NOTEPACK_UNDEFINED else data


class PlumePacket(MsgPackPacket):
    ext_hook = staticmethod(read_extension)

    def encode(self) -> bytes:
        """The packet's map, without `data` when there is none."""
        packet = self._to_dict()
        if packet["data"] is None:
            del packet["data"]
        return msgpack.dumps(packet)
