"""WebSocket frames in batches (socket_frames.py): the frames, and a burst through the real server."""

from __future__ import annotations

import os
import queue
import socket
import threading
from types import SimpleNamespace

import pytest
from engineio import packet as eio_packet

import socket_frames
from stories.cowriting import crdt
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.stories.clients import open_story, update_payloads, wait_until, yjs_messages
from tests.stories.ydocs import Editor


def _reference_unmask(payload: bytes, mask: bytes) -> bytes:
    return bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))


def test_write_all_sends_what_one_send_left_over() -> None:
    """More than the kernel's buffers take at once: `send` sends part, the rest follows."""
    writer, reader = socket.socketpair()
    writer.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    writer.settimeout(10)  # non-blocking underneath, as under gevent: one send takes what fits
    data = os.urandom(4 << 20)
    received = bytearray()
    calls: list[tuple[str, int]] = []

    class Recorded:
        def send(self, chunk: bytes) -> int:
            sent = writer.send(chunk)
            calls.append(("send", sent))
            return sent

        def sendall(self, chunk: memoryview) -> None:
            calls.append(("sendall", len(chunk)))
            writer.sendall(chunk)

    def read() -> None:
        while chunk := reader.recv(1 << 16):
            received.extend(chunk)

    drain = threading.Thread(target=read)
    drain.start()
    try:
        socket_frames.write_all(Recorded(), data)
    finally:
        writer.close()
        drain.join(timeout=10)
        reader.close()
    assert bytes(received) == data
    assert calls[0][1] < len(data)
    assert calls[1] == ("sendall", len(data) - calls[0][1])


@pytest.mark.parametrize("length", [0, 1, 3, 4, 5, 125, 126, 127, 65535, 65536])
def test_unmask_is_the_masks_xor_byte_by_byte(length: int) -> None:
    payload, mask = os.urandom(length), os.urandom(4)
    assert bytes(socket_frames.unmask(payload, mask)) == _reference_unmask(payload, mask)


