"""The `workshop:state` payloads: what a group's participants and the facilitators see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from extensions import db
from tests import factories
from workshops import live, presence, state
from workshops.models import Workshop

T0 = datetime(2040, 3, 14, 9, 0, tzinfo=UTC)
AGENDA = [
    {
        "title": "Write",
        "instructions": "Write **together**.\n\n<script>alert(1)</script>",
        "duration_seconds": 1200,
        "editors_open": True,
    },
    {"title": "Cross-reading", "duration_seconds": 600, "editors_open": False, "visibility": "next"},
]


@pytest.fixture
def workshop(app_ctx) -> Workshop:
    workshop = factories.workshop(groups=3, phases=AGENDA, status="not_started", title="Health in 2040")
    live.run_command(workshop.id, {"action": "start"}, now=T0)
    db.session.expire_all()
    return db.session.get(Workshop, workshop.id)


def test_a_participant_sees_the_phase_the_clock_and_their_group(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[1], "Ada")
    factories.participant(workshop.groups[1], "Grace")
    factories.participant(workshop.groups[0], "Alan")
    now = T0 + timedelta(seconds=200)
    seen = state.participant_state(ada, now)
    assert seen["role"] == "participant"
    assert seen["workshop_id"] == workshop.id
    assert (seen["status"], seen["paused"], seen["phase_index"], seen["phase_count"]) == (
        "running",
        False,
        0,
        2,
    )
    assert seen["phase_title"] == "Write"
    assert "<strong>together</strong>" in seen["instructions_html"]
    assert "<script" not in seen["instructions_html"]
    assert seen["deadline"] == (T0 + timedelta(seconds=1200)).isoformat()
    assert seen["server_time"] == now.isoformat()
    assert seen["remaining_seconds"] == 1000
    assert [p["title"] for p in seen["agenda"]] == ["Write", "Cross-reading"]
    assert (seen["locked"], seen["writable"], seen["locked_groups"]) == (False, True, [])
    group = seen["group"]
    assert (group["id"], group["name"]) == (workshop.groups[1].id, "Group 2")
    assert group["story_id"] == factories.story_of(workshop.groups[1]).id
    assert [m["name"] for m in group["members"]] == ["Ada", "Grace"]
    assert seen["readable"] == []
    assert (seen["broadcast"], seen["broadcast_at"]) == ("", None)


def test_a_lock_shows_for_the_locked_group_only(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[0])
    alan, _ = factories.participant(workshop.groups[1])
    live.run_command(workshop.id, {"action": "lock", "group_id": workshop.groups[0].id})
    locked, free = state.participant_state(ada), state.participant_state(alan)
    assert (locked["locked"], locked["writable"]) == (True, False)
    assert (free["locked"], free["writable"]) == (False, True)
    assert locked["locked_groups"] == free["locked_groups"] == [workshop.groups[0].id]


def test_pause_freezes_the_time_left_and_closes_nothing(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[0])
    live.run_command(workshop.id, {"action": "pause"}, now=T0 + timedelta(seconds=300))
    later = state.participant_state(ada, T0 + timedelta(hours=2))
    assert (later["paused"], later["deadline"], later["remaining_seconds"]) == (True, None, 900)


def test_cross_reading_opens_the_next_groups_draft(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[2])
    live.run_command(workshop.id, {"action": "next"})
    seen = state.participant_state(ada)
    first = workshop.groups[0]
    assert seen["readable"] == [
        {"group_id": first.id, "group_name": first.name, "story_id": factories.story_of(first).id}
    ]
    assert (seen["writable"], seen["phase_editors_open"]) == (False, False)


def test_the_broadcast_reaches_the_state(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[0])
    live.run_command(workshop.id, {"action": "broadcast", "message": "Tea break"}, now=T0)
    seen = state.participant_state(ada)
    assert (seen["broadcast"], seen["broadcast_at"]) == ("Tea break", T0.isoformat())


def test_facilitators_see_every_group_with_its_roster_and_activity(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    story = factories.story_of(workshop.groups[0])
    story.length, story.last_activity_at = 42, T0
    db.session.commit()
    live.run_command(workshop.id, {"action": "lock", "group_id": workshop.groups[2].id})
    seen = state.facilitator_state(workshop.id, T0)
    assert (seen["role"], seen["join_code"], seen["writable"]) == ("facilitator", workshop.join_code, False)
    assert [g["name"] for g in seen["groups"]] == ["Group 1", "Group 2", "Group 3"]
    first = seen["groups"][0]
    assert first["members"] == [{"id": ada.id, "name": "Ada", "color": ada.color}]
    assert (first["story_id"], first["length"], first["last_activity_at"]) == (story.id, 42, T0.isoformat())
    assert [g["locked"] for g in seen["groups"]] == [False, False, True]


def test_a_workshop_that_has_not_started(app_ctx) -> None:
    workshop = factories.workshop(status="not_started")
    seen = state.facilitator_state(workshop.id, T0)
    assert (seen["status"], seen["deadline"], seen["remaining_seconds"], seen["phase_index"]) == (
        "not_started",
        None,
        0,
        0,
    )


def test_a_broken_clock_row_reads_as_not_started(app_ctx) -> None:
    workshop = factories.workshop(status="not_started")
    workshop.status, workshop.deadline = "running", None
    db.session.commit()
    assert state.clock_of(workshop).status.value == "not_started"
    assert state.facilitator_state(workshop.id)["status"] == "not_started"


def test_a_naive_time_from_sqlite_is_read_as_utc() -> None:
    assert state.iso(datetime(2040, 1, 1, 12)) == "2040-01-01T12:00:00+00:00"
    assert state.iso(None) is None


def test_presence_lists_connected_participants_per_group(workshop: Workshop) -> None:
    ada, _ = factories.participant(workshop.groups[0])
    grace, _ = factories.participant(workshop.groups[1])
    factories.participant(workshop.groups[1])
    store = presence.store()
    store.add("sid-ada", workshop.id, ada.id)
    store.add("sid-grace", workshop.id, grace.id)
    store.add("sid-other", workshop.id + 1000, 1)
    try:
        assert state.presence_payload(workshop.id) == {
            "workshop_id": workshop.id,
            "connected": sorted([ada.id, grace.id]),
            "groups": [
                {"group_id": workshop.groups[0].id, "connected": [ada.id]},
                {"group_id": workshop.groups[1].id, "connected": [grace.id]},
            ],
        }
    finally:
        for sid in ("sid-ada", "sid-grace", "sid-other"):
            store.remove(sid)


def test_a_participants_state_loads_only_their_own_groups_members(workshop: Workshop) -> None:
    """A connection storm of 500 must not load the whole roster 500 times over."""
    from sqlalchemy import event

    from workshops.models import Participant

    ada, _ = factories.participant(workshop.groups[1], "Ada")
    for group in (workshop.groups[0], workshop.groups[2]):
        for n in range(5):
            factories.participant(group, f"Someone {group.id}-{n}")
    db.session.commit()
    ada_id = ada.id
    db.session.expunge_all()
    loaded: list[str] = []

    def seen(target: Participant, _context: object) -> None:
        loaded.append(target.display_name)

    event.listen(Participant, "load", seen)
    try:
        view = state.participant_state(db.session.get(Participant, ada_id))
    finally:
        event.remove(Participant, "load", seen)
    assert [m["name"] for m in view["group"]["members"]] == ["Ada"]
    assert loaded == ["Ada"]  # get() loaded Ada; the state loaded nobody from the other groups
    assert view["locked_groups"] == []


def test_the_state_says_when_the_workshop_has_ended(workshop: Workshop) -> None:
    """`ended`: the last phase finished, or the workshop was archived (browsers then forget their drafts)."""
    from core.unit_of_work import committed
    from workshops import management

    ada, _ = factories.participant(workshop.groups[0], "Ada")
    assert state.participant_state(ada, T0)["ended"] is False
    live.run_command(workshop.id, {"action": "next"}, now=T0 + timedelta(seconds=10))
    assert state.participant_state(ada)["ended"] is False  # the last phase runs
    live.run_command(workshop.id, {"action": "next"}, now=T0 + timedelta(seconds=20))
    finished = state.participant_state(ada)
    assert (finished["status"], finished["ended"]) == ("finished", True)

    other = factories.workshop(groups=1, phases=AGENDA)
    bea, _ = factories.participant(other.groups[0], "Bea")
    with committed():
        management.archive_workshop(other)
    archived = state.participant_state(bea)
    assert (archived["status"], archived["ended"]) == ("running", True)
    assert state.facilitator_state(other.id)["ended"] is True
