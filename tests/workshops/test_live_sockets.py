"""The live workshop over the wire: real python-socketio clients and HTTP against the real server."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import func, select

from extensions import db
from tests import factories
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client, connected
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.slow


def join(server: ServerProcess, code: str, name: str) -> dict[str, Any]:
    response = requests.post(f"{server.url}/api/v1/join", json={"code": code, "name": name}, timeout=15)
    assert response.status_code == 201, response.text
    return response.json()


def facilitator_client(server: ServerProcess, email: str, workshop_id: int | None) -> Client:
    auth: dict[str, Any] = {"role": "facilitator"}
    if workshop_id is not None:
        auth["workshop_id"] = workshop_id
    return Client(server.url, auth=auth, headers=facilitator_cookie(server, email))


def next_state(client: Client, timeout: float = 5) -> dict[str, Any]:
    return client.wait_for("workshop:state", timeout=timeout)[0]


def drain(client: Client, event: str = "workshop:state") -> list[dict[str, Any]]:
    return [args[0] for args in client.events(event)]


@pytest.fixture
def room(live_server: ServerProcess, app_ctx) -> Iterator[dict[str, Any]]:
    """A workshop with two groups, its facilitator's console socket and nothing else yet."""
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, status="not_started")
    with ExitStack() as stack:
        console = facilitator_client(live_server, owner.email, workshop.id)
        stack.callback(console.close)
        assert next_state(console)["role"] == "facilitator"
        yield {"workshop": workshop, "owner": owner, "console": console, "stack": stack}