@pytest.mark.parametrize(
    ("length", "head"),
    [(0, b"\x82\x00"), (125, b"\x82\x7d"), (126, b"\x82\x7e\x00\x7e"), (65535, b"\x82\x7e\xff\xff")],
)
def test_a_binary_frame_is_its_header_then_its_payload(length: int, head: bytes) -> None:
    data = bytes(range(256)) * (length // 256 + 1)
    frame = socket_frames.frame(eio_packet.Packet(eio_packet.MESSAGE, data[:length]))
    assert frame == head + data[:length]


def test_a_long_frame_carries_a_64_bit_length_and_a_text_packet_goes_as_text() -> None:
    big = socket_frames.frame(eio_packet.Packet(eio_packet.MESSAGE, b"x" * 65536))
    assert big[:10] == b"\x82\x7f" + (65536).to_bytes(8, "big")
    assert socket_frames.frame(eio_packet.Packet(eio_packet.PING)) == b"\x81\x012"  # engine.io "2", text


def test_a_packet_shared_by_recipients_is_framed_once() -> None:
    relay = eio_packet.Packet(eio_packet.MESSAGE, b"\x01\x02\x03")
    first, second = socket_frames.frame(relay), socket_frames.frame(relay)
    assert first is second


def test_a_batch_is_every_frame_in_order_in_one_write() -> None:
    packets = [eio_packet.Packet(eio_packet.MESSAGE, bytes([n]) * n) for n in (1, 2, 200)]
    encoded = socket_frames.Batch(packets).encode()
    assert isinstance(encoded, socket_frames.Frames)
    assert encoded == b"".join(socket_frames.frame(p) for p in packets)
    one = socket_frames.Batch(packets[:1]).encode()
    assert isinstance(one, socket_frames.Frames)
    assert one == socket_frames.frame(packets[0])


class _Queue(queue.Queue):
    """An engine.io socket's queue that records how each blocking `get` waited."""

    def __init__(self, items: list) -> None:
        super().__init__()
        self.waits: list[float | None] = []
        for item in items:
            self.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> object:
        if block:
            self.waits.append(timeout)
        return super().get(block, timeout)


class _Socket:
    """What `poll_batched` sees of an engine.io socket: its class's `poll`, its queue, whether it upgraded."""

    def __init__(self, packets: list, upgraded: bool) -> None:
        self.packets, self.upgraded = packets, upgraded
        self.queue = _Queue(packets)

    def poll(self) -> list:
        return [p for p in self.packets if p is not None]


def test_only_an_upgraded_socket_gets_batches_and_closing_stays_an_empty_list() -> None:
    packets = [eio_packet.Packet(eio_packet.MESSAGE, b"a"), eio_packet.Packet(eio_packet.MESSAGE, b"b")]
    (batch,) = socket_frames.poll_batched(_Socket(packets, upgraded=True))
    assert batch.packets == packets
    assert socket_frames.poll_batched(_Socket(packets, upgraded=False)) == packets  # long-polling
    assert socket_frames.poll_batched(_Socket([None], upgraded=True)) == []  # the writer stops on []


def test_an_upgraded_writer_waits_without_a_timer_and_stops_at_the_close() -> None:
    """No timeout on the wait (engine.io's close puts None); what came before the close is written, every
    packet taken is marked done (`Socket.close` joins the queue), and the next poll ends the writer."""
    packets = [eio_packet.Packet(eio_packet.MESSAGE, b"a"), eio_packet.Packet(eio_packet.MESSAGE, b"b")]
    socket = _Socket([*packets, None], upgraded=True)
    (batch,) = socket_frames.poll_batched(socket)
    assert batch.packets == packets
    assert socket_frames.poll_batched(socket) == []
    assert socket.queue.waits == [None, None]
    socket.queue.join()  # returns at once: nothing taken is left undone
    assert socket.queue.empty()


def test_the_header_unmasks_with_its_own_mask() -> None:
    payload, mask = os.urandom(40), os.urandom(4)
    header = SimpleNamespace(mask=mask, length=len(payload))
    assert bytes(socket_frames._unmask_header(header, payload)) == _reference_unmask(payload, mask)


def test_install_gives_a_gevent_server_its_own_websocket_wrapper_and_leaves_threads_alone() -> None:
    import engineio
    from engineio.async_drivers import gevent as driver
    from geventwebsocket.websocket import Header

    server = engineio.Server(async_mode="gevent")
    assert socket_frames.install(server)
    wrapper = server._async["websocket"]
    assert issubclass(wrapper, driver.WebSocketWSGI)
    assert wrapper is not driver.WebSocketWSGI
    assert driver._async["websocket"] is driver.WebSocketWSGI  # the driver's own table is untouched
    assert Header.unmask_payload is socket_frames._unmask_header
    assert not socket_frames.install(engineio.Server(async_mode="threading"))


# --- a burst through the real server ---------------------------------------------------------------------


def _burst(clients: list[Client], story_id: int, sent: list[list[bytes]]) -> None:
    """Every client sends its messages at once, without waiting for acks; returns once all are acked."""
    acked = threading.Semaphore(0)

    def send(client: Client, messages: list[bytes]) -> None:
        for message in messages:
            client.sio.emit("yjs", (story_id, message), callback=lambda *_: acked.release())

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, sent, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(sum(map(len, sent))):
        assert acked.acquire(timeout=30), "every update is acked"


def _from(received: list[bytes], messages: list[bytes]) -> list[bytes]:
    """The messages of one writer among what a member received, in the order received."""
    theirs = set(messages)
    return [m for m in received if m in theirs]


def test_a_burst_of_edits_from_several_writers_reaches_every_other_member_in_order(
    live_server: ServerProcess, app_ctx
) -> None:
    """Four writers each send 60 keystrokes without waiting for acks: every other member gets all of each
    writer's updates, once, in the order that writer sent them (batched frames lose and reorder nothing)."""
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    tokens = [factories.participant(group, f"Writer {n}")[1] for n in range(4)]
    story_id = factories.story_of(group).id
    clients = [Client(live_server.url, auth={"token": token}) for token in tokens]
    try:
        editors = [Editor() for _ in clients]
        for client, editor in zip(clients, editors, strict=True):
            assert open_story(client, story_id)["ok"]
            assert client.call("yjs", story_id, crdt.sync_step1(editor.doc.get_state())) == {"ok": True}
        sent = [
            [crdt.update_message(editor.insert(i, chr(97 + n))) for i in range(60)]
            for n, editor in enumerate(editors)
        ]
        assert len(update_payloads(sent[0])) == 60  # the messages are updates
        _burst(clients, story_id, sent)
        received: list[list[bytes]] = [[] for _ in clients]
        pairs = [(k, j) for k in range(len(clients)) for j in range(len(clients)) if j != k]

        def all_in() -> bool:
            for k, client in enumerate(clients):
                received[k] += yjs_messages(client, story_id)
            return all(len(_from(received[k], sent[j])) >= len(sent[j]) for k, j in pairs)

        assert wait_until(all_in, timeout=30)
        for k, j in pairs:
            assert _from(received[k], sent[j]) == sent[j]  # all, once each, in order
        for k in range(len(clients)):
            assert not _from(received[k], sent[k])  # never one's own
    finally:
        for client in clients:
            client.close()
