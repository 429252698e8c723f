"""A story's history, read from its kept log (`story_log` + the live tail in `story_updates`) and replay
snapshots: the text at any seq with who wrote each part, the checkpoints of each phase end, the difference
between two texts, and the contribution balance per member. Plain functions, no cache (docs/history.md).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, NamedTuple

from sqlalchemy import func, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError

from core import cpu_process
from core.dates import aware
from core.identity import display_names, group_members
from core.settings import settings
from extensions import db
from stories.cowriting import board, crdt, merge, persistence, textdiff
from stories.models import Story, StoryCheckpoint, StoryLogEntry, StorySnapshot, StoryUpdate

log = logging.getLogger(__name__)
compaction_log = logging.getLogger("plume.compaction")  # one INFO line per extension (docs/deploy.md)
DETOUR_SECONDS = 30  # a phase that ended this soon after the one before, with nothing written: a detour
PALETTE = (  # static/src/colors.js: dark enough for white labels, distinct from each other
    "#9a3412", "#1d4ed8", "#166534", "#7e22ce", "#b91c1c",
    "#0f766e", "#a16207", "#be185d", "#3f6212", "#4338ca",
)  # fmt: skip
Author = int | None  # a participant id; None for a facilitator's edit, a restore or text of unknown origin
Runs = list[list[Any]]  # [[author, UTF-8 bytes], ...] in text order
AUTHOR = "author"  # the delta attribute on text a restore brings back: who wrote it (docs/history.md)


class LogRow(NamedTuple):
    """One row of the kept log. A tuple: a compaction hands hundreds to the CPU process, and a frozen
    dataclass took three times as long to pickle (400 rows: 1.4 ms against 0.5, on the event loop)."""

    seq: int
    data: bytes
    author_id: int | None
    created_at: datetime | None


# --- the kept log -----------------------------------------------------------------------------------


def log_rows(
    story_id: int, after: int = 0, upto: int | None = None, limit: int | None = None
) -> list[LogRow]:
    """The story's log rows with `after < seq <= upto`, in order: kept rows, then the live tail beyond them;
    the first `limit` of them when given (each table reads only those, along its index).

    One statement, so a compaction committing meanwhile cannot make a row appear twice or not at all.
    """
    kept_max = (
        select(func.coalesce(func.max(StoryLogEntry.seq), 0))
        .where(StoryLogEntry.story_id == story_id)
        .scalar_subquery()
    )
    kept = select(
        StoryLogEntry.seq, StoryLogEntry.data, StoryLogEntry.author_id, StoryLogEntry.created_at
    ).where(StoryLogEntry.story_id == story_id, StoryLogEntry.seq > after)
    tail = select(StoryUpdate.seq, StoryUpdate.data, StoryUpdate.author_id, StoryUpdate.created_at).where(
        StoryUpdate.story_id == story_id, StoryUpdate.seq > after, StoryUpdate.seq > kept_max
    )
    if upto is not None:
        kept = kept.where(StoryLogEntry.seq <= upto)
        tail = tail.where(StoryUpdate.seq <= upto)
    if limit is not None:
        kept = select(kept.order_by(StoryLogEntry.seq).limit(limit).subquery())
        tail = select(tail.order_by(StoryUpdate.seq).limit(limit).subquery())
    both = union_all(kept, tail).subquery()
    ordered = select(both).order_by(literal_column("seq"))
    result = db.session.execute(ordered if limit is None else ordered.limit(limit))
    return [LogRow(r.seq, bytes(r.data), r.author_id, r.created_at) for r in result]


@dataclass(frozen=True)
class Span:
    """The seqs of the kept log: first, last, how many rows, and the times of the first and last."""

    first: int
    last: int
    count: int
    started_at: datetime | None
    ended_at: datetime | None


def log_span(story_id: int) -> Span:
    rows = db.session.execute(
        select(StoryLogEntry.seq, StoryLogEntry.created_at)
        .where(StoryLogEntry.story_id == story_id)
        .order_by(StoryLogEntry.seq)
        .limit(1)
    ).all()
    kept_last = db.session.scalar(
        select(func.max(StoryLogEntry.seq)).where(StoryLogEntry.story_id == story_id)
    )
    kept_count = db.session.scalar(select(func.count()).where(StoryLogEntry.story_id == story_id)) or 0
    tail = db.session.execute(
        select(func.min(StoryUpdate.seq), func.max(StoryUpdate.seq), func.count()).where(
            StoryUpdate.story_id == story_id, StoryUpdate.seq > (kept_last or 0)
        )
    ).one()
    first = rows[0].seq if rows else (tail[0] or 0)
    last = tail[1] or kept_last or 0
    started = rows[0].created_at if rows else None
    ended = db.session.scalar(
        select(func.max(StoryUpdate.created_at)).where(StoryUpdate.story_id == story_id)
    )
    if started is None and tail[0] is not None:
        started = db.session.scalar(
            select(StoryUpdate.created_at).where(StoryUpdate.story_id == story_id, StoryUpdate.seq == tail[0])
        )
    return Span(first, last, kept_count + (tail[2] or 0), started, ended)


# --- replay with authorship -------------------------------------------------------------------------


def restored_author(op: dict[str, Any]) -> Author:
    """The author a restore gave back to a piece it re-inserted (its `AUTHOR` delta attribute), or None."""
    value = (op.get("attributes") or {}).get(AUTHOR)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 2**53:
        return None
    return int(value) if value == int(value) else None


def _edit(owners: list[Author], delta: Iterable[dict[str, Any]], author: Author) -> Counter[Author]:
    """Apply a text delta (UTF-8 byte units, as pycrdt reports them) to the per-byte owners; characters
    inserted. Text inserted by a row of nobody's (a restore) belongs to the author its delta attribute
    names, and is not counted as written again. Slice assignments keep this at C speed whatever the size
    of the text."""
    pos = 0
    inserted: Counter[Author] = Counter()
    for op in delta:
        if "retain" in op:
            pos += op["retain"]
        elif "delete" in op:
            del owners[pos : pos + op["delete"]]
        elif isinstance(op.get("insert"), str):
            owner = author if author is not None else restored_author(op)
            size = len(op["insert"].encode("utf-8"))
            owners[pos:pos] = [owner] * size
            pos += size
            if owner == author:
                inserted[author] += len(op["insert"])
    return inserted


def runs_of(owners: Sequence[Author]) -> Runs:
    """Run-length form of per-byte owners: [[author, bytes], ...] (each snapshot stores it)."""
    return [[author, len(list(group))] for author, group in groupby(owners)]


def owners_of(runs: Runs) -> list[Author]:
    owners: list[Author] = []
    for author, size in runs:
        owners.extend([author] * size)
    return owners


@dataclass(frozen=True)
class State:
    """A replay at some seq as a snapshot stores it: what crosses to the CPU process and back."""

    seq: int
    state: bytes
    authors: str  # JSON runs [[author, UTF-8 bytes], ...]
    written: str  # JSON {participant id: characters inserted}
    at: datetime | None = None

    @classmethod
    def of(cls, snapshot: StorySnapshot | None) -> State | None:
        if snapshot is None:
            return None
        return cls(snapshot.seq, snapshot.state, snapshot.authors, snapshot.written)


class Replay(crdt.StoryDoc):
    """A `StoryDoc` that also follows who wrote each part of the text and how much each member inserted."""

    replaying_a_log = True  # it follows a rebuilt document's text (`_integrate`)

    def __init__(self, snapshot: StorySnapshot | State | None = None) -> None:
        super().__init__()
        self.seq = 0
        self.at: datetime | None = None
        self.owners: list[Author] = []  # who wrote each UTF-8 byte of the text
        self.written: Counter[Author] = Counter()
        self._authors: dict[bytes, Author] = {}
        self._author: Author = None
        if snapshot is not None:
            self.doc.apply_update(snapshot.state)
            self.seq = snapshot.seq
            self.owners = owners_of(json.loads(snapshot.authors))
            self.written = Counter({int(k): v for k, v in json.loads(snapshot.written).items()})
            self.at = getattr(snapshot, "at", None)
        self._observed = self.body
        self._subscription = self._observe()

    def _observe(self) -> Any:
        """Follow the text's changes through pycrdt's native event, which is read for its delta only (seam
        `pycrdt-native-text-event`): `Text.observe` also built each event's target, path and transaction,
        a fifth of a replay's time."""
        return self.body.integrated.observe(self._changed)

    def _changed(self, event: Any) -> None:
        self.written.update(_edit(self.owners, event.delta, self._author))

    def _integrate(self, update: bytes, after: dict[int, int] | None = None) -> bool:
        self._author = self._authors.get(update)
        done = super()._integrate(update, after)
        if self.body is not self._observed:  # StoryDoc rebuilt its document: follow the new text
            self._observed = self.body
            self._subscription = self._observe()
        return done

    def feed(self, row: LogRow) -> None:
        """Apply one log row, as the live document did (a row that does not apply is skipped, as there)."""
        self._authors[row.data] = row.author_id
        try:
            self.apply(row.data)
        except crdt.MalformedError:
            log.error("a log row (seq %s) does not apply in replay; skipped", row.seq)
        self.seq = row.seq
        self.at = row.created_at
        if not self.pending:
            self._authors.clear()

    def state(self) -> State:
        """What a snapshot stores of this replay (updates still waiting are not part of it)."""
        return State(
            self.seq,
            self.doc.get_update(),
            json.dumps(runs_of(self.owners)),
            json.dumps({str(k): v for k, v in self.written.items() if k is not None}),
            self.at,
        )

    def segments(self) -> list[tuple[Author, str]]:
        """The text cut into (author, text) pieces in order."""
        data = self.text().encode("utf-8")
        pieces, pos = [], 0
        for author, size in runs_of(self.owners):
            pieces.append((author, data[pos : pos + size].decode("utf-8", errors="replace")))
            pos += size
        if pos < len(data):  # never expected: keep the text whole rather than hide a part of it
            pieces.append((None, data[pos:].decode("utf-8", errors="replace")))
        return pieces

    def present(self) -> Counter[Author]:
        """Characters still in the text, per author."""
        counts: Counter[Author] = Counter()
        for author, piece in self.segments():
            counts[author] += len(piece)
        return counts


