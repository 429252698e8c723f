"""The facilitation clock: each transition and error, then invariants over random command sequences."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.phases import (
    ACTIONS,
    ERROR_CODES,
    MAX_EXTEND_SECONDS,
    Clock,
    Command,
    PhaseError,
    Status,
    apply,
    from_row,
    is_overtime,
    parse_command,
    remaining,
    to_dict,
    to_row,
)

T0 = datetime(2040, 3, 14, 9, 0, tzinfo=UTC)
DURATIONS = (600, 1200, 300)  # ten, twenty and five minutes
PARIS = timezone(timedelta(hours=2))


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def running(phase: int = 0, left: float = 600, now: datetime = T0) -> Clock:
    return Clock(phase, Status.RUNNING, deadline=now + s(left))


def paused(phase: int = 0, left: float = 300) -> Clock:
    return Clock(phase, Status.PAUSED, remaining=s(left))


FINISHED = Clock(len(DURATIONS) - 1, Status.FINISHED)


def error_code(clock: Clock, command: Command, durations: Sequence[int] = DURATIONS) -> str:
    with pytest.raises(PhaseError) as caught:
        apply(clock, command, durations, T0)
    return caught.value.code


# --- Clock itself -------------------------------------------------------------------------------------------


def test_initial_clock_is_not_started_on_phase_zero() -> None:
    assert Clock.initial() == Clock(0, Status.NOT_STARTED, None, None)
    assert remaining(Clock.initial(), T0) == timedelta(0)


@pytest.mark.parametrize(
    ("phase", "status", "deadline", "left"),
    [
        (0, Status.RUNNING, None, None),
        (0, Status.RUNNING, T0, s(5)),
        (0, Status.PAUSED, None, None),
        (0, Status.PAUSED, T0, s(5)),
        (0, Status.PAUSED, None, s(-1)),
        (0, Status.NOT_STARTED, T0, None),
        (0, Status.FINISHED, None, s(0)),
        (-1, Status.NOT_STARTED, None, None),
        (1, Status.NOT_STARTED, None, None),
        (True, Status.NOT_STARTED, None, None),
        (0, Status.RUNNING, datetime(2040, 1, 1), None),  # naive
        (0, "sleeping", None, None),
    ],
)
def test_clock_refuses_inconsistent_state(
    phase: int, status: Status, deadline: datetime | None, left: timedelta | None
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError; PhaseError is not expected here
        Clock(phase, status, deadline, left)


def test_clock_normalises_deadline_to_utc_and_status_to_enum() -> None:
    clock = Clock(1, "running", deadline=datetime(2040, 3, 14, 11, 0, tzinfo=PARIS))  # type: ignore[arg-type]
    assert clock.status is Status.RUNNING
    assert clock.deadline == T0
    assert clock.deadline.tzinfo is UTC


# --- start --------------------------------------------------------------------------------------------------


def test_start_runs_phase_zero_for_its_full_duration() -> None:
    clock = apply(Clock.initial(), Command("start"), DURATIONS, T0)
    assert clock == Clock(0, Status.RUNNING, deadline=T0 + s(600))
    assert remaining(clock, T0 + s(60)) == s(540)


def test_start_accepts_any_aware_now_and_stores_utc() -> None:
    clock = apply(Clock.initial(), Command("start"), DURATIONS, T0.astimezone(PARIS))
    assert clock.deadline == T0 + s(600)
    assert clock.deadline is not None
    assert clock.deadline.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("clock", "code"),
    [(running(), "already_started"), (paused(), "already_started"), (FINISHED, "already_finished")],
)
def test_start_twice_or_after_the_end_is_refused(clock: Clock, code: str) -> None:
    assert error_code(clock, Command("start")) == code


# --- pause and resume ---------------------------------------------------------------------------------------


def test_pause_keeps_the_time_left() -> None:
    clock = apply(running(1, left=500), Command("pause"), DURATIONS, T0 + s(100))
    assert clock == Clock(1, Status.PAUSED, remaining=s(400))
    assert remaining(clock, T0 + s(10_000)) == s(400)
    assert not is_overtime(clock, T0 + s(10_000))


def test_pause_in_overtime_leaves_zero() -> None:
    clock = apply(running(0, left=10), Command("pause"), DURATIONS, T0 + s(60))
    assert clock.remaining == timedelta(0)


@pytest.mark.parametrize("clock", [Clock.initial(), paused(), FINISHED])
def test_pause_needs_a_running_clock(clock: Clock) -> None:
    assert error_code(clock, Command("pause")) == "not_running"


def test_resume_sets_deadline_from_time_left() -> None:
    clock = apply(paused(2, left=123.456), Command("resume"), DURATIONS, T0 + s(3600))
    assert clock == Clock(2, Status.RUNNING, deadline=T0 + s(3600 + 123.456))


@pytest.mark.parametrize("clock", [Clock.initial(), running(), FINISHED])
def test_resume_needs_a_paused_clock(clock: Clock) -> None:
    assert error_code(clock, Command("resume")) == "not_paused"


# --- extend -------------------------------------------------------------------------------------------------


def test_extend_running_moves_the_deadline() -> None:
    clock = apply(running(1, left=300), Command("extend", seconds=120), DURATIONS, T0)
    assert clock == Clock(1, Status.RUNNING, deadline=T0 + s(420))


def test_extend_running_negative_shortens_but_not_before_now() -> None:
    shorter = apply(running(0, left=300), Command("extend", seconds=-100), DURATIONS, T0)
    assert shorter.deadline == T0 + s(200)
    floored = apply(running(0, left=300), Command("extend", seconds=-1000), DURATIONS, T0)
    assert floored == Clock(0, Status.RUNNING, deadline=T0)
    assert remaining(floored, T0) == timedelta(0)
    assert is_overtime(floored, T0)


def test_extend_in_overtime_counts_from_now() -> None:
    late = running(0, left=-300)  # deadline five minutes ago
    clock = apply(late, Command("extend", seconds=120), DURATIONS, T0)
    assert clock.deadline == T0 + s(120)


def test_extend_paused_changes_time_left_floored_at_zero() -> None:
    assert apply(paused(1, 60), Command("extend", seconds=30), DURATIONS, T0) == paused(1, 90)
    assert apply(paused(1, 60), Command("extend", seconds=-30), DURATIONS, T0) == paused(1, 30)
    assert apply(paused(1, 60), Command("extend", seconds=-90), DURATIONS, T0) == paused(1, 0)


@pytest.mark.parametrize("clock", [Clock.initial(), FINISHED])
def test_extend_needs_a_running_or_paused_clock(clock: Clock) -> None:
    assert error_code(clock, Command("extend", seconds=60)) == "not_running"


@pytest.mark.parametrize("seconds", [None, True, 1.5, "60", MAX_EXTEND_SECONDS + 1, -MAX_EXTEND_SECONDS - 1])
def test_extend_checks_seconds_even_when_built_by_hand(seconds: object) -> None:
    assert error_code(running(), Command("extend", seconds=seconds)) == "invalid"  # type: ignore[arg-type]


# --- next, previous, goto -----------------------------------------------------------------------------------


def test_next_runs_the_following_phase_for_its_full_duration() -> None:
    clock = apply(running(0, left=42), Command("next"), DURATIONS, T0)
    assert clock == Clock(1, Status.RUNNING, deadline=T0 + s(1200))


def test_next_from_paused_runs_the_following_phase() -> None:
    clock = apply(paused(1, left=42), Command("next"), DURATIONS, T0)
    assert clock == Clock(2, Status.RUNNING, deadline=T0 + s(300))


@pytest.mark.parametrize("clock", [running(2), paused(2)])
def test_next_from_the_last_phase_finishes(clock: Clock) -> None:
    assert apply(clock, Command("next"), DURATIONS, T0) == Clock(2, Status.FINISHED)


def test_next_before_the_start_starts() -> None:
    assert apply(Clock.initial(), Command("next"), DURATIONS, T0) == running(0, left=600)


def test_next_after_the_end_is_refused() -> None:
    assert error_code(FINISHED, Command("next")) == "no_next_phase"


def test_single_phase_agenda_goes_straight_to_finished() -> None:
    clock = apply(Clock.initial(), Command("start"), [60], T0)
    assert apply(clock, Command("next"), [60], T0) == Clock(0, Status.FINISHED)


@pytest.mark.parametrize("clock", [running(2, left=5), paused(2, left=5)])
def test_previous_runs_the_phase_before_for_its_full_duration(clock: Clock) -> None:
    assert apply(clock, Command("previous"), DURATIONS, T0) == running(1, left=1200)


def test_previous_after_the_end_reopens_the_last_phase() -> None:
    assert apply(FINISHED, Command("previous"), DURATIONS, T0) == running(2, left=300)


@pytest.mark.parametrize("clock", [running(0), paused(0), Clock.initial()])
def test_previous_from_the_first_phase_is_refused(clock: Clock) -> None:
    assert error_code(clock, Command("previous")) == "no_previous_phase"


@pytest.mark.parametrize("clock", [Clock.initial(), running(0), paused(2), FINISHED])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_goto_runs_any_phase_for_its_full_duration(clock: Clock, index: int) -> None:
    assert apply(clock, Command("goto", index=index), DURATIONS, T0) == running(index, DURATIONS[index])


@pytest.mark.parametrize("index", [-1, 3, 10**30])
def test_goto_outside_the_agenda_is_refused(index: int) -> None:
    assert error_code(running(1), Command("goto", index=index)) == "bad_index"


@pytest.mark.parametrize("index", [None, False, 1.0, "1"])
def test_goto_checks_index_type_even_when_built_by_hand(index: object) -> None:
    assert error_code(running(1), Command("goto", index=index)) == "invalid"  # type: ignore[arg-type]


# --- agenda, now, unknown actions ---------------------------------------------------------------------------


def test_unknown_action_built_by_hand_is_refused() -> None:
    assert error_code(running(), Command("lock")) == "unknown_action"


def test_empty_agenda_is_refused() -> None:
    assert error_code(Clock.initial(), Command("start"), durations=[]) == "empty_agenda"


def test_negative_duration_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="durations") as caught:
        apply(Clock.initial(), Command("start"), [60, -1], T0)
    assert not isinstance(caught.value, PhaseError)


def test_naive_now_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="naive") as caught:
        apply(Clock.initial(), Command("start"), DURATIONS, datetime(2040, 1, 1))
    assert not isinstance(caught.value, PhaseError)


def test_phase_past_a_shrunk_agenda_is_clamped_to_the_last_phase() -> None:
    clock = running(5, left=100)
    assert apply(clock, Command("pause"), DURATIONS, T0) == paused(2, 100)
    assert apply(clock, Command("next"), DURATIONS, T0) == Clock(2, Status.FINISHED)
    assert apply(clock, Command("previous"), DURATIONS, T0) == running(1, 1200)


def test_phase_error_carries_code_and_message() -> None:
    error = PhaseError("bad_index", "nope")
    assert isinstance(error, ValueError)
    assert (error.code, error.message, str(error)) == ("bad_index", "nope", "nope")
    assert error.to_dict() == {"code": "bad_index", "message": "nope"}


# --- remaining and overtime ---------------------------------------------------------------------------------


def test_remaining_and_overtime_while_running() -> None:
    clock = running(0, left=60)
    assert remaining(clock, T0) == s(60)
    assert not is_overtime(clock, T0 + s(59.999999))
    assert remaining(clock, T0 + s(60)) == timedelta(0)
    assert is_overtime(clock, T0 + s(60))
    assert remaining(clock, T0 + s(3600)) == timedelta(0)
    assert remaining(clock, (T0 + s(30)).astimezone(PARIS)) == s(30)


@pytest.mark.parametrize("clock", [Clock.initial(), FINISHED, paused(0, 0)])
def test_never_overtime_unless_running(clock: Clock) -> None:
    assert not is_overtime(clock, T0 + s(10**6))
    assert remaining(clock, T0 + s(10**6)) == timedelta(0)


# --- wire and row formats -----------------------------------------------------------------------------------


def test_to_dict_running() -> None:
    data = to_dict(running(1, left=90), (T0 + s(30)).astimezone(PARIS))
    assert data == {
        "phase": 1,
        "status": "running",
        "deadline": "2040-03-14T09:01:30+00:00",
        "remaining_seconds": 60.0,
        "server_time": "2040-03-14T09:00:30+00:00",
    }


def test_to_dict_paused_and_not_started() -> None:
    assert to_dict(paused(2, 12.5), T0)["remaining_seconds"] == 12.5
    assert to_dict(paused(2, 12.5), T0)["deadline"] is None
    assert to_dict(Clock.initial(), T0) == {
        "phase": 0,
        "status": "not_started",
        "deadline": None,
        "remaining_seconds": 0.0,
        "server_time": "2040-03-14T09:00:00+00:00",
    }


def test_to_row_and_from_row() -> None:
    assert to_row(running(1, left=90)) == (1, "running", T0 + s(90), None)
    assert to_row(paused(2, 12.5)) == (2, "paused", None, 12.5)
    assert to_row(FINISHED) == (2, "finished", None, None)
    assert from_row(1, "running", datetime(2040, 3, 14, 9, 1, 30), None) == running(
        1, left=90
    )  # SQLite: naive
    assert from_row(1, "running", datetime(2040, 3, 14, 11, 1, 30, tzinfo=PARIS), None) == running(1, left=90)
    assert from_row(2, "paused", None, 12.5) == paused(2, 12.5)
    assert from_row(0, "not_started", None, None) == Clock.initial()


def test_from_row_ignores_columns_the_status_does_not_use() -> None:
    assert from_row(2, "finished", T0, 5.0) == FINISHED
    assert from_row(1, "paused", T0, 5.0) == paused(1, 5)
    assert from_row(1, "running", T0, 5.0) == running(1, left=0)


@pytest.mark.parametrize(
    ("status", "deadline", "left"),
    [("running", None, 5.0), ("paused", T0, None), ("paused", None, float("nan")), ("dancing", None, None)],
)
def test_from_row_refuses_missing_or_bad_columns(
    status: str, deadline: datetime | None, left: float | None
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        from_row(0, status, deadline, left)


# --- parse_command ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "command"),
    [
        ({"action": "start"}, Command("start")),
        ({"action": "pause", "seconds": "junk", "index": None}, Command("pause")),  # unused fields ignored
        ({"action": "resume"}, Command("resume")),
        ({"action": "next"}, Command("next")),
        ({"action": "previous"}, Command("previous")),
        ({"action": "extend", "seconds": 300}, Command("extend", seconds=300)),
        ({"action": "extend", "seconds": -60}, Command("extend", seconds=-60)),
        ({"action": "extend", "seconds": MAX_EXTEND_SECONDS}, Command("extend", seconds=MAX_EXTEND_SECONDS)),
        (
            {"action": "extend", "seconds": -MAX_EXTEND_SECONDS},
            Command("extend", seconds=-MAX_EXTEND_SECONDS),
        ),
        ({"action": "goto", "index": 4}, Command("goto", index=4)),
        ({"action": "goto", "index": 1, "seconds": 5}, Command("goto", index=1)),
    ],
)
def test_parse_command_accepts_valid_payloads(payload: dict[str, object], command: Command) -> None:
    assert parse_command(payload) == command


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "invalid"),
        ({"action": None}, "invalid"),
        ({"action": 1}, "invalid"),
        ({"action": ["start"]}, "invalid"),
        ({"seconds": 60}, "invalid"),
        ({"action": "stop"}, "unknown_action"),
        ({"action": "START"}, "unknown_action"),
        ({"action": ""}, "unknown_action"),
        ({"action": "lock"}, "unknown_action"),
        ({"action": "x" * 10_000}, "unknown_action"),
        ({"action": "extend"}, "invalid"),
        ({"action": "extend", "seconds": None}, "invalid"),
        ({"action": "extend", "seconds": True}, "invalid"),
        ({"action": "extend", "seconds": False}, "invalid"),
        ({"action": "extend", "seconds": 60.0}, "invalid"),
        ({"action": "extend", "seconds": "60"}, "invalid"),
        ({"action": "extend", "seconds": [60]}, "invalid"),
        ({"action": "extend", "seconds": MAX_EXTEND_SECONDS + 1}, "invalid"),
        ({"action": "extend", "seconds": -MAX_EXTEND_SECONDS - 1}, "invalid"),
        ({"action": "extend", "seconds": 10**400}, "invalid"),
        ({"action": "extend", "seconds": float("inf")}, "invalid"),
        ({"action": "goto"}, "invalid"),
        ({"action": "goto", "index": True}, "invalid"),
        ({"action": "goto", "index": 1.0}, "invalid"),
        ({"action": "goto", "index": "1"}, "invalid"),
        ({"action": "goto", "index": None}, "invalid"),
    ],
)
def test_parse_command_rejects_junk(payload: dict[str, object], code: str) -> None:
    with pytest.raises(PhaseError) as caught:
        parse_command(payload)
    assert caught.value.code == code


@pytest.mark.parametrize("payload", [None, "start", ["start"], 42])
def test_parse_command_rejects_non_objects(payload: object) -> None:
    with pytest.raises(PhaseError) as caught:
        parse_command(payload)  # type: ignore[arg-type]
    assert caught.value.code == "invalid"


# --- properties ---------------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)
field_values = st.one_of(json_values, st.sampled_from(ACTIONS), st.integers(-(10**6), 10**6))


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@given(
    st.dictionaries(
        st.sampled_from(["action", "seconds", "index", "other"]) | st.text(max_size=5),
        field_values,
        max_size=5,
    )
)
def test_parse_command_accepts_exactly_the_valid_payloads(payload: dict[str, object]) -> None:
    action, seconds, index = payload.get("action"), payload.get("seconds"), payload.get("index")
    valid = action in ACTIONS and (
        (action == "extend" and is_int(seconds) and abs(seconds) <= MAX_EXTEND_SECONDS)  # type: ignore[arg-type]
        or (action == "goto" and is_int(index))
        or action not in ("extend", "goto")
    )
    if valid:
        command = parse_command(payload)
        assert command.action == action
        assert command.seconds == (seconds if action == "extend" else None)
        assert command.index == (index if action == "goto" else None)
    else:
        with pytest.raises(PhaseError) as caught:
            parse_command(payload)
        expected = "unknown_action" if isinstance(action, str) and action not in ACTIONS else "invalid"
        assert caught.value.code == expected


durations_strategy = st.lists(st.integers(0, 4 * 3600), min_size=1, max_size=6)
commands = st.one_of(
    st.sampled_from(["start", "pause", "resume", "next", "previous"]).map(Command),
    st.builds(Command, st.just("extend"), seconds=st.integers(-8 * 3600, 8 * 3600)),
    st.builds(Command, st.just("extend"), seconds=st.none() | st.booleans()),
    st.builds(Command, st.just("goto"), index=st.integers(-2, 8) | st.none() | st.booleans()),
    st.sampled_from(["stop", "", "lock", "Start"]).map(Command),
)
zones = st.sampled_from([UTC, PARIS, timezone(timedelta(hours=-7, minutes=-30))])
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=3))
steps = st.lists(st.tuples(commands, gaps, zones), max_size=40)


def expected_error(clock: Clock, command: Command, durations: Sequence[int]) -> str | None:
    """The brief's rules, restated independently of the implementation."""
    status, action = clock.status, command.action
    started = status in (Status.RUNNING, Status.PAUSED)
    if action not in ACTIONS:
        return "unknown_action"
    if action == "extend" and not (is_int(command.seconds) and abs(command.seconds) <= MAX_EXTEND_SECONDS):  # type: ignore[arg-type]
        return "invalid"
    if action == "goto" and not is_int(command.index):
        return "invalid"
    return {
        "start": "already_finished" if status is Status.FINISHED else "already_started" if started else None,
        "pause": None if status is Status.RUNNING else "not_running",
        "resume": None if status is Status.PAUSED else "not_paused",
        "extend": None if started else "not_running",
        "next": "no_next_phase" if status is Status.FINISHED else None,
        "previous": "no_previous_phase"
        if status is Status.NOT_STARTED or (started and clock.phase == 0)
        else None,
        "goto": None if 0 <= (command.index or 0) < len(durations) else "bad_index",
    }[action]


