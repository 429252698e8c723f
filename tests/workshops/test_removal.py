"""People can be removed: a facilitator removes a participant (token dead at once, sockets closed), and a
participant's token expires a set time after the workshop ends. Real clients against the live server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import socketio

from extensions import db
from tests import factories
from tests.http import cookie_header
from tests.overrides import changed_settings
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import WIRE_MAX, Client, connected
from workshops import joining
from workshops.models import Participant, Workshop
from workshops.people import participant_by_token

pytestmark = pytest.mark.slow


def console_of(server: ServerProcess, email: str, workshop_id: int) -> Client:
    session, _ = signed_in(server, email)
    auth = {"role": "facilitator", "workshop_id": workshop_id}
    return Client(server.url, auth=auth, headers={"Cookie": cookie_header(session)})


def until(check: Any, timeout: float = 5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("not in time")


def latest_state(client: Client, expect: Any, timeout: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = client.wait_for("workshop:state", timeout=max(0.1, deadline - time.monotonic()))[0]
        if expect(state):
            return state


def rejoin(server: ServerProcess, token: str) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/join", json={"token": token}, timeout=15)


def test_a_removed_participant_is_out_at_once(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    mallory, token = factories.participant(workshop.groups[0], "Mallory")
    ada, ada_token = factories.participant(workshop.groups[0], "Ada")
    console = console_of(live_server, owner.email, workshop.id)
    try:
        laptop = Client(live_server.url, auth={"token": token})
        phone = Client(live_server.url, auth={"token": token})
        friend = Client(live_server.url, auth={"token": ada_token})
        assert laptop.call("story:open", {"story_id": factories.story_of(workshop.groups[0]).id})["ok"]
        ack = console.call("facilitator:command", {"action": "remove", "participant_id": mallory.id})
        assert ack == {"ok": True}
        # Every socket of theirs is closed, and they were told why.
        until(lambda: not laptop.sio.connected and not phone.sio.connected)
        assert laptop.events("participant:removed")
        # The token no longer opens anything: no socket, no rejoin, no preview.
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(live_server.url, auth={"token": token})
        assert rejoin(live_server, token).status_code == 404
        # The roster and the presence no longer show them; the others stay.
        state = latest_state(console, lambda s: all(m["id"] != mallory.id for m in s["groups"][0]["members"]))
        assert [m["name"] for m in state["groups"][0]["members"]] == ["Ada"]
        seen = latest_state(friend, lambda s: len(s["group"]["members"]) == 1)
        assert [m["name"] for m in seen["group"]["members"]] == ["Ada"]
        assert friend.sio.connected
        presence = until(
            lambda: next(
                (p[0] for p in reversed(console.events("presence")) if mallory.id not in p[0]["connected"]),
                None,
            )
        )
        assert ada.id in presence["connected"]
        # Removing them again, or someone who does not exist, is a clear refusal.
        again = console.call("facilitator:command", {"action": "remove", "participant_id": mallory.id})
        assert again["error"]["code"] == "not_found"
    finally:
        console.close()
    db.session.expire_all()
    assert db.session.get(Participant, mallory.id).removed_at is not None
    assert participant_by_token(token) is None


def test_only_the_workshops_facilitators_remove_its_participants(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    other = factories.workshop()
    victim, token = factories.participant(workshop.groups[0])
    _stranger, stranger_token = factories.participant(other.groups[0])
    theirs, _ = factories.participant(other.groups[1])
    with connected(live_server.url, auth={"token": stranger_token}) as participant:
        ack = participant.call(
            "facilitator:command",
            {"action": "remove", "participant_id": victim.id, "workshop_id": workshop.id},
        )
        assert ack["error"]["code"] == "forbidden"
    console = console_of(live_server, owner.email, workshop.id)
    try:
        for payload, code in (
            ({"action": "remove", "participant_id": theirs.id}, "not_found"),  # another workshop's
            ({"action": "remove", "participant_id": WIRE_MAX}, "invalid"),
            ({"action": "remove", "participant_id": "1"}, "invalid"),
            ({"action": "remove"}, "invalid"),
        ):
            ack = console.call("facilitator:command", payload)
            assert ack["ok"] is False
            assert ack["error"]["code"] == code, payload
    finally:
        console.close()
    db.session.expire_all()
    assert participant_by_token(token) is not None
    assert db.session.get(Participant, theirs.id).removed_at is None


def test_the_browser_of_a_removed_participant_is_sent_back_to_the_join_form(
    live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, join_code="RMV234")
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/join", timeout=15).text
    from tests.http import csrf_of

    response = browser.post(
        f"{live_server.url}/join",
        data={"csrf_token": csrf_of(page), "code": "RMV234", "name": "Eve"},
        timeout=15,
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert (
        browser.get(f"{live_server.url}/w/{workshop.id}", timeout=15, allow_redirects=False).status_code
        == 200
    )
    eve = db.session.query(Participant).filter_by(display_name="Eve").one()
    with connected(live_server.url, headers={"Cookie": cookie_header(browser)}) as socket_:
        assert socket_.sio.connected
        console = console_of(live_server, owner.email, workshop.id)
        try:
            assert console.call("facilitator:command", {"action": "remove", "participant_id": eve.id}) == {
                "ok": True
            }
        finally:
            console.close()
        until(lambda: not socket_.sio.connected)
    after = browser.get(f"{live_server.url}/w/{workshop.id}", timeout=15, allow_redirects=False)
    assert after.status_code == 302
    assert "/join" in after.headers["Location"]


def finished(days_ago: float, **kwargs: Any) -> Workshop:
    return factories.workshop(
        status="finished", finished_at=datetime.now(UTC) - timedelta(days=days_ago), **kwargs
    )


def test_a_token_expires_a_set_time_after_the_workshop_ends(live_server: ServerProcess, app_ctx) -> None:
    recent, old = finished(29), finished(31)
    archived = factories.workshop(status="not_started", archived_at=datetime.now(UTC) - timedelta(days=31))
    _, fresh_token = factories.participant(recent.groups[0])
    expired = [factories.participant(w.groups[0])[1] for w in (old, archived)]
    with connected(live_server.url, auth={"token": fresh_token}) as client:
        assert client.sio.connected
    assert rejoin(live_server, fresh_token).status_code == 200
    for token in expired:
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(live_server.url, auth={"token": token})
        assert rejoin(live_server, token).status_code == 404


def test_the_end_of_a_workshop_is_when_its_last_phase_ends(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    console = console_of(live_server, owner.email, workshop.id)
    try:
        for _ in workshop.phases:
            assert console.call("facilitator:command", {"action": "next"}) == {"ok": True}
        db.session.expire_all()
        ended = db.session.get(Workshop, workshop.id)
        assert ended.status == "finished"
        moment = ended.finished_at.replace(tzinfo=ended.finished_at.tzinfo or UTC)  # SQLite: naive UTC
        assert abs((moment - datetime.now(UTC)).total_seconds()) < 60
        assert console.call("facilitator:command", {"action": "previous"}) == {"ok": True}  # back on
        db.session.expire_all()
        assert db.session.get(Workshop, workshop.id).finished_at is None
    finally:
        console.close()


def test_token_lifetime_is_configured(app_ctx) -> None:
    old = finished(31)
    _, token = factories.participant(old.groups[0])
    with changed_settings(app_ctx, token_ttl_days=60):
        assert joining.rejoin(token)
    with pytest.raises(joining.JoinError):
        joining.rejoin(token)
