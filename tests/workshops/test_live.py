"""Facilitation operations: each command is validated, stored, and refused without writing anything."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import select

from core import background
from extensions import db
from stories.models import StoryCheckpoint
from tests import factories
from workshops import live, state
from workshops.models import Group, Participant, Workshop

T0 = datetime(2040, 3, 14, 9, 0, tzinfo=UTC)
AGENDA = [
    {"title": "Signals", "duration_seconds": 600, "editors_open": True},
    {"title": "Write", "duration_seconds": 1200, "editors_open": True},
    {"title": "Cross-reading", "duration_seconds": 300, "editors_open": False, "visibility": "next"},
]


def fresh(workshop_id: int) -> Workshop:
    db.session.expire_all()
    return db.session.get(Workshop, workshop_id)


def row(workshop_id: int) -> dict[str, Any]:
    """Everything a command may change, to check that a refused one changed nothing."""
    w = fresh(workshop_id)
    groups = db.session.scalars(select(Group).where(Group.workshop_id == w.id).order_by(Group.id)).all()
    people = db.session.scalars(select(Participant).where(Participant.workshop_id == w.id)).all()
    return {
        "clock": (w.phase_index, w.status, w.deadline, w.remaining_seconds),
        "locks": (w.all_locked, [g.locked for g in groups]),
        "broadcast": (w.broadcast, w.broadcast_at),
        "joining": w.joining_open,
        "groups": sorted((p.id, p.group_id) for p in people),
    }


@pytest.fixture
def workshop(app_ctx) -> Workshop:
    return factories.workshop(groups=3, phases=AGENDA, status="not_started")


def run(workshop: Workshop, now: datetime = T0, **command: Any) -> Workshop:
    live.run_command(workshop.id, command, now=now)
    return fresh(workshop.id)


def deadline(w: Workshop) -> datetime:
    return state.clock_of(w).deadline


def test_start_pause_resume_extend_are_stored(workshop: Workshop) -> None:
    w = run(workshop, action="start")
    assert (w.status, w.phase_index, deadline(w)) == ("running", 0, T0 + timedelta(seconds=600))
    w = run(workshop, T0 + timedelta(seconds=100), action="pause")
    assert (w.status, w.remaining_seconds, w.deadline) == ("paused", 500, None)
    w = run(workshop, T0 + timedelta(seconds=200), action="extend", seconds=60)
    assert w.remaining_seconds == 560
    w = run(workshop, T0 + timedelta(seconds=1000), action="resume")
    assert (w.status, deadline(w)) == ("running", T0 + timedelta(seconds=1560))
    w = run(workshop, T0 + timedelta(seconds=1000), action="extend", seconds=300)
    assert deadline(w) == T0 + timedelta(seconds=1860)


def test_next_previous_goto_move_through_the_agenda(workshop: Workshop) -> None:
    run(workshop, action="start")
    w = run(workshop, T0 + timedelta(seconds=30), action="next")
    assert (w.phase_index, deadline(w)) == (1, T0 + timedelta(seconds=1230))
    w = run(workshop, T0 + timedelta(seconds=40), action="goto", index=2)
    assert (w.phase_index, w.status) == (2, "running")
    w = run(workshop, T0 + timedelta(seconds=50), action="previous")
    assert w.phase_index == 1
    run(workshop, action="goto", index=2)
    w = run(workshop, action="next")
    assert (w.status, w.phase_index) == ("finished", 2)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ({"action": "launch"}, "unknown_action"),
        ({"action": "DROP TABLE"}, "unknown_action"),
        ({}, "invalid"),
        ({"action": None}, "invalid"),
        ({"action": 3}, "invalid"),
        ({"action": "extend"}, "invalid"),
        ({"action": "extend", "seconds": "60"}, "invalid"),
        ({"action": "extend", "seconds": 10**9}, "invalid"),
        ({"action": "goto"}, "invalid"),
        ({"action": "goto", "index": 1.5}, "invalid"),
        ({"action": "goto", "index": 7}, "bad_index"),
        ({"action": "pause"}, "not_running"),
        ({"action": "resume"}, "not_paused"),
        ({"action": "previous"}, "no_previous_phase"),
        ({"action": "lock", "group_id": "1"}, "invalid"),
        ({"action": "lock", "group_id": True}, "invalid"),
        ({"action": "lock", "group_id": 999_999}, "not_found"),
        ({"action": "broadcast"}, "invalid"),
        ({"action": "broadcast", "message": 5}, "invalid"),
        ({"action": "broadcast", "message": "x" * 501}, "too_long"),
        ({"action": "broadcast", "message": "x" * 10_000}, "too_long"),
        ({"action": "broadcast", "message": "hi\x00"}, "invalid"),
        ({"action": "broadcast", "message": "\u202ehi"}, "invalid"),
        ({"action": "move"}, "invalid"),
        ({"action": "move", "participant_id": 1}, "invalid"),
        ({"action": "move", "participant_id": 999_999, "group_id": 1}, "not_found"),
        ({"action": "joining"}, "invalid"),
        ({"action": "joining", "open": "no"}, "invalid"),
    ],
)
def test_a_bad_command_is_refused_with_a_clear_error_and_changes_nothing(
    workshop: Workshop, command: dict[str, Any], code: str
) -> None:
    factories.participant(workshop.groups[0])
    before = row(workshop.id)
    with pytest.raises(live.CommandError) as refused:
        live.run_command(workshop.id, command, now=T0)
    assert refused.value.code == code
    assert refused.value.message
    assert row(workshop.id) == before


@pytest.mark.parametrize("payload", [None, "start", ["start"], 42])
def test_a_command_that_is_not_an_object_is_invalid(workshop: Workshop, payload: object) -> None:
    with pytest.raises(live.CommandError) as refused:
        live.run_command(workshop.id, payload)
    assert refused.value.code == "invalid"


def test_start_twice_is_refused_and_keeps_the_first_deadline(workshop: Workshop) -> None:
    run(workshop, action="start")
    with pytest.raises(live.CommandError) as refused:
        run(workshop, T0 + timedelta(minutes=3), action="start")
    assert refused.value.code == "already_started"
    assert deadline(fresh(workshop.id)) == T0 + timedelta(seconds=600)


def test_lock_and_unlock_every_group_or_one(workshop: Workshop) -> None:
    first, second, third = (g.id for g in workshop.groups)
    w = run(workshop, action="lock", group_id=second)
    assert [g.locked for g in w.groups] == [False, True, False]
    w = run(workshop, action="lock")
    assert w.all_locked
    # Unlocking one group while all are locked keeps the others locked.
    w = run(workshop, action="unlock", group_id=first)
    assert not w.all_locked
    assert [g.locked for g in w.groups] == [False, True, True]
    w = run(workshop, action="unlock")
    assert not w.all_locked
    assert [g.locked for g in w.groups] == [False, False, False]
    assert third


def test_a_group_of_another_workshop_cannot_be_locked(workshop: Workshop) -> None:
    other = factories.workshop()
    with pytest.raises(live.CommandError) as refused:
        run(workshop, action="lock", group_id=other.groups[0].id)
    assert refused.value.code == "not_found"
    assert not fresh(other.id).groups[0].locked


def test_broadcast_shows_a_tidy_message_and_an_empty_one_takes_it_down(workshop: Workshop) -> None:
    w = run(workshop, action="broadcast", message="  Five minutes   left:\nfinish your sentence ")
    assert w.broadcast == "Five minutes left: finish your sentence"
    assert state.iso(w.broadcast_at) == T0.isoformat()
    w = run(workshop, action="broadcast", message="")
    assert (w.broadcast, w.broadcast_at) == ("", None)


def test_move_a_participant_to_another_group(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    target = workshop.groups[2].id
    grace, _ = factories.participant(workshop.groups[2], "Grace")  # colour #9a3412, like Ada's
    run(workshop, action="move", participant_id=ada.id, group_id=target)
    moved = db.session.get(Participant, ada.id)
    assert moved.group_id == target
    assert moved.color != grace.color
    run(workshop, action="move", participant_id=ada.id, group_id=target)  # already there: nothing to do
    assert db.session.get(Participant, ada.id).group_id == target


def test_a_participant_of_another_workshop_cannot_be_moved(workshop: Workshop) -> None:
    other = factories.workshop()
    stranger, _ = factories.participant(other.groups[0])
    with pytest.raises(live.CommandError) as refused:
        run(workshop, action="move", participant_id=stranger.id, group_id=workshop.groups[0].id)
    assert refused.value.code == "not_found"
    ada, _ = factories.participant(workshop.groups[0])
    with pytest.raises(live.CommandError):
        run(workshop, action="move", participant_id=ada.id, group_id=other.groups[1].id)
    assert db.session.get(Participant, stranger.id).group_id == other.groups[0].id
    assert db.session.get(Participant, ada.id).group_id == workshop.groups[0].id


def test_joining_is_closed_and_opened_from_the_console(workshop: Workshop) -> None:
    assert not run(workshop, action="joining", open=False).joining_open
    assert run(workshop, action="joining", open=True).joining_open


def test_an_unknown_workshop_is_not_found(app_ctx) -> None:
    with pytest.raises(live.CommandError) as refused:
        live.run_command(424_242, {"action": "start"})
    assert refused.value.code == "not_found"


def checkpoints_of(story_id: int) -> list[tuple[int, str, str]]:
    """The story's checkpoints, once the background work that the phase ends handed in has finished."""
    assert background.worker(current_app).wait_idle(30)
    db.session.expire_all()
    query = select(StoryCheckpoint).where(StoryCheckpoint.story_id == story_id).order_by(StoryCheckpoint.id)
    return [(c.phase_position, c.phase_title, c.text) for c in db.session.scalars(query)]


