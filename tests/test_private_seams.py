"""Canaries for Plume's private seams: the private or undocumented library names that docs/private-seams.md
lists, one canary per row.

Each canary checks that the name still exists with the signature Plume calls it with, and makes a tiny real
call showing the behaviour Plume relies on. An upgrade that breaks a seam fails here with `SeamChangedError`,
naming the seam and its row in docs/private-seams.md, instead of somewhere deep in a worker. The second half
of this file breaks each seam on purpose (a name taken away, a behaviour changed) and checks that its canary
fails: a canary that cannot fail guards nothing.
"""

from __future__ import annotations

import inspect
import json
import logging
import queue
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import engineio
import msgpack
import pytest
import socketio
from engineio.socket import Socket
from fpdf import FPDF
from fpdf.html import HTML2FPDF
from fpdf.structure_tree import StructureTreeBuilder
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket
from markdown.extensions import attr_list, fenced_code, footnotes
from markdown.util import Registry
from pycrdt import Doc, Text
from pycrdt._base import BaseType
from socketio import PubSubManager, RedisManager
from socketio.manager import Manager
from socketio.msgpack_packet import MsgPackPacket
from socketio.packet import Packet
from sqlalchemy.pool import QueuePool
from werkzeug.routing import Map, Rule

import logs
from core import rendering
from socket_packets import PlumePacket
from tests.sockets import InOrderClient, _InOrderEngineIO

DOC = "docs/private-seams.md"


class SeamChangedError(AssertionError):
    """A library changed a private name that Plume relies on."""


def _changed(seam: str, what: str) -> SeamChangedError:
    return SeamChangedError(f"private seam {seam!r} changed: {what}. Read its row in {DOC} before upgrading.")


def expect(seam: str, condition: object, what: str) -> None:
    if not condition:
        raise _changed(seam, what)


def has_signature(seam: str, owner: Any, name: str, *parameters: str, exact: bool = False) -> None:
    """`owner.name` exists and takes `parameters` first (only those when `exact`)."""
    where = f"{getattr(owner, '__qualname__', owner.__name__)}.{name}"
    member = getattr(owner, name, None)
    expect(seam, callable(member), f"{where} is gone")
    found = list(inspect.signature(member).parameters)  # type: ignore[arg-type]
    wanted = list(parameters)
    expect(
        seam,
        found == wanted if exact else found[: len(wanted)] == wanted,
        f"{where}{tuple(found)} != {wanted}",
    )


def source_calls(seam: str, function: Any, call: str) -> None:
    """`function`'s code still makes `call` (where the library calls a method that Plume overrides)."""
    expect(seam, call in inspect.getsource(function), f"{function.__qualname__} no longer calls {call}")


# --- the canaries, one per row of docs/private-seams.md --------------------------------------------------


def socketio_redis_queue() -> None:
    """core/room_queue.py reads the Redis subscription itself and counts PUBLISH's receivers."""
    seam = "socketio-redis-queue"
    has_signature(seam, RedisManager, "_redis_connect", "self", exact=True)
    has_signature(seam, RedisManager, "_redis_listen_with_retries", "self", exact=True)
    has_signature(seam, RedisManager, "_publish", "self", "data", exact=True)
    has_signature(seam, PubSubManager, "_listen", "self", exact=True)
    has_signature(seam, PubSubManager, "_thread", "self", exact=True)
    connected = RedisManager("redis://127.0.0.1:1/0", channel="canary")  # redis-py connects on first command
    connected._redis_connect()
    expect(
        seam,
        connected.redis is not None and connected.pubsub is not None,
        "_redis_connect sets no redis/pubsub",
    )
    expect(seam, connected.connected is True, "_redis_connect no longer sets `connected`")

    subscribed: list[str] = []
    confirmation = {"type": "subscribe", "channel": b"canary", "data": 1}

    class Probe(RedisManager):
        def _redis_connect(self) -> None:
            self.pubsub = SimpleNamespace(subscribe=subscribed.append, listen=lambda: iter([confirmation]))
            self.connected = True

    probe = Probe("redis://127.0.0.1:1/0", channel="canary")
    first = next(probe._redis_listen_with_retries())
    expect(
        seam, subscribed == ["canary"], "_redis_listen_with_retries no longer subscribes after _redis_connect"
    )
    expect(
        seam, first is confirmation, "_redis_listen_with_retries no longer yields what pubsub.listen() yields"
    )
    probe.redis, probe.json = SimpleNamespace(publish=lambda channel, data: 3), json
    expect(seam, probe._publish({"method": "canary"}) == 3, "_publish no longer returns PUBLISH's receivers")

    handled: list[dict[str, Any]] = []

    class Listener(PubSubManager):
        def _listen(self) -> Any:
            yield {"method": "close_room", "host_id": "another", "room": "r", "namespace": "/"}

        def _handle_close_room(self, message: dict[str, Any]) -> None:
            handled.append(message)

    listener = Listener(channel="canary")
    listener.server = SimpleNamespace(logger=logging.getLogger(__name__))
    listener._thread()  # returns once _listen() is exhausted
    expect(seam, len(handled) == 1, "PubSubManager's thread no longer reads the messages of _listen()")


