"""Live facilitation: the facilitator's commands, applied to a workshop, stored, then broadcast.

:func:`run_command` takes a command as it came over the wire (``{"action", ...}``), parses it into the typed
command of its action (:data:`CONSOLE`, see `core.commands`), applies it (:func:`apply`) and commits: it is
the command's unit of work (`core.unit_of_work.committed`, inside the workshop's lock), for the socket
handler and the `flask demo` command alike. The operations only flush and queue their events (the new
``workshop:state``, see :mod:`workshops.state`), which go out once the command's transaction commits
(:mod:`core.outbox`), so several operations can share one transaction. Callers check that the sender runs
the workshop. Refusals raise :class:`CommandError` (a stable code and its message in the catalogue,
`core.refusals`) and nothing is written.

Commands on one workshop run one at a time in this process (the clock is read, changed and written back);
``SELECT … FOR UPDATE`` extends that to several workers on PostgreSQL.
"""

from __future__ import annotations

import threading
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from core.commands import Id, Range, Union, command
from core.events import ParticipantRemoved
from core.language import in_language
from core.outbox import on_commit
from core.realtime import group_room, story_room
from core.refusals import known, refusal
from core.signals import phase_ended
from core.unit_of_work import committed
from errors import RefusedError
from extensions import db, socketio
from forms import has_hidden_characters
from stories.models import Story
from workshops import (
    access_version,
    audit,
    calls,
    expiry,
    group_time,
    joining,
    phases,
    presence,
    rooms,
    state,
)
from workshops.access import LIVE, current_phase
from workshops.models import Group, Participant, Phase, Workshop

REMOVED_EVENT = ParticipantRemoved.name  # sent to a removed participant's sockets, just before they close
MAX_BROADCAST = 500


class CommandError(RefusedError):
    """A refused command: `code` for programs (see docs/protocol.md), `message` translated for people."""


def _error(code: str) -> CommandError:
    """The console's refusal `code` (`core.refusals`); an unknown one reads as `invalid`."""
    return refusal(CommandError, "console", code if known("console", code) else "invalid")


# --- The commands, as the console sends them (`facilitator:command`, the action as discriminator) --------

Version = Annotated[int, Range(0, 2**63 - 1)]  # the clock version a command was issued from
console_command = command("console", error=CommandError, extra="ignore")  # keys it does not take: ignored


@console_command
class Clock:
    """`start`, `pause`, `resume`, `next`, `previous`: `{"action", "version"?}` (see `apply_clock`)."""

    action: str
    version: Version | None = None


@console_command
class Extend:
    """`extend`: `{"action", "seconds", "version"?}`, at most `phases.MAX_EXTEND_SECONDS` either way."""

    action: str
    seconds: Annotated[int, Range(-phases.MAX_EXTEND_SECONDS, phases.MAX_EXTEND_SECONDS)]
    version: Version | None = None


@console_command
class ExtendGroup:
    """`extend_group`: `{"action", "group_id", "seconds"}`, time for one group (`workshops.group_time`)."""

    action: str
    group_id: Id
    seconds: Annotated[int, Range(1, phases.MAX_EXTEND_SECONDS)]


@console_command
class Goto:
    """`goto`: `{"action", "index", "version"?}` (the agenda says whether the index is in it)."""

    action: str
    index: int
    version: Version | None = None


@console_command
class Lock:
    """`lock`, `unlock`: `{"action", "group_id"?}` (no group: every group)."""

    action: str
    group_id: Id | None = None


@console_command
class Answer:
    """`answer`: `{"action", "group_id"}`, the group whose call to the facilitator is answered."""

    action: str
    group_id: Id


@console_command
class Broadcast:
    """`broadcast`: `{"action", "message"}` ("" takes the banner down; see `clean_message`)."""

    action: str
    message: str


@console_command
class Move:
    """`move`: `{"action", "participant_id", "group_id"}`, or `"smallest": true` for the smallest group."""

    action: str
    participant_id: Id
    smallest: bool = False
    group_id: Id | None = None

    def __post_init__(self) -> None:
        if self.smallest == (self.group_id is not None):  # one target, and only one
            raise _error("invalid")


