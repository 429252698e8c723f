"""Story sync operations behind the `story:open`, `yjs` and `story:close` events (docs/protocol.md).

Plain functions of (identity, socket id, payload) that check who may do what on every message, store
before they acknowledge, and return what the handler must send: the ack, a reply to the sender, and the
bytes to relay to the story's room. They never emit themselves. A `yjs` message is handled without an app
context (`receive`): only a sync step 1 reads the database, in a context of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from concurrency import SlotTimeoutError
from core import refusals, settings
from core.access import Access, story_access_of, versions
from core.commands import Id, command, parse
from core.identity import Identity, display_of
from errors import RefusedError
from ids import parse_id
from stories.cowriting import crdt
from stories.cowriting.cursors import CursorError
from stories.cowriting.engine import Engine, Subscription, engine
from stories.cowriting.writer import Job


class SyncError(RefusedError):
    """A refused event: its error code and a message for people."""


@dataclass(frozen=True)
class Opened:
    story_id: int
    writable: bool
    step1: bytes  # the server's sync step 1, sent right after the open
    cursors: bytes | None  # everyone's awareness states, sent right after it


@dataclass(frozen=True)
class Reply:
    """What a handled `yjs` message calls for: a reply to its sender and/or bytes for the others."""

    to_sender: tuple[bytes, ...] = ()
    relay: bytes | None = None
    skip: str | None = None  # the socket the relay is not for (none: cursors of several writers, cursors.py)


def refusal(code: str) -> SyncError:
    """The refusal `code` (a story not opened is, for the client, a `forbidden`)."""
    return SyncError("forbidden" if code == "not_open" else code, refusals.message("story", code))


def parse_story_id(value: object) -> int:
    """A story id from a payload: a JSON integer only (docs/protocol.md; `"1"` is `invalid`)."""
    story_id = parse_id(value)
    if story_id is None:
        raise refusal("invalid")
    return story_id


def access(identity: Identity | None, story_id: int, facilitator_writes: bool = False) -> Access:
    """What `identity` may do with the story now (an unknown story is nobody's)."""
    meta = engine().meta(story_id)
    if meta is None:
        return Access.none()
    return story_access_of(identity, meta.group_id, facilitator_writes=facilitator_writes)


@command("story", error=SyncError)
class OpenStory:
    """`story:open`: `{"story_id", "write"?}` (`write`: a facilitator who wants to write, not only read)."""

    story_id: Id
    write: bool = False


@command("story", error=SyncError, extra="ignore")
class CloseStory:
    """`story:close`: `{"story_id"}`."""

    story_id: Id


def open_story(identity: Identity | None, sid: str, payload: object) -> Opened:
    """Subscribe socket `sid` to a story it may read; return the ack's `writable` and our sync step 1."""
    opening = parse(OpenStory, payload)
    story_id = opening.story_id
    facilitator_writes = opening.write and identity is not None and identity.is_facilitator
    meta = engine().meta(story_id)
    if meta is None or identity is None:
        raise refusal("forbidden")
    version = versions([meta.workshop_id]).get(meta.workshop_id)  # read first: a change after it is seen
    granted = access(identity, story_id, facilitator_writes)
    if not granted.read:
        raise refusal("forbidden")
    name, color = display_of(identity)
    engine().start()
    engine().subscribe(
        sid,
        Subscription(
            story_id,
            meta.workshop_id,
            identity,
            {"name": name, "color": color},
            granted.write,
            version,
            facilitator_writes,
        ),
    )
    with engine().synced(story_id) as live:
        step1 = crdt.sync_step1(live.doc.get_state())
    return Opened(story_id, granted.write, step1, engine().cursors.snapshot(story_id))


def close_story(sid: str, payload: object) -> tuple[int, bytes | None]:
    """Unsubscribe; return the story id and an awareness message removing the socket's cursors, if any."""
    story_id = parse(CloseStory, payload).story_id
    return story_id, engine().unsubscribe(sid, story_id)


def _checked(stories: Engine, job: Job) -> None:
    """Hand the job to the writer (which checks access in its batch) and wait; raise its refusal.

    "Refused" means "not stored": a job still queued after the ack timeout is withdrawn and refused as
    `unavailable`; one the writer has already taken is waited for, since its batch ends either way (stored,
    or rolled back and refused) within the writer's time budget. The caller holds no app context, so no
    database connection, while it waits.
    """
    future = stories.writer.submit(job)
    try:
        outcome = future.result(timeout=settings.of(stories.app).ack_timeout_seconds)
    except SlotTimeoutError:
        if future.cancel():
            raise refusal("unavailable") from None
        outcome = future.result()
    if not outcome.ok:
        raise refusal(outcome.code or "unavailable")


def receive(stories: Engine, identity: Identity | None, sid: str, story_id: int, data: object) -> Reply:
    """Handle one y-protocols message from socket `sid` for a story it opened (see the module docstring);
    `story_id` comes parsed (`parse_story_id`: the handler needs it for the relay).

    Every message is checked against the database state of its batch (see `access_cache.py`). An
    update is also size-checked and read (`crdt.check_update`) before the writer stores it; this returns
    only once it is committed. Call it without an app context (pushing and popping one for each message
    was a twentieth of a busy worker's time): the writer has its own, cursors stay in memory, and a sync
    step 1 pushes one to read the log.
    """
    if isinstance(data, crdt.BINARY) and len(data) > settings.of(stories.app).max_update_bytes:
        raise refusal("too_large")
    try:
        message = crdt.parse_message(data)
    except crdt.MalformedError as exc:
        raise refusal("malformed") from exc
    sub = stories.subscription(sid, story_id)
    if sub is None:
        raise refusal("not_open")
    if message.kind is crdt.Kind.SYNC_STEP1:
        return _answer(stories, identity, story_id, message.payload)
    if message.kind is crdt.Kind.AWARENESS:
        return _cursors(stories, sub, sid, message.payload)
    _store(stories, identity, sub, message.payload)
    relay = bytes(data) if message.kind is crdt.Kind.SYNC_UPDATE else crdt.update_message(message.payload)  # type: ignore[call-overload]
    return Reply(relay=None if message.payload == crdt.EMPTY_UPDATE else relay, skip=sid)


def _answer(stories: Engine, identity: Identity | None, story_id: int, state: bytes) -> Reply:
    """Sync step 1: once the socket may still read the story, what it lacks (and what waits here)."""
    _checked(stories, Job(story_id, identity))
    with stories.app.app_context(), stories.synced(story_id) as live:  # reads the log
        try:
            diff, *waiting = live.answer(state)
        except crdt.MalformedError as exc:
            raise refusal("malformed") from exc
    return Reply(to_sender=(crdt.sync_step2(diff), *map(crdt.update_message, waiting)))


def _cursors(stories: Engine, sub: Subscription, sid: str, payload: bytes) -> Reply:
    """Awareness: the subscription's access is kept current, so no database; relayed when it is due."""
    try:
        relay = stories.cursors.receive(sub.story_id, sid, payload, sub.user)
    except CursorError as refused:
        raise refusal(refused.code) from None
    except crdt.MalformedError as exc:
        raise refusal("malformed") from exc
    if relay is None:
        return Reply()
    return Reply(relay=relay.message, skip=relay.skip)


def _store(stories: Engine, identity: Identity | None, sub: Subscription, update: bytes) -> None:
    """An update (step 2 or a change): read and checked once (`crdt.check_update`), then stored; an empty
    one is only checked for access (a step 2 from a peer that has nothing new)."""
    if update == crdt.EMPTY_UPDATE:
        _checked(stories, Job(sub.story_id, identity))
        return
    try:
        decoded = crdt.check_update(update)
    except crdt.MalformedError as exc:
        raise refusal("malformed") from exc
    _checked(stories, Job(sub.story_id, identity, update, sub.facilitator_writes, decoded))


def ok(**extra: Any) -> dict[str, Any]:
    return {"ok": True, **extra}