def test_the_end_of_a_phase_checkpoints_every_story(workshop: Workshop) -> None:
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "Signals of 2040")
    run(workshop, action="start")
    run(workshop, action="pause")
    run(workshop, action="resume")  # still phase 0: nothing ended yet
    assert checkpoints_of(story.id) == []
    run(workshop, action="next")
    assert checkpoints_of(story.id) == [(0, "Signals", "Signals of 2040")]


def test_a_phase_end_and_the_next_commands_do_not_wait_for_the_checkpoints(workshop: Workshop) -> None:
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "Signals of 2040")
    run(workshop, action="start")
    slow = threading.Event()  # the checkpoints wait behind this job until the test lets it end
    background.worker(current_app).submit(lambda: slow.wait(30), "a slow job ahead of the checkpoints")
    started = time.monotonic()
    w = run(workshop, T0 + timedelta(seconds=30), action="next")
    w = run(w, T0 + timedelta(seconds=40), action="pause")  # the workshop is not held while they wait
    assert time.monotonic() - started < 10
    assert (w.phase_index, w.status) == (1, "paused")
    assert db.session.scalars(select(StoryCheckpoint)).all() == []  # not taken yet: still waiting
    slow.set()
    assert checkpoints_of(story.id) == [(0, "Signals", "Signals of 2040")]
