"""The live facilitation clock: a pure state machine (state + command + now → new state).

No I/O here: callers load a :class:`Clock` (``from_row``), parse the facilitator's command
(``parse_command``), compute the next clock with ``apply``, persist it (``to_row``) and broadcast ``to_dict``.

Decisions where the brief left room:

- The clock sits on phase 0 before the start and on the last phase once finished, so
  ``0 <= phase < len(durations)`` always holds.
- ``next``, ``previous`` and ``goto`` leave the clock RUNNING on the new phase with its full duration, even
  when it was paused; ``goto`` also works before the start (it starts there) and after the end (it reopens).
- ``extend`` works on the time left: the new time left is ``max(0, left + seconds)``. While the deadline is
  ahead this is exactly ``deadline + seconds`` floored at ``now``; in overtime it gives ``seconds`` from now,
  which is what a facilitator who adds five minutes to a late phase means.
- If the agenda shrank under a running clock (its phase index is past the end), ``apply`` first clamps the
  phase to the last one.
- Error messages are plain English for logs; clients translate from ``PhaseError.code``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from errors import RefusedError

ACTIONS: tuple[str, ...] = ("start", "pause", "resume", "extend", "next", "previous", "goto")

MAX_EXTEND_SECONDS = 6 * 3600
"""Largest amount of time (either way) that one ``extend`` may add or remove."""

ERROR_CODES: tuple[str, ...] = (
    "unknown_action",  # the action is not one of ACTIONS
    "invalid",  # malformed payload: missing or mistyped field, out-of-range seconds
    "already_started",  # start while running or paused
    "already_finished",  # start after the last phase ended
    "not_running",  # pause when not running; extend before the start or after the end
    "not_paused",  # resume when not paused
    "no_next_phase",  # next after the end
    "no_previous_phase",  # previous on phase 0 or before the start
    "bad_index",  # goto outside the agenda
    "empty_agenda",  # the agenda has no phase at all
)
"""Every ``PhaseError.code`` this module raises."""


class Status(StrEnum):
    """Where the workshop stands in its agenda."""

    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


class PhaseError(RefusedError):
    """A command that cannot apply to the clock; ``code`` is one of :data:`ERROR_CODES`."""


@dataclass(frozen=True)
class Clock:
    """The facilitation clock; construction enforces its invariants.

    RUNNING ⇔ ``deadline`` is set (an aware datetime, normalised to UTC); PAUSED ⇔ ``remaining`` is set
    (never negative). Other states carry neither; NOT_STARTED is always on phase 0.
    """

    phase: int
    status: Status
    deadline: datetime | None = None
    remaining: timedelta | None = None

    def __post_init__(self) -> None:
        if isinstance(self.phase, bool) or not isinstance(self.phase, int) or self.phase < 0:
            raise ValueError(f"phase must be a non-negative int, not {self.phase!r}")
        object.__setattr__(self, "status", Status(self.status))
        if self.status is Status.NOT_STARTED and self.phase != 0:
            raise ValueError("a clock that has not started is on phase 0")
        if (self.status is Status.RUNNING) != (self.deadline is not None):
            raise ValueError("a deadline is set exactly when the clock is running")
        if (self.status is Status.PAUSED) != (self.remaining is not None):
            raise ValueError("the time left is set exactly when the clock is paused")
        if self.deadline is not None:
            object.__setattr__(self, "deadline", _utc(self.deadline))
        if self.remaining is not None and self.remaining < timedelta(0):
            raise ValueError("the time left cannot be negative")

    @classmethod
    def initial(cls) -> Clock:
        """A workshop that has not started yet."""
        return cls(phase=0, status=Status.NOT_STARTED)


@dataclass(frozen=True)
class Command:
    """One facilitator command: ``seconds`` for ``extend``, ``index`` for ``goto``."""

    action: str
    seconds: int | None = None
    index: int | None = None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC)


def _check_seconds(seconds: object) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise PhaseError("invalid", "extend needs 'seconds', an integer number of seconds")
    if not -MAX_EXTEND_SECONDS <= seconds <= MAX_EXTEND_SECONDS:
        raise PhaseError(
            "invalid", f"'seconds' must be between {-MAX_EXTEND_SECONDS} and {MAX_EXTEND_SECONDS}"
        )
    return seconds


def _check_index(index: object) -> int:
    if isinstance(index, bool) or not isinstance(index, int):
        raise PhaseError("invalid", "goto needs 'index', an integer phase index")
    return index


def parse_command(payload: Mapping[str, object]) -> Command:
    """Validate a command from the wire (``{"action", "seconds"?, "index"?}``).

    Fields that the action does not use are ignored. Raises ``PhaseError("unknown_action")`` for an action
    outside :data:`ACTIONS` and ``PhaseError("invalid")`` for anything else malformed. ``goto``'s range is
    checked by :func:`apply`, which knows the agenda.
    """
    if not isinstance(payload, Mapping):
        raise PhaseError("invalid", "a command must be an object")
    action = payload.get("action")
    if not isinstance(action, str):
        raise PhaseError("invalid", "a command needs 'action', a string")
    if action not in ACTIONS:
        raise PhaseError("unknown_action", f"unknown action {action[:40]!r}")
    if action == "extend":
        return Command(action, seconds=_check_seconds(payload.get("seconds")))
    if action == "goto":
        return Command(action, index=_check_index(payload.get("index")))
    return Command(action)


def _running(phase: int, durations: Sequence[int], now: datetime) -> Clock:
    return Clock(phase=phase, status=Status.RUNNING, deadline=now + timedelta(seconds=durations[phase]))


def _check_durations(durations: Sequence[int]) -> None:
    if len(durations) == 0:
        raise PhaseError("empty_agenda", "the agenda has no phase")
    for duration in durations:
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            raise ValueError(f"phase durations must be non-negative ints, not {duration!r}")


def _start(clock: Clock, _command: Command, durations: Sequence[int], now: datetime) -> Clock:
    if clock.status is Status.FINISHED:
        raise PhaseError("already_finished", "the workshop has already finished")
    if clock.status in (Status.RUNNING, Status.PAUSED):
        raise PhaseError("already_started", "the workshop has already started")
    return _running(0, durations, now)


def _pause(clock: Clock, _command: Command, _durations: Sequence[int], now: datetime) -> Clock:
    if clock.status is not Status.RUNNING:
        raise PhaseError("not_running", "only a running phase can be paused")
    return Clock(clock.phase, Status.PAUSED, remaining=remaining(clock, now))


def _resume(clock: Clock, _command: Command, _durations: Sequence[int], now: datetime) -> Clock:
    if clock.status is not Status.PAUSED or clock.remaining is None:
        raise PhaseError("not_paused", "only a paused phase can be resumed")
    return Clock(clock.phase, Status.RUNNING, deadline=now + clock.remaining)


def _extend(clock: Clock, command: Command, _durations: Sequence[int], now: datetime) -> Clock:
    seconds = _check_seconds(command.seconds)
    if clock.status not in (Status.RUNNING, Status.PAUSED):
        raise PhaseError("not_running", "only a running or paused phase can be extended")
    left = max(timedelta(0), remaining(clock, now) + timedelta(seconds=seconds))
    if clock.status is Status.PAUSED:
        return Clock(clock.phase, Status.PAUSED, remaining=left)
    return Clock(clock.phase, Status.RUNNING, deadline=now + left)


def _next(clock: Clock, _command: Command, durations: Sequence[int], now: datetime) -> Clock:
    last = len(durations) - 1
    if clock.status is Status.NOT_STARTED:
        return _running(0, durations, now)
    if clock.status is Status.FINISHED:
        raise PhaseError("no_next_phase", "the workshop has already finished")
    if clock.phase >= last:
        return Clock(last, Status.FINISHED)
    return _running(clock.phase + 1, durations, now)


def _previous(clock: Clock, _command: Command, durations: Sequence[int], now: datetime) -> Clock:
    if clock.status is Status.FINISHED:
        return _running(len(durations) - 1, durations, now)
    if clock.status is Status.NOT_STARTED or clock.phase == 0:
        raise PhaseError("no_previous_phase", "there is no phase before this one")
    return _running(clock.phase - 1, durations, now)


def _goto(_clock: Clock, command: Command, durations: Sequence[int], now: datetime) -> Clock:
    index, last = _check_index(command.index), len(durations) - 1
    if not 0 <= index <= last:
        raise PhaseError("bad_index", f"phase index must be between 0 and {last}")
    return _running(index, durations, now)


_TRANSITIONS: dict[str, Callable[[Clock, Command, Sequence[int], datetime], Clock]] = {
    "start": _start,
    "pause": _pause,
    "resume": _resume,
    "extend": _extend,
    "next": _next,
    "previous": _previous,
    "goto": _goto,
}


def apply(clock: Clock, command: Command, durations: Sequence[int], now: datetime) -> Clock:
    """Return the clock after ``command`` at ``now``; ``durations`` gives each phase's length in seconds.

    Raises :class:`PhaseError` when the command does not apply (the given clock is immutable, so it stays as
    it was), and ``ValueError`` for a naive ``now`` or a negative duration, which are bugs in the caller.
    """
    now = _utc(now)
    _check_durations(durations)
    last = len(durations) - 1
    if clock.phase > last:
        clock = Clock(last, clock.status, clock.deadline, clock.remaining)
    transition = _TRANSITIONS.get(command.action)
    if transition is None:
        raise PhaseError("unknown_action", f"unknown action {str(command.action)[:40]!r}")
    return transition(clock, command, durations, now)


def rearms_deadline(before: Clock, after: Clock, now: datetime) -> bool:
    """Whether going from ``before`` to ``after`` gives the clock a deadline still to reach.

    True on a new phase, at the start or the end, and whenever time is left again (``extend``, ``resume``,
    a ``goto`` to the same phase); False when the clock only pauses or resumes in overtime. The caller uses it
    to run a phase's deadline action once per deadline.
    """
    if after.phase != before.phase or after.status in (Status.NOT_STARTED, Status.FINISHED):
        return True
    if before.status not in (Status.RUNNING, Status.PAUSED):
        return True
    return remaining(after, now) > timedelta(0)


def remaining(clock: Clock, now: datetime) -> timedelta:
    """Time left in the current phase, never negative (zero before the start and after the end)."""
    if clock.deadline is not None:  # set exactly when running
        return max(timedelta(0), clock.deadline - _utc(now))
    if clock.remaining is not None:  # set exactly when paused
        return clock.remaining
    return timedelta(0)


def is_overtime(clock: Clock, now: datetime) -> bool:
    """Whether the clock is running and its deadline has been reached (no time left)."""
    return clock.status is Status.RUNNING and clock.deadline is not None and _utc(now) >= clock.deadline


def shifted(clock: Clock, seconds: float) -> Clock:
    """The clock of a group that has ``seconds`` more than everyone in this phase: its own deadline (running)
    or time left (paused); the clock itself otherwise."""
    if seconds <= 0:
        return clock
    if clock.deadline is not None:
        return Clock(clock.phase, clock.status, deadline=clock.deadline + timedelta(seconds=seconds))
    if clock.remaining is not None:
        return Clock(clock.phase, clock.status, remaining=clock.remaining + timedelta(seconds=seconds))
    return clock


def more_time(clock: Clock, extra: float, seconds: int, now: datetime) -> int:
    """A group's extra seconds once it is given ``seconds`` more than the ``extra`` it has: from its own
    deadline, or from now when it has passed (as ``extend`` does for everyone); whole seconds, rounded up."""
    if clock.status not in (Status.RUNNING, Status.PAUSED):
        raise PhaseError("not_running", "only a running or paused phase can be extended")
    if clock.deadline is not None:
        own_deadline = max(_utc(now), clock.deadline + timedelta(seconds=max(0.0, extra)))
        total = own_deadline + timedelta(seconds=seconds) - clock.deadline
    else:
        total = timedelta(seconds=max(0.0, extra) + seconds)
    return math.ceil(total.total_seconds())


def to_dict(clock: Clock, now: datetime) -> dict[str, Any]:
    """The clock as JSON-ready data for ``workshop:state`` (ISO 8601 UTC times, seconds as a float)."""
    return {
        "phase": clock.phase,
        "status": clock.status.value,
        "deadline": clock.deadline.isoformat() if clock.deadline is not None else None,
        "remaining_seconds": remaining(clock, now).total_seconds(),
        "server_time": _utc(now).isoformat(),
    }


def to_row(clock: Clock) -> tuple[int, str, datetime | None, float | None]:
    """``(phase, status, deadline, remaining_seconds)`` for the database columns."""
    left = clock.remaining.total_seconds() if clock.remaining is not None else None
    return clock.phase, clock.status.value, clock.deadline, left


def from_row(phase: int, status: str, deadline: datetime | None, remaining_seconds: float | None) -> Clock:
    """Rebuild a clock from its columns; a naive ``deadline`` (SQLite) is read as UTC.

    A column that the status does not use is ignored; a missing one that it needs raises ``ValueError``.
    """
    state = Status(status)
    if state is Status.RUNNING:
        if deadline is None:
            raise ValueError("a running clock needs a deadline")
        if deadline.tzinfo is None or deadline.utcoffset() is None:
            deadline = deadline.replace(tzinfo=UTC)
        return Clock(phase, state, deadline=deadline)
    if state is Status.PAUSED:
        if remaining_seconds is None or not math.isfinite(remaining_seconds):
            raise ValueError("a paused clock needs a finite time left")
        return Clock(phase, state, remaining=timedelta(seconds=max(0.0, float(remaining_seconds))))
    return Clock(phase, state)