def socketio_manager_state() -> None:
    """A python-socketio manager's rooms, read by room_queue, workshops.rooms, socket_guard, the engine."""
    seam = "socketio-manager-state"
    has_signature(
        seam, Manager, "basic_enter_room", "self", "sid", "namespace", "room", "eio_sid", exact=True
    )
    has_signature(seam, Manager, "basic_leave_room", "self", "sid", "namespace", "room", exact=True)
    entered: list[Any] = []

    class Probe(Manager):
        def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
            entered.append(room)
            super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)

    server = socketio.Server(async_mode="threading", client_manager=Probe())
    manager = server.manager
    sid = manager.connect("eio-canary", "/")
    manager.enter_room(sid, "/", "story:1")
    expect(seam, entered == [None, sid, "story:1"], f"connect/enter_room reach basic_enter_room as {entered}")
    rooms = getattr(manager, "rooms", {}).get("/", {})
    expect(
        seam,
        dict(rooms.get("story:1", {})) == {sid: "eio-canary"},
        "Manager.rooms is not {ns: {room: {sid: eio}}}",
    )
    expect(
        seam, manager.is_sid_room("/", sid) and not manager.is_sid_room("/", "story:1"), "is_sid_room changed"
    )
    expect(seam, manager.sid_from_eio_sid("eio-canary", "/") == sid, "sid_from_eio_sid changed")
    expect(
        seam,
        list(manager.get_participants("/", "story:1")) == [(sid, "eio-canary")],
        "get_participants changed",
    )
    expect(seam, isinstance(getattr(server, "environ", None), dict), "Server.environ is no longer a dict")


def engineio_client_in_order() -> None:
    """tests/sockets.py: the test client handles Engine.IO messages one at a time, in order."""
    seam = "engineio-client-in-order"
    has_signature(seam, engineio.Client, "_trigger_event", "self", "event")
    has_signature(seam, socketio.Client, "_engineio_client_class", "self", exact=True)
    expect(
        seam,
        isinstance(InOrderClient().eio, _InOrderEngineIO),
        "socketio.Client ignores _engineio_client_class",
    )
    client = _InOrderEngineIO()
    received: queue.SimpleQueue[str] = queue.SimpleQueue()
    client.on("message", received.put)
    for number in range(20):
        client._receive_packet(engineio.packet.Packet(engineio.packet.MESSAGE, data=str(number)))
    expect(
        seam, getattr(client, "_inbox", None) is not None, "a message no longer reaches _trigger_event async"
    )
    got = [received.get(timeout=5) for _ in range(20)]
    expect(seam, got == [str(number) for number in range(20)], f"messages handled as {got}")