@console_command
class Remove:
    """`remove`: `{"action", "participant_id"}`."""

    action: str
    participant_id: Id


@console_command
class Joining:
    """`joining`: `{"action", "open"}`."""

    action: str
    open: bool


@console_command
class Dots:
    """`dots`: `{"action", "hidden"}`, hides or reveals the dot counts of the current phase's board."""

    action: str
    hidden: bool


CONSOLE = Union(
    "console",
    CommandError,
    "action",
    {
        **dict.fromkeys(("start", "pause", "resume", "next", "previous"), Clock),
        "extend": Extend,
        "extend_group": ExtendGroup,
        "goto": Goto,
        "lock": Lock,
        "unlock": Lock,
        "answer": Answer,
        "broadcast": Broadcast,
        "move": Move,
        "remove": Remove,
        "joining": Joining,
        "dots": Dots,
    },
)
ACTIONS: tuple[str, ...] = tuple(CONSOLE.choices)
ConsoleCommand = (
    Clock | Extend | ExtendGroup | Goto | Lock | Answer | Broadcast | Move | Remove | Joining | Dots
)


def clean_message(value: object) -> str:
    """A broadcast message: visible text on one line, at most MAX_BROADCAST characters ("" clears it)."""
    if not isinstance(value, str):
        raise _error("invalid")
    too_long = refusal(CommandError, "console", "too_long", limit=MAX_BROADCAST)
    if len(value) > MAX_BROADCAST * 2:
        raise too_long
    if has_hidden_characters(value, multiline=True):
        raise refusal(CommandError, "console", "invalid.hidden_characters")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if len(text) > MAX_BROADCAST:
        raise too_long
    return text


# --- Operations -------------------------------------------------------------------------------------


def _group(workshop: Workshop, group_id: int) -> Group:
    group = next((g for g in workshop.groups if g.id == group_id), None)
    if group is None:
        raise refusal(CommandError, "console", "not_found.group")
    return group


def stale() -> CommandError:
    """The refusal of a command issued from a state that has changed since: nothing was done."""
    return _error("stale")


def write_clock(
    workshop_id: int,
    read_version: int,
    clock: phases.Clock,
    *,
    bump: bool = True,
    unhandled_only: bool = False,
    **columns: Any,
) -> bool:
    """Store `clock` (and other columns) only if the workshop's clock is still at `read_version`.

    One conditional UPDATE, so that of two writers that read the same version (a command and the deadline
    loop, two workers' loops) exactly one lands; `unhandled_only` also requires that the deadline action
    has not run (for the actions that leave the version as it is). Returns whether it landed; the caller
    commits or rolls back.
    """
    phase_index, status, deadline, remaining_seconds = phases.to_row(clock)
    values: dict[str, Any] = {
        "phase_index": phase_index,
        "status": status,
        "deadline": deadline,
        "remaining_seconds": remaining_seconds,
        **columns,
    }
    if bump:
        values["clock_version"] = Workshop.clock_version + 1
    values["access_version"] = Workshop.access_version + 1  # a phase decides who reads and writes what
    where = [Workshop.id == workshop_id, Workshop.clock_version == read_version]
    if unhandled_only:
        where.append(Workshop.deadline_handled.is_(False))
    read_phase = db.session.scalar(select(Workshop.phase_index).where(*where))
    result = db.session.execute(
        update(Workshop)
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False, **access_version.COUNTED)
    )
    if result.rowcount != 1:
        return False
    if phase_index != read_phase or status not in LIVE:
        close_opened(workshop_id)
    return True