def _every() -> int:
    return settings().history_snapshot_every


def _nearest_snapshot(story_id: int, seq: int | None) -> StorySnapshot | None:
    query = select(StorySnapshot).where(StorySnapshot.story_id == story_id)
    if seq is not None:
        query = query.where(StorySnapshot.seq <= seq)
    return db.session.scalar(query.order_by(StorySnapshot.seq.desc()).limit(1))


@dataclass(frozen=True)
class SeekInput:
    """What a replay up to a seq reads from the database: the nearest snapshot and the rows after it."""

    snapshot: State | None
    rows: list[LogRow]


def seek_input(story_id: int, seq: int | None = None) -> SeekInput:
    """The database part of `seek` (on the loop: it waits for the database, it does not compute)."""
    found = _nearest_snapshot(story_id, seq)
    return SeekInput(State.of(found), log_rows(story_id, after=found.seq if found else 0, upto=seq))


def replayed(start: State | None, rows: Sequence[LogRow]) -> State:
    """The replay from `start` through `rows` (pure: what `seek` runs in the CPU process)."""
    return replay_of(SeekInput(start, list(rows))).state()


def replay_of(found: SeekInput) -> Replay:
    """The computing part of `seek`: no database, so it may run elsewhere (`core.budget`, `cpu_process`)."""
    replay = Replay(found.snapshot)
    for row in found.rows:
        replay.feed(row)
    return replay


