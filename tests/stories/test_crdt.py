"""The y-protocols framing, update checks and the Yjs update reader (no database, no server)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import (
    Array,
    Decoder,
    Doc,
    Map,
    Text,
    create_awareness_message,
    create_sync_message,
    merge_updates,
    write_var_uint,
)

from stories.cowriting import crdt, lib0
from stories.cowriting.live import LiveStory
from stories.cowriting.yupdate import UpdateFormatError, decode_update, dependencies_met, root_of
from tests.stories.ydocs import Editor


def test_messages_are_read_by_kind() -> None:
    editor = Editor()
    update = editor.insert(0, "Hello")
    assert crdt.parse_message(crdt.update_message(update)) == crdt.Message(crdt.Kind.SYNC_UPDATE, update)
    assert crdt.parse_message(crdt.sync_step2(update)) == crdt.Message(crdt.Kind.SYNC_STEP2, update)
    step1 = crdt.parse_message(create_sync_message(editor.doc))
    assert step1.kind is crdt.Kind.SYNC_STEP1
    assert step1.payload == editor.doc.get_state()
    assert crdt.sync_step1(editor.doc.get_state()) == create_sync_message(editor.doc)


def test_the_bytes_are_those_of_y_protocols() -> None:
    """The hex examples of docs/protocol.md."""
    assert crdt.sync_step1(b"\x00").hex(" ") == "00 00 01 00"
    assert crdt.sync_step2(crdt.EMPTY_UPDATE).hex(" ") == "00 01 02 00 00"
    assert crdt.update_message(b"\x00\x00").hex(" ") == "00 02 02 00 00"
    assert crdt.awareness_removal({7: 3}).hex(" ") == "01 08 01 07 04 04 6e 75 6c 6c"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\x00\x03\x00",  # unknown sync type
        b"\x02\x00",  # unknown message type
        b"\x00\x02\x05\x00\x00",  # says 5 bytes, has 2
        b"\x00\x02\x01\x00\x00",  # trailing byte after the payload
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # endless varuint
        b"\x80\x00\x02\x02\x00\x00",  # type 0 in two bytes: no lib0 encoder writes it
        b"\x00\x02" + b"\xff" * 10 + b"\x01",  # payload length in more than 10 bytes
        b"\x00\x02\x80",  # payload length cut short
        b"\x01\x03\x01\x81",  # awareness cut inside a client id
        "not bytes",
        None,
        [0, 2, 0],
    ],
)
def test_malformed_messages_are_refused(data: object) -> None:
    with pytest.raises(crdt.MalformedError):
        crdt.parse_message(data)


def test_awareness_states_are_read_where_they_are_used() -> None:
    """The message's envelope is checked on arrival; its states when the cursors read them (once)."""
    payload = crdt.parse_message(b"\x01\x03\x01\x01\x00").payload  # a client without its state
    with pytest.raises(crdt.MalformedError, match="truncated"):
        crdt.awareness_entries(payload)
    with pytest.raises(crdt.MalformedError, match="trailing"):
        crdt.awareness_entries(b"\x00\x00")


# Why `lib0.Reader` checks what pycrdt's `Decoder` reads (if one of these fails, pycrdt changed:
# drop the check that the test names).


def test_pycrdt_reads_a_varuint_of_any_length_so_ours_bounds_it() -> None:
    """A client could send a varuint of 256 KiB: pycrdt would spend seconds building its 1.8-Mbit value."""
    overlong = b"\xff" * 11 + b"\x01"
    assert Decoder(overlong).read_var_uint() == 2**78 - 1
    with pytest.raises(crdt.MalformedError, match="varuint too long"):
        crdt.awareness_clients(write_var_uint(1) + b"\xff" * 65536 + b"\x00" + b"\x00\x04null")
    with pytest.raises(UpdateFormatError, match="varuint too long"):
        decode_update(overlong + b"\x00")
    assert lib0.Reader(b"\xff" * 9 + b"\x01").uint() == 2**64 - 1  # ten bytes: a 64-bit value is fine