def close_opened(workshop_id: int) -> None:
    """Forget the editors that the facilitator opened in a phase whose agenda keeps them closed (`set_lock`),
    and the groups' own time (`workshops.group_time`): a new phase follows its own agenda and clock. Counted
    with the clock's change (`write_clock` moves the version)."""
    db.session.execute(
        update(Group)
        .where(Group.workshop_id == workshop_id, Group.opened.is_(True) | (Group.extra_seconds > 0))
        .values(opened=False, extra_seconds=0)
        .execution_options(synchronize_session=False, **access_version.COUNTED)
    )


def ended_phase(workshop: Workshop, before: phases.Clock, after: phases.Clock) -> Phase | None:
    """The phase that a clock change ends (its stories are checkpointed), if any."""
    if before.status in (phases.Status.RUNNING, phases.Status.PAUSED) and (
        after.phase != before.phase or after.status is phases.Status.FINISHED
    ):
        return next((p for p in workshop.phases if p.position == before.phase), None)
    return None


def finish_columns(before: phases.Clock, after: phases.Clock, now: datetime) -> dict[str, Any]:
    """`finished_at` as a clock change sets it: now when the workshop finishes, cleared when it goes back.

    Participants' tokens expire a set time after it (workshops.people).
    """
    if after.status is not phases.Status.FINISHED:
        return {"finished_at": None}
    if before.status is not phases.Status.FINISHED:
        return {"finished_at": now}
    return {}


def rearm_columns(workshop: Workshop, before: phases.Clock, after: phases.Clock, now: datetime) -> dict:
    """The columns to reset when a change gives the clock a new deadline to reach.

    The deadline action runs again at the new deadline; a lock that the old deadline set (its phase locks at
    its deadline) is lifted: a new phase, or more time, reopens writing.
    """
    if not phases.rearms_deadline(before, after, now):
        return {}
    columns: dict[str, Any] = {"deadline_handled": False}
    old = next((p for p in workshop.phases if p.position == before.phase), None)
    if workshop.deadline_handled and old is not None and old.at_deadline == "lock":
        columns["all_locked"] = False
    return columns


def apply_clock(workshop: Workshop, asked: Clock | Extend | Goto, now: datetime) -> None:
    """Start, pause, resume, extend, next, previous or goto; a phase that ends is announced (`phase_ended`).

    A command that names the clock version it was issued from (`version`) is refused as `stale`, with
    nothing done, when the clock has changed since: a double click, or two facilitators at once.
    """
    read_version = workshop.clock_version
    if asked.version is not None and asked.version != read_version:
        raise stale()
    command = phases.Command(
        asked.action,
        seconds=asked.seconds if isinstance(asked, Extend) else None,
        index=asked.index if isinstance(asked, Goto) else None,
    )
    try:
        before = state.clock_of(workshop)
        after = phases.apply(before, command, [p.duration_seconds for p in workshop.phases], now)
    except phases.PhaseError as error:
        raise _error(error.code) from None
    ended = ended_phase(workshop, before, after)
    ended_at = (ended.position, ended.title) if ended else None
    columns = {**rearm_columns(workshop, before, after, now), **finish_columns(before, after, now)}
    if columns.get("finished_at", True) is None and workshop.finished_at is not None:
        expiry.keep_expired(workshop, now)  # reopened: tokens that expired stay expired
    if not write_clock(workshop.id, read_version, after, **columns):
        raise stale()
    state.publish_state(workshop.id, now)
    if ended_at:
        workshop_id = workshop.id
        on_commit(lambda: announce_phase_end(workshop_id, *ended_at))


def announce_phase_end(workshop_id: int, position: int, title: str) -> None:
    """Tell who listens that a phase ended, once it is committed (stories take their checkpoints then, in the
    background: neither this command nor the next phase waits for them)."""
    phase_ended.send(
        current_app._get_current_object(), workshop_id=workshop_id, position=position, title=title
    )