def check_invariants(clock: Clock, durations: Sequence[int], now: datetime) -> None:
    assert 0 <= clock.phase < len(durations)
    assert (clock.status is Status.RUNNING) == (clock.deadline is not None)
    assert (clock.status is Status.PAUSED) == (clock.remaining is not None)
    if clock.deadline is not None:
        assert clock.deadline.utcoffset() == timedelta(0)
    for later in (timedelta(0), timedelta(microseconds=1), timedelta(hours=1), timedelta(days=3)):
        assert remaining(clock, now + later) >= timedelta(0)
        assert remaining(clock, now + later) <= remaining(clock, now)  # time only runs down
        assert is_overtime(clock, now + later) == (
            clock.status is Status.RUNNING and remaining(clock, now + later) == timedelta(0)
        )
    assert from_row(*to_row(clock)) == clock
    phase, status, deadline, left = to_row(clock)
    if deadline is not None:  # SQLite gives the UTC wall time back without its zone
        assert from_row(phase, status, deadline.replace(tzinfo=None), left) == clock
    wire = json.loads(json.dumps(to_dict(clock, now)))
    assert wire["phase"] == clock.phase
    assert wire["status"] == clock.status.value
    assert wire["remaining_seconds"] == remaining(clock, now).total_seconds() >= 0
    if clock.deadline is not None:
        assert datetime.fromisoformat(wire["deadline"]) == clock.deadline


