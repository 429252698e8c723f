"""Group commit: one writer thread per process checks and stores what arrives together, in one transaction.

Socket handlers (many greenlets) submit a job and wait on its future. The writer takes whatever is queued
(and, while busy, what arrives in the next couple of milliseconds: `_next_batch`), checks each job's
access (`access_cache`: a few queries per batch, in the same transaction), applies each update to its
story's live document (refusing what the document or the story size limit refuses), appends the accepted
bytes to the log with the story's figures, commits once, and only then resolves the futures. The story
locks are held from apply to commit, so no sync reply ever shows an update that is not stored; if the
commit fails for good, those documents are dropped and reload from the log. A job without an update only
asks whether its socket may still read the story (awareness, sync step 1).
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError, OperationalError

import metrics
from concurrency import Slot
from core import settings
from core.access import Access, BoardRules
from core.identity import Identity
from extensions import db
from stories.cowriting import board_rules, crdt, persistence
from stories.cowriting.access_cache import AccessCache, Request
from stories.cowriting.live import LiveStory
from stories.cowriting.yupdate import DecodedUpdate, UpdateFormatError, decode_update

if TYPE_CHECKING:
    from stories.cowriting.engine import Engine

log = logging.getLogger(__name__)
MAX_BATCH = 512
LINGER_UNTIL = 8  # a batch this large or larger never lingers
SMOOTHING = 0.2  # weight of the newest batch in the writer's arrival rate


@dataclass(frozen=True)
class Outcome:
    """What became of a job: done (`ok`; `seq` of a stored update), or refused with an error code."""

    ok: bool
    code: str | None = None
    seq: int | None = None

    @classmethod
    def refused(cls, code: str) -> Outcome:
        return cls(ok=False, code=code)


@dataclass(eq=False)
class Job:
    story_id: int
    identity: Identity | None
    update: bytes | None = None  # None: only check that the socket may read the story
    facilitator_writes: bool = False
    decoded: DecodedUpdate | None = None  # the update's structure, read once on arrival (crdt.check_update)
    rules: BoardRules = field(default_factory=BoardRules)  # what it may change now (its access check)
    future: Slot[Outcome] = field(default_factory=Slot)
    received: float = field(default_factory=time.monotonic)  # for the commit-time histogram (metrics.py)

    @property
    def author_id(self) -> int | None:
        """The participant who wrote the update (a facilitator's writing is nobody's in authorship)."""
        return self.identity.id if self.identity and not self.identity.is_facilitator else None


def inserted_bytes(update: bytes, decoded: DecodedUpdate | None = None) -> int:
    """UTF-8 bytes of the text an update inserts (at most the update's own size)."""
    try:
        structs = (decoded or decode_update(update)).structs
    except UpdateFormatError:
        return len(update)
    return sum(len(s.text.encode("utf-8")) for s in structs if s.text and not s.deleted)


class GroupCommitWriter:
    """The process's writer thread and its queue (started on first use, so after gunicorn forks)."""

    def __init__(self, engine: Engine, max_batch: int = MAX_BATCH) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.access = AccessCache()
        self._queue: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._running_in: int | None = None  # the process the thread runs in (none runs after a fork)
        self._start_lock = threading.Lock()
        self.batches = 0  # figures for the bench and the tests
        self.stored = 0
        self.arrival_rate = 0.0  # jobs a second, smoothed over the last batches
        self._batch_started = 0.0
        self._batch_size = 0

    def submit(self, job: Job) -> Slot[Outcome]:
        """Queue a job; its future resolves once its update is committed (or refused, or checked)."""
        self._ensure_thread()
        self._queue.put(job)
        return job.future

    def queued(self) -> int:
        """Jobs waiting for the writer (approximate: the queue moves meanwhile)."""
        return self._queue.qsize()

    def _ensure_thread(self) -> None:
        if self._running_in == os.getpid():  # checked on every keystroke: `is_alive` takes a lock
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="plume-story-writer", daemon=True)
                self._thread.start()
            self._running_in = os.getpid()

    def _run(self) -> None:
        # One session for the thread's life (its connection still goes back to the pool at each commit).
        try:
            with self.engine.app.app_context():
                while True:
                    jobs = self._next_batch()
                    try:
                        self.commit(jobs)
                    except Exception:
                        log.exception("story writer failed on a batch of %d jobs", len(jobs))
                        db.session.remove()  # a fresh session (and connection) for the next batch
                    finally:
                        for job in jobs:
                            if not job.future.done():
                                job.future.set_result(Outcome.refused("unavailable"))
        finally:
            self._running_in = None  # the next job starts another

    def _next_batch(self) -> list[Job]:
        """Wait for a job, then take what else is queued; when busy, linger a moment for more.

        Busy means jobs arrive fast enough that at least one more is expected within
        `PLUME_WRITE_LINGER_SECONDS` (from the arrival rate of the last batches) and fewer than
        `LINGER_UNTIL` are queued: waiting then lets the keystrokes arriving meanwhile share the batch's
        statements and its commit. A quiet room never waits; a saturated one batches anyway.
        """
        jobs = [self._queue.get()]
        now = time.monotonic()
        if self._batch_started:  # the last batch's jobs over the time from its start to this one's
            sample = self._batch_size / max(now - self._batch_started, 1e-4)
            self.arrival_rate += SMOOTHING * (sample - self.arrival_rate)
        self._batch_started = now
        self._drain(jobs)
        linger = settings.of(self.engine.app).write_linger_seconds
        if linger > 0 and len(jobs) < LINGER_UNTIL and self.arrival_rate * linger >= 1:
            time.sleep(linger)
            self._drain(jobs)
        self._batch_size = len(jobs)
        return jobs

    def _drain(self, jobs: list[Job]) -> None:
        while len(jobs) < self.max_batch:
            try:
                jobs.append(self._queue.get_nowait())
            except queue.Empty:
                return

    def commit(self, jobs: list[Job]) -> None:
        """Check, store and resolve a batch in one transaction (call within an app context).

        Jobs whose handler gave up waiting (a cancelled future) are left out: they were refused.
        """
        jobs = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        budget_ends = time.monotonic() + settings.of(self.engine.app).write_budget_seconds
        tips = self._tips(sorted({job.story_id for job in jobs}), budget_ends)
        by_story = self._authorise(jobs, tips)
        lives = {story_id: self.engine.stories.get(story_id) for story_id in sorted(by_story)}
        with ExitStack() as held:
            for live in lives.values():  # sorted by story id: no deadlock between batches
                held.enter_context(live.lock)
            try:
                accepted = self._apply_all(lives, by_story, tips)
                stored = self._store(lives, accepted, budget_ends) if accepted else {}
            except BaseException:
                for live in lives.values():  # they may hold updates that were not stored
                    self.engine.stories.discard(live)
                raise
        db.session.rollback()  # end the read transaction of a batch that stored nothing
        _resolve(accepted, stored)
        for live in lives.values():
            if live.broken or (live.story_id in accepted and not stored):
                self.engine.stories.discard(live)
        self.batches += 1
        self.stored += sum(len(accepted[s]) for s in stored)
        metrics.stored(
            sum(len(accepted[s]) for s in stored), (job.received for s in stored for job in accepted[s])
        )
        if stored:
            self.engine.stored({story_id: lives[story_id] for story_id in stored}, persistence.now())

    def _tips(self, story_ids: list[int], budget_ends: float) -> dict[int, persistence.Tip]:
        """`persistence.tips`, tried again when it loses a race for the rows (a deadlock, a lock timeout)
        while the batch's time budget lasts; past it, the batch is refused."""
        for attempt in itertools.count():
            try:
                return persistence.tips(story_ids)
            except OperationalError as exc:
                db.session.rollback()
                if attempt + 1 >= persistence.RETRIES or time.monotonic() > budget_ends:
                    raise
                log.info("story batch: tips retry %d after %s", attempt + 1, type(exc).__name__)
                persistence.retry_pause(attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _authorise(self, jobs: list[Job], tips: dict[int, persistence.Tip]) -> dict[int, list[Job]]:
        """Resolve the check-only jobs and the refused updates; return the updates that may be written."""
        requests: dict[Job, Request] = {}
        for job in jobs:
            tip = tips.get(job.story_id)
            if tip is None:
                job.future.set_result(Outcome.refused("forbidden"))
                continue
            writes = job.facilitator_writes and job.update is not None
            requests[job] = Request(job.identity, job.story_id, tip.workshop_id, tip.group_id, writes)
        answers = self.access.check(
            requests.values(), {tip.workshop_id: tip.access_version for tip in tips.values()}
        )
        allowed: dict[int, list[Job]] = {}
        for job, request in requests.items():
            granted: Access = answers[request]
            if job.update is None:
                job.future.set_result(Outcome(ok=True) if granted.read else Outcome.refused("forbidden"))
            elif not granted.write:
                job.future.set_result(Outcome.refused(granted.reason or "forbidden"))
            else:
                job.rules = granted.rules
                allowed.setdefault(job.story_id, []).append(job)
        return allowed

    def _apply_all(
        self, lives: dict[int, LiveStory], by_story: dict[int, list[Job]], tips: dict[int, persistence.Tip]
    ) -> dict[int, list[Job]]:
        """Catch each story up with rows another worker wrote, then apply its jobs; the accepted ones."""
        accepted: dict[int, list[Job]] = {}
        for story_id, story_jobs in by_story.items():
            live = lives[story_id]
            _catch_up(live, tips)
            for job in story_jobs:
                # A refusal of the board's rules came after pycrdt applied the update: the document is
                # reloaded from the log after this batch, and the story's next updates wait for it.
                refusal = "unavailable" if live.broken else self._apply(live, job)
                if refusal:
                    job.future.set_result(Outcome.refused(refusal))
                else:
                    accepted.setdefault(story_id, []).append(job)
        return accepted

    def _apply(self, live: LiveStory, job: Job) -> str | None:
        """Apply one update to the live document; the refusal code, or None when it applied."""
        assert job.update is not None
        limit = settings.of(self.engine.app).max_story_bytes
        if live.size_at_most() + len(job.update) > limit:  # the update's size bounds the text it adds
            size = live.text_bytes()
            if size + len(job.update) > limit:  # read what it adds only then
                added = inserted_bytes(job.update, job.decoded)
                if added and size + added > limit:
                    return "too_large"
        if _adds_items(job) and _outweighs(live, job.update, settings.of(self.engine.app).max_document_bytes):
            return "too_large"
        try:
            applied, change = live.offer_recorded(job.update, job.decoded)
        except crdt.MalformedError:
            return "malformed"
        if not applied:
            return "out_of_sync"
        refusal = board_rules.judge(change, live.board, job.rules, live.placed)
        if refusal:
            live.broken = True  # it holds the refused update: reload it from the log
        return refusal

    def _store(
        self, lives: dict[int, LiveStory], accepted: dict[int, list[Job]], budget_ends: float
    ) -> dict[int, int]:
        """Append the accepted updates and commit; {story id: last seq} or {}.

        The session commits, not its connection, though that costs more (SQLite, three stories: tips,
        append and commit take 150 µs so, 70 µs on a connection held across batches): the commit expires
        what the access checks loaded (groups, participants), so the next check reads them afresh, and
        after-commit hooks (`core.outbox`) are the session's.
        """
        for attempt in range(persistence.RETRIES):
            if attempt and time.monotonic() > budget_ends:
                break  # refuse the batch rather than keep its writers waiting past their ack timeout
            try:
                if attempt:  # lost a race: another worker appended meanwhile
                    tips = persistence.tips(sorted(accepted))
                    for story_id in accepted:
                        _catch_up(lives[story_id], tips)
                rows, last = [], {}
                for story_id, story_jobs in accepted.items():
                    live = lives[story_id]
                    first = live.last_seq + 1
                    rows += [
                        persistence.NewRow(story_id, first + i, job.update, job.author_id)  # type: ignore[arg-type]  # accepted: an update
                        for i, job in enumerate(story_jobs)
                    ]
                    last[story_id] = first + len(story_jobs) - 1
                persistence.append_rows(rows)
                db.session.commit()
            except (OperationalError, IntegrityError) as exc:
                db.session.rollback()
                log.info("story batch retry %d after %s", attempt + 1, type(exc).__name__)
                persistence.retry_pause(attempt)
                continue
            for story_id, seq in last.items():
                lives[story_id].last_seq = seq
                lives[story_id].tail_rows += len(accepted[story_id])
                lives[story_id].tail_bytes += sum(len(job.update or b"") for job in accepted[story_id])
            return last
        log.error(
            "a batch of %d stories was not stored after %d attempts", len(accepted), persistence.RETRIES
        )
        return {}


def _adds_items(job: Job) -> bool:
    """Whether the job's update adds items to the document (one that only deletes adds none)."""
    return job.decoded is None or any(not struct.skip for struct in job.decoded.structs)


def _outweighs(live: LiveStory, update: bytes, limit: int) -> bool:
    """Whether the update could take the document's weight (`LiveStory.weight_at_most`) past `limit`.

    The bound first; only when it says so is the document weighed (`LiveStory.weigh`: encoded, at most once a
    second). Tombstones cost no text: without this, a writer inserting and deleting a character over and over
    grows a document that every first load applies on the event loop (20,000 such pairs: 405 KB, 12 ms).
    """
    if live.weight_at_most() + len(update) <= limit:
        return False
    return live.weigh() + len(update) > limit


def _catch_up(live: LiveStory, tips: dict[int, persistence.Tip]) -> None:
    """Apply the log rows this process has not (another worker wrote them, or the story is not loaded)."""
    tip = tips.get(live.story_id)
    if tip is not None and tip.last_seq > live.last_seq:
        live.catch_up(persistence.rows_after(live.story_id, live.last_seq))


def _resolve(accepted: dict[int, list[Job]], stored: dict[int, int]) -> None:
    """Resolve the accepted jobs: each with its seq, or refused if its story's rows were not stored."""
    for story_id, story_jobs in accepted.items():
        last = stored.get(story_id)
        for i, job in enumerate(story_jobs):
            if last is None:
                job.future.set_result(Outcome.refused("unavailable"))
            else:
                job.future.set_result(Outcome(ok=True, seq=last - len(story_jobs) + 1 + i))
