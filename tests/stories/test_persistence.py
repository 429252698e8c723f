"""The update log, group commit, compaction, catch-up and checkpoints, on the test database (no server)."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask, has_app_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Awareness, Doc, create_awareness_message
from sqlalchemy import select

from core.identity import Identity
from extensions import db
from stories.cowriting import crdt, history, persistence, sync, writer
from stories.cowriting.checkpoints import checkpoint_workshop
from stories.cowriting.engine import Engine, Subscription
from stories.cowriting.live import LiveStory
from stories.cowriting.writer import Job, Outcome
from stories.models import Story, StoryCheckpoint, StoryUpdate
from tests import factories
from tests.overrides import changed_settings
from tests.statements import recorded
from tests.stories.ydocs import Editor
from workshops.models import Group, Participant


@pytest.fixture
def engine(app_ctx: Flask) -> Iterator[Engine]:
    """A fresh engine of its own (no cached documents), installed as the app's for this test."""
    previous = app_ctx.extensions.get("plume.stories")
    fresh = app_ctx.extensions["plume.stories"] = Engine(app_ctx)
    yield fresh
    app_ctx.extensions["plume.stories"] = previous


WRITERS: dict[int, Identity] = {}  # story id -> a participant of its group


def new_story() -> int:
    """A story of a running workshop, with a participant who may write it (see `writer_of`)."""
    group = factories.workshop(groups=1).groups[0]
    story_id = factories.story_of(group).id
    WRITERS[story_id] = Identity("participant", factories.participant(group)[0].id)
    return story_id


def writer_of(story_id: int) -> Identity:
    return WRITERS[story_id]


def job(story_id: int, update: bytes, author: int | None = None) -> Job:
    who = Identity("participant", author) if author else writer_of(story_id)
    return Job(story_id, who, update)


def store(engine: Engine, story_id: int, updates: list[bytes], author: int | None = None) -> list[Outcome]:
    """Store updates as one batch, as the writer thread does, and return their outcomes."""
    jobs = [job(story_id, update, author) for update in updates]
    engine.writer.commit(jobs)
    return [j.future.result(timeout=0) for j in jobs]


def log_seqs(story_id: int) -> list[int]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(StoryUpdate.seq).where(StoryUpdate.story_id == story_id).order_by(StoryUpdate.seq)
        )
    )


def replayed(story_id: int) -> LiveStory:
    live = LiveStory(story_id)
    live.catch_up(persistence.rows_after(story_id))
    return live


def same_document(a: LiveStory, b: LiveStory) -> bool:
    """Same text, and each holds every struct and deletion of the other."""
    return (
        str(a.body) == str(b.body)
        and crdt.integrated(a.doc, b.doc.get_update())
        and crdt.integrated(b.doc, a.doc.get_update())
    )


# --- convergence, compaction, replay: properties -------------------------------------------------------