def test_pycrdt_reads_past_the_end_of_a_varuint_so_ours_checks_the_end() -> None:
    with pytest.raises(IndexError):  # not the RuntimeError("Y protocol error") it raises at the end itself
        Decoder(b"\x80").read_var_uint()
    with pytest.raises(crdt.MalformedError, match="truncated"):
        crdt.awareness_clients(b"\x01\x80")


def test_pycrdt_reads_a_length_beyond_the_end_as_a_short_slice_so_ours_refuses_it() -> None:
    decoder = Decoder(b"\x05ab")
    assert decoder.read_message() == b"ab"
    assert decoder.length < 0
    with pytest.raises(UpdateFormatError, match="truncated"):
        decode_update(b"\x01\x01\x01\x00\x04\x01\x05ab")  # a struct whose parent name is cut short


def test_pycrdt_reads_a_missing_string_as_empty_so_ours_uses_its_own() -> None:
    assert Decoder(b"").read_var_string() == ""
    with pytest.raises(UnicodeDecodeError):
        Decoder(b"\x01\xff").read_var_string()
    assert lib0.Reader(b"\x01\xff").string() == "\ufffd"  # as lib0's TextDecoder reads it in a browser
    with pytest.raises(ValueError, match="truncated"):
        lib0.Reader(b"").string()


def test_pycrdt_has_no_read_for_a_byte_a_signed_varint_or_an_any_value() -> None:
    assert not {"read_uint8", "read_var_int", "read_any", "read_bytes"} & set(dir(Decoder))
    reader = lib0.Reader(b"\x2a\xc3\x03\x7d\x43")  # 42, -195, any(-3)
    assert (reader.byte(), reader.int()) == (42, -195)
    reader.skip_any()
    assert reader.length == 0


def test_awareness_messages_name_their_clients() -> None:
    from pycrdt import Awareness

    doc = Doc()
    awareness = Awareness(doc)
    awareness.set_local_state({"user": {"name": "Ada", "color": "#9a3412"}})
    message = create_awareness_message(awareness.encode_awareness_update([doc.client_id]))
    parsed = crdt.parse_message(message)
    assert parsed.kind is crdt.Kind.AWARENESS
    clients = crdt.awareness_clients(parsed.payload)
    assert list(clients) == [doc.client_id]
    assert clients[doc.client_id][1] is True
    removal = crdt.parse_message(crdt.awareness_removal({doc.client_id: clients[doc.client_id][0]}))
    assert crdt.awareness_clients(removal.payload) == {doc.client_id: (clients[doc.client_id][0] + 1, False)}


def test_awareness_with_a_state_that_is_not_json_is_refused() -> None:
    payload = b"\x01\x07\x01\x03{x}"
    with pytest.raises(crdt.MalformedError):
        crdt.awareness_clients(payload)


@pytest.mark.parametrize("update", [b"", b"\xff\xff\xff", b"garbage", b"\x01", b"\x01\x01\x80\x80\x80\x01"])
def test_updates_that_do_not_decode_are_refused(update: bytes) -> None:
    with pytest.raises(crdt.MalformedError):
        crdt.check_update(update)


def test_a_text_update_is_read_once_and_its_structure_goes_to_the_writer() -> None:
    """`check_update` reads an update of text and deletions itself (no scratch document): the structure it
    returns is what `StoryDoc.offer` uses, so the update is decoded once in Python and applied once."""
    editor = Editor()
    first = editor.insert(0, "héllo")
    decoded = crdt.check_update(first)
    assert decoded is not None
    assert decoded.plain
    assert crdt.check_update(editor.delete(0, 2)).plain  # type: ignore[union-attr]
    live = LiveStory(1)
    assert live.offer(first, decoded)
    assert live.text() == "héllo"
    assert live.known() == {editor.doc.client_id: 5}