@dataclass
class Frozen:
    """What a replay found, as plain values: made in the thread that replayed, used anywhere after."""

    seq: int
    at: datetime | None
    body: str
    pieces: list[tuple[Author, str]]
    owners: set[Author]
    written: Counter[Author]
    counts: Counter[Author]
    cards: list[board.Card] = field(default_factory=list)  # the board then (read only when asked)

    @classmethod
    def of(cls, replay: Replay, *, with_board: bool = False) -> Frozen:
        return cls(
            replay.seq,
            replay.at,
            replay.text(),
            replay.segments(),
            set(replay.owners),
            replay.written,
            replay.present(),
            board.cards(replay.doc) if with_board else [],
        )

    def text(self) -> str:
        return self.body

    def segments(self) -> list[tuple[Author, str]]:
        return self.pieces

    def present(self) -> Counter[Author]:
        return self.counts


def seek(story_id: int, seq: int | None = None) -> Replay:
    """The story as the log builds it up to `seq` (None: all of it), from the nearest snapshot before.

    A seek past many rows (no snapshot near: not extended yet) replays them in the CPU process.
    """
    found = seek_input(story_id, seq)
    if len(found.rows) >= merge.IN_PROCESS_ROWS * 4:  # up to a snapshot interval in-process: a few ms
        return Replay(cpu_process.run(replayed, found.snapshot, found.rows))
    return replay_of(found)


