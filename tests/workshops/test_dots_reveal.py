"""The facilitator hides a board's dot counts until a reveal (`facilitator:command` `dots`): the state says
so to everyone, nobody else may do it, and a phase without dot-voting refuses it."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.workshops.test_live_sockets import facilitator_client, next_state

SIGNALS = {"title": "Signals", "duration_seconds": 900, "editors_open": True, "tool": "board", "dots": 3}
WRITE = {"title": "Write", "duration_seconds": 900, "editors_open": True}


def wait_state(client: Client, predicate: Any) -> dict[str, Any]:
    while True:
        state = next_state(client, timeout=10)
        if predicate(state):
            return state


def test_the_facilitator_hides_and_reveals_the_dots(live_server: ServerProcess, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1, phases=[SIGNALS, WRITE])
    _, token = factories.participant(workshop.groups[0], "Ada")
    console = facilitator_client(live_server, owner.email, workshop.id)
    member = Client(live_server.url, auth={"token": token})
    stranger = Client(
        live_server.url, auth={"token": factories.participant(factories.workshop().groups[0])[1]}
    )
    try:
        assert console.call("facilitator:command", {"action": "dots", "hidden": True}) == {"ok": True}
        assert wait_state(console, lambda s: s["board"]["hidden"])["board"] == {
            "columns": [],
            "dots": 3,
            "readonly": False,
            "hidden": True,
        }
        assert wait_state(member, lambda s: s["board"]["hidden"])["role"] == "participant"
        # Only the workshop's facilitators; the right types; a phase that has dot-voting.
        for who in (member, stranger):
            refused = who.call(
                "facilitator:command", {"action": "dots", "hidden": False, "workshop_id": workshop.id}
            )
            assert refused["ok"] is False
            assert refused["error"]["code"] == "forbidden"
        for payload in (
            {"action": "dots"},
            {"action": "dots", "hidden": "no"},
            {"action": "dots", "hidden": 1},
        ):
            assert console.call("facilitator:command", payload)["error"]["code"] == "invalid"
        assert console.call("facilitator:command", {"action": "dots", "hidden": False}) == {"ok": True}
        assert not wait_state(member, lambda s: not s["board"]["hidden"])["board"]["hidden"]
        assert console.call("facilitator:command", {"action": "goto", "index": 1})["ok"] is True
        refused = console.call("facilitator:command", {"action": "dots", "hidden": True})
        assert refused["error"]["code"] == "no_dots"
        assert "dot-voting" in refused["error"]["message"]
    finally:
        for client in (console, member, stranger):
            client.close()
