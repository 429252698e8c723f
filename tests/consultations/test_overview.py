"""The organiser's live overview: its snapshot (one row per workshop, in a fixed number of statements), the
coalesced pushes that follow the consoles' events, and who may see it: the access matrix over the page and
over `overview:join`, hostile payloads, and a phase change reaching the organiser's socket on a real server.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio
from flask.testing import FlaskClient

from accounts.models import Facilitator
from consultations import operations as ops
from consultations import overview
from core.unit_of_work import committed
from extensions import db
from feedback.models import Comment
from tests import factories
from tests.server import ServerProcess
from tests.signin import as_participant, facilitator_cookie, sign_in
from tests.sockets import Client
from tests.statements import recorded
from workshops import presence
from workshops.models import Workshop, WorkshopFacilitator

pytestmark = pytest.mark.usefixtures("app_ctx")

_slugs = itertools.count(1)


@dataclass
class Setting:
    """A consultation of workshops, its owner and invited organiser, and the people around it."""

    consultation_id: int
    workshop_ids: list[int]
    owner: Facilitator
    invited: Facilitator
    stranger: Facilitator  # organises another consultation
    runner: Facilitator  # runs one of its workshops, organises nothing
    participant_token: str


def consultation_with(owner: Facilitator, count: int = 2, groups: int = 2) -> tuple[int, list[int]]:
    details = ops.Details(
        title="Santé 2040", question="Q?", description="", language="en", slug=f"sante-{next(_slugs)}"
    )
    with committed():
        consultation = ops.create_consultation(owner, details)
        made = ops.add_batch(consultation, owner, count, groups) if count else []
    return consultation.id, [w.id for w in made]


@pytest.fixture
def setting() -> Setting:
    owner = factories.facilitator(name="Olive")
    invited = factories.facilitator(name="Iris")
    stranger = factories.facilitator(name="Sam")
    runner = factories.facilitator(name="Rémi")
    consultation_id, ids = consultation_with(owner)
    consultation_with(stranger, count=1)
    with committed():
        consultation = ops.consultation_for(owner.id, consultation_id)
        ops.invite_organiser(consultation, invited.email)
        db.session.add(WorkshopFacilitator(workshop_id=ids[0], facilitator_id=runner.id))
    group = db.session.get(Workshop, ids[0]).groups[0]
    _, token = factories.participant(group, "Ana")
    return Setting(consultation_id, ids, owner, invited, stranger, runner, token)


# --- The snapshot -----------------------------------------------------------------------------------


def test_a_row_has_the_workshops_phase_people_groups_words_comments_and_calls(setting: Setting, app) -> None:
    workshop = db.session.get(Workshop, setting.workshop_ids[0])
    groups = list(workshop.groups)
    bea, _ = factories.participant(groups[0], "Bea")
    factories.participant(groups[1], "Carl")
    story = factories.story_of(groups[0])
    with committed():
        story.length = 60
        db.session.add(Comment(story_id=story.id, author_id=bea.id, author_name="Bea", body="Nice"))
        groups[1].called_at = datetime.now(UTC)
    store = presence.store()
    store.add("sid-bea", workshop.id, bea.id)
    try:
        with app.test_request_context():  # the console's address
            snapshot = overview.snapshot(setting.consultation_id, runs={workshop.id})
    finally:
        store.remove("sid-bea")
    assert [w["id"] for w in snapshot["workshops"]] == setting.workshop_ids
    row = snapshot["workshops"][0]
    assert row["status"] == "not_started"
    assert row["phase_index"] == 0
    assert row["phase_count"] >= 2
    assert (row["joined"], row["connected"]) == (3, 1)  # Ana (the fixture's), Bea, Carl; Bea connected
    assert row["words"] == 10
    assert row["comments"] == 1
    assert row["console_url"] == f"/workshops/{workshop.id}/console"
    assert snapshot["workshops"][1]["console_url"] is None  # not in `runs`
    first, second = row["groups"]
    assert (first["joined"], first["connected"], first["words"], first["comments"]) == (2, 1, 10, 1)
    assert first["called_at"] is None
    assert second["called_at"] is not None
    assert snapshot["idle_seconds"] == overview.IDLE_SECONDS
    assert snapshot["late_seconds"] == overview.LATE_SECONDS


def test_a_snapshot_costs_the_same_statements_for_2_or_20_workshops(app_ctx) -> None:
    owner = factories.facilitator()
    small, _ = consultation_with(owner, count=2)
    large, _ = consultation_with(owner, count=20)

    def statements(consultation_id: int) -> int:
        with recorded() as seen:
            overview.snapshot(consultation_id)
        return len(seen)

    assert statements(large) == statements(small)


def test_events_to_a_workshops_facilitators_are_coalesced_into_one_row(setting: Setting, monkeypatch) -> None:
    overview.CHANGES.take()
    sent: list[tuple[str, dict[str, Any], str]] = []
    monkeypatch.setattr(overview, "watched", lambda consultation_id: True)
    monkeypatch.setattr(
        overview, "emit_now", lambda message, to: sent.append((message.name, message.payload(), to))
    )
    for _ in range(100):
        overview.noticed("story:activity", f"facilitators:{setting.workshop_ids[0]}")
    overview.noticed("chat:message", f"facilitators:{setting.workshop_ids[1]}")  # not followed
    overview.noticed("presence", "group:1")  # not a facilitators' room
    overview.noticed("presence", "facilitators:x")
    assert overview.push_changes() == 1
    assert [(name, to) for name, _, to in sent] == [
        ("overview:workshops", overview.overview_room(setting.consultation_id))
    ]
    assert [w["id"] for w in sent[0][1]["workshops"]] == [setting.workshop_ids[0]]
    assert overview.push_changes() == 0  # nothing new


def test_nothing_is_built_for_a_consultation_nobody_watches(setting: Setting, monkeypatch) -> None:
    overview.CHANGES.take()
    manager = overview.socketio.server.manager
    if getattr(manager, "remote", None) is not None:
        # With a message queue (REDIS_URL), a worker whose view of the other workers' rooms is not in sync
        # assumes somebody may watch: here it is in sync, and nobody watches anywhere.
        monkeypatch.setattr(manager, "in_sync", True, raising=False)
        monkeypatch.setattr(manager, "remote", {})
    monkeypatch.setattr(overview, "rows", lambda *a, **k: pytest.fail("built for nobody"))
    overview.noticed("presence", f"facilitators:{setting.workshop_ids[0]}")
    assert overview.push_changes() == 0


def test_a_workshop_outside_any_consultation_is_not_pushed(app_ctx, monkeypatch) -> None:
    overview.CHANGES.take()
    monkeypatch.setattr(overview, "watched", lambda consultation_id: True)
    alone = factories.workshop()
    overview.noticed("workshop:state", f"facilitators:{alone.id}")
    assert overview.push_changes() == 0


# --- The page: who may see it ------------------------------------------------------------------------


def test_the_page_is_for_the_consultations_organisers_only(
    setting: Setting, csrf_client: FlaskClient, app
) -> None:
    url = f"/consultations/{setting.consultation_id}/overview"
    # First: `sign_in` leaves its facilitator in the test's app context, which every request shares.
    participant = as_participant(app.test_client(), setting.participant_token).get(url)
    assert participant.status_code == 302
    assert "/login" in participant.headers["Location"]
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    for organiser in (setting.owner, setting.invited):
        page = sign_in(app.test_client(), organiser).get(url)
        assert page.status_code == 200
        assert b"data-overview" in page.data
        assert b"plume-overview" in page.data
    for other in (setting.stranger, setting.runner):
        assert sign_in(app.test_client(), other).get(url).status_code == 404
    owner = sign_in(app.test_client(), setting.owner)
    for hostile in ("999999", "2147483648", "99999999999999999999", "-1", "abc", "1%00", "1.5"):
        assert owner.get(f"/consultations/{hostile}/overview").status_code == 404


def test_the_consultation_page_links_to_the_overview(setting: Setting, app) -> None:
    page = sign_in(app.test_client(), setting.owner).get(f"/consultations/{setting.consultation_id}")
    assert f"/consultations/{setting.consultation_id}/overview".encode() in page.data


# --- The event: who may follow it, live -----------------------------------------------------------


@pytest.fixture
def people(setting: Setting, live_server: ServerProcess) -> Iterator[dict[str, Client]]:
    url = live_server.url
    with ExitStack() as stack:

        def facilitator(who: Facilitator, **auth: Any) -> Client:
            client = Client(
                url, auth={"role": "facilitator", **auth}, headers=facilitator_cookie(url, who.email)
            )
            stack.callback(client.close)
            return client

        participant = Client(url, auth={"token": setting.participant_token})
        stack.callback(participant.close)
        yield {
            "owner": facilitator(setting.owner),
            "invited": facilitator(setting.invited),
            "stranger": facilitator(setting.stranger),
            "runner": facilitator(setting.runner, workshop_id=setting.workshop_ids[0]),
            "participant": participant,
        }


def joined(client: Client, payload: Any) -> dict[str, Any]:
    return client.call("overview:join", payload)


def test_overview_join_answers_organisers_and_refuses_everyone_else(
    setting: Setting, people: dict[str, Client], live_server: ServerProcess
) -> None:
    payload = {"consultation_id": setting.consultation_id}
    for name in ("owner", "invited"):
        ack = joined(people[name], payload)
        assert ack["ok"] is True, (name, ack)
        assert [w["id"] for w in ack["overview"]["workshops"]] == setting.workshop_ids
    for name in ("stranger", "runner", "participant"):
        ack = joined(people[name], payload)
        assert (ack["ok"], ack["error"]["code"]) == (False, "forbidden"), (name, ack)
        assert ack["error"]["message"]
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(live_server.url)  # anonymous: no socket at all
    # A phase change in the consultation reaches the organisers, and nobody that was refused.
    runner_console = people["runner"]
    assert runner_console.call("facilitator:command", {"action": "start"}) == {"ok": True}
    assert runner_console.call("facilitator:command", {"action": "next"}) == {"ok": True}
    for name in ("owner", "invited"):
        row = wait_for_row(people[name], setting.workshop_ids[0], lambda r: r["phase_index"] == 1)
        assert row["status"] == "running"
    time.sleep(overview.PUSH_SECONDS * 2)
    for name in ("stranger", "participant"):
        assert people[name].events("overview:workshops") == []


def wait_for_row(client: Client, workshop_id: int, ready: Any, timeout: float = 20) -> dict[str, Any]:
    """The first pushed row of `workshop_id` for which `ready(row)` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (message,) = client.wait_for("overview:workshops", timeout=max(0.1, deadline - time.monotonic()))
        for row in message["workshops"]:
            if row["id"] == workshop_id and ready(row):
                return row
    raise AssertionError(f"no row of workshop {workshop_id} as expected")


