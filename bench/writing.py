"""A simulated writing session for the history bench and tests: W writers type into one story.

Each writer keeps a cursor in the shared text (a sticky index, so others' edits move it as they would in
an editor) and mostly types at it: letters, spaces, now and then a new line, a backspace, or a jump to
another place. Every keystroke is one Yjs update, as a browser sends it; the writers' documents receive each
other's updates at once. Plain pycrdt, no server: fast enough to make 20,000 updates in a few seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pycrdt import Assoc, Doc, Text

WORDS = [
    "le", "futur", "désirable", "arrive", "quand", "chacun", "écrit", "une", "histoire", "de", "soin",
    "et", "de", "liens", "en", "2040",
]  # fmt: skip


@dataclass
class Writer:
    doc: Doc
    body: Text
    cursor: object  # a pycrdt StickyIndex, or None at the end of the text
    word: str = ""
    sent: list[bytes] | None = None  # the updates of this writer's transactions, as a browser sends them


def session(updates: int, writers: int = 3, seed: int = 1) -> list[tuple[int, bytes]]:
    """`updates` keystrokes as (writer index, update bytes), in the order the server stores them."""
    rng = random.Random(seed)
    team = []
    for _ in range(writers):
        doc = Doc()
        writer = Writer(doc, doc.get("body", type=Text), None, sent=[])
        doc.observe(lambda event, w=writer: w.sent.append(event.update))
        team.append(writer)
    out: list[tuple[int, bytes]] = []
    while len(out) < updates:
        index = rng.randrange(writers)
        me = team[index]
        size = len(me.body)  # UTF-8 bytes, the unit of pycrdt's indexes
        at = size if me.cursor is None else min(_index(me.cursor, size), size)
        at = _char_boundary(str(me.body), at)
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
        me.cursor = me.body.sticky_index(at, Assoc.BEFORE) if at else None
        for other in team:
            if other is not me:
                other.doc.apply_update(update)
                other.sent.clear()
        me.sent.clear()
        out.append((index, update))
    return out


def _index(cursor: object, size: int) -> int:
    try:
        return cursor.get_index()  # type: ignore[attr-defined]
    except BaseException as exc:  # pycrdt panics on an index whose item another writer deleted
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return size


def _char_boundary(text: str, at: int) -> int:
    """The largest UTF-8 character boundary at or before byte `at`."""
    data = text.encode("utf-8")
    while 0 < at < len(data) and (data[at] & 0xC0) == 0x80:
        at -= 1
    return at
