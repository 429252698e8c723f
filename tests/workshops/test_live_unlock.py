"""Issue 28, defect 1: "Unlock" in a phase whose agenda keeps the editors closed opens them until the next
phase, and the console is told what the participants get (`writable`, `writing`)."""

from __future__ import annotations

from datetime import timedelta

from core.identity import Identity
from tests import factories
from tests.workshops.test_live import AGENDA, T0, fresh, run
from workshops import access, state
from workshops.models import Workshop

CROSS_READING = 2  # AGENDA's phase that keeps the editors closed


def started_in_cross_reading(app_ctx) -> Workshop:
    workshop = factories.workshop(groups=2, phases=AGENDA, status="not_started")
    run(workshop, action="start")
    return run(workshop, action="goto", index=CROSS_READING)


def test_unlock_opens_a_phase_that_keeps_the_editors_closed_until_the_next_phase(app_ctx) -> None:
    workshop = started_in_cross_reading(app_ctx)
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    me = Identity("participant", ada.id)
    assert not access.story_access(me, workshop.groups[0]).write
    before = fresh(workshop.id).access_version

    w = run(workshop, action="unlock")

    assert w.access_version > before  # open sockets hear of it
    assert access.story_access(me, w.groups[0]).write
    assert state.participant_state(ada)["writable"] is True
    assert state.participant_state(ada)["writing"] == "facilitator"
    w = run(w, T0 + timedelta(seconds=30), action="next")  # the workshop finishes: nobody writes
    assert not access.story_access(me, w.groups[0]).write
    w = run(w, T0 + timedelta(seconds=40), action="previous")  # back in cross-reading: the agenda rules again
    assert w.phase_index == CROSS_READING
    assert not access.story_access(me, w.groups[0]).write
    assert state.participant_state(ada)["writing"] == "agenda"


def test_unlock_one_group_opens_only_that_group_and_lock_closes_it(app_ctx) -> None:
    workshop = started_in_cross_reading(app_ctx)
    first, second = workshop.groups
    w = run(workshop, action="unlock", group_id=first.id)
    writing = {g["id"]: g["writing"] for g in state.facilitator_state(w.id)["groups"]}
    assert writing == {first.id: "facilitator", second.id: "agenda"}
    w = run(w, action="lock", group_id=first.id)
    groups = state.facilitator_state(w.id)["groups"]
    assert [(g["writable"], g["writing"]) for g in groups] == [(False, "locked"), (False, "agenda")]


def test_the_console_is_told_what_participants_get(app_ctx) -> None:
    """The console's cards read `writable`: before this fix it read only `locked`, false in cross-reading."""
    workshop = started_in_cross_reading(app_ctx)
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    for group in state.facilitator_state(workshop.id)["groups"]:
        assert group["locked"] is False
        assert (group["writable"], group["writing"]) == (False, "agenda")
    ours = state.facilitator_state(workshop.id)["groups"][0]
    theirs = state.participant_state(ada)
    assert (ours["writable"], ours["writing"]) == (theirs["writable"], theirs["writing"])


def test_a_phase_that_opens_the_editors_keeps_nothing_of_an_earlier_unlock(app_ctx) -> None:
    workshop = started_in_cross_reading(app_ctx)
    w = run(workshop, action="unlock")
    w = run(w, action="goto", index=1)
    assert not any(g.opened for g in w.groups)
    assert {g["writing"] for g in state.facilitator_state(w.id)["groups"]} == {"phase"}


def test_unlock_before_the_start_opens_nothing(app_ctx) -> None:
    workshop = factories.workshop(groups=1, phases=AGENDA, status="not_started")
    w = run(workshop, action="unlock")
    assert not w.groups[0].opened
    assert state.facilitator_state(w.id)["groups"][0]["writing"] == "not_live"
