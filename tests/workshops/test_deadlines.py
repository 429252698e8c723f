"""Guarded clock commands and deadline actions, as operations: each runs once, whoever races it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.unit_of_work import committed
from extensions import db
from tests import factories
from workshops import deadlines, live, phases, state
from workshops.models import Workshop

T0 = datetime(2040, 3, 14, 9, 0, tzinfo=UTC)


def agenda(*actions: str) -> list[dict[str, Any]]:
    return [
        {"title": f"Phase {i + 1}", "duration_seconds": 60, "editors_open": True, "at_deadline": action}
        for i, action in enumerate(actions)
    ]


def fresh(workshop_id: int) -> Workshop:
    db.session.expire_all()
    return db.session.get(Workshop, workshop_id)


def started(*actions: str) -> Workshop:
    workshop = factories.workshop(groups=2, phases=agenda(*actions), status="not_started")
    live.run_command(workshop.id, {"action": "start"}, now=T0)
    return fresh(workshop.id)


# --- Commands say which state they were issued from -------------------------------------------------


def test_every_clock_change_bumps_the_version(app_ctx) -> None:
    w = started("signal", "signal", "signal")
    assert w.clock_version == 1
    live.run_command(w.id, {"action": "pause", "version": 1}, now=T0)
    live.run_command(w.id, {"action": "resume", "version": 2}, now=T0)
    assert fresh(w.id).clock_version == 3
    live.run_command(w.id, {"action": "lock"}, now=T0)  # not a clock change
    assert fresh(w.id).clock_version == 3


def test_two_nexts_issued_from_the_same_state_advance_one_phase(app_ctx) -> None:
    w = started("signal", "signal", "signal")
    live.run_command(w.id, {"action": "next", "version": 1}, now=T0)
    with pytest.raises(live.CommandError) as refused:
        live.run_command(w.id, {"action": "next", "version": 1}, now=T0)
    assert refused.value.code == "stale"
    w = fresh(w.id)
    assert (w.phase_index, w.clock_version) == (1, 2)


def test_a_stale_goto_or_start_does_nothing(app_ctx) -> None:
    w = factories.workshop(groups=2, phases=agenda("signal", "signal", "signal"), status="not_started")
    live.run_command(w.id, {"action": "start", "version": 0}, now=T0)
    with pytest.raises(live.CommandError, match="already changed"):
        live.run_command(w.id, {"action": "start", "version": 0}, now=T0)
    with pytest.raises(live.CommandError) as refused:
        live.run_command(w.id, {"action": "goto", "index": 2, "version": 0}, now=T0)
    assert refused.value.code == "stale"
    assert (fresh(w.id).phase_index, fresh(w.id).status) == (0, "running")


@pytest.mark.parametrize("version", [-1, 2**63, "1", 1.0, True, [1]])
def test_a_mistyped_version_is_invalid(app_ctx, version: object) -> None:
    w = started("signal", "signal")
    with pytest.raises(live.CommandError) as refused:
        live.run_command(w.id, {"action": "next", "version": version}, now=T0)
    assert refused.value.code == "invalid"
    assert fresh(w.id).phase_index == 0


def test_a_write_lands_only_on_the_version_it_read(app_ctx) -> None:
    w = started("signal", "signal")
    clock = state.clock_of(w)
    assert live.write_clock(w.id, 1, clock) is True
    assert live.write_clock(w.id, 1, clock) is False  # the first write moved the version on
    db.session.commit()
    assert fresh(w.id).clock_version == 2


# --- Deadline actions -------------------------------------------------------------------------------


def test_nothing_is_due_before_the_deadline(app_ctx) -> None:
    w = started("advance", "signal")
    assert deadlines.run_due(T0 + timedelta(seconds=59)) == []
    assert fresh(w.id).phase_index == 0


def test_signal_runs_once_and_changes_nothing_else(app_ctx) -> None:
    w = started("signal", "signal")
    late = T0 + timedelta(seconds=61)
    assert deadlines.run_due(late) == [(w.id, "signal")]
    assert deadlines.run_due(late + timedelta(seconds=5)) == []
    w = fresh(w.id)
    assert (w.phase_index, w.status, w.all_locked, w.deadline_handled) == (0, "running", False, True)
    assert state.facilitator_state(w.id, late)["deadline_reached"] is True


def test_lock_locks_every_editor_once_and_the_next_phase_reopens_them(app_ctx) -> None:
    w = started("lock", "signal")
    late = T0 + timedelta(seconds=60)
    assert deadlines.run_due(late) == [(w.id, "lock")]
    w = fresh(w.id)
    assert w.all_locked is True
    participant_view = state.participant_state(factories.participant(w.groups[0])[0], late)
    assert (participant_view["locked"], participant_view["writable"]) == (True, False)
    # The facilitator unlocks by hand: the deadline does not lock again.
    live.run_command(w.id, {"action": "unlock"}, now=late)
    assert deadlines.run_due(late + timedelta(seconds=10)) == []
    assert fresh(w.id).all_locked is False
    # Locked again at the deadline, then the next phase lifts that lock.
    live.run_command(w.id, {"action": "goto", "index": 0}, now=late)
    assert deadlines.run_due(late + timedelta(seconds=60)) == [(w.id, "lock")]
    live.run_command(w.id, {"action": "next"}, now=late + timedelta(seconds=61))
    assert fresh(w.id).all_locked is False


def test_more_time_after_a_lock_at_the_deadline_reopens_writing(app_ctx) -> None:
    w = started("lock", "signal")
    late = T0 + timedelta(seconds=61)
    deadlines.run_due(late)
    live.run_command(w.id, {"action": "extend", "seconds": 120}, now=late)
    w = fresh(w.id)
    assert (w.all_locked, w.deadline_handled) == (False, False)
    assert deadlines.run_due(late + timedelta(seconds=121)) == [(w.id, "lock")]


def test_a_hand_lock_stays_when_the_phase_changes(app_ctx) -> None:
    w = started("signal", "signal")
    live.run_command(w.id, {"action": "lock"}, now=T0)
    live.run_command(w.id, {"action": "next"}, now=T0)
    assert fresh(w.id).all_locked is True


def test_advance_goes_on_to_the_next_phase_once_and_finishes_after_the_last(app_ctx) -> None:
    w = started("advance", "advance")
    first = T0 + timedelta(seconds=60)
    assert deadlines.run_due(first) == [(w.id, "advance")]
    assert deadlines.run_due(first) == []  # the new phase has its full time
    w = fresh(w.id)
    assert (w.phase_index, w.status, w.clock_version) == (1, "running", 2)
    assert state.clock_of(w).deadline == first + timedelta(seconds=60)
    assert deadlines.run_due(first + timedelta(seconds=60)) == [(w.id, "advance")]
    assert fresh(w.id).status == "finished"


def test_two_workers_racing_for_one_deadline_advance_once(app_ctx) -> None:
    w = started("advance", "signal", "signal")
    late = T0 + timedelta(seconds=60)
    seen = deadlines.due(late)
    assert seen == [(w.id, 1)]
    # Both workers read version 1; the first to write wins, the second finds the version moved on.
    assert deadlines.run_action(w.id, 1, late) == "advance"
    assert deadlines.run_action(w.id, 1, late) is None
    assert fresh(w.id).phase_index == 1


def test_two_workers_racing_to_lock_lock_once(app_ctx) -> None:
    """Both read the same row before either writes: the flag in the UPDATE's condition lets one through."""
    w = started("lock", "signal")
    clock = state.clock_of(w)
    claim = {"bump": False, "unhandled_only": True, "deadline_handled": True, "all_locked": True}
    assert live.write_clock(w.id, 1, clock, **claim) is True
    db.session.commit()
    assert live.write_clock(w.id, 1, clock, **claim) is False
    db.session.rollback()
    assert deadlines.run_due(T0 + timedelta(seconds=90)) == []