def fpdf2_tagged_lines() -> None:
    """stories/reading/pdf.py marks every line of text (an element of the tagged PDF, or an artifact)."""
    seam = "fpdf2-tagged-lines"
    has_signature(seam, FPDF, "_render_styled_text_line", "self", "text_line", "h")
    has_signature(seam, FPDF, "_perform_page_break_if_need_be", "self", "h", exact=True)
    has_signature(seam, FPDF, "_out", "self", "s", exact=True)
    has_signature(seam, FPDF, "_add_marked_content", "self")
    has_signature(seam, StructureTreeBuilder, "next_mcid_for_page", "self", "page_number", exact=True)
    expect(seam, getattr(FPDF, "HTML2FPDF_CLASS", None) is HTML2FPDF, "FPDF.HTML2FPDF_CLASS is gone")
    other = FPDF()
    other.add_page()
    expect(seam, getattr(HTML2FPDF(other), "pdf", None) is other, "HTML2FPDF no longer keeps its .pdf")

    class Probe(FPDF):
        lines: list[tuple[str, bool]] = []

        def footer(self) -> None:
            self.set_font("helvetica", size=8)
            self.cell(text="footer")

        def _render_styled_text_line(
            self, text_line: Any, h: float | None = None, *args: Any, **kw: Any
        ) -> bool:
            self.lines.append(("".join(f.string for f in text_line.fragments), self.in_footer))
            return super()._render_styled_text_line(text_line, h, *args, **kw)

    pdf = Probe()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.cell(text="cell")
    pdf.ln()
    pdf.multi_cell(0, 5, "multi")
    pdf.write_html("<p>html</p>")
    expect(seam, pdf._perform_page_break_if_need_be(1) is False, "_perform_page_break_if_need_be changed")
    mcid = pdf.struct_builder.next_mcid_for_page(pdf.page)
    element = pdf._add_marked_content(struct_type="/P", mcid=mcid)
    expect(seam, (element.s, element.k) == ("/P", [mcid]), "_add_marked_content's element has no .s/.k")
    nums = pdf.struct_builder.struct_tree_root.parent_tree.nums[
        pdf.struct_builder.spid_per_page_number[pdf.page]
    ]
    expect(seam, element in nums, "the parent tree no longer lists the page's elements by spid")
    pdf._out("% canary")
    pdf.output()
    wanted = [("cell", False), ("multi", False), ("html", False), ("footer", True)]
    expect(seam, Probe.lines == wanted, f"lines reach _render_styled_text_line as {Probe.lines}")


def socketio_msgpack_packet() -> None:
    """socket_packets.py writes python-socketio's packet map itself, without `data` when there is none."""
    seam = "socketio-msgpack-packet"
    has_signature(seam, Packet, "_to_dict", "self", exact=True)
    event = MsgPackPacket(packet_type=socketio.packet.EVENT, data=["e", 1], namespace="/")
    expect(seam, event._to_dict() == {"type": 2, "data": ["e", 1], "nsp": "/"}, "_to_dict's map changed")
    bare = MsgPackPacket(packet_type=socketio.packet.DISCONNECT, namespace="/")
    expect(seam, bare._to_dict().get("data", "absent") is None, "_to_dict no longer writes data=None")
    wire = msgpack.dumps({"type": 2, "nsp": "/", "data": ["e", msgpack.ExtType(0, b"ab")]})
    expect(
        seam,
        PlumePacket(encoded_packet=wire).data == ["e", b"ab"],
        "decode no longer uses the class's ext_hook",
    )
    expect(
        seam,
        "data" not in msgpack.loads(PlumePacket(packet_type=1, namespace="/").encode()),
        "encode changed",
    )


def engineio_gevent_frames() -> None:
    """socket_frames.py: a socket's writer gets its packets as one batch and writes them in one send."""
    seam = "engineio-gevent-frames"
    from engineio.async_drivers import gevent as driver

    expect(
        seam,
        getattr(driver, "SimpleWebSocketWSGI", "gone") is None,
        "the gevent driver left gevent-websocket",
    )
    has_signature(seam, Socket, "poll", "self", exact=True)
    has_signature(seam, Socket, "_websocket_handler", "self", "ws", exact=True)
    source_calls(seam, Socket._websocket_handler, "self.poll()")
    # poll_batched waits on the queue itself, without a timer: a close must put None in it
    source_calls(seam, Socket._websocket_handler, "self.queue.put(None)")
    source_calls(seam, Socket.close, "self.queue.join()")
    server = engineio.Server(async_mode="gevent")
    closing = Socket(server, "canary")
    expect(
        seam,
        all(hasattr(closing.queue, name) for name in ("get", "get_nowait", "qsize", "task_done", "join")),
        "a socket's queue is no longer a joinable queue",
    )
    closing.close(wait=False, abort=True)
    expect(seam, closing.queue.get_nowait() is None, "Socket.close no longer puts None in the queue")
    source_calls(seam, driver.WebSocketWSGI.__call__, "self._sock = environ['wsgi.websocket']")
    source_calls(seam, driver.WebSocketWSGI.__call__, "self.app(self)")

    def handler(ws: Any) -> None:
        return None

    expect(
        seam, driver.WebSocketWSGI(handler, None).app is handler, "WebSocketWSGI no longer keeps its handler"
    )
    expect(seam, server._async.get("websocket") is driver.WebSocketWSGI, "Server._async['websocket'] changed")
    has_signature(seam, Header, "mask_payload", "self", "payload", exact=True)
    source_calls(seam, WebSocket.read_frame, "header.unmask_payload(payload)")
    expect(seam, {"raw_write", "closed"} <= set(WebSocket.__slots__), "WebSocket.raw_write/closed are gone")


