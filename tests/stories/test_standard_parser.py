"""npm's standard MessagePack parser for Socket.IO (`socket.io-msgpack-parser`, on notepack.io) talks to
Plume: a Node client on it opens a story, syncs, writes and is acknowledged, as docs/protocol.md promises
of "any Socket.IO client" (see socket_packets.py for what that parser writes differently)."""

from __future__ import annotations

import json
import shutil
import subprocess

import msgpack
import pytest
from flask import Flask

from socket_packets import PlumePacket
from stories.cowriting import persistence
from tests import factories
from tests.server import ServerProcess
from tests.stories.clients import ROOT, example_module, wait_until

pytestmark = pytest.mark.slow
NODE = shutil.which("node")
CLIENT = ROOT / "tests" / "stories" / "standard_parser_client.mjs"
needs_node = pytest.mark.skipif(
    NODE is None or not (ROOT / "node_modules" / "socket.io-msgpack-parser").is_dir(),
    reason="needs node and `npm ci` (socket.io-msgpack-parser is a devDependency)",
)


def node(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(NODE), "--input-type=module", "-e", script] if script else [str(NODE), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


@needs_node
def test_a_client_on_the_standard_parser_writes_and_is_acknowledged(
    app: Flask, app_ctx: Flask, live_server: ServerProcess
) -> None:
    group = factories.workshop(groups=1).groups[0]
    token = factories.participant(group, "Node")[1]
    story_id = factories.story_of(group).id
    text = "Écrit par un client Node ✍️ "

    done = node(str(CLIENT), live_server.url, token, str(story_id), text)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["open"] == {"ok": True, "writable": True}
    assert result["ack"] == {"ok": True}  # the Uint8Array, sent as notepack's extension, was read
    assert result["text"] == text
    assert result["disconnect"] == "io client disconnect"

    def stored() -> str:
        from extensions import db

        db.session.rollback()
        return persistence.load_text(story_id)

    assert wait_until(lambda: stored() == text)
    reader = example_module().StoryClient(live_server.url, token, story_id)
    try:
        assert reader.synced.wait(5)
        assert wait_until(lambda: reader.text_now() == text)
    finally:
        reader.close()


@needs_node
def test_the_standard_parser_reads_what_the_server_sends() -> None:
    """The server's disconnect (no payload), an event with bytes and an ack, through that parser's Decoder."""
    packets = [
        PlumePacket(packet_type=1, namespace="/"),  # DISCONNECT
        PlumePacket(packet_type=2, namespace="/", data=["yjs", 7, b"\x00\x02\x01\x00"]),
        PlumePacket(packet_type=3, namespace="/", data=[{"ok": True}], id=4),
    ]
    encoded = json.dumps([packet.encode().hex() for packet in packets])
    script = f"""
        import parser from 'socket.io-msgpack-parser'
        const out = []
        for (const hex of {encoded}) {{
          const decoder = new parser.Decoder()
          decoder.on('decoded', (packet) => out.push(packet))
          decoder.add(Buffer.from(hex, 'hex'))  // throws on a packet it refuses
        }}
        console.log(JSON.stringify(out.map((p) => [p.type, 'data' in p, JSON.stringify(p.data)])))
    """
    done = node(script=script)
    assert done.returncode == 0, done.stderr
    decoded = json.loads(done.stdout)
    assert decoded[0] == [1, False, None]
    assert decoded[1][0] == 2
    assert json.loads(decoded[1][2])[2] == {"type": "Buffer", "data": [0, 2, 1, 0]}
    assert decoded[2] == [3, True, '[{"ok":true}]']


def test_notepack_extensions_are_read_as_bytes_and_nil_and_others_stay_refused() -> None:
    def decoded(data: list) -> list:
        packet = PlumePacket(encoded_packet=msgpack.packb({"type": 2, "nsp": "/", "data": data}))
        return packet.data

    binary, undefined, other = (
        msgpack.ExtType(0, b"\x00\x02\x01"),
        msgpack.ExtType(0, b"\x00"),
        msgpack.ExtType(5, b"x"),
    )
    assert decoded(["yjs", 1, binary]) == ["yjs", 1, b"\x00\x02\x01"]
    assert decoded(["story:open", undefined]) == ["story:open", None]
    assert decoded(["yjs", 1, other]) == ["yjs", 1, msgpack.ExtType(5, b"x")]  # handlers refuse it
