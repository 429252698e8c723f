"""A pycrdt writer of the group's board (docs/protocol.md, "The board"), and the board as stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Map, Text

from stories.cowriting import crdt, persistence


class Writer:
    """A pycrdt copy of the document whose every change yields the update a client would send."""

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

    def write(self, text: str) -> bytes:
        return self.change(lambda: self.body.insert(len(str(self.body)), text))


def fork(writer: Writer) -> Writer:
    """Another client's copy of what `writer` has (its own client id): its changes build on what is stored."""
    other = Writer()
    other.doc.apply_update(writer.doc.get_update())
    return other


def stored_board(story_id: int) -> list[dict[str, Any]]:
    return (
        crdt.replay(data for _, data in persistence.rows_after(story_id)).doc.get("board", type=Array).to_py()
    )