def pycrdt_native_text_event() -> None:
    """stories/cowriting/history.py follows a replayed text through the native event's delta."""
    seam = "pycrdt-native-text-event"
    text = Doc().get("body", type=Text)
    deltas: list[Any] = []
    subscription = text.integrated.observe(lambda event: deltas.append(event.delta))
    text.insert(0, "ab")
    text.insert(1, "é", {"author": 7})
    del text[0:1]
    expect(seam, subscription is not None, "observe returned no subscription")
    expect(
        seam,
        deltas
        == [
            [{"insert": "ab"}],
            [{"retain": 1}, {"insert": "é", "attributes": {"author": 7}}],
            [{"delete": 1}],
        ],
        f"the native event's delta reads {deltas!r}",
    )


def gevent_websocket_upgrade() -> None:
    """websocket_worker.py asks socket_guard before gevent-websocket answers the handshake."""
    seam = "gevent-websocket-upgrade"
    has_signature(seam, WebSocketHandler, "upgrade_websocket", "self", exact=True)
    source_calls(seam, WebSocketHandler.run_application, "self.upgrade_websocket()")
    expect(seam, GeventWebSocketWorker.wsgi_handler is WebSocketHandler, "the worker's wsgi_handler changed")


def markdown_registry() -> None:
    """core/rendering.py: an allowlist of python-markdown's processors, and upstream's processors replaced."""
    seam = "markdown-registry"
    registry: Registry[object] = Registry()
    registry.register(object(), "kept", 20)
    registry.register(object(), "dropped", 10)
    expect(
        seam, set(getattr(registry, "_data", {})) == {"kept", "dropped"}, "Registry._data is not name → item"
    )
    inline = rendering._inline_markdown()
    expect(seam, set(inline.parser.blockprocessors._data) == {"empty", "paragraph"}, "the allowlist changed")
    md = rendering._markdown()
    for registered, name, upstream, ours in (
        (md.preprocessors, "fenced_code_block", fenced_code.FencedBlockPreprocessor, rendering._FencedCode),
        (
            md.parser.blockprocessors,
            "footnote",
            footnotes.FootnoteBlockProcessor,
            rendering._FootnoteBlockProcessor,
        ),
    ):
        count = sum(isinstance(item, upstream) for item in registered)
        expect(
            seam,
            type(registered[name]) is ours and count == 1,
            f"upstream registers {upstream.__name__} anew",
        )
    inline_notes = sum(isinstance(item, footnotes.FootnoteInlineProcessor) for item in md.inlinePatterns)
    expect(seam, inline_notes == 1, "upstream's footnote references are registered under another name")
    pattern = fenced_code.FencedBlockPreprocessor.FENCED_BLOCK_RE.pattern
    expect(seam, "(?P<hl_lines>.*?)" in pattern, "FencedBlockPreprocessor.FENCED_BLOCK_RE changed")
    has_signature(seam, attr_list, "get_attrs_and_remainder", "attrs_string", exact=True)


