"""A group's own time (issue 28): the facilitator gives one group more minutes without moving everyone's
clock. Operations and the deadline loop, driven with explicit times; who may ask, through real sockets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from core.identity import Identity
from extensions import db
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.workshops.test_deadlines import T0, fresh, started
from tests.workshops.test_removal import console_of
from workshops import access, deadlines, live, state
from workshops.models import Group, Participant, Workshop

AT = T0 + timedelta(seconds=10)  # the phases of `started` last 60 s from T0


def give(workshop: Workshop, group: Group, seconds: int = 120, now: datetime = AT) -> Workshop:
    live.run_command(
        workshop.id, {"action": "extend_group", "group_id": group.id, "seconds": seconds}, now=now
    )
    return fresh(workshop.id)


def seen(participant: Participant, now: datetime) -> dict[str, Any]:
    db.session.expire_all()
    found = state.participant_state(db.session.get(Participant, participant.id), now)
    assert found is not None
    return found


def card(workshop: Workshop, group: Group, now: datetime) -> dict[str, Any]:
    db.session.expire_all()
    found = state.facilitator_state(workshop.id, now)
    assert found is not None
    return next(g for g in found["groups"] if g["id"] == group.id)


def writes(participant: Participant) -> bool:
    db.session.expire_all()
    group = db.session.get(Group, participant.group_id)
    return access.story_access(Identity("participant", participant.id), group).write


def test_one_group_writes_on_until_its_own_deadline_while_the_others_lock(app_ctx) -> None:
    workshop = started("lock", "signal")
    late, other = workshop.groups
    ada, _ = factories.participant(late, "Ada")
    bob, _ = factories.participant(other, "Bob")
    w = give(workshop, late)
    assert w.deadline == fresh(workshop.id).deadline  # everyone's clock did not move
    assert state.clock_of(w).deadline == T0 + timedelta(seconds=60)
    assert seen(ada, AT)["deadline"] == (T0 + timedelta(seconds=180)).isoformat()
    assert seen(ada, AT)["remaining_seconds"] == 170
    assert seen(bob, AT)["deadline"] == (T0 + timedelta(seconds=60)).isoformat()
    assert card(w, late, AT)["extra_seconds"] == 120
    assert card(w, late, AT)["own_deadline"] == (T0 + timedelta(seconds=180)).isoformat()
    assert card(w, other, AT)["own_deadline"] is None

    # Everyone's deadline: the phase locks the editors, but not the group with time of its own.
    assert deadlines.run_due(T0 + timedelta(seconds=61)) == [(w.id, "lock")]
    assert writes(ada)
    assert not writes(bob)
    assert seen(ada, T0 + timedelta(seconds=61))["writing"] == "phase"
    assert seen(ada, T0 + timedelta(seconds=61))["deadline_reached"] is False
    assert seen(bob, T0 + timedelta(seconds=61))["deadline_reached"] is True
    assert card(w, late, T0 + timedelta(seconds=61))["writable"] is True

    # Its own deadline: not a second before; then the lock reaches it too, and its access moves.
    assert deadlines.run_due(T0 + timedelta(seconds=179)) == []
    assert writes(ada)
    version = fresh(w.id).access_version
    deadlines.run_due(T0 + timedelta(seconds=180))
    assert fresh(w.id).access_version > version
    assert db.session.get(Group, late.id).extra_seconds == 0
    assert not writes(ada)
    assert seen(ada, T0 + timedelta(seconds=181))["deadline_reached"] is True
    deadlines.run_due(T0 + timedelta(seconds=200))  # nothing more to do
    assert db.session.get(Group, late.id).extra_seconds == 0


def test_the_next_phase_ends_a_groups_own_time(app_ctx) -> None:
    workshop = started("signal", "signal")
    late = workshop.groups[0]
    ada, _ = factories.participant(late, "Ada")
    w = give(workshop, late)
    live.run_command(w.id, {"action": "next"}, now=AT)
    assert db.session.get(Group, late.id).extra_seconds == 0
    assert seen(ada, AT)["deadline"] == (AT + timedelta(seconds=60)).isoformat()


def test_more_time_after_its_deadline_counts_from_now_and_adds_up(app_ctx) -> None:
    workshop = started("lock", "signal")
    late = workshop.groups[0]
    ada, _ = factories.participant(late, "Ada")
    deadlines.run_due(T0 + timedelta(seconds=61))
    assert not writes(ada)
    now = T0 + timedelta(seconds=100)
    w = give(workshop, late, 120, now)
    assert seen(ada, now)["deadline"] == (now + timedelta(seconds=120)).isoformat()
    assert writes(ada)  # reopened for it only
    w = give(w, late, 60, now)
    assert seen(ada, now)["deadline"] == (now + timedelta(seconds=180)).isoformat()
    # "Lock all" stops everyone, whatever time a group had.
    live.run_command(w.id, {"action": "lock"}, now=now)
    assert not writes(ada)
    assert db.session.get(Group, late.id).extra_seconds == 0


def test_a_paused_group_keeps_its_extra_time_left(app_ctx) -> None:
    workshop = started("signal", "signal")
    late = workshop.groups[0]
    ada, _ = factories.participant(late, "Ada")
    live.run_command(workshop.id, {"action": "pause"}, now=AT)
    give(workshop, late, 120, AT + timedelta(seconds=30))
    assert seen(ada, AT + timedelta(seconds=40))["remaining_seconds"] == 50 + 120
    live.run_command(workshop.id, {"action": "resume"}, now=AT + timedelta(seconds=60))
    assert seen(ada, AT + timedelta(seconds=60))["deadline"] == (AT + timedelta(seconds=230)).isoformat()


def refused(workshop: Workshop, **command: Any) -> str:
    with pytest.raises(live.CommandError) as error:
        live.run_command(workshop.id, {"action": "extend_group", **command}, now=AT)
    return error.value.code


def test_no_time_of_its_own_in_the_wrong_phase_or_for_the_wrong_group(app_ctx) -> None:
    advancing = started("advance", "signal")
    assert refused(advancing, group_id=advancing.groups[0].id, seconds=60) == "advances"
    waiting = factories.workshop(groups=1, status="not_started")
    assert refused(waiting, group_id=waiting.groups[0].id, seconds=60) == "not_running"
    workshop = started("signal")
    live.run_command(workshop.id, {"action": "next"}, now=AT)  # the last phase: finished
    assert refused(workshop, group_id=workshop.groups[0].id, seconds=60) == "not_running"
    running = started("signal")
    assert refused(running, group_id=advancing.groups[0].id, seconds=60) == "not_found"
    group_id = running.groups[0].id
    for seconds in (0, -60, 6 * 3600 + 1, "60", True, None, 1.5):
        assert refused(running, group_id=group_id, seconds=seconds) == "invalid"
    for wrong in (None, "1", True, 0, 2**31, 2**63):
        assert refused(running, group_id=wrong, seconds=60) == "invalid"
    assert refused(running, seconds=60) == "invalid"
    assert all(g.extra_seconds == 0 for g in fresh(running.id).groups)


def test_only_the_workshops_facilitators_give_time(live_server: ServerProcess, app_ctx) -> None:
    owner, other = factories.facilitator(), factories.facilitator()
    workshop = factories.workshop(owner)
    elsewhere = factories.workshop(other)
    group = workshop.groups[0]
    token = factories.participant(group, "Ada")[1]
    command = {"action": "extend_group", "group_id": group.id, "seconds": 120, "workshop_id": workshop.id}
    ada = Client(live_server.url, auth={"token": token})
    stranger = console_of(live_server, other.email, elsewhere.id)
    console = console_of(live_server, owner.email, workshop.id)
    try:
        assert ada.call("facilitator:command", command)["error"]["code"] == "forbidden"
        assert stranger.call("facilitator:command", command)["error"]["code"] == "forbidden"
        assert fresh(workshop.id).groups[0].extra_seconds == 0
        assert console.call("facilitator:command", command) == {"ok": True}
        mine = ada.wait_for("workshop:state")[0]
        while mine["group"]["extra_seconds"] == 0:
            mine = ada.wait_for("workshop:state")[0]
        assert mine["group"]["extra_seconds"] == 120
    finally:
        for client in (ada, stranger, console):
            client.close()
