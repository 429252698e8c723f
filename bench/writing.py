"""A simulated writing session for the history bench and tests: W writers type into one story.

Each writer keeps a cursor in the shared text (others' edits move it, as in an editor) and mostly types at
it: letters, spaces, now and then a new line, a backspace, or a jump to another place. Every keystroke is
one Yjs update, as a browser sends it; the writers' documents receive each other's updates at once. Plain
pycrdt, no server: 20,000 updates take a few seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pycrdt import Doc, Text

WORDS = [
    "le", "futur", "désirable", "arrive", "quand", "chacun", "écrit", "une", "histoire", "de", "soin",
    "et", "de", "liens", "en", "2040",
]  # fmt: skip


@dataclass
class Writer:
    doc: Doc
    body: Text
    cursor: int | None  # a UTF-8 offset that others' edits move; None: the end of the text
    word: str = ""
    remote: bool = True  # False while the writer's own edit is applied
    sent: list[bytes] = field(
        default_factory=list
    )  # the updates of this writer's transactions, as a browser sends them


def session(updates: int, writers: int = 3, seed: int = 1) -> list[tuple[int, bytes]]:
    """`updates` keystrokes as (writer index, update bytes), in the order the server stores them."""
    rng = random.Random(seed)
    team = []
    for _ in range(writers):
        doc = Doc()
        writer = Writer(doc, doc.get("body", type=Text), None)
        doc.observe(partial(_sent, writer))  # pycrdt counts parameters: one, the event
        writer.body.observe(partial(_moved, writer))
        team.append(writer)
    out: list[tuple[int, bytes]] = []
    while len(out) < updates:
        index = rng.randrange(writers)
        me = team[index]
        size = len(me.body)  # UTF-8 bytes, the unit of pycrdt's indexes
        at = size if me.cursor is None else min(me.cursor, size)
        at = _char_boundary(str(me.body), at)
        me.remote = False
        roll = rng.random()
        if roll < 0.04 and size:
            at = _char_boundary(str(me.body), rng.randrange(size + 1))  # jump elsewhere, write there
            me.body.insert(at, "\n")
            at += 1
        elif roll < 0.10 and at > 0:
            text = str(me.body).encode("utf-8")[:at].decode("utf-8", errors="ignore")
            width = len(text[-1].encode("utf-8"))
            del me.body[at - width : at]
            at -= width
        else:
            if not me.word:
                me.word = rng.choice(WORDS) + " "
            char, me.word = me.word[0], me.word[1:]
            me.body.insert(at, char)
            at += len(char.encode("utf-8"))
        update = me.sent[-1]
        me.remote = True
        me.cursor = at
        for other in team:
            if other is not me:
                other.doc.apply_update(update)
                other.sent.clear()
        me.sent.clear()
        out.append((index, update))
    return out


def _sent(writer: Writer, event: Any) -> None:
    writer.sent.append(event.update)


def _moved(writer: Writer, event: Any) -> None:
    """Move the writer's cursor over what another writer inserted or deleted before it."""
    if writer.cursor is None or writer.remote is False:
        return
    pos, cursor = 0, writer.cursor
    for op in event.delta:
        if pos >= cursor:
            break
        if "retain" in op:
            pos += op["retain"]
        elif "insert" in op:
            size = len(op["insert"].encode("utf-8"))
            cursor += size
            pos += size
        elif "delete" in op:
            cursor -= min(op["delete"], cursor - pos)
    writer.cursor = cursor


def _char_boundary(text: str, at: int) -> int:
    """The largest UTF-8 character boundary at or before byte `at`."""
    data = text.encode("utf-8")
    while 0 < at < len(data) and (data[at] & 0xC0) == 0x80:
        at -= 1
    return at