def test_a_next_issued_before_the_deadline_advanced_is_stale_afterwards(app_ctx) -> None:
    w = started("advance", "signal", "signal")
    deadlines.run_due(T0 + timedelta(seconds=60))
    with pytest.raises(live.CommandError) as refused:
        live.run_command(w.id, {"action": "next", "version": 1}, now=T0 + timedelta(seconds=60))
    assert refused.value.code == "stale"
    assert fresh(w.id).phase_index == 1


def test_a_paused_clock_has_no_deadline_to_reach(app_ctx) -> None:
    w = started("advance", "signal")
    live.run_command(w.id, {"action": "pause"}, now=T0 + timedelta(seconds=30))
    assert deadlines.run_due(T0 + timedelta(hours=1)) == []
    assert fresh(w.id).phase_index == 0


def test_rearms_deadline() -> None:
    running = phases.Clock(0, phases.Status.RUNNING, deadline=T0)
    late = T0 + timedelta(seconds=5)
    paused_late = phases.Clock(0, phases.Status.PAUSED, remaining=timedelta(0))
    assert phases.rearms_deadline(running, phases.Clock(1, phases.Status.RUNNING, deadline=late), late)
    assert not phases.rearms_deadline(running, paused_late, late)  # pausing in overtime
    resumed_late = phases.Clock(0, phases.Status.RUNNING, deadline=late)
    assert not phases.rearms_deadline(paused_late, resumed_late, late)
    extended = phases.Clock(0, phases.Status.RUNNING, deadline=late + timedelta(minutes=1))
    assert phases.rearms_deadline(running, extended, late)
    assert phases.rearms_deadline(running, phases.Clock(0, phases.Status.FINISHED), late)


def test_after_the_end_every_group_reads_every_story_and_learns_of_the_gallery(app_ctx) -> None:
    from stories.reading import publishing

    w = started("signal", "signal")
    live.run_command(w.id, {"action": "goto", "index": 1}, now=T0)
    live.run_command(w.id, {"action": "next"}, now=T0)
    w = fresh(w.id)
    assert w.status == "finished"
    someone = factories.participant(w.groups[0])[0]
    view = state.participant_state(someone)
    assert [r["group_id"] for r in view["readable"]] == [w.groups[1].id]
    assert (view["writable"], view["stories_published"]) == (False, 0)
    story = factories.story_of(w.groups[1])
    factories.story_text(story, "# Harbour\n\nThe tide.")
    with committed():
        publishing.publish(story)
    assert state.participant_state(someone)["stories_published"] == 1