def seek_frozen(story_id: int, seq: int | None, what: str) -> Frozen:
    """`seek` with the replay off the event loop, within the work budget (`core.budget`)."""
    from core import budget

    found = seek_input(story_id, seq)
    return budget.run(lambda: Frozen.of(replay_of(found)), what)


@dataclass(frozen=True)
class Figures:
    """What a checkpoint keeps of a story: the seq it stands at, its text, and each author's characters in
    it (`Replay.present`): the figures the history page, the balance and the exports show."""

    seq: int
    text: str
    present: dict[Author, int]


def figures_of(found: SeekInput) -> Figures:
    """The computing part of `figures` (pure: it runs in the CPU process)."""
    replay = replay_of(found)
    return Figures(replay.seq, replay.text(), dict(replay.present()))


def figures(story_id: int, seq: int | None = None) -> Figures:
    """The story's figures at `seq` (None: now), from the nearest snapshot and the rows after it. The
    transaction is ended before the replay, which runs in the CPU process unless it is a few rows
    (`merge.offloaded`)."""
    found = seek_input(story_id, seq)
    db.session.commit()  # read only: nothing held while the rows are replayed
    return merge.offloaded(len(found.rows), figures_of, found)


def by_name(present: dict[Author, int]) -> dict[str, int]:
    """{participant's display name: characters}, what a checkpoint stores (`StoryCheckpoint.authorship`);
    text of nobody's (a facilitator's, a restore's of unknown origin) is left out."""
    names = display_names(a for a in present if a is not None)
    totals: Counter[str] = Counter()
    for author, characters in present.items():
        if author in names and characters:
            totals[names[author]] += characters
    return dict(sorted(totals.items()))


def authorship(story_id: int) -> dict[str, int]:
    """{participant's display name: characters of theirs still in the story} (`figures`, `by_name`)."""
    return by_name(figures(story_id).present)


