"""Passage anchors (Yjs relative positions) against pycrdt documents: they follow their characters through
concurrent edits before, inside and after the passage, and read what browsers write."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from feedback import anchors

PREFIX, PASSAGE, SUFFIX, TYPED = "ab", "QRS", "yz", "0123456789"


def doc_with(text: str, client_id: int) -> tuple[Doc, Text]:
    doc = Doc(client_id=client_id)
    body = doc.get("body", type=Text)
    body += text
    return doc, body


def copy_of(source: Doc, client_id: int) -> tuple[Doc, Text]:
    doc = Doc(client_id=client_id)
    body = doc.get("body", type=Text)
    doc.apply_update(source.get_update())
    return doc, body


edit = st.tuples(
    st.sampled_from(["insert", "delete"]),
    st.floats(min_value=0, max_value=1),  # where, as a fraction of the text's length then
    st.integers(min_value=1, max_value=4),  # how much
)


def apply_edits(body: Text, edits: list[tuple[str, float, int]]) -> None:
    """Random edits anywhere: before, inside and after the passage (ASCII: pycrdt's indices are bytes)."""
    for n, (kind, where, size) in enumerate(edits):
        length = len(str(body))
        at = round(where * length)
        if kind == "insert":
            body.insert(at, (TYPED * 2)[n % 10 : n % 10 + size])
        elif length:
            at = min(at, length - 1)
            del body[at : min(length, at + size)]


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.text(alphabet=PREFIX, max_size=8),
    passage=st.text(alphabet=PASSAGE, min_size=1, max_size=8),
    suffix=st.text(alphabet=SUFFIX, max_size=8),
    mine=st.lists(edit, max_size=8),
    theirs=st.lists(edit, max_size=8),
)
def test_the_anchor_stays_on_its_characters_through_concurrent_edits(
    prefix: str, passage: str, suffix: str, mine: list, theirs: list
) -> None:
    left, left_body = doc_with(prefix + passage + suffix, client_id=1)
    start, end = anchors.anchor(left_body, len(prefix), len(prefix) + len(passage))
    right, right_body = copy_of(left, client_id=2)
    apply_edits(left_body, mine)  # two writers, each on their own copy: concurrent edits
    apply_edits(right_body, theirs)
    left_state, right_state = left.get_state(), right.get_state()
    left.apply_update(right.get_update(left_state))
    right.apply_update(left.get_update(right_state))
    final = str(left_body)
    assert str(right_body) == final

    found = anchors.resolve(left, left_body, start, end)
    assert found == anchors.resolve(right, right_body, start, end)  # both copies agree
    assert found is not None
    inside, before, after = found.text, final[: found.start], final[found.end :]
    surviving = "".join(c for c in final if c in PASSAGE)
    # Every character of the passage that was not deleted is in the anchored range, in its order ...
    assert "".join(c for c in inside if c in PASSAGE) == surviving
    assert not any(c in PASSAGE for c in before + after)
    # ... and nothing from around it ever moves in: only text typed inside the passage joins it.
    assert not any(c in PREFIX + SUFFIX for c in inside)
    if surviving:
        assert not found.deleted
    if not any(c in PASSAGE + TYPED for c in inside):
        assert found.deleted or inside == ""


def test_typing_at_the_edges_stays_out_and_inside_joins() -> None:
    doc, body = doc_with("Before. Passage. After.", client_id=1)
    start, end = anchors.anchor(body, 8, 16)
    body.insert(8, ">>")  # just before the passage
    body.insert(18, "<<")  # just after it (8 + 2 + 8)
    body.insert(12, "++")  # inside
    found = anchors.resolve(doc, body, start, end)
    assert found is not None
    assert found.text == "Pa++ssage."
    del body[10:20]
    gone = anchors.resolve(doc, body, start, end)
    assert gone is not None
    assert gone.deleted
    assert gone.text == ""


# Made in Node with yjs 13.6 (the browser's library): a document of client 7 with the text below, and
# Y.encodeRelativePosition of createRelativePositionFromTypeIndex(body, 9, 0) and (body, 14, -1): the word
# "world", counted in UTF-16 code units as CodeMirror counts.
BROWSER_UPDATE = bytes.fromhex("01010700040104626f64791168c3a96c6c6f20f09f988020776f726c6400")
BROWSER_START, BROWSER_END = bytes.fromhex("00070900"), bytes.fromhex("00070d41")


def test_anchors_made_by_yjs_in_a_browser_resolve_here_in_utf16() -> None:
    doc = Doc()
    body = doc.get("body", type=Text)
    doc.apply_update(BROWSER_UPDATE)
    assert str(body) == "héllo 😀 world"
    found = anchors.resolve(doc, body, BROWSER_START, BROWSER_END)
    assert found == anchors.Resolved(9, 14, "world")
    made = anchors.anchor(body, 9, 14)
    assert made == (BROWSER_START, BROWSER_END)  # pycrdt writes the very bytes that Yjs writes


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\xff" * 10,
        b"\x02\x01\x01",
        b"\x01\x03abc",
        b"\x00\x01\x02\x05",
        b"\x00\x01\x02\x03",
        b"x" * 65,
    ],
)
def test_malformed_positions_are_refused_before_pycrdt_sees_them(data: bytes) -> None:
    with pytest.raises(anchors.AnchorError):
        anchors.parse(data)


def test_positions_the_document_does_not_know_resolve_to_none() -> None:
    doc, body = doc_with("Known text", client_id=1)
    _other, other_body = doc_with("Elsewhere", client_id=99)
    start, end = anchors.anchor(other_body, 0, 4)
    assert anchors.resolve(doc, body, start, end) is None
    assert anchors.index(doc, body, b"\x01\x04body\x00") == len("Known text")  # the end of the text
    assert anchors.index(doc, body, b"\x01\x04body\x41") == 0  # its start


def test_a_position_in_another_shared_type_is_refused() -> None:
    """Issue 22: an anchor on an item of another root type resolved to an index in that type, and the
    comment stored the story's text at that index as its quote."""
    doc = Doc()
    body = doc.get("body", type=Text)
    body += "The river glowed at night."
    other = doc.get("notes", type=Text)
    other += "Something else entirely."
    start, end = anchors.anchor(other, 0, 9)
    with pytest.raises(anchors.AnchorError):
        anchors.resolve(doc, body, start, end)
    start, end = anchors.anchor(body, 4, 9)  # the story's own items still resolve
    found = anchors.resolve(doc, body, start, end)
    assert found is not None
    assert found.text == "river"