def test_join_by_api_then_connect_with_the_token(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    joined = join(live_server, workshop.join_code, "Ada")
    assert set(joined) == {"token", "participant_id", "workshop_id", "group_id", "story_id"}
    assert joined["workshop_id"] == workshop.id
    assert joined["story_id"] == factories.story_of(workshop.groups[0]).id
    # The facilitators see the newcomer in the roster at once.
    roster = next_state(room["console"])["groups"][0]["members"]
    assert [m["name"] for m in roster] == ["Ada"]
    with connected(live_server.url, auth={"token": joined["token"]}) as ada:
        seen = next_state(ada)
        assert (seen["role"], seen["workshop_id"], seen["status"]) == (
            "participant",
            workshop.id,
            "not_started",
        )
        assert seen["group"]["id"] == joined["group_id"]
        assert seen["group"]["story_id"] == joined["story_id"]
        assert [m["id"] for m in seen["group"]["members"]] == [joined["participant_id"]]
        assert "groups" not in seen  # no other group's roster for participants
        assert "join_code" not in seen


def test_rejoining_gives_the_same_participant_and_group(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    joined = join(live_server, workshop.join_code, "Ada")
    join(live_server, workshop.join_code, "Grace")
    again = requests.post(f"{live_server.url}/api/v1/join", json={"token": joined["token"]}, timeout=15)
    assert again.status_code == 200
    assert again.json() == joined
    for _ in range(2):  # a reload, a lost connection: same identity every time
        with connected(live_server.url, auth={"token": joined["token"]}) as ada:
            seen = next_state(ada)
            assert seen["group"]["id"] == joined["group_id"]
            assert [m["name"] for m in seen["group"]["members"]] == ["Ada"]
    assert db.session.scalar(select(func.count(Participant.id))) == 2


def test_a_participants_command_is_forbidden(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    joined = join(live_server, workshop.join_code, "Mallory")
    with connected(live_server.url, auth={"token": joined["token"]}) as mallory:
        for command in (
            {"action": "start"},
            {"action": "start", "workshop_id": workshop.id},
            {"action": "no-such-action"},
            {},
            "start",
        ):
            ack = mallory.call("facilitator:command", command)
            assert ack["ok"] is False
            assert ack["error"]["code"] == "forbidden"
            assert ack["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).status == "not_started"


def test_a_facilitator_of_another_workshop_is_forbidden(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    stranger = factories.facilitator()
    theirs = factories.workshop(stranger, status="not_started")
    # Asking to join the rooms of a workshop they do not run is refused at connect time…
    with pytest.raises(socketio.exceptions.ConnectionError):
        facilitator_client(live_server, stranger.email, workshop.id)
    # …and commands for it from their own console are refused.
    with ExitStack() as stack:
        for workshop_id in (theirs.id, None):
            client = facilitator_client(live_server, stranger.email, workshop_id)
            stack.callback(client.close)
            ack = client.call("facilitator:command", {"action": "start", "workshop_id": workshop.id})
            assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).status == "not_started"


@pytest.mark.parametrize("auth", [None, {"token": "forged-token-forged-token"}, {"role": "facilitator"}])
def test_an_unauthenticated_connect_is_refused(live_server: ServerProcess, app_ctx, auth) -> None:
    factories.workshop()
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(live_server.url, auth=auth)


def test_start_advance_broadcast_and_move_reach_the_participants(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    console: Client = room["console"]
    stack: ExitStack = room["stack"]
    people = {}
    for name in ("Ada", "Grace", "Alan"):
        joined = join(live_server, workshop.join_code, name)
        client = Client(live_server.url, auth={"token": joined["token"]})
        stack.callback(client.close)
        next_state(client)
        people[name] = (joined, client)
    first, second = (g.id for g in workshop.groups)
    assert [p[0]["group_id"] for p in people.values()] == [first, second, first]

    def everyone(expect) -> dict[str, dict[str, Any]]:
        seen = {}
        for name, (_, client) in people.items():
            while True:  # skip states from before the command (joins of the others)
                state = next_state(client)
                if expect(state):
                    seen[name] = state
                    break
        return seen

    assert console.call("facilitator:command", {"action": "start"}) == {"ok": True}
    started = everyone(lambda s: s["status"] == "running")
    assert {s["phase_title"] for s in started.values()} == {"Write"}
    assert all(s["deadline"] and s["server_time"] and s["remaining_seconds"] > 800 for s in started.values())

    assert console.call("facilitator:command", {"action": "next"}) == {"ok": True}
    advanced = everyone(lambda s: s["phase_index"] == 1)
    assert {s["phase_title"] for s in advanced.values()} == {"Cross-reading"}
    assert all(not s["writable"] for s in advanced.values())

    ack = console.call("facilitator:command", {"action": "broadcast", "message": "Five minutes left"})
    assert ack == {"ok": True}
    told = everyone(lambda s: s["broadcast"] == "Five minutes left")
    assert all(s["broadcast_at"] for s in told.values())

    ada_id = people["Ada"][0]["participant_id"]
    ack = console.call(
        "facilitator:command", {"action": "move", "participant_id": ada_id, "group_id": second}
    )
    assert ack == {"ok": True}
    moved = everyone(
        lambda s: (ada_id in [m["id"] for m in s["group"]["members"]]) == (s["group"]["id"] == second)
    )
    assert moved["Ada"]["group"]["id"] == second
    assert [m["name"] for m in moved["Grace"]["group"]["members"]] == ["Ada", "Grace"]
    assert [m["name"] for m in moved["Alan"]["group"]["members"]] == ["Alan"]

    # Ada's socket changed rooms: a lock of her new group reaches her, as exactly one state.
    drain(people["Ada"][1])
    assert console.call("facilitator:command", {"action": "lock", "group_id": second}) == {"ok": True}
    locked = everyone(lambda s: second in s["locked_groups"])
    assert (locked["Ada"]["locked"], locked["Grace"]["locked"]) == (True, True)
    assert locked["Alan"]["locked"] is False
    console.call("facilitator:command", {"action": "pause"})
    everyone(lambda s: s["paused"])
    assert all(s["group"]["id"] == second for s in drain(people["Ada"][1]))


def test_a_participant_never_receives_another_workshops_state(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    other = factories.workshop(status="not_started")
    mine = join(live_server, workshop.join_code, "Ada")
    theirs = join(live_server, other.join_code, "Eve")
    with connected(live_server.url, auth={"token": theirs["token"]}) as eve:
        with connected(live_server.url, auth={"token": mine["token"]}) as ada:
            next_state(ada)
            for command in (
                {"action": "start"},
                {"action": "broadcast", "message": "secret"},
                {"action": "next"},
            ):
                assert room["console"].call("facilitator:command", command) == {"ok": True}
                assert next_state(ada)["workshop_id"] == workshop.id
        states = [next_state(eve)]
        with pytest.raises(queue.Empty):
            states.append(next_state(eve, timeout=0.5))
        assert all(s["workshop_id"] == other.id and s["broadcast"] == "" for s in states)


def test_presence_follows_every_socket_of_a_participant(live_server: ServerProcess, room) -> None:
    workshop: Workshop = room["workshop"]
    console: Client = room["console"]
    ada, bo = join(live_server, workshop.join_code, "Ada"), join(live_server, workshop.join_code, "Bo")

    def presence(expect) -> dict[str, Any]:
        while True:
            payload = console.wait_for("presence")[0]
            if expect(payload):
                return payload

    def settled() -> dict[str, Any]:
        """The last presence sent once the sockets' events have all arrived."""
        time.sleep(0.5)
        return [args[0] for args in console.events("presence")][-1]

    phone = Client(live_server.url, auth={"token": ada["token"]})
    laptop = Client(live_server.url, auth={"token": ada["token"]})
    bo_client = Client(live_server.url, auth={"token": bo["token"]})
    seen = presence(lambda p: len(p["connected"]) == 2)
    assert seen["groups"] == [
        {"group_id": ada["group_id"], "connected": [ada["participant_id"]]},
        {"group_id": bo["group_id"], "connected": [bo["participant_id"]]},
    ]
    phone.close()
    assert ada["participant_id"] in settled()["connected"]  # the laptop is still there
    laptop.close()
    assert presence(lambda p: ada["participant_id"] not in p["connected"])["connected"] == [
        bo["participant_id"]
    ]
    bo_client.close()
    assert presence(lambda p: not p["connected"])["groups"] == []


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ({"action": "launch"}, "unknown_action"),
        ({}, "invalid"),
        ("start", "invalid"),
        (None, "invalid"),
        ({"action": "extend"}, "invalid"),
        ({"action": "goto", "index": "2"}, "invalid"),
        ({"action": "move", "participant_id": 1}, "invalid"),
        ({"action": "broadcast"}, "invalid"),
        ({"action": "lock", "group_id": 123456}, "not_found"),
        ({"action": "start", "workshop_id": "1"}, "invalid"),
        ({"action": "start", "workshop_id": None}, "invalid"),  # left out: the socket's; null: no workshop
        ({"action": "start", "workshop_id": True}, "invalid"),
        ({"action": "pause"}, "not_running"),
    ],
)
def test_bad_commands_get_a_clear_error_ack(
    live_server: ServerProcess, room, command: Any, code: str
) -> None:
    ack = room["console"].call("facilitator:command", command)
    assert ack["ok"] is False
    assert ack["error"]["code"] == code
    assert ack["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Workshop, room["workshop"].id).status == "not_started"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "NOPE42", "name": "Ada"}, 404, "unknown_code"),
        ({"code": "{closed}", "name": "Ada"}, 403, "joining_closed"),
        ({"code": "{code}", "name": ""}, 422, "name_required"),
        ({"code": "{code}", "name": "x" * 10_000}, 422, "name_too_long"),
        ({"code": "{code}", "name": "Ada\x00\x07"}, 422, "name_invalid"),
        ({"code": "{code}", "name": "\u202eAda"}, 422, "name_invalid"),
        ({"code": "{code}"}, 400, "invalid"),
        ({"name": "Ada"}, 400, "invalid"),
        ({"code": "{code}", "name": 42}, 400, "invalid"),
        ([], 400, "invalid"),
        ("not json", 400, "invalid"),
        ({"token": "forged-token-forged"}, 404, "unknown_token"),
    ],
)
def test_a_bad_join_gets_a_clear_error_and_writes_nothing(
    live_server: ServerProcess, app_ctx, body: Any, status: int, code: str
) -> None:
    workshop = factories.workshop()
    closed = factories.workshop(joining_open=False)
    if isinstance(body, dict):
        body = {
            k: v.format(code=workshop.join_code, closed=closed.join_code) if k == "code" else v
            for k, v in body.items()
        }
    if body == "not json":
        response = requests.post(f"{live_server.url}/api/v1/join", data="code=1&name=2", timeout=15)
    else:
        response = requests.post(f"{live_server.url}/api/v1/join", json=body, timeout=15)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert db.session.scalar(select(func.count(Participant.id))) == 0
