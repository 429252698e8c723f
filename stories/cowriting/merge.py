"""The CPU-heavy part of compaction: pure functions of log rows (no database, no app), and `offloaded`,
which the replays of history and checkpoints use too.

They run in the worker's CPU process (`core/cpu_process.py`), so the event loop never waits for a replay:
5,000 rows cost over half a second of pycrdt. `offloaded` keeps small inputs in-process, where a round trip
to the child would cost more than the work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from core import cpu_process
from stories.cowriting import crdt

T = TypeVar("T")
IN_PROCESS_ROWS = 32  # fewer rows than this are replayed in-process (a few milliseconds at most)


def offloaded(rows: int, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, in the CPU process unless it only replays a few rows."""
    if rows < IN_PROCESS_ROWS:
        return function(*args)
    return cpu_process.run(function, *args)


def compacted(updates: Sequence[bytes]) -> bytes | None:
    """One update equivalent to `updates` (the document's own encoding, deleted text collected), or None
    while some update still waits for another that has not been stored yet."""
    story = crdt.replay(updates)
    return None if story.pending else story.doc.get_update()