def socketio_log_records() -> None:
    """logs.py shortens the library's log records of a malformed packet and of events for a socket gone."""
    seam = "socketio-log-records"
    has_signature(seam, socketio.Server, "_handle_eio_message", "self", "eio_sid", "data", exact=True)
    source_calls(seam, socketio.Server._handle_event, "'%s is not connected to namespace %s'")
    source_calls(seam, engineio.Server._trigger_event, "self.logger.exception(event + ' handler error')")
    try:
        PlumePacket(encoded_packet=b"\x93\x01")  # an array of three that holds one item
    except Exception as error:
        record = logging.LogRecord(
            "engineio.server", logging.ERROR, __file__, 0, "message handler error", (), None
        )
        record.exc_info = (type(error), error, error.__traceback__)
    else:
        raise _changed(seam, "a truncated MessagePack packet no longer raises")
    logs.MalformedPacketFilter().filter(record)
    expect(
        seam, record.levelno == logging.WARNING, "a decoding error no longer comes from socketio/*packet.py"
    )


def werkzeug_rule_converters() -> None:
    """tests/test_ids.py finds the routes whose arguments are ids through a rule's converters."""
    seam = "werkzeug-rule-converters"
    rule = Rule("/a/<int:x>")
    Map([rule])
    converters = getattr(rule, "_converters", None)
    expect(
        seam,
        isinstance(converters, dict) and list(converters) == ["x"],
        "Rule._converters is not name → conv",
    )


def sqlalchemy_pool_overflow() -> None:
    """tests/stories/test_persistence.py checks out every pooled connection but one."""
    seam = "sqlalchemy-pool-overflow"
    pool = QueuePool(lambda: None, pool_size=2, max_overflow=3)
    expect(seam, getattr(pool, "_max_overflow", None) == 3, "QueuePool._max_overflow is gone")


CANARIES: dict[str, Callable[[], None]] = {
    "socketio-redis-queue": socketio_redis_queue,
    "socketio-manager-state": socketio_manager_state,
    "engineio-client-in-order": engineio_client_in_order,
    "fpdf2-tagged-lines": fpdf2_tagged_lines,
    "socketio-msgpack-packet": socketio_msgpack_packet,
    "engineio-gevent-frames": engineio_gevent_frames,
    "pycrdt-native-text-event": pycrdt_native_text_event,
    "gevent-websocket-upgrade": gevent_websocket_upgrade,
    "markdown-registry": markdown_registry,
    "socketio-log-records": socketio_log_records,
    "werkzeug-rule-converters": werkzeug_rule_converters,
    "sqlalchemy-pool-overflow": sqlalchemy_pool_overflow,
}


def run(seam: str) -> None:
    """The seam's canary; whatever it raises (the library's own error included) names the seam."""
    try:
        CANARIES[seam]()
    except SeamChangedError:
        raise
    except Exception as error:
        raise _changed(seam, f"its canary raised {error!r}") from error


@pytest.mark.parametrize("seam", list(CANARIES))
def test_the_seam_still_holds(seam: str) -> None:
    run(seam)


def test_every_seam_of_the_document_has_its_canary() -> None:
    document = (Path(__file__).parent.parent / DOC).read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|", document, flags=re.MULTILINE)
    assert sorted(rows) == sorted(CANARIES)


# --- the canaries can fail ---------------------------------------------------------------------------------

GONE = [  # (seam, owner, name): with the name gone, the seam's canary must fail and say which seam
    ("socketio-redis-queue", RedisManager, "_redis_connect"),
    ("socketio-redis-queue", RedisManager, "_redis_listen_with_retries"),
    ("socketio-redis-queue", RedisManager, "_publish"),
    ("socketio-redis-queue", PubSubManager, "_listen"),
    ("socketio-redis-queue", PubSubManager, "_thread"),
    ("socketio-manager-state", Manager, "basic_enter_room"),
    ("engineio-client-in-order", engineio.Client, "_trigger_event"),
    ("fpdf2-tagged-lines", FPDF, "_render_styled_text_line"),
    ("fpdf2-tagged-lines", FPDF, "_perform_page_break_if_need_be"),
    ("fpdf2-tagged-lines", FPDF, "_out"),
    ("fpdf2-tagged-lines", FPDF, "_add_marked_content"),
    ("fpdf2-tagged-lines", StructureTreeBuilder, "next_mcid_for_page"),
    ("socketio-msgpack-packet", Packet, "_to_dict"),
    ("engineio-gevent-frames", Socket, "poll"),
    ("engineio-gevent-frames", Socket, "_websocket_handler"),
    ("engineio-gevent-frames", Header, "mask_payload"),
    ("pycrdt-native-text-event", BaseType, "integrated"),
    ("gevent-websocket-upgrade", WebSocketHandler, "upgrade_websocket"),
    ("markdown-registry", attr_list, "get_attrs_and_remainder"),
    ("socketio-log-records", socketio.Server, "_handle_eio_message"),
]