class Traffic:
    """Editors around one stored story: what they sent the server and what it relayed to them."""

    def __init__(self, engine: Engine, rng: random.Random, story_id: int, editors: int) -> None:
        self.engine, self.rng, self.story_id = engine, rng, story_id
        self.people = [Editor() for _ in range(editors)]
        self.outbox: list[tuple[Editor, bytes]] = []  # sent, not yet received by the server
        self.inbox: dict[Editor, list[bytes]] = {person: [] for person in self.people}  # relayed, not applied

    def step(self) -> None:
        action = self.rng.random()
        if action < 0.45:
            author = self.rng.choice(self.people)
            self.outbox.append((author, author.random_edit(self.rng)))
        elif action < 0.7 and self.outbox:
            self.server_receives(self.rng.randint(1, len(self.outbox)))
        elif action < 0.93:
            self.deliver(self.rng.choice(self.people))
        elif action < 0.97:
            before = persistence.load_text(self.story_id)
            persistence.compact(self.story_id)
            assert persistence.load_text(self.story_id) == before
        else:
            self.newcomer_joins()

    def server_receives(self, count: int) -> None:
        batch = []
        for _ in range(count):  # any sender next, but each sender's oldest update first
            sender = self.rng.choice([person for person, _ in self.outbox])
            oldest = next(i for i, (person, _) in enumerate(self.outbox) if person is sender)
            batch.append(self.outbox.pop(oldest))
        outcomes = store(self.engine, self.story_id, [update for _, update in batch])
        for (sender, update), outcome in zip(batch, outcomes, strict=True):
            assert outcome.ok
            for person in self.people:
                if person is not sender:
                    self.inbox[person].append(update)

    def deliver(self, person: Editor) -> None:
        if self.inbox[person]:
            person.receive(self.inbox[person].pop(self.rng.randrange(len(self.inbox[person]))))

    def newcomer_joins(self) -> None:
        newcomer = Editor()
        with self.engine.synced(self.story_id) as live:
            for update in live.answer(newcomer.doc.get_state()):
                newcomer.receive(update)
        self.people.append(newcomer)
        self.inbox[newcomer] = []

    def settle(self) -> None:
        """The server receives everything sent, and everyone applies everything relayed."""
        self.server_receives(len(self.outbox))
        for person in self.people:
            while self.inbox[person]:
                self.deliver(person)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32), editors=st.integers(2, 4), steps=st.integers(5, 80))
def test_concurrent_edits_through_the_store_converge(
    engine: Engine, seed: int, editors: int, steps: int
) -> None:
    """Editors edit concurrently; the server receives each one's updates in the order sent (a socket's
    events are handled in order) but interleaved with the others', in batches, relays each to the others
    who apply them in any order, compacts now and then, and a newcomer joins by sync. In the end
    everyone, the live doc and the log have one text."""
    story_id = new_story()
    traffic = Traffic(engine, random.Random(seed), story_id, editors)
    for _ in range(steps):
        traffic.step()
    traffic.settle()

    live = engine.stories.get(story_id)
    texts = {str(person) for person in traffic.people}
    assert texts == {str(live.body)} == {persistence.load_text(story_id)}
    assert same_document(live, replayed(story_id))
    seqs = log_seqs(story_id)
    assert seqs == sorted(set(seqs))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32), steps=st.integers(1, 60), cut=st.floats(0, 1))
def test_compaction_never_changes_the_text_and_keeps_seq_monotonic(
    engine: Engine, seed: int, steps: int, cut: float
) -> None:
    rng = random.Random(seed)
    story_id = new_story()
    a, b = Editor(), Editor()
    for i in range(steps):
        author, other = (a, b) if rng.random() < 0.5 else (b, a)
        update = author.random_edit(rng)
        other.receive(update)
        store(engine, story_id, [update])
        if i == int(cut * steps):
            persistence.compact(story_id)
    before, last = persistence.load_text(story_id), log_seqs(story_id)[-1]
    persistence.compact(story_id)
    assert persistence.load_text(story_id) == before == str(a) == str(b)
    assert log_seqs(story_id) == [last]
    assert same_document(engine.stories.get(story_id), replayed(story_id))
    extra = a.insert(0, "after ")
    store(engine, story_id, [extra])
    assert log_seqs(story_id) == [last, last + 1]
    assert persistence.load_text(story_id) == str(a)


# --- group commit -----------------------------------------------------------------------------------------


def test_updates_that_arrive_together_share_one_commit(engine: Engine) -> None:
    story_id = new_story()
    editor = Editor()
    updates = [editor.insert(i, "x") for i in range(40)]
    live = engine.stories.get(story_id)
    with live.lock:  # hold the first batch up while the rest queue behind it
        futures = [engine.writer.submit(job(story_id, update)) for update in updates]
        threading.Event().wait(0.2)
    outcomes = [future.result(timeout=10) for future in futures]
    assert all(outcome.ok for outcome in outcomes)
    assert sorted(o.seq for o in outcomes) == list(range(1, 41))
    assert engine.writer.batches <= 2  # 40 updates, at most two transactions
    assert persistence.load_text(story_id) == "x" * 40