def test_other_content_is_still_tried_by_pycrdt() -> None:
    """Formats, embeds, maps and text that is not UTF-8 are not `plain`: pycrdt tries them first."""
    doc = Doc()
    text = doc.get("body", type=Text)
    text.insert(0, "bold", {"bold": True})
    decoded = crdt.check_update(doc.get_update())
    assert decoded is not None
    assert not decoded.plain
    valid = Editor().insert(0, "hé")
    broken = valid.replace("hé".encode(), b"h\xff\xa9")
    assert len(broken) == len(valid)
    assert not decode_update(broken).plain
    with pytest.raises(crdt.MalformedError):  # pycrdt refuses it (if this fails, pycrdt reads it now)
        crdt.check_update(broken)


def test_pycrdt_loses_an_update_among_several_gaps_so_ours_keeps_them_waiting() -> None:
    """Canary of `StoryDoc`: pycrdt 0.14, alone, drops the update at clock 3 when clocks 3, 2, then 1
    arrive after 0. When this fails, pycrdt keeps them all: `StoryDoc`'s waiting list may go
    (docs/private-seams.md)."""
    editor = Editor()
    updates = [editor.insert(0, "a"), editor.insert(1, "a"), editor.insert(0, "b"), editor.insert(3, "b")]
    doc, body = crdt.new_doc()
    for index in (0, 3, 2, 1):
        doc.apply_update(updates[index])
    assert str(body) != str(editor)


def test_pycrdt_applies_an_update_whose_dependencies_never_come_so_ours_refuses_it() -> None:
    """Canary of `dependencies_met`: pycrdt takes an update with a gap without a word and keeps it aside
    for ever, which a Yjs client would read differently; the engine refuses it (`out_of_sync`). When this
    fails, pycrdt refuses such updates itself (docs/private-seams.md)."""
    editor = Editor()
    editor.insert(0, "a")
    gap = editor.insert(1, "b")
    doc, body = crdt.new_doc()
    doc.apply_update(gap)  # no error...
    assert str(body) == ""
    assert not crdt.integrated(doc, gap)
    assert not LiveStory(1).offer(gap)


def test_state_vectors_are_read_strictly() -> None:
    editor = Editor()
    editor.insert(0, "abc")
    assert crdt.state_vector(editor.doc.get_state()) == {editor.doc.client_id: 3}
    assert crdt.state_vector(b"\x00") == {}
    for malformed in (b"", b"\x01\x05", b"\x02\x01\x01", b"\x01\x80"):
        with pytest.raises(crdt.MalformedError):
            crdt.state_vector(malformed)


def test_an_update_whose_dependencies_are_missing_waits_and_is_still_answered() -> None:
    """Out-of-order delivery (parallel handler threads): the doc must still serve what it holds."""
    editor = Editor()
    first, second = editor.insert(0, "Hello"), editor.insert(5, " world")
    live = LiveStory(1)
    live.apply(second)
    assert live.pending == [second]
    assert live.text() == ""
    peer = Editor()
    for update in live.answer(peer.doc.get_state()):  # a late joiner gets the waiting update as it is
        peer.receive(update)
    live.apply(first)
    peer.receive(first)
    assert live.text() == str(peer) == "Hello world"
    assert live.pending == []


def test_a_waiting_deletion_is_kept_too() -> None:
    editor = Editor()
    insert = editor.insert(0, "abc")
    deletion = editor.delete(0, 1)
    live = LiveStory(1)
    live.apply(deletion)
    assert live.pending == [deletion]
    peer = Editor()
    for update in live.answer(peer.doc.get_state()):
        peer.receive(update)
    peer.receive(insert)
    live.apply(insert)
    assert str(peer) == live.text() == "bc"


