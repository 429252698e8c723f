"""Stories held in memory by this process: one document per story, caught up from the log.

A `LiveStory` is loaded from the log on first use (a fresh one has `last_seq = 0`, so catching up loads it
all). Before it answers a sync it catches up again (`seq > last_seq`), because another worker may have
written. Every access holds its lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from pycrdt import Array, ArrayEvent, MapEvent

from stories.cowriting import board_rules, crdt
from stories.cowriting.board_rules import Change
from stories.cowriting.yupdate import DecodedUpdate

log = logging.getLogger(__name__)
WEIGH_EVERY_SECONDS = 1.0  # a story's document is encoded to weigh it at most this often (`LiveStory.weigh`)


class LiveStory(crdt.StoryDoc):
    def __init__(self, story_id: int) -> None:
        self.recording: Change | None = None  # what the update being offered changes (`board_rules`)
        self._tally: dict[str, int] | None = None  # each member's dots on the board (None: count again)
        self._board: tuple[Any, Array[Any]] | None = None  # (its document, the board) once asked
        self._watching: tuple[Any, Any] | None = None  # (the document watched, the board's subscription)
        super().__init__()
        self.story_id = story_id
        self.last_seq = 0  # the highest log seq this document has applied
        self.tail_rows = 0  # log rows applied or written since this process loaded the story
        self.tail_bytes = 0  # their bytes, but for the first row of a load (a compacted story's snapshot)
        self.broken = False  # a refused apply may have left the document half-changed: reload it
        self.lock = threading.RLock()
        self.idle_since: float | None = None  # when this process last saw the story's room empty
        self._length: int | None = None  # characters, counted once per change (see `length`)
        self._size_bound: int | None = None  # UTF-8 bytes of the text at most (see `size_at_most`)
        self._encoded_bound = 0  # bytes of the document's encoding at most (see `weight_at_most`)
        self._weighed_at = -WEIGH_EVERY_SECONDS  # when the document was last encoded to weigh it

    @property
    def board(self) -> Array[Any]:
        if self._board is None or self._board[0] is not self.doc:
            self._board = (self.doc, self.doc.get(crdt.BOARD, type=Array))
        return self._board[1]

    def _watch(self) -> None:
        """Observe the document (its text, its board) for `offer_recorded`, once per document."""
        if self._watching is None or self._watching[0] is not self.doc:
            self._unwatch()
            self._watching = (self.doc, self.board.observe_deep(self._board_changed))

    def _unwatch(self) -> None:
        """Stop observing: replaying a log observed runs twice as long (2,300 rows: 100 ms against 44)."""
        if self._watching is not None:
            doc, board = self._watching
            self._watching = None
            if doc is self.doc:
                self.board.unobserve(board)

    def _board_changed(self, events: list[Any]) -> None:
        change = self.recording
        if change is None:
            return
        for event in events:
            path = list(event.path)
            if isinstance(event, MapEvent):
                keys: dict[str, Any] = getattr(event, "keys", {})  # set by pycrdt
                change.board.append((path, dict(keys)))
            elif isinstance(event, ArrayEvent):
                change.board.append((path, None))
                if not path:
                    delta: list[dict[str, Any]] = list(getattr(event, "delta", None) or ())
                    change.inserted += [v for op in delta for v in op.get("insert", ())]
                    change.deleted = change.deleted or any("delete" in op for op in delta)
            else:  # a text nested in the board: no card holds one
                change.board.append((path, None))

    def offer_recorded(self, update: bytes, decoded: DecodedUpdate | None = None) -> tuple[bool, Change]:
        """`offer`, and what the update changed (when it applied): the board from pycrdt's events (observed
        from the first such offer on: subscribing each time cost 45 µs), the text from its length and the
        text the update inserts (observing the text cost 90 µs a keystroke), measured only when it inserts
        none (a deletion)."""
        self._watch()
        self.recording = change = Change()
        inserts = decoded is not None and any(s.text and not s.deleted for s in decoded.structs)
        length = None if inserts else len(self.body)
        try:
            applied = self.offer(update, decoded)
        finally:
            self.recording = None
        change.text = inserts or len(self.body) != length
        if change.board and self._tally is not None:
            moved = board_rules.moved_dots(change)
            if moved is None:
                self._tally = None
            else:
                for voter, dots in moved.items():
                    self._tally[voter] = self._tally.get(voter, 0) + dots
        return applied, change

    def placed(self, member: str) -> int:
        """The dots `member` has on the board (counted over the board once, then kept up to date)."""
        if self._tally is None:
            self._tally = board_rules.tally(self.board)
        return self._tally.get(member, 0)

    def apply(self, update: bytes) -> None:
        self._tally = None
        self._changing(lambda: crdt.StoryDoc.apply(self, update), update)

    def offer(self, update: bytes, decoded: DecodedUpdate | None = None) -> bool:
        """Apply the update if it can integrate (see `crdt.StoryDoc.offer`)."""
        return self._changing(lambda: crdt.StoryDoc.offer(self, update, decoded), update) is not False

    def _changing(self, change: Callable[[], bool | None], update: bytes) -> bool | None:
        """Make a change: a refused one marks the document broken; an applied one moves the counts."""
        self._length = None
        try:
            result = change()
        except crdt.MalformedError:
            self.broken = True
            raise
        if result is not False:
            self._encoded_bound += len(update)  # and at most its own size to the document
            if self._size_bound is not None:
                self._size_bound += len(update)  # an update adds at most its own size of text
        return result

    def catch_up(self, rows: Iterable[tuple[int, bytes]]) -> None:
        """Apply log rows (seq, update) newer than `last_seq`, in order (as a log: `replaying_a_log`, three
        times faster on a first load from a long log, which runs on the event loop)."""
        self.replaying_a_log = True
        self._unwatch()
        loading = self.last_seq == 0
        try:
            for seq, data in rows:
                if seq > self.last_seq:
                    self._length = self._size_bound = self._tally = None
                    try:
                        crdt.StoryDoc.apply(self, data)
                    except crdt.MalformedError:  # stored rows were checked; never let one block the story
                        log.error("story %s: log row %s does not apply; skipped", self.story_id, seq)
                    self._encoded_bound += len(data)
                    if not loading:
                        self.tail_bytes += len(data)
                    loading = False
                    self.last_seq = seq
                    self.tail_rows += 1
        finally:
            self.replaying_a_log = False

    @property
    def length(self) -> int:
        """Characters in the story (counted again only after a change)."""
        if self._length is None:
            self._length = len(self.text())
        return self._length

    def text_bytes(self) -> int:
        """UTF-8 bytes of the story (pycrdt measures text in bytes)."""
        self._size_bound = len(self.body)
        return self._size_bound

    def size_at_most(self) -> int:
        """An upper bound of `text_bytes`, measured only once in a while: the last measure plus the sizes of
        the updates applied since."""
        return self.text_bytes() if self._size_bound is None else self._size_bound

    def weight_at_most(self) -> int:
        """An upper bound of the document's weight: the bytes of its encoding beyond its text's, which are
        the traces of its edits (a deleted character stays as a tombstone, each insertion keeps its place).
        Each first load, sync answer and compaction works through them. The bound is the last weighing
        (`weigh`) plus the sizes of the updates applied since, less the text."""
        return self._encoded_bound - self.text_bytes()

    def weigh(self, now: float | None = None) -> int:
        """The document's weight (see `weight_at_most`), encoded to measure it at most once every
        `WEIGH_EVERY_SECONDS` (a few milliseconds for a document near `PLUME_MAX_DOCUMENT_BYTES`); within
        that, the bound."""
        now = time.monotonic() if now is None else now
        if now - self._weighed_at >= WEIGH_EVERY_SECONDS:
            self._weighed_at = now
            self._encoded_bound = len(self.doc.get_update())
        return self.weight_at_most()


class LiveStories:
    """This process's live stories by id, with eviction of those nobody here has open."""

    def __init__(self) -> None:
        self._stories: dict[int, LiveStory] = {}
        self._lock = threading.Lock()

    def get(self, story_id: int) -> LiveStory:
        """The live story (empty and unloaded if new: catch it up before use)."""
        with self._lock:
            live = self._stories.get(story_id)
            if live is None or live.broken:
                live = self._stories[story_id] = LiveStory(story_id)
            live.idle_since = None
            return live

    def discard(self, live: LiveStory) -> None:
        """Forget this document (the next `get` reloads the story from the log)."""
        with self._lock:
            if self._stories.get(live.story_id) is live:
                del self._stories[live.story_id]

    def __contains__(self, story_id: int) -> bool:
        with self._lock:
            return story_id in self._stories

    def evict_idle(
        self, is_open: Callable[[int], bool], idle_seconds: float, now: float | None = None
    ) -> list[int]:
        """Drop stories whose room has had nobody in this process for `idle_seconds`; return their ids."""
        now = time.monotonic() if now is None else now
        evicted = []
        with self._lock:
            for story_id, live in list(self._stories.items()):
                if is_open(story_id):
                    live.idle_since = None
                elif live.idle_since is None:
                    live.idle_since = now
                elif now - live.idle_since >= idle_seconds and live.lock.acquire(blocking=False):
                    try:
                        del self._stories[story_id]
                        evicted.append(story_id)
                    finally:
                        live.lock.release()
        return evicted