def set_lock(workshop: Workshop, locked: bool, group_id: int | None = None) -> None:
    """Lock or unlock every group's editor (`group_id` None) or one group's.

    Unlocking every group clears the single-group locks too; locking every group ends their own time
    (`workshops.group_time`). Unlocking one group while all are locked keeps the others locked. Unlocking in
    a live phase whose agenda keeps the editors closed opens them (`Group.opened`, until the next phase:
    `write_clock`); locking closes them again.
    """
    phase = current_phase(workshop)
    opens = not locked and workshop.status in LIVE and phase is not None and not phase.editors_open
    if group_id is None:
        workshop.all_locked = locked
        for group in workshop.groups:
            group.opened = opens
            if not locked:
                group.locked = False
            else:  # every editor, whatever time a group had of its own
                group.extra_seconds = 0
    else:
        target = _group(workshop, group_id)
        if not locked and workshop.all_locked:
            workshop.all_locked = False
            for group in workshop.groups:
                group.locked = True
        target.locked = locked
        target.opened = opens
    db.session.flush()
    state.publish_state(workshop.id)


def give_group_time(workshop: Workshop, asked: ExtendGroup, now: datetime) -> None:
    """More time for one group only, in a live phase that does not move everyone on at its deadline."""
    group = _group(workshop, asked.group_id)
    phase = current_phase(workshop)
    if workshop.status in LIVE and phase is not None and phase.at_deadline == "advance":
        raise _error("advances")
    try:
        group_time.give(workshop, group, asked.seconds, now)
    except phases.PhaseError as error:
        raise _error(error.code) from None


def broadcast(workshop: Workshop, message: object, now: datetime) -> None:
    """Show a message on every participant's screen; an empty one takes the banner down."""
    text = clean_message(message)
    workshop.broadcast = text
    workshop.broadcast_at = now if text else None
    db.session.flush()
    state.publish_state(workshop.id, now)


def hide_dots(workshop: Workshop, hidden: bool, now: datetime) -> None:
    """Hide (or reveal) the dot counts of the current phase's board; `no_dots` where it has no voting."""
    phase = current_phase(workshop)
    if phase is None or phase.dots <= 0 or phase.tool not in ("board", "both"):
        raise _error("no_dots")
    phase.dots_hidden = hidden
    db.session.flush()
    state.publish_state(workshop.id, now)


def smallest_group_for(workshop: Workshop, participant: Participant) -> Group:
    """The group with the fewest other participants (the first in agenda order on a tie)."""
    if not workshop.groups:
        raise refusal(CommandError, "console", "not_found.no_group")
    sizes = joining.group_sizes(workshop)
    sizes[participant.group_id] = sizes.get(participant.group_id, 1) - 1
    return min(workshop.groups, key=lambda group: (sizes.get(group.id, 0), group.position))


def move_participant(
    workshop: Workshop, participant_id: int, group_id: int | None, *, by: int | None = None
) -> None:
    """Move a participant to another group (None: the smallest); their sockets change rooms, their view
    follows. `by` goes to the audit log."""
    participant = _participant(workshop, participant_id)
    connected = presence.store().connected(workshop.id)  # Redis, before the write (`core.transactions`)
    target = smallest_group_for(workshop, participant) if group_id is None else _group(workshop, group_id)
    old_group_id = participant.group_id
    if old_group_id == target.id:
        return
    participant.color = joining.colour_for(target)  # a colour that stands out in the new group
    participant.group_id = target.id
    db.session.flush()
    audit.record(workshop.id, "move", by=by, participant_id=participant_id, group_id=target.id)
    old_story = db.session.scalar(select(Story.id).where(Story.group_id == old_group_id))
    workshop_id, participant_id, new_group_id = workshop.id, participant.id, target.id

    def change_rooms() -> None:
        server = socketio.server
        for sid in presence.store().sids_of(workshop_id, participant_id):
            server.leave_room(sid, group_room(old_group_id))
            if old_story is not None:
                server.leave_room(sid, story_room(old_story))
            server.enter_room(sid, group_room(new_group_id))

    on_commit(change_rooms)
    state.publish_state(workshop_id)
    state.publish_presence(workshop_id, connected=connected)