def test_offer_applies_what_can_integrate_and_leaves_the_rest_untouched() -> None:
    """The writer's one reading of an update: refused ones change nothing, waiting ones still count."""
    editor = Editor()
    first, second, third = editor.insert(0, "a"), editor.insert(1, "b"), editor.insert(2, "c")
    story = crdt.StoryDoc()
    assert not story.offer(second)  # clock 1 of a client the document has never seen: a gap
    assert (story.text(), story.pending) == ("", [])
    assert story.offer(first)
    story.apply(third)  # a log row may wait (another worker's order)...
    assert story.pending == [third]
    assert not story.offer(editor.insert(3, "d"))  # ...but an offer building past it is refused
    assert story.offer(second)  # and the one it waits for closes the gap
    assert (story.text(), story.pending) == ("abc", [])


def test_the_size_bound_never_underestimates_the_text() -> None:
    editor = Editor()
    live = LiveStory(1)
    live.offer(editor.insert(0, "héllo"))
    assert live.size_at_most() == live.text_bytes() == len("héllo".encode())
    for i in range(20):
        update = editor.insert(i, "😀") if i % 3 else editor.delete(0, 1)
        assert live.offer(update)
        assert live.size_at_most() >= len(str(live.body).encode())
    live.catch_up([(1, editor.insert(0, "x"))])
    assert live.size_at_most() == len(str(live.body).encode())  # measured again after a catch-up


def test_updates_with_different_gaps_all_arrive() -> None:
    """pycrdt alone loses the update at clock 3 when clocks 3, 2 then 1 arrive after 0 (see StoryDoc)."""
    editor = Editor()
    updates = [editor.insert(0, "a"), editor.insert(1, "a"), editor.insert(0, "b"), editor.insert(3, "b")]
    story = crdt.StoryDoc()
    for index in (0, 3, 2, 1):
        story.apply(updates[index])
    assert story.text() == str(editor) == "baab"
    assert story.pending == []


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32), steps=st.integers(1, 40))
def test_any_arrival_order_gives_the_same_document(seed: int, steps: int) -> None:
    rng = random.Random(seed)
    editors = [Editor(), Editor()]
    updates = []
    for _ in range(steps):
        author = rng.choice(editors)
        update = author.random_edit(rng)
        updates.append(update)
        for other in editors:
            if other is not author and rng.random() < 0.7:
                other.receive(update)
    shuffled = updates[:]
    rng.shuffle(shuffled)
    in_order, any_order = crdt.replay(updates), crdt.replay(shuffled)
    assert any_order.pending == in_order.pending == []
    assert any_order.text() == in_order.text()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), steps=st.integers(1, 40))
def test_the_state_vector_an_offer_keeps_is_the_documents(seed: int, steps: int) -> None:
    """An offer keeps the state vector it expects (`yupdate.reached`), not decoding the document's again:
    it must be the document's own, whatever the order, the gaps, the deletions and the merged updates."""
    rng = random.Random(seed)
    editors = [Editor(), Editor(), Editor()]
    updates = []
    for _ in range(steps):
        author = rng.choice(editors)
        updates.append(author.random_edit(rng))
        for other in editors:
            if other is not author and rng.random() < 0.7:
                other.receive(updates[-1])
        if len(updates) > 2 and rng.random() < 0.2:
            updates.append(merge_updates(*rng.sample(updates, 2)))
    rng.shuffle(updates)
    story = crdt.StoryDoc()
    for update in updates:
        story.offer(update, crdt.check_update(update))
        assert story.known() == crdt.state_vector(story.doc.get_state())


def test_a_malformed_state_vector_is_refused() -> None:
    with pytest.raises(crdt.MalformedError):
        LiveStory(1).answer(b"\x05\x01")


def test_the_dependency_check_agrees_with_pycrdt() -> None:
    editor = Editor()
    first, second = editor.insert(0, "one"), editor.insert(3, " two")
    empty = {}
    assert dependencies_met(decode_update(first), empty)
    assert not dependencies_met(decode_update(second), empty)
    known = crdt.state_vector(crdt.replay([first]).doc.get_state())
    assert dependencies_met(decode_update(second), known)
    gap = merge_updates(first, editor.insert(0, "zero "))  # merged with a skip over " two"
    assert not dependencies_met(decode_update(gap), empty)


