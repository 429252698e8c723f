"""Who wrote with each Yjs client id of a story: what the live editor needs to colour the text by author.

Every item of the story's `Y.Text` carries the id of the Yjs client that made it (`id.client`); the server
knows who sent each log row (`author_id`). The first row that brings structs of a client id names its writer
(a participant, or None: a facilitator's edit, a restore). The map is read from the kept log and kept per
process, extended with the rows since on each ask: a story's long log is decoded once (off the event loop,
within the work budget), then only what was written meanwhile. Names are not kept here: the caller resolves
the participant ids when it answers, so an erasure shows at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from core import budget
from extensions import db
from stories.cowriting import history
from stories.cowriting.yupdate import UpdateFormatError, decode_update

KEPT_STORIES = 256  # stories whose map a process keeps (least recently asked first out)
MAX_CLIENTS = 10_000  # client ids kept per story: a story's writers open few editors; past this, none more


@dataclass
class Known:
    """A story's map as far as `seq`: {client id: participant id or None}."""

    seq: int = 0
    clients: dict[int, history.Author] = field(default_factory=dict)


_kept: OrderedDict[int, Known] = OrderedDict()
_lock = threading.Lock()


def clients_of(rows: Sequence[history.LogRow], known: dict[int, history.Author]) -> dict[int, history.Author]:
    """`known` extended with the client ids first seen in `rows` (pure: it runs off the loop)."""
    found = dict(known)
    for row in rows:
        try:
            clients = decode_update(row.data).clients
        except UpdateFormatError:
            continue  # the live document skipped it too
        for client in sorted(clients):
            if client not in found and len(found) < MAX_CLIENTS:
                found[client] = row.author_id
    return found


def writers(story_id: int) -> dict[int, history.Author]:
    """{Yjs client id: participant id, or None for a facilitator's or a restore's} of the story, up to now.

    Reads the log rows past what this process knows, `persistence.CHUNK_ROWS` at a time with a pause
    between, ends the read transaction, then decodes them in `core.budget` (may raise `OverBudgetError`).
    """
    with _lock:
        known = _kept.get(story_id) or Known()
    rows = history.log_rows_in_chunks(story_id, after=known.seq)
    db.session.commit()  # read only: nothing held while the rows are decoded
    if not rows:
        return dict(known.clients)
    clients = budget.run(lambda: clients_of(rows, known.clients), "story writers")
    with _lock:
        current = _kept.get(story_id)
        if current is None or current.seq < rows[-1].seq:
            _kept[story_id] = Known(rows[-1].seq, clients)
        _kept.move_to_end(story_id)
        while len(_kept) > KEPT_STORIES:
            _kept.popitem(last=False)
    return clients


def forget(story_id: int | None = None) -> None:
    """Drop what this process keeps of a story (all stories: None), e.g. once its log was rewritten."""
    with _lock:
        if story_id is None:
            _kept.clear()
        else:
            _kept.pop(story_id, None)