HOSTILE = [
    None,
    "1",
    [1],
    17,
    {},
    {"consultation_id": "1"},
    {"consultation_id": True},
    {"consultation_id": 1.5},
    {"consultation_id": -1},
    {"consultation_id": 0},
    {"consultation_id": 2**31},
    {"consultation_id": 2**63},
    {"consultation_id": None},
    {"consultation_id": 1, "workshop_id": 1},
    {"consultation_id": "<script>alert(1)</script>"},
]


def test_overview_join_refuses_hostile_payloads_with_an_error_ack(
    setting: Setting, people: dict[str, Client]
) -> None:
    owner = people["owner"]
    for payload in HOSTILE:
        ack = joined(owner, payload)
        assert (ack["ok"], ack["error"]["code"]) == (False, "invalid"), (payload, ack)
    for unknown in (999_999, 2**31 - 1):
        ack = joined(owner, {"consultation_id": unknown})
        assert ack["error"]["code"] == "forbidden", (unknown, ack)
    assert owner.sio.connected


def test_presence_and_a_groups_call_reach_the_overview(
    setting: Setting, people: dict[str, Client], live_server: ServerProcess
) -> None:
    owner = people["owner"]
    assert joined(owner, {"consultation_id": setting.consultation_id})["ok"] is True
    workshop_id = setting.workshop_ids[0]
    group_id = db.session.get(Workshop, workshop_id).groups[0].id
    assert people["runner"].call("facilitator:command", {"action": "start"}) == {"ok": True}
    _, token = factories.participant(db.session.get(Workshop, workshop_id).groups[0], "Bob")
    bob = Client(live_server.url, auth={"token": token})
    try:
        row = wait_for_row(owner, workshop_id, lambda r: r["connected"] == 2)
        assert row["groups"][0]["connected"] == 2
        ack = bob.call("group:call", {"group_id": group_id})
        assert ack["ok"] is True
        row = wait_for_row(owner, workshop_id, lambda r: r["groups"][0]["called_at"] is not None)
        assert row["groups"][0]["called_at"] == ack["called_at"]
    finally:
        bob.close()
    row = wait_for_row(owner, workshop_id, lambda r: r["connected"] == 1)
    assert row["joined"] == 2


def test_a_lone_change_goes_at_once_then_at_most_one_push_a_period() -> None:
    changes = overview.Changes()
    assert changes.due(100.0) is False  # nothing waits
    changes.note(1)
    assert changes.due(100.0) is True  # after a quiet moment: at once
    changes.take()
    changes.note(1)
    assert changes.due(100.0 + overview.PUSH_SECONDS / 2) is False  # too soon: it waits
    assert changes.due(100.0 + overview.PUSH_SECONDS) is True