def fresh_phase(before: Clock, command: Command, last: int) -> int | None:
    """The phase that a successful command starts with its full duration; None if it keeps or ends one."""
    match command.action:
        case "start":
            return 0
        case "next" if before.status is Status.NOT_STARTED:
            return 0
        case "next":
            return None if before.phase == last else before.phase + 1
        case "previous":
            return last if before.status is Status.FINISHED else before.phase - 1
        case "goto":
            assert command.index is not None
            return command.index
    return None


def check_transition(
    before: Clock, command: Command, after: Clock, durations: Sequence[int], now: datetime
) -> None:
    """Post-conditions of each successful command."""
    last = len(durations) - 1
    phase = fresh_phase(before, command, last)
    if phase is not None:
        assert after.status is Status.RUNNING
        assert after.phase == phase
        assert after.deadline == now + timedelta(seconds=durations[phase])
        return
    match command.action:
        case "pause":
            assert after == Clock(before.phase, Status.PAUSED, remaining=remaining(before, now))
        case "resume":
            assert after.status is Status.RUNNING
            assert after.phase == before.phase
            assert remaining(after, now) == before.remaining
        case "extend":
            assert (after.phase, after.status) == (before.phase, before.status)
            left = remaining(before, now) + timedelta(seconds=command.seconds or 0)
            assert remaining(after, now) == max(timedelta(0), left)
        case "next":
            assert after == Clock(last, Status.FINISHED)
        case _:
            pytest.fail(f"{command.action!r} should have been refused")


