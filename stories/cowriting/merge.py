"""The CPU-heavy part of compaction and checkpoints: pure functions of log rows (no database, no app).

They run in the worker's CPU process (`core/cpu_process.py`), so the event loop never waits for a replay:
5,000 rows cost over a second of pycrdt and of reading Yjs structs in Python. `offloaded` keeps small
inputs in-process, where a round trip to the child would cost more than the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from core import cpu_process
from stories.cowriting import crdt
from stories.cowriting.yupdate import UpdateFormatError, decode_update, visible_characters

log = logging.getLogger(__name__)
T = TypeVar("T")
IN_PROCESS_ROWS = 32  # fewer rows than this are replayed in-process (a few milliseconds at most)
Row = tuple[bytes, int | None]  # an update and its author (None: nobody's in authorship)


def offloaded(rows: int, function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, in the CPU process unless it only replays a few rows."""
    if rows < IN_PROCESS_ROWS:
        return function(*args)
    return cpu_process.run(function, *args)


def clients_of(data: bytes) -> set[int]:
    """The Yjs client ids whose structs an update carries (none if our reader cannot read it)."""
    try:
        return decode_update(data).clients
    except UpdateFormatError:  # pycrdt accepted it, so it is ours that cannot read it: no authorship
        log.warning("could not read the structs of a stored update")
        return set()


def client_authors(rows: Sequence[Row]) -> dict[int, int]:
    """Client id -> the participant of the first authored row that carries it."""
    authors: dict[int, int] = {}
    for data, author in rows:
        if author is not None:
            for client in clients_of(data):
                authors.setdefault(client, author)
    return authors


def compacted(rows: Sequence[Row]) -> tuple[bytes | None, dict[int, int]]:
    """One update equivalent to the rows (None while some update waits for one not stored yet), and the
    client ids of the authored rows with their participant (`client_authors`)."""
    story = crdt.replay(data for data, _ in rows)
    return (None if story.pending else story.doc.get_update()), client_authors(rows)


def figures(rows: Sequence[Row]) -> tuple[str, dict[int, int] | None, dict[int, int]]:
    """The text the rows build, the characters of each client still in it (None if our reader cannot read
    the document), and `client_authors`: what a checkpoint and authorship need."""
    story = crdt.replay(data for data, _ in rows)
    try:
        visible: dict[int, int] | None = dict(visible_characters(story.doc.get_update(), crdt.BODY))
    except UpdateFormatError:
        visible = None
    return story.text(), visible, client_authors(rows)
