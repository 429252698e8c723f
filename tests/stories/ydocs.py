"""pycrdt documents that stand for editors in tests: each edit yields the update a client would send.

An editor applies what it receives through `StoryDoc`, as a Yjs client does: an update whose dependencies
have not arrived yet waits (pycrdt alone loses text when several do, see `stories.cowriting.crdt.StoryDoc`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Map, Text

from stories.cowriting import crdt, persistence
from stories.cowriting.crdt import StoryDoc


class Editor(StoryDoc):
    """A Yjs document and its text; `insert`/`delete` return the update the edit produced."""

    def __init__(self) -> None:
        super().__init__()
        self._updates: list[bytes] = []
        self.doc.observe(lambda event: self._updates.append(event.update))

    @property
    def text(self):
        return self.body

    def _edit(self, change: Callable[[], None]) -> bytes:
        self._updates.clear()
        change()
        (update,) = self._updates
        self._updates.clear()
        return update

    def _offset(self, index: int) -> int:
        """pycrdt indexes text by UTF-8 bytes; tests speak in characters."""
        return len(str(self.text)[:index].encode("utf-8"))

    def insert(self, index: int, value: str) -> bytes:
        return self._edit(lambda: self.text.insert(self._offset(index), value))

    def delete(self, start: int, stop: int) -> bytes:
        first, last = self._offset(start), self._offset(stop)
        return self._edit(lambda: self.text.__delitem__(slice(first, last)))

    def receive(self, update: bytes) -> None:
        self.apply(update)
        self._updates.clear()

    def random_edit(self, rng: random.Random) -> bytes:
        """A keystroke-like edit: mostly short inserts, sometimes a deletion."""
        size = len(str(self.text))
        if size > 3 and rng.random() < 0.25:
            start = rng.randrange(size)
            return self.delete(start, min(size, start + rng.randint(1, 3)))
        return self.insert(rng.randint(0, size), rng.choice(["a", "b", "é", " ", "\n", "😀", "word "]))

    def __str__(self) -> str:
        return str(self.text)


class BoardWriter:
    """A pycrdt copy of a group's document, its story and its board (docs/protocol.md, "The board"), whose
    every change yields the update a client would send."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.body = self.doc.get("body", type=Text)
        self.board = self.doc.get("board", type=Array)
        self._updates: list[bytes] = []
        self.doc.observe(lambda event: self._updates.append(event.update))

    def change(self, edit: Callable[[], None]) -> bytes:
        self._updates.clear()
        with self.doc.transaction():
            edit()
        (update,) = self._updates
        return update

    def add_card(self, text: str, column: str = "Signals", author: int = 1, **extra: Any) -> bytes:
        card = Map({"id": f"c{len(self.board)}", "text": text, "column": column, "author": author, **extra})
        return self.change(lambda: self.board.append(card))

    def vote(self, index: int, member: int, dots: int) -> bytes:
        """`member`'s dots on the card at `index` (its `votes` made first if it has none)."""

        def edit() -> None:
            card = self.board[index]
            if not isinstance(card.get("votes"), Map):
                card["votes"] = Map()
            card["votes"][str(member)] = dots

        return self.change(edit)

    def set_card(self, index: int, key: str, value: Any) -> bytes:
        return self.change(lambda: self.board[index].__setitem__(key, value))

    def write(self, text: str) -> bytes:
        return self.change(lambda: self.body.insert(len(str(self.body)), text))


def fork(writer: BoardWriter) -> BoardWriter:
    """Another client's copy of what `writer` has (its own client id): its changes build on what is stored."""
    other = BoardWriter()
    other.doc.apply_update(writer.doc.get_update())
    return other


def stored_board(story_id: int) -> list[dict[str, Any]]:
    """The board as the server stored it: its log replayed."""
    return (
        crdt.replay(data for _, data in persistence.rows_after(story_id)).doc.get("board", type=Array).to_py()
    )