def test_the_update_reader_finds_clients_clocks_and_text() -> None:
    a, b = Editor(), Editor()
    first = a.insert(0, "héllo 😀")
    decoded = decode_update(first)
    assert decoded.clients == {a.doc.client_id}
    assert [(s.clock, s.length, s.text) for s in decoded.structs] == [(0, 8, "héllo 😀")]  # UTF-16 units
    b.receive(first)
    deletion = b.delete(0, 2)
    assert decode_update(deletion).deletes == {a.doc.client_id: [(0, 2)]}
    assert decode_update(deletion).clients == set()


def test_the_update_reader_skips_every_kind_of_content() -> None:
    doc = Doc()
    text = doc.get("body", type=Text)
    text += "plain"
    text.insert(2, "bold", {"bold": True})
    text.insert_embed(0, {"image": "x.png"})
    meta = doc.get("meta", type=Map)
    meta["numbers"] = [1, 2.5, -3, 2**60, "x", None, True, {"a": [False]}]
    meta["binary"] = b"\x00\x01\x02"
    items = doc.get("items", type=Array)
    items.append(Text("nested text"))
    items.append(Map({"k": "v"}))
    decoded = decode_update(doc.get_update())
    assert {s.client for s in decoded.structs} == {doc.client_id}
    whole = doc.get_update()
    body = [s.text for s in decoded.structs if s.text and root_of(whole, s.client, s.clock) == "body"]
    assert sum(map(len, body)) == len("plainbold")


@pytest.mark.parametrize("cut", [1, 5, 9, 20])
def test_the_update_reader_refuses_truncated_updates(cut: int) -> None:
    editor = Editor()
    update = editor.insert(0, "a sentence long enough to cut")
    with pytest.raises(UpdateFormatError):
        decode_update(update[:cut])
    with pytest.raises(UpdateFormatError):
        decode_update(update + b"\x00")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), steps=st.integers(1, 40))
def test_text_of_a_log_is_the_text_of_the_document(seed: int, steps: int) -> None:
    rng = random.Random(seed)
    editor = Editor()
    updates = [editor.random_edit(rng) for _ in range(steps)]
    shuffled = updates[:]
    rng.shuffle(shuffled)
    assert crdt.text_of(updates) == crdt.text_of(shuffled) == str(editor)
    assert crdt.text_of([merge_updates(*updates)]) == str(editor)  # a compacted log


def test_the_hex_examples_of_the_protocol_document_are_true() -> None:
    from pathlib import Path

    from pycrdt import Awareness

    doc_text = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    doc = Doc(client_id=1)
    body = doc.get("body", type=Text)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    body += "Hi"
    state = doc.get_state()
    whole = doc.get_update(b"\x00")
    body.insert(2, "!")
    del body[0:1]
    awareness = Awareness(doc)
    awareness.set_local_state({"user": {"name": "Ada"}})
    awareness_message = create_awareness_message(awareness.encode_awareness_update([1]))

    def hexed(data: bytes) -> str:
        return data.hex(" ")

    for example in [
        hexed(updates[0]),
        hexed(crdt.update_message(updates[0])),
        hexed(crdt.sync_step1(b"\x00")),
        hexed(crdt.sync_step1(state)),
        hexed(crdt.sync_step2(whole)),
        hexed(crdt.sync_step2(crdt.EMPTY_UPDATE)),
        hexed(crdt.update_message(updates[1])),
        hexed(crdt.update_message(updates[2])),
        hexed(awareness_message[:12]),
        hexed(crdt.awareness_removal({1: 1})),
    ]:
        assert f"`{example}" in doc_text, example