def _fails(seam: str) -> None:
    with pytest.raises(SeamChangedError) as failure:
        run(seam)
    assert repr(seam) in str(failure.value)
    assert DOC in str(failure.value)


@pytest.mark.parametrize(("seam", "owner", "name"), GONE, ids=[f"{s}:{n}" for s, _o, n in GONE])
def test_a_canary_fails_naming_its_seam_when_the_name_goes(
    monkeypatch: pytest.MonkeyPatch, seam: str, owner: Any, name: str
) -> None:
    definer = (
        next(cls for cls in inspect.getmro(owner) if name in vars(cls)) if inspect.isclass(owner) else owner
    )
    monkeypatch.delattr(definer, name)
    _fails(seam)


def _synchronous_message(self: engineio.Client, pkt: Any) -> None:
    self._trigger_event("message", pkt.data, run_async=False)  # messages handled where they arrive


def _decode_without_ext_hook(self: MsgPackPacket, encoded_packet: bytes) -> None:
    decoded = msgpack.loads(encoded_packet)  # extensions stay ExtType, whatever the class says
    self.packet_type, self.data, self.namespace = decoded["type"], decoded.get("data"), decoded["nsp"]
    self.id = decoded.get("id")


def _renamed_converters(self: Rule, *args: Any, **kwargs: Any) -> None:
    original_bind(self, *args, **kwargs)
    self.converters_by_name = self.__dict__.pop("_converters")


original_bind = Rule.bind
original_client_init = socketio.Client.__init__


def _client_without_hook(self: socketio.Client, *args: Any, **kwargs: Any) -> None:
    original_client_init(self, *args, **kwargs)
    self.eio = engineio.Client()  # built without asking _engineio_client_class


def _close_without_wakeup(self: Socket, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
    self.closed = True  # a writer waiting on the queue would never learn of it


@pytest.mark.parametrize(
    ("seam", "owner", "name", "replacement"),
    [
        ("engineio-client-in-order", engineio.Client, "_receive_packet", _synchronous_message),
        ("engineio-client-in-order", socketio.Client, "__init__", _client_without_hook),
        ("werkzeug-rule-converters", Rule, "bind", _renamed_converters),
        ("engineio-gevent-frames", Socket, "close", _close_without_wakeup),
        ("socketio-redis-queue", RedisManager, "_publish", lambda self, data: None),
        (
            "socketio-manager-state",
            Manager,
            "enter_room",
            lambda self, sid, namespace, room, eio_sid=None: None,
        ),
        ("fpdf2-tagged-lines", FPDF, "HTML2FPDF_CLASS", type("Other", (HTML2FPDF,), {})),
        ("socketio-msgpack-packet", MsgPackPacket, "decode", _decode_without_ext_hook),
        ("markdown-registry", Registry, "__init__", lambda self: setattr(self, "_items", {})),
        ("sqlalchemy-pool-overflow", QueuePool, "__init__", lambda self, *args, **kwargs: None),
    ],
)
def test_a_canary_fails_naming_its_seam_when_the_behaviour_changes(
    monkeypatch: pytest.MonkeyPatch, seam: str, owner: Any, name: str, replacement: Any
) -> None:
    monkeypatch.setattr(owner, name, replacement)
    _fails(seam)


def test_the_log_canary_fails_when_packets_are_decoded_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    def init(self: Packet, *args: Any, encoded_packet: bytes | None = None, **kwargs: Any) -> None:
        if encoded_packet is not None:
            self.decode(encoded_packet)

    def decode(self: Packet, encoded_packet: bytes) -> None:
        msgpack.loads(encoded_packet)

    monkeypatch.setattr(Packet, "__init__", init)  # the decoding moved out of socketio/*packet.py
    monkeypatch.setattr(MsgPackPacket, "decode", decode)
    _fails("socketio-log-records")
