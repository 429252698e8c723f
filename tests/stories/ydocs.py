"""pycrdt documents that stand for editors in tests: each edit yields the update a client would send.

An editor applies what it receives through `StoryDoc`, as a Yjs client does: an update whose dependencies
have not arrived yet waits (pycrdt alone loses text when several do, see `stories.cowriting.crdt.StoryDoc`).
"""

from __future__ import annotations

import random
from collections.abc import Callable

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