def _participant(workshop: Workshop, participant_id: int, *, removed_too: bool = False) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if (
        participant is None
        or participant.workshop_id != workshop.id
        or participant.erased_at is not None
        or (participant.removed_at is not None and not removed_too)
    ):
        raise refusal(CommandError, "console", "not_found.participant")
    return participant


def remove_participant(
    workshop: Workshop, participant_id: int, now: datetime, *, by: int | None = None, erased: bool = False
) -> Participant:
    """Take a participant out of the workshop: their token stops working at once and their sockets close.

    What they wrote stays in the story. Every worker closes its own sockets of theirs (through the message
    queue when there are several); the rosters and the presence of everyone else follow. `erased`: an
    erase (`erasure.participants`) takes them out, possibly again, and says so; `by` goes to the audit log.
    """
    participant = _participant(workshop, participant_id, removed_too=erased)
    connected = presence.store().connected(workshop.id)  # Redis, before the write (`core.transactions`)
    participant.removed_at = participant.removed_at or now
    db.session.flush()
    if not erased:
        audit.record(workshop.id, "remove", by=by, participant_id=participant_id)
    workshop_id = workshop.id
    said = in_language(
        workshop.language,
        lambda: (
            _("The facilitator has erased your name and messages from this workshop.")
            if erased
            else _("The facilitator has removed you from this workshop.")
        ),
    )
    message = ParticipantRemoved(message=said, erased=erased)  # in the language of their page

    on_commit(lambda: rooms.close(presence.store().sids_of(workshop_id, participant_id), message))
    state.publish_state(workshop_id)
    state.publish_presence(workshop_id, connected=connected)
    return participant


# --- The entry point --------------------------------------------------------------------------------

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def _workshop_lock(workshop_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(workshop_id, threading.Lock())


def _load(workshop_id: int) -> Workshop:
    workshop = db.session.scalar(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .options(selectinload(Workshop.phases), selectinload(Workshop.groups))
        .with_for_update(of=Workshop)
    )
    if workshop is None:
        raise refusal(CommandError, "console", "not_found.workshop")
    return workshop


def run_command(
    workshop_id: int, payload: object, *, now: datetime | None = None, by: int | None = None
) -> None:
    """Parse one facilitator command (`CONSOLE`), apply it to the workshop and commit (its events then go
    out). The caller has checked that the sender (`by`, a facilitator's id) runs this workshop."""
    asked = CONSOLE.parse(payload)
    now = now or datetime.now(UTC)
    with _workshop_lock(workshop_id), committed():  # the events go out, a phase that ended is announced
        apply(_load(workshop_id), asked, now, by=by)


def locked_workshop(workshop_id: int) -> threading.Lock:
    """The lock that a workshop's commands take (held around `load_for_update` and the commit)."""
    return _workshop_lock(workshop_id)


def load_for_update(workshop_id: int) -> Workshop:
    """The workshop, its row locked for the transaction (PostgreSQL), or the console's `not_found`."""
    return _load(workshop_id)


def apply(workshop: Workshop, asked: ConsoleCommand, now: datetime, *, by: int | None = None) -> None:
    """Run the operation that `asked` calls for (flushed, events queued; the caller commits)."""
    match asked:
        case Lock():
            set_lock(workshop, asked.action == "lock", asked.group_id)
        case Answer():
            calls.answer(_group(workshop, asked.group_id))
        case ExtendGroup():
            give_group_time(workshop, asked, now)
        case Broadcast():
            broadcast(workshop, asked.message, now)
        case Move():
            move_participant(workshop, asked.participant_id, asked.group_id, by=by)
        case Remove():
            remove_participant(workshop, asked.participant_id, now, by=by)
        case Joining():
            _set_joining(workshop, asked.open)
        case Dots():
            hide_dots(workshop, asked.hidden, now)
        case _:
            apply_clock(workshop, asked, now)


def _set_joining(workshop: Workshop, open_: bool) -> None:
    try:
        joining.set_joining(workshop, open_)
    except joining.JoinError as error:
        raise CommandError(error.code, error.message) from None