def snapshots_along(start: State | None, rows: Sequence[LogRow], every: int) -> list[State]:
    """The replay's state every `every` rows of `rows` after `start`, counted back from the last row, so that
    the last snapshot is at the last row and the first comes `every` to `2 * every - 1` rows after `start`
    (none while an update waits: that one comes at the next row where none does); pure, what
    `extend_snapshots` runs in the CPU process.

    Ending on the last row is what spares the next extension, which starts from that snapshot, reading and
    replaying the rows since it again: with a snapshot every 250 rows and compactions every 250 to 500,
    counting forward left a quarter of each extension's rows to be replayed twice.
    """
    replay = Replay(start)
    found: list[State] = []
    due = len(rows) - (len(rows) // every - 1) * every  # the first snapshot's row, counted from 1
    for count, row in enumerate(rows, 1):
        replay.feed(row)
        if count >= due and not replay.pending:
            found.append(replay.state())
            due += every * ((count - due) // every + 1)  # the next on the grid past this row
    return found


def log_rows_in_chunks(story_id: int, after: int, upto: int | None = None) -> list[LogRow]:
    """`log_rows` with `after < seq <= upto` (None: to the end), read `persistence.CHUNK_ROWS` rows at a time
    with a pause between (a long log read at once held the event loop for a good part of a second).

    Each chunk starts past the last row read, so a stretch of seqs with no row (a log that starts late, as
    the bench's seeded stories do) costs no statement."""
    rows: list[LogRow] = []
    while True:
        chunk = log_rows(story_id, after=after, upto=upto, limit=persistence.CHUNK_ROWS)
        rows.extend(chunk)
        if len(chunk) < persistence.CHUNK_ROWS:
            return rows
        after = chunk[-1].seq
        persistence.pause()


def extend_snapshots(story_id: int, tail: Sequence[LogRow] = ()) -> int:
    """Store a snapshot every `PLUME_HISTORY_SNAPSHOT_EVERY` log rows past the last one, the last at the log's
    last row (`snapshots_along`; none while an update waits).

    `tail`: the last rows of the kept log, in order, when the caller has them in hand (the rows a compaction
    has just copied into `story_log`): only the rows before them are read from the database.

    Commits; returns how many were added. The rows are read and the transaction ended, then replayed in the
    CPU process (off the event loop), and the snapshots stored in a short transaction of their own. The log
    never changes below its last seq, so a stored snapshot stays true; two processes racing store the same
    rows, and the loser's insert is dropped. Logs `snapshots story=.. extended=.. ms=..` when it added some.
    """
    started = time.perf_counter()
    every = _every()
    last = State.of(_nearest_snapshot(story_id, None))
    after = last.seq if last else 0
    if tail:
        head = log_rows_in_chunks(story_id, after, upto=tail[0].seq - 1) if after < tail[0].seq - 1 else []
        rows = head + [row for row in tail if row.seq > after]
    else:
        rows = log_rows_in_chunks(story_id, after)
    db.session.commit()  # read only: nothing held while the rows are replayed
    if len(rows) < every:
        return 0
    states = merge.offloaded(len(rows), snapshots_along, last, rows, every)
    if not states:
        return 0
    try:
        db.session.add_all(
            StorySnapshot(story_id=story_id, seq=s.seq, state=s.state, authors=s.authors, written=s.written)
            for s in states
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    ms = (time.perf_counter() - started) * 1000
    compaction_log.info("snapshots story=%s extended=%s ms=%.1f", story_id, len(states), ms)
    return len(states)


# --- checkpoints, differences, contributions --------------------------------------------------------


@dataclass
class Member:
    id: int | None
    name: str
    color: str


@dataclass
class Contribution:
    """Characters a member inserted (`written`) and has still in the text (`present`)."""

    member: Member
    written: int = 0
    present: int = 0


@dataclass
class Checkpoint:
    """One phase end: the stored checkpoint, the replayed text with its authors, and what changed."""

    row: StoryCheckpoint
    text: str
    segments: list[tuple[Author, str]]
    diff: list[tuple[str, str]]  # ("same" | "added" | "removed", text)
    contributions: list[Contribution] = field(default_factory=list)
    exact: bool = True  # False: older checkpoint without a seq, shown from its stored text only
    written: Counter[Author] = field(default_factory=Counter)
    cards: list[board.Card] = field(default_factory=list)  # the board at the phase end (none: not exact)
    repeat: int = 1  # the how-manieth end of this phase (2 when "Go" came back to it): headings stay unique

    @property
    def added(self) -> int:
        return sum(len(t) for kind, t in self.diff if kind == "added")

    @property
    def removed(self) -> int:
        return sum(len(t) for kind, t in self.diff if kind == "removed")


def diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line by line, then word by word within changed lines: pieces ("same" | "added" | "removed", text)
    that rebuild both texts, in bounded time whatever the texts (`textdiff`)."""
    return textdiff.diff(before, after)


def checkpoint_rows(story_id: int) -> list[StoryCheckpoint]:
    """The story's phase-end checkpoints in the order they were taken."""
    return list(
        db.session.scalars(
            select(StoryCheckpoint).where(StoryCheckpoint.story_id == story_id).order_by(StoryCheckpoint.id)
        )
    )


def members_of(story: Story, authors: Iterable[Author] = ()) -> dict[int, Member]:
    """The group's participants, plus anyone else who wrote in the story (e.g. moved since), by id."""
    wanted = {a for a in authors if a is not None}
    members: dict[int, Member] = {}
    used: set[str] = set()
    for p in group_members(story.workshop_id, story.group_id, wanted):
        color = (p.color or "").lower()
        if color in used or not color:  # two members alike would make the colouring useless
            color = next((c for c in PALETTE if c not in used), color or PALETTE[0])
        used.add(color)
        members[p.id] = Member(p.id, p.display_name, color)
    return members


def card_people(story: Story, cards: Iterable[board.Card], also: Iterable[int] = ()) -> dict[int, Member]:
    """Who a story's cards may name: the group's participants (removed or erased ones too: an erased one is
    "a participant"), the members who placed dots (the server lets a member write only their own) and
    `also` (the story's writers, by its log). A card's `author` is only what its writer's client said: a
    card naming anyone else names nobody, as on the live board, so that a forged author cannot show the
    name of a participant of another group."""
    return members_of(story, {member for card in cards for member in card.votes} | set(also))


def _contributions(
    members: dict[int, Member], written: Counter[Author], present: Counter[Author]
) -> list[Contribution]:
    return [
        Contribution(member, written.get(member_id, 0), present.get(member_id, 0))
        for member_id, member in members.items()
    ]


@dataclass
class History:
    story: Story
    members: dict[int, Member]
    checkpoints: list[Checkpoint]
    total: list[Contribution]
    span: Span
    now: Frozen


def _replayed(
    inputs: list[SeekInput | None], rows: list[tuple[int | None, str]], now: SeekInput
) -> tuple[list[Frozen | None], list[list[tuple[str, str]]], Frozen]:
    """The computing part of `story_history` (no database: it runs off the loop): each checkpoint's replay
    (its text and its board) and its difference from the one before, and the story now."""
    replays = [
        Frozen.of(replay_of(found), with_board=True) if found is not None else None for found in inputs
    ]
    diffs: list[list[tuple[str, str]]] = []
    previous = ""
    for (_seq, stored), replay in zip(rows, replays, strict=True):
        text = replay.text() if replay is not None else stored
        diffs.append(diff(previous, text))
        previous = text
    return replays, diffs, Frozen.of(replay_of(now), with_board=True)


def story_history(story: Story) -> History:
    """Every checkpoint of the story with its text, authors, diff, board and per-phase contributions.

    The log is read here; replaying and comparing run off the event loop within the work budget
    (`core.budget`, which may raise `OverBudgetError`)."""
    from core import budget

    rows = checkpoint_rows(story.id)
    inputs = [seek_input(story.id, row.seq) if row.seq is not None else None for row in rows]
    now_input = seek_input(story.id)
    plain = [(row.seq, row.text) for row in rows]
    replays, diffs, now = budget.run(lambda: _replayed(inputs, plain, now_input), "history")
    authors = set(now.written) | {a for r in replays if r for a in r.owners}
    members = members_of(story, authors)
    checkpoints: list[Checkpoint] = []
    previous_written = Counter[Author]()
    for row, replay, changes in zip(rows, replays, diffs, strict=True):
        if replay is None:
            point = Checkpoint(row, row.text, [(None, row.text)], changes, exact=False)
        else:
            written = replay.written - previous_written
            point = Checkpoint(
                row, replay.text(), replay.segments(), changes, written=written, cards=replay.cards
            )
            point.contributions = _contributions(members, written, replay.present())
            previous_written = replay.written
        point.repeat = 1 + sum(p.row.phase_position == row.phase_position for p in checkpoints)
        checkpoints.append(point)
    total = _contributions(members, now.written, now.present())
    return History(story, members, checkpoints, total, log_span(story.id), now)


def balance(story: Story) -> list[Contribution]:
    """Who wrote what is in the story now (and how much each inserted), from the nearest snapshot."""
    now = seek_frozen(story.id, None, "history balance")
    return _contributions(members_of(story, now.written), now.written, now.present())


def shares(contributions: Sequence[Contribution]) -> list[tuple[Contribution, int]]:
    """Each contribution with its whole-percent share of the characters present."""
    total = sum(c.present for c in contributions)
    return [(c, round(100 * c.present / total) if total else 0) for c in contributions]


def moment(replay: Replay | Frozen, members: dict[int, Member]) -> dict[str, Any]:
    """What the timeslider shows at one seq: the text in (author, text) pieces, and when it was."""
    return {
        "seq": replay.seq,
        "at": aware(replay.at).isoformat() if replay.at else None,
        "segments": [[author if author in members else None, piece] for author, piece in replay.segments()],
        "length": len(replay.text()),
    }


def detour(before: Checkpoint | None, point: Checkpoint) -> bool:
    """Whether `point` ends a phase the clock only passed through: nothing written in it, and it ended within
    `DETOUR_SECONDS` of the phase before (a double click on "Next", a jump corrected at once). Readers do not
    see it (issue 28); the facilitators' history keeps it."""
    if before is None or point.row.seq is None or point.row.seq != before.row.seq:
        return False
    return aware(point.row.created_at) - aware(before.row.created_at) < timedelta(seconds=DETOUR_SECONDS)


def public_summary(story: Story, credits: Sequence[str], anonymous: bool) -> dict[str, Any]:
    """What a published story may show of how it was written: the phases it went through (title, words and
    characters at the end) and each co-author's share of the text. Names only of members credited by
    that name on a story published with names; the others are numbered co-authors. No text, no times."""
    found = story_history(story)
    phases = [
        {"title": p.row.phase_title, "characters": len(p.text), "words": len(p.text.split())}
        for before, p in zip([None, *found.checkpoints], found.checkpoints, strict=False)
        if not detour(before, p)
    ]
    credited = set() if anonymous else set(credits)
    shown: list[dict[str, Any]] = []
    number = 0
    for contribution, percent in shares([c for c in found.total if c.present]):
        name: str | None = contribution.member.name
        if name not in credited:
            number += 1
            name = None
        shown.append({"name": name, "number": number, "percent": percent})
    shown.sort(key=lambda s: -s["percent"])
    return {"phases": phases, "shares": shown}