def _queue_jobs(engine: Engine, story_id: int, count: int) -> None:
    for _ in range(count):
        engine.writer._queue.put(job(story_id, b""))


def _timed_batch(engine: Engine) -> tuple[int, float]:
    started = time.monotonic()
    return len(engine.writer._next_batch()), time.monotonic() - started


def test_a_keystroke_and_a_cursor_are_handled_without_an_app_context(engine: Engine) -> None:
    """`sockets.on_yjs` pushes no app context (each cost a twentieth of a busy worker): `sync.receive` stores
    an update through the writer and keeps a cursor in memory with none, as a fresh thread has none."""
    story_id = new_story()
    who = writer_of(story_id)
    meta = engine.meta(story_id)
    assert meta is not None
    user = {"name": "Ada", "color": "#000000"}
    engine.subscribe("sid-a", Subscription(story_id, meta.workshop_id, who, user, True, None))
    db.session.commit()
    update = Editor().insert(0, "Hello")
    doc = Doc()
    cursor = create_awareness_message(Awareness(doc).encode_awareness_update([doc.client_id]))
    replies: list[object] = []

    def handle() -> None:
        assert not has_app_context()
        try:
            replies.append(sync.receive(engine, who, "sid-a", story_id, crdt.update_message(update)))
            replies.append(sync.receive(engine, who, "sid-a", story_id, cursor))
        except Exception as failure:  # shown by the assertions below
            replies.append(failure)

    thread = threading.Thread(target=handle)
    thread.start()
    thread.join(10)
    assert not [r for r in replies if isinstance(r, Exception)], replies
    stored, cursors = replies
    assert stored == sync.Reply(relay=crdt.update_message(update), skip="sid-a")
    assert isinstance(cursors, sync.Reply)
    assert cursors.relay is not None
    assert cursors.skip == "sid-a"
    [(client, _, state)] = crdt.awareness_entries(crdt.parse_message(cursors.relay).payload)
    assert client == doc.client_id
    assert json.loads(state)["user"]["name"] == "Ada"
    db.session.rollback()
    assert persistence.load_text(story_id) == "Hello"


def test_a_quiet_writer_commits_at_once(engine: Engine, change_settings: Callable[..., object]) -> None:
    change_settings(write_linger_seconds=0.5)
    _queue_jobs(engine, new_story(), 1)
    size, took = _timed_batch(engine)  # no job came before it: nothing to wait for
    assert (size, took < 0.25) == (1, True)


def test_a_busy_writer_lingers_for_the_updates_arriving_meanwhile(
    engine: Engine, change_settings: Callable[..., object]
) -> None:
    change_settings(write_linger_seconds=0.3)
    story_id = new_story()
    _queue_jobs(engine, story_id, 1)
    threading.Timer(0.05, _queue_jobs, (engine, story_id, 2)).start()
    engine.writer.arrival_rate = 10.0  # 3 expected in the 0.3 s it may wait
    size, took = _timed_batch(engine)
    assert size == 3
    assert took >= 0.3


def test_the_writer_learns_how_fast_jobs_arrive(
    engine: Engine, change_settings: Callable[..., object]
) -> None:
    """Jobs 10 ms apart make a rate near 100 a second; a linger of 5 ms then expects half a job: no wait."""
    change_settings(write_linger_seconds=0.005)
    story_id = new_story()
    for _ in range(30):
        _queue_jobs(engine, story_id, 1)
        assert _timed_batch(engine)[0] == 1
        time.sleep(0.01)
    assert 20 < engine.writer.arrival_rate < 110  # gaps of 10 ms, or longer on a loaded machine
    change_settings(write_linger_seconds=0.05)  # 5 expected in 50 ms: wait for them
    _queue_jobs(engine, story_id, 1)
    assert _timed_batch(engine)[1] >= 0.05


