"""Calling the facilitator (issue 28): a group's participant raises a call, every console shows it on the
group's card, on every worker; a facilitator answers it. Idempotent, rate-limited, and refused to anyone else.
Real Socket.IO clients against real servers (two workers sharing Redis for the broadcast)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio

from core.identity import Identity
from core.unit_of_work import committed
from extensions import db
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.workshops.test_live import fresh, run
from tests.workshops.test_removal import console_of, latest_state
from workshops import calls
from workshops.models import Group

pytestmark = pytest.mark.slow

SOCKETS = 6  # consoles: the chance that all of them sit on the caller's worker is 1/32


@pytest.fixture(scope="module")
def two_workers(app, database: str, redis_url: str) -> Iterator[ServerProcess]:
    server = ServerProcess(database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "2"})
    server.start()
    yield server
    server.stop()


def card(state: dict[str, Any], group_id: int) -> dict[str, Any]:
    return next(g for g in state["groups"] if g["id"] == group_id)


@pytest.mark.redis
def test_a_call_reaches_every_console_on_every_worker_and_an_answer_clears_it(
    two_workers: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)
    calling, other = workshop.groups
    ada_token = factories.participant(calling, "Ada")[1]
    bob_token = factories.participant(other, "Bob")[1]
    with ExitStack() as stack:
        consoles = [console_of(two_workers, owner.email, workshop.id) for _ in range(SOCKETS)]
        ada = Client(two_workers.url, auth={"token": ada_token})
        bob = Client(two_workers.url, auth={"token": bob_token})
        for client in (*consoles, ada, bob):
            stack.callback(client.close)
        before = datetime.now(UTC)
        ack = ada.call("group:call", {"group_id": calling.id})
        assert ack["ok"] is True
        called_at = ack["called_at"]
        assert datetime.fromisoformat(called_at) >= before.replace(microsecond=0)
        for console in consoles:
            seen = latest_state(console, lambda s: card(s, calling.id)["called_at"] is not None)
            assert card(seen, calling.id)["called_at"] == called_at
            assert card(seen, other.id)["called_at"] is None
        mine = latest_state(ada, lambda s: s["group"]["called_at"] is not None)
        assert mine["group"]["called_at"] == called_at
        # A second press while waiting: the same call, the same moment, no new state.
        assert ada.call("group:call", {"group_id": calling.id}) == {"ok": True, "called_at": called_at}
        # A console that opens now shows it too.
        late = console_of(two_workers, owner.email, workshop.id)
        stack.callback(late.close)
        assert card(late.wait_for("workshop:state")[0], calling.id)["called_at"] == called_at
        # Bob's group never hears of it.
        assert all(args[0]["group"]["called_at"] is None for args in bob.events("workshop:state"))

        assert consoles[0].call("facilitator:command", {"action": "answer", "group_id": calling.id}) == {
            "ok": True
        }
        for console in (*consoles, late):
            latest_state(console, lambda s: card(s, calling.id)["called_at"] is None)
        latest_state(ada, lambda s: s["group"]["called_at"] is None)
        # Answering again changes nothing and is fine.
        assert late.call("facilitator:command", {"action": "answer", "group_id": calling.id}) == {"ok": True}


def code(ack: dict[str, Any]) -> str:
    assert ack["ok"] is False, ack
    assert ack["error"]["message"]
    return str(ack["error"]["code"])


@pytest.mark.parametrize(
    "payload",
    [None, 7, "x", [], {}, {"group_id": "1"}, {"group_id": True}, {"group_id": 1.5}, {"group_id": None},
     {"group_id": 0}, {"group_id": 2**31}, {"group_id": 2**63}, {"group_id": 1, "extra": 1}],
)  # fmt: skip
def test_a_call_of_the_wrong_shape_is_refused(live_server: ServerProcess, app_ctx, payload: Any) -> None:
    workshop = factories.workshop()
    token = factories.participant(workshop.groups[0], "Ada")[1]
    ada = Client(live_server.url, auth={"token": token})
    try:
        assert code(ada.call("group:call", payload)) == "invalid"
        assert ada.sio.connected
    finally:
        ada.close()


def test_only_a_groups_participants_may_call_and_only_its_facilitators_answer(
    live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)
    other_owner = factories.facilitator()
    elsewhere = factories.workshop(other_owner)
    mine, theirs = workshop.groups
    ada = Client(live_server.url, auth={"token": factories.participant(mine, "Ada")[1]})
    console = console_of(live_server, owner.email, workshop.id)
    stranger = console_of(live_server, other_owner.email, elsewhere.id)
    try:
        # A participant of another group, a group of another workshop, a facilitator: refused.
        assert code(ada.call("group:call", {"group_id": theirs.id})) == "forbidden"
        assert code(ada.call("group:call", {"group_id": elsewhere.groups[0].id})) == "forbidden"
        assert code(console.call("group:call", {"group_id": mine.id})) == "forbidden"
        # Anonymous: no socket at all.
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(live_server.url, auth={})
        assert ada.call("group:call", {"group_id": mine.id})["ok"] is True
        latest_state(console, lambda s: card(s, mine.id)["called_at"] is not None)
        # Answering: a participant, another workshop's facilitator, a group of another workshop, bad ids.
        answer = {"action": "answer", "group_id": mine.id}
        assert code(ada.call("facilitator:command", answer)) == "forbidden"
        assert (
            code(stranger.call("facilitator:command", {**answer, "workshop_id": workshop.id})) == "forbidden"
        )
        assert code(stranger.call("facilitator:command", answer)) == "not_found"
        for wrong in ("1", None, True, 2**31, -1):
            assert code(console.call("facilitator:command", {**answer, "group_id": wrong})) == "invalid"
        assert code(console.call("facilitator:command", {"action": "answer"})) == "invalid"
        # None of that answered the call.
        assert all(card(args[0], mine.id)["called_at"] for args in console.events("workshop:state"))
        db.session.expire_all()
        assert db.session.get(Group, mine.id).called_at is not None
    finally:
        for client in (ada, console, stranger):
            client.close()


@pytest.mark.parametrize("status", ["not_started", "finished"])
def test_no_call_outside_a_live_workshop(live_server: ServerProcess, app_ctx, status: str) -> None:
    workshop = factories.workshop(status=status)
    ada = Client(live_server.url, auth={"token": factories.participant(workshop.groups[0], "Ada")[1]})
    try:
        assert code(ada.call("group:call", {"group_id": workshop.groups[0].id})) == "not_live"
    finally:
        ada.close()


def test_presses_are_rate_limited(live_server: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    ada = Client(live_server.url, auth={"token": factories.participant(workshop.groups[0], "Ada")[1]})
    try:
        acks = [ada.call("group:call", {"group_id": workshop.groups[0].id}) for _ in range(7)]
        assert [ack["ok"] for ack in acks] == [True] * 6 + [False]  # PLUME_CALL_RATE: 6 a minute
        assert code(acks[-1]) == "rate_limited"
        assert len({ack["called_at"] for ack in acks[:6]}) == 1  # one call, however many presses
    finally:
        ada.close()


def test_a_call_and_its_answer_move_no_access_version(app_ctx) -> None:
    workshop = factories.workshop()
    other = factories.workshop()
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    before = [fresh(w.id).access_version for w in (workshop, other)]
    with committed():
        calls.call(Identity("participant", ada.id), {"group_id": workshop.groups[0].id}, datetime.now(UTC))
    assert fresh(workshop.id).groups[0].called_at is not None
    run(workshop, action="answer", group_id=workshop.groups[0].id)
    assert fresh(workshop.id).groups[0].called_at is None
    # A call changes nobody's access: no subscription anywhere is checked again for it.
    assert [fresh(w.id).access_version for w in (workshop, other)] == before
