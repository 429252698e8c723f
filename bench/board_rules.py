"""What the server's board rules cost per update (docs/protocol.md, "The board"): a 20,000-character story
and a 300-card board, in one process, no server. `python -m bench.board_rules` prints µs per update.

Each update is offered to a live document as the writer does (`LiveStory.offer_recorded`, then
`board_rules.judge`); a keystroke is also offered without the rules, for comparison.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pycrdt import Array, Doc, Map, Text

from core.access import BoardRules
from stories.cowriting import board_rules
from stories.cowriting.live import LiveStory

STORY_CHARS = 20_000
CARDS = 300
RULES = BoardRules(board="write", text=True, dots=3, member=1)


class Source:
    """A client's document: each change yields its update."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.body = self.doc.get("body", type=Text)
        self.board = self.doc.get("board", type=Array)
        self.updates: list[bytes] = []
        self.doc.observe(lambda event: self.updates.append(event.update))

    def change(self, edit: Callable[[], None]) -> bytes:
        self.updates.clear()
        with self.doc.transaction():
            edit()
        (update,) = self.updates
        return update


def main() -> None:
    source = Source()
    log = [
        source.change(lambda: source.body.insert(len(source.body), "abcdefghi "))
        for _ in range(0, STORY_CHARS, 10)
    ]
    for i in range(CARDS):
        card = Map({"id": f"c{i}", "text": f"card {i}", "column": "A", "author": 1, "votes": Map()})
        log.append(source.change(lambda card=card: source.board.append(card)))  # type: ignore[misc]
    live = LiveStory(1)
    started = time.perf_counter()
    live.catch_up(enumerate(log, 1))
    print(f"load {len(log)} rows: {(time.perf_counter() - started) * 1000:.0f} ms")

    def keystroke(_: int) -> bytes:
        return source.change(lambda: source.body.insert(random.randrange(len(source.body)), "x"))

    cases: dict[str, Callable[[int], bytes]] = {
        "card text edit": lambda k: source.change(
            lambda: source.board[k % CARDS].__setitem__("text", f"edit {k}")
        ),
        "card move": lambda k: source.change(
            lambda: source.board[k % CARDS].__setitem__("column", f"C{k % 3}")
        ),
        "vote (+1/-1)": lambda k: source.change(lambda: source.board[k % 3]["votes"].__setitem__("1", k % 2)),
        "card added": lambda k: source.change(
            lambda: source.board.append(Map({"id": f"n{k}", "text": "new", "column": "A", "votes": Map()}))
        ),
    }
    bare = LiveStory(2)  # the same document, never observed: the cost without the rules, interleaved
    bare.catch_up(enumerate(log, 1))
    plain = ruled = 0.0
    for k in range(1000):
        update = keystroke(k)
        started = time.perf_counter()
        bare.offer(update)
        plain += time.perf_counter() - started
        started = time.perf_counter()
        _, change = live.offer_recorded(update)
        board_rules.judge(change, live.board, RULES, live.placed)
        ruled += time.perf_counter() - started
    print(f"keystroke: {plain / 1000 * 1e6:.0f} µs without the rules, {ruled / 1000 * 1e6:.0f} µs with them")
    for name, make in cases.items():
        spent = 0.0
        for k in range(150):
            update = make(k)
            started = time.perf_counter()
            applied, change = live.offer_recorded(update)
            refusal = board_rules.judge(change, live.board, RULES, live.placed)
            spent += time.perf_counter() - started
            assert applied, name
            assert refusal is None, (name, refusal)
        print(f"{name}: {spent / 150 * 1e6:.0f} µs")
    started = time.perf_counter()
    board_rules.tally(live.board)
    print(
        f"every member's dots over {len(live.board)} cards: {(time.perf_counter() - started) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