def test_a_large_batch_or_no_linger_never_waits(
    engine: Engine, change_settings: Callable[..., object]
) -> None:
    story_id = new_story()
    change_settings(write_linger_seconds=0.5)
    _queue_jobs(engine, story_id, writer.LINGER_UNTIL)
    engine.writer.arrival_rate = 1000.0
    assert _timed_batch(engine)[0] == writer.LINGER_UNTIL
    change_settings(write_linger_seconds=0)
    _queue_jobs(engine, story_id, 1)
    engine.writer.arrival_rate = 1000.0
    size, took = _timed_batch(engine)
    assert (size, took < 0.25) == (1, True)


def test_many_threads_writing_many_stories_lose_nothing(engine: Engine) -> None:
    stories = [new_story() for _ in range(3)]
    editors = {story_id: [Editor() for _ in range(4)] for story_id in stories}

    def type_into(story_id: int, editor: Editor) -> None:
        for i in range(15):
            update = editor.insert(len(str(editor)), f"{i % 10}")
            assert engine.writer.submit(job(story_id, update)).result(timeout=10).ok

    threads = [
        threading.Thread(target=type_into, args=(story_id, editor))
        for story_id, group in editors.items()
        for editor in group
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for story_id, group in editors.items():
        text = persistence.load_text(story_id)
        assert len(text) == 4 * 15
        assert sorted(text) == sorted("".join(str(e) for e in group))
        assert log_seqs(story_id) == list(range(1, 61))
    assert engine.writer.batches < 12 * 15


def test_the_story_figures_are_kept_at_most_once_a_second(engine: Engine) -> None:
    story_id = new_story()
    editor = Editor()
    store(engine, story_id, [editor.insert(0, "héllo 😀")])
    engine.flush_activity(100.0)
    story = db.session.get(Story, story_id)
    db.session.refresh(story)
    assert story.length == len("héllo 😀")
    first = story.last_activity_at
    assert first is not None
    store(engine, story_id, [editor.insert(0, "ô")])
    engine.flush_activity(100.5)  # within the second: the figures wait
    db.session.refresh(story)
    assert story.length == len("héllo 😀")
    engine.flush_activity(101.0)  # then they are written, with the last change's time
    db.session.refresh(story)
    assert story.length == len("ôhéllo 😀")
    assert story.last_activity_at > first


def test_an_update_that_would_outgrow_the_story_is_refused(engine: Engine, app_ctx: Flask) -> None:
    story_id = new_story()
    editor = Editor()
    with changed_settings(app_ctx, max_story_bytes=20):
        first = editor.insert(0, "0123456789")
        too_much = editor.insert(10, "0123456789ABC")
        outcomes = store(engine, story_id, [first, too_much])
        deletion = Editor()
        deletion.receive(first)
        shrink = deletion.delete(0, 5)
        assert store(engine, story_id, [shrink]) == [Outcome(ok=True, seq=2)]
    assert outcomes[0].ok
    assert outcomes[1] == Outcome.refused("too_large")
    assert persistence.load_text(story_id) == "56789"
    with engine.synced(story_id) as live:
        assert str(live.body) == "56789"  # the refused update left no trace in memory either


# --- several workers --------------------------------------------------------------------------------------


@contextlib.contextmanager
def pool_down_to_its_last_connection() -> Iterator[None]:
    """Check out every pooled connection but one (the tests below then contend for that one)."""
    from sqlalchemy.pool import QueuePool

    pool = db.engine.pool
    if not isinstance(pool, QueuePool):
        pytest.skip("the test database does not use a connection pool")
    db.session.remove()
    held = [
        db.engine.raw_connection() for _ in range(pool.size() + pool._max_overflow - pool.checkedout() - 1)
    ]
    try:
        yield
    finally:
        for connection in held:
            connection.close()


def run_together(app: Flask, *bodies: Callable[[], None]) -> tuple[bool, list[BaseException]]:
    """Run each body in a thread of its own, in an app context; (some still running after 10 s, errors)."""
    errors: list[BaseException] = []

    def in_app(body: Callable[[], None]) -> None:
        with app.app_context():
            try:
                body()
            except BaseException as exc:  # reported by the test, not lost in the thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=in_app, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return any(thread.is_alive() for thread in threads), errors


def test_a_sync_never_holds_the_story_while_it_waits_for_a_connection(app_ctx: Flask, engine: Engine) -> None:
    """One handler holds the pool's last connection and then wants the story; another wants the story
    first. Had the second taken the story's lock before its connection, each would wait for the other
    until the pool's timeout (what stalled 400 writers opening at once)."""
    story_id = new_story()
    has_last, second_waits = threading.Event(), threading.Event()

    def first() -> None:
        db.session.execute(select(Story.id).where(Story.id == story_id))  # the pool's last connection
        has_last.set()
        second_waits.wait(5)
        time.sleep(0.3)  # the second is in `synced` by now
        with engine.synced(story_id):
            pass

    def second() -> None:
        has_last.wait(5)
        second_waits.set()
        with engine.synced(story_id):
            pass

    with pool_down_to_its_last_connection():
        still_running, errors = run_together(app_ctx, first, second)
    assert not still_running
    assert errors == []


def test_the_writer_holding_a_story_gets_a_connection_while_a_sync_waits_for_it(
    app_ctx: Flask, engine: Engine
) -> None:
    """As the writer does when it retries a batch: it holds the story's lock, then needs a connection. A
    sync waiting for that story meanwhile must not sit on the pool's last connection."""
    story_id = new_story()
    live = engine.stories.get(story_id)
    locked, sync_waits = threading.Event(), threading.Event()

    def writer_retrying() -> None:
        with live.lock:
            locked.set()
            sync_waits.wait(5)
            time.sleep(0.3)  # the sync has read the log and waits for the lock by now
            db.session.execute(select(Story.id).where(Story.id == story_id))

    def sync() -> None:
        locked.wait(5)
        sync_waits.set()
        with engine.synced(story_id):
            pass

    with pool_down_to_its_last_connection():
        still_running, errors = run_together(app_ctx, writer_retrying, sync)
    assert not still_running
    assert errors == []


def test_a_worker_catches_up_from_the_log_before_answering(app_ctx: Flask, engine: Engine) -> None:
    """Two engines on one database stand for two workers: each sees what the other stored."""
    other = Engine(app_ctx)
    story_id = new_story()
    a, b = Editor(), Editor()
    store(engine, story_id, [a.insert(0, "from worker one. ")])
    b.receive(a.doc.get_update())
    store(other, story_id, [b.insert(len(str(b)), "from worker two.")])
    store(engine, story_id, [a.insert(0, ">> ")])  # the first worker's writer catches up too
    newcomer = Editor()
    with engine.synced(story_id) as live:
        (diff,) = live.answer(newcomer.doc.get_state())
    newcomer.receive(diff)
    assert str(newcomer) == ">> from worker one. from worker two."
    assert log_seqs(story_id) == [1, 2, 3]


def test_idle_documents_are_evicted_and_reload(engine: Engine) -> None:
    story_id = new_story()
    editor = Editor()
    store(engine, story_id, [editor.insert(0, "kept")])
    assert engine.stories.evict_idle(lambda _id: True, 0) == []
    assert engine.stories.evict_idle(lambda _id: False, 0) == []  # first seen empty now
    assert engine.stories.evict_idle(lambda _id: False, 0) == [story_id]
    assert story_id not in engine.stories
    with engine.synced(story_id) as live:
        assert str(live.body) == "kept"


# --- compaction under load, authorship, checkpoints -------------------------------------------------------


def test_compaction_is_safe_against_concurrent_appends(engine: Engine, app: Flask) -> None:
    story_id = new_story()
    editor = Editor()
    updates = [editor.insert(len(str(editor)), f"{i},") for i in range(150)]
    stop = threading.Event()
    compactions = []

    def compact_repeatedly() -> None:
        with app.app_context():
            while not stop.is_set():
                compactions.append(persistence.compact(story_id))
            db.session.remove()

    compactor = threading.Thread(target=compact_repeatedly)
    compactor.start()
    try:
        for update in updates:
            assert engine.writer.submit(job(story_id, update)).result(timeout=10).ok
    finally:
        stop.set()
        compactor.join()
    assert any(compactions)
    assert persistence.load_text(story_id) == str(editor)
    seqs = log_seqs(story_id)
    assert seqs == sorted(set(seqs))
    assert seqs[-1] == 150


def test_compaction_waits_for_the_threshold(engine: Engine, app_ctx: Flask) -> None:
    story_id = new_story()
    editor = Editor()
    store(engine, story_id, [editor.insert(i, "y") for i in range(6)])
    with changed_settings(app_ctx, compact_after_rows=5):
        assert persistence.compact_if_long(story_id)
        assert not persistence.compact_if_long(story_id)
        store(engine, story_id, [editor.insert(0, "z")])
        engine.stored({story_id: engine.stories.get(story_id)}, persistence.now())
        engine.stories.get(story_id).tail_rows = 10
        engine.stored({story_id: engine.stories.get(story_id)}, persistence.now())
        engine.run_compactions()  # the log has 2 rows: under the threshold, nothing to do
        assert log_seqs(story_id) == [6, 7]


def test_authorship_counts_each_participants_remaining_characters(engine: Engine) -> None:
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    ada, _ = factories.participant(group, "Ada")
    bob, _ = factories.participant(group, "Bob")
    story_id = factories.story_of(group).id
    ada_editor, bob_editor = Editor(), Editor()
    first = ada_editor.insert(0, "Ada wrote this. ")
    bob_editor.receive(first)
    second = bob_editor.insert(len(str(bob_editor)), "Bob wrote that.")
    cut = bob_editor.delete(0, 4)  # Bob deletes "Ada "
    store(engine, story_id, [first], ada.id)
    store(engine, story_id, [second, cut], bob.id)
    expected = {"Ada": len("wrote this. "), "Bob": len("Bob wrote that.")}
    assert history.authorship(story_id) == expected
    db.session.commit()
    persistence.compact(story_id)
    assert history.authorship(story_id) == expected
    ada_editor.receive(second)
    ada_editor.receive(cut)
    store(engine, story_id, [ada_editor.insert(0, "Yes. ")], ada.id)
    assert history.authorship(story_id) == {
        "Ada": len("Yes. wrote this. "),
        "Bob": len("Bob wrote that."),
    }


def test_a_checkpoint_saves_every_story_with_its_authors_and_compacts(engine: Engine) -> None:
    workshop = factories.workshop(groups=2)
    first, second = workshop.groups
    ada, _ = factories.participant(first, "Ada")
    story_one, story_two = factories.story_of(first).id, factories.story_of(second).id
    editor = Editor()
    store(engine, story_one, [editor.insert(0, "Once"), editor.insert(4, " upon a time")], ada.id)
    checkpoint_workshop(workshop.id, 1, "Write")
    rows = db.session.scalars(select(StoryCheckpoint).order_by(StoryCheckpoint.story_id)).all()
    assert [(r.story_id, r.phase_position, r.phase_title, r.text) for r in rows] == [
        (story_one, 1, "Write", "Once upon a time"),
        (story_two, 1, "Write", ""),
    ]
    assert json.loads(rows[0].authorship) == {"Ada": len("Once upon a time")}
    assert json.loads(rows[1].authorship) == {}
    assert log_seqs(story_one) == [2]
    checkpoint_workshop(workshop.id, 2, "Revise")
    assert db.session.query(StoryCheckpoint).count() == 4


def test_load_text_reads_the_database_not_a_cache(engine: Engine) -> None:
    story_id = new_story()
    story = db.session.get(Story, story_id)
    factories.story_text(story, "written by another process")
    assert persistence.load_text(story_id) == "written by another process"
    assert persistence.load_text(10**9) == ""


# --- the writer's statements, SQL for the driver ----------------------------------------------------------


def test_tips_reads_the_batchs_stories_in_one_statement(app_ctx: Flask) -> None:
    """One statement for any number of stories (a story that is gone is missing), locking their rows except
    on SQLite."""
    stories = [new_story() for _ in range(3)]
    db.session.add_all(StoryUpdate(story_id=stories[1], seq=seq, data=b"\x00") for seq in (1, 2))
    db.session.commit()
    with recorded() as seen:
        assert persistence.tips([]) == {}
        for count in (1, 2, 3):
            tips = persistence.tips([*stories[:count], 10**9])
            assert sorted(tips) == stories[:count]
            for story_id, tip in tips.items():
                story = db.session.get(Story, story_id)
                assert tip == persistence.Tip(
                    2 if story_id == stories[1] else 0,
                    story.workshop_id,
                    story.group_id,
                    story.workshop.access_version,
                )
    tips_statements = [statement for statement in seen if "FROM stories s" in statement]
    assert len(tips_statements) == 3
    locks = db.engine.dialect.name != "sqlite"
    assert all(("FOR UPDATE OF s" in statement) == locks for statement in tips_statements)


def test_appended_rows_read_back_as_rows_the_orm_added(app_ctx: Flask) -> None:
    """`append_rows` inserts through the driver: bytes, author and the database's `created_at` are stored as
    the ORM stores them, and read back alike (history reads `created_at`)."""
    from datetime import timedelta

    from sqlalchemy import text

    from stories.cowriting import history

    story_id = new_story()
    author = writer_of(story_id).id
    data = bytes(range(256))
    db.session.add(StoryUpdate(story_id=story_id, seq=1, data=data, author_id=author))
    db.session.commit()
    persistence.append_rows(
        [persistence.NewRow(story_id, 2, data, author), persistence.NewRow(story_id, 3, data, None)]
    )
    db.session.commit()
    added, appended, anonymous = db.session.scalars(
        select(StoryUpdate).where(StoryUpdate.story_id == story_id).order_by(StoryUpdate.seq)
    ).all()
    assert (appended.author_id, anonymous.author_id) == (author, None)
    for row in (appended, anonymous):
        assert type(row.data) is type(added.data)
        assert bytes(row.data) == data
        assert type(row.created_at) is type(added.created_at)
        assert row.created_at.utcoffset() == added.created_at.utcoffset()  # naive on SQLite, aware on PG
        assert abs(row.created_at - added.created_at) < timedelta(minutes=1)
    assert [(r.seq, r.data, r.author_id) for r in history.log_rows(story_id)] == [
        (1, data, author), (2, data, author), (3, data, None)
    ]  # fmt: skip
    if db.engine.dialect.name == "sqlite":  # stored with the same SQLite types (a BLOB, a text timestamp)
        types = db.session.execute(
            text("SELECT DISTINCT typeof(data), typeof(created_at) FROM story_updates WHERE story_id = :s"),
            {"s": story_id},
        ).all()
        assert types == [("blob", "text")]


def test_a_seq_another_worker_took_meanwhile_is_stored_after_it(
    engine: Engine, app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tips were read before another worker committed the next seq (SQLite takes no lock to read
    them): the driver's insert clashes, which must come as SQLAlchemy's IntegrityError for the writer to
    roll back, catch up and store after it."""
    import dataclasses

    other = Engine(app_ctx)
    story_id = new_story()
    a, b = Editor(), Editor()
    first = a.insert(0, "a")
    store(engine, story_id, [first])
    b.receive(first)
    assert store(other, story_id, [b.insert(1, "b")]) == [Outcome(ok=True, seq=2)]
    fresh = persistence.tips

    def read_before_the_other_committed(story_ids: list[int]) -> dict[int, persistence.Tip]:
        monkeypatch.setattr(persistence, "tips", fresh)  # the retry reads them afresh
        return {i: dataclasses.replace(tip, last_seq=1) for i, tip in fresh(story_ids).items()}

    monkeypatch.setattr(persistence, "tips", read_before_the_other_committed)
    assert store(engine, story_id, [a.insert(1, "c")]) == [Outcome(ok=True, seq=3)]
    assert log_seqs(story_id) == [1, 2, 3]
    assert sorted(persistence.load_text(story_id)) == ["a", "b", "c"]
    assert str(engine.stories.get(story_id).body) == persistence.load_text(story_id)


@pytest.mark.postgres
def test_tips_waits_for_rows_another_worker_locked(app_ctx: Flask, database: str) -> None:
    """On PostgreSQL tips locks the stories' rows; a lock it cannot get in time comes as SQLAlchemy's
    OperationalError, which the writer retries on."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    if not database.startswith("postgresql"):
        pytest.skip("SQLite takes no row locks")
    story_id = new_story()
    with db.engine.connect() as other:
        other.execute(text("SELECT id FROM stories WHERE id = :id FOR UPDATE"), {"id": story_id})
        db.session.execute(text("SET LOCAL lock_timeout = '50ms'"))
        with pytest.raises(OperationalError):
            persistence.tips([story_id])
        db.session.rollback()
    assert persistence.tips([story_id])[story_id].last_seq == 0


# --- access, checked per message in the batch's transaction ----------------------------------------------


def test_every_job_is_checked_against_the_state_of_its_batch(engine: Engine) -> None:
    workshop = factories.workshop(groups=2)
    mine, theirs = workshop.groups
    me = Identity("participant", factories.participant(mine)[0].id)
    story_id = factories.story_of(mine).id
    editor = Editor()

    def outcome(who: Identity | None, update: bytes | None) -> Outcome:
        checked = Job(story_id, who, update)
        engine.writer.commit([checked])
        return checked.future.result(timeout=0)

    assert outcome(me, editor.insert(0, "a")).ok
    computed = engine.writer.access.computed
    assert outcome(me, editor.insert(1, "b")).ok
    assert engine.writer.access.computed == computed  # nothing changed: the cached answer serves
    group = db.session.get(Group, mine.id)
    group.locked = True
    db.session.commit()
    assert outcome(me, editor.insert(2, "c")) == Outcome.refused("locked")
    assert outcome(me, None).ok  # still reads
    group.locked = False
    db.session.commit()
    # It builds on the refused "c": refused too, never stored, and the client re-syncs.
    assert outcome(me, editor.insert(0, "d")) == Outcome.refused("out_of_sync")
    assert persistence.load_text(story_id) == "ab"
    assert outcome(me, editor.doc.get_update()).ok  # the client's resync (its step 2) brings "c"
    assert persistence.load_text(story_id) == "dabc"
    participant = db.session.get(Participant, me.id)
    participant.group_id = theirs.id  # moved
    db.session.commit()
    assert outcome(me, editor.insert(0, "e")) == Outcome.refused("forbidden")
    assert outcome(me, None) == Outcome.refused("forbidden")
    assert outcome(None, None) == Outcome.refused("forbidden")
    assert outcome(me, editor.insert(0, "f")) == Outcome.refused("forbidden")
    unknown = Job(10**9, me, editor.insert(0, "g"))
    engine.writer.commit([unknown])
    assert unknown.future.result(timeout=0) == Outcome.refused("forbidden")
    assert persistence.load_text(story_id) == "dabc"


def test_the_figures_lock_rows_in_the_writers_order(app_ctx: Flask) -> None:
    """Writers lock stories in id order (`tips`); the housekeeper's figures must too, or two workers
    deadlock (a writer holding 1 and wanting 2, a housekeeper holding 2 and wanting 1)."""
    first, second = new_story(), new_story()
    with recorded(parameters=True) as statements:
        at = persistence.now()
        persistence.record_activity(
            [{"id": second, "length": 2, "at": at}, {"id": first, "length": 1, "at": at}]
        )
        db.session.commit()
    seen = [values for sql, values in statements if sql.lstrip().upper().startswith("UPDATE STORIES")]
    flat = [row for batch in seen for row in (batch if isinstance(batch, list) else [batch])]
    ids = [row[-1] if isinstance(row, tuple) else row["story"] for row in flat]
    assert ids == [first, second]