@settings(max_examples=300)
@given(durations_strategy, steps)
def test_any_command_sequence_keeps_the_invariants(
    durations: list[int], sequence: list[tuple[Command, timedelta, timezone]]
) -> None:
    clock, now = Clock.initial(), T0
    check_invariants(clock, durations, now)
    for command, gap, zone in sequence:
        now = (now + gap).astimezone(zone)
        expected = expected_error(clock, command, durations)
        if expected is not None:
            snapshot = to_row(clock)
            with pytest.raises(PhaseError) as caught:
                apply(clock, command, durations, now)
            assert caught.value.code == expected
            assert expected in ERROR_CODES
            assert to_row(clock) == snapshot  # refused commands change nothing
            continue
        after = apply(clock, command, durations, now)
        check_transition(clock, command, after, durations, now)
        check_invariants(after, durations, now)
        clock = after


@given(
    duration=st.integers(0, 4 * 3600),
    cycles=st.lists(st.tuples(gaps, gaps), max_size=8),
    zone=zones,
)
def test_pause_and_resume_only_count_running_time(
    duration: int, cycles: list[tuple[timedelta, timedelta]], zone: timezone
) -> None:
    durations = [duration]
    now = T0.astimezone(zone)
    clock = apply(Clock.initial(), Command("start"), durations, now)
    ran = timedelta(0)
    for run_for, pause_for in cycles:
        now += run_for
        ran += run_for
        clock = apply(clock, Command("pause"), durations, now)
        left = remaining(clock, now)
        assert left == max(timedelta(0), timedelta(seconds=duration) - ran)
        now += pause_for
        assert remaining(clock, now) == left  # a paused clock does not run down
        clock = apply(clock, Command("resume"), durations, now)
        assert remaining(clock, now) == left  # resuming gives back exactly what was left
    assert remaining(clock, now) == max(timedelta(0), timedelta(seconds=duration) - ran)


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_paused_time_left_survives_the_database(left: timedelta) -> None:
    clock = Clock(0, Status.PAUSED, remaining=left)
    assert from_row(*to_row(clock)) == clock
