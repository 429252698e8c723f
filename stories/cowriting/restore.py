"""Bring a story back to a checkpoint as a new edit: the smallest Yjs update that turns the current text
into the checkpoint's, stored through the writer like any edit and relayed to every open editor.

Nothing is lost: the log keeps what the restore replaced, and restoring a later checkpoint undoes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.identity import Identity
from core.realtime import story_room
from core.settings import settings
from errors import RefusedError
from extensions import socketio
from stories.cowriting import crdt, history, persistence
from stories.models import StoryCheckpoint


class RestoreError(RefusedError):
    """The writer refused the restoring edit (its code says why)."""


def restoring_update(state: bytes, target: str, owners: Sequence[history.Author] = ()) -> bytes | None:
    """The update that turns the document `state` into text `target` (None when it already is).

    Made on a pycrdt document synced from `state`, with word-level edits, so that text both share keeps
    its items (and its authors); only what differs is deleted or inserted. `owners` (who wrote each UTF-8
    byte of `target`, as `history.Replay` follows them) gives each inserted piece back to its writer: it is
    inserted with their id as its `history.AUTHOR` attribute, which the replay reads (docs/history.md).
    """
    doc, body = crdt.new_doc()
    doc.apply_update(state)
    current = str(body)
    if current == target:
        return None
    made: list[bytes] = []
    doc.observe(lambda event: made.append(event.update))
    pieces = history.diff(current, target)
    with doc.transaction():
        at, then = 0, 0  # UTF-8 bytes (pycrdt's unit) in the document, and in `target`
        for kind, text in pieces:
            size = len(text.encode("utf-8"))
            if kind == "same":
                at += size
                then += size
            elif kind == "removed":
                del body[at : at + size]
            else:
                for author, piece in _by_author(text, owners[then : then + size]):
                    body.insert(at, piece, {history.AUTHOR: author})  # None: no attribute, none inherited
                    at += len(piece.encode("utf-8"))
                then += size
    return made[0] if made else None


def _by_author(text: str, owners: Sequence[history.Author]) -> list[tuple[history.Author, str]]:
    """`text` cut where its writer changes (`owners`: one per UTF-8 byte; bytes beyond them are nobody's)."""
    data = text.encode("utf-8")
    runs = history.runs_of([*owners, *[None] * (len(data) - len(owners))][: len(data)])
    pieces, start = [], 0
    for author, size in runs:
        pieces.append((author, data[start : start + size].decode("utf-8", errors="replace")))
        start += size
    return pieces


def target_text(checkpoint: StoryCheckpoint) -> str:
    """The checkpoint's text, replayed from the log when the checkpoint knows its seq."""
    if checkpoint.seq is None:
        return checkpoint.text
    return history.seek(checkpoint.story_id, checkpoint.seq).text()


def confirmation_diff(checkpoint: StoryCheckpoint) -> list[tuple[str, str]]:
    """What restoring would change: the story now against the checkpoint's text, replayed and compared
    off the event loop within the work budget (`core.budget`, which may raise `OverBudgetError`)."""
    from core import budget

    now = history.seek_input(checkpoint.story_id)
    then = history.seek_input(checkpoint.story_id, checkpoint.seq) if checkpoint.seq is not None else None
    stored = checkpoint.text

    def compare() -> list[tuple[str, str]]:
        target = history.replay_of(then).text() if then is not None else stored
        return history.diff(history.replay_of(now).text(), target)

    return budget.run(compare, "restore confirmation")


def restore(checkpoint: StoryCheckpoint, identity: Identity) -> bool:
    """Submit the restoring edit through the writer, wait until it is stored, relay it; False if no change.

    The current state comes from the database log. The one function the engine's owner may adapt to
    another writer or emit path.
    """
    from core import budget
    from stories.cowriting.engine import engine  # the engine starts threads: import it only when restoring
    from stories.cowriting.writer import Job

    story_id = checkpoint.story_id
    rows = persistence.rows_after(story_id)
    then = history.seek_input(story_id, checkpoint.seq) if checkpoint.seq is not None else None
    stored = checkpoint.text

    def compute() -> bytes | None:  # off the loop, within the work budget: no database in here
        state = crdt.replay(data for _, data in rows).doc.get_update()
        if then is None:  # an older checkpoint without a seq: its text only, nobody's
            return restoring_update(state, stored)
        target = history.replay_of(then)
        return restoring_update(state, target.text(), target.owners)

    update = budget.run(compute, "restore")
    if update is None:
        return False
    future = engine().writer.submit(Job(story_id, identity, update, facilitator_writes=True))
    outcome = future.result(timeout=settings().restore_wait_seconds)
    if not outcome.ok:
        raise RestoreError(outcome.code or "unavailable", outcome.code or "unavailable")
    socketio.emit("yjs", (story_id, crdt.update_message(update)), to=story_room(story_id))
    return True
