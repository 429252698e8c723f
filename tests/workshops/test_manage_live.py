"""Edits made on the management page reach the people in a live workshop: after the commit, the new
`workshop:state` is sent to the participants (a real Socket.IO client against the live server)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from extensions import db
from tests import factories
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client, connected


def csrf_token(session: requests.Session, page_url: str) -> str:
    page = session.get(page_url).text
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, page[:500]
    return found[1]


def next_state(
    client: Client, matches: Callable[[dict[str, Any]], bool], timeout: float = 5
) -> dict[str, Any]:
    """The first `workshop:state` that `matches`, skipping earlier ones."""
    deadline = time.monotonic() + timeout
    while True:
        (state,) = client.wait_for("workshop:state", timeout=max(0.1, deadline - time.monotonic()))
        if matches(state):
            return state


def test_a_participant_sees_the_current_phase_edited_live(live_server: ServerProcess, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.bright_mirror_workshop(owner)
    workshop.status, workshop.deadline = "running", datetime.now(UTC) + timedelta(minutes=15)
    db.session.commit()
    phase = workshop.phases[0]
    _, token = factories.participant(workshop.groups[0])

    with connected(live_server.url, auth={"token": token}) as participant:
        http, _ = signed_in(live_server, owner.email)
        edit_url = f"{live_server.url}/workshops/{workshop.id}"
        p = f"phase-{phase.id}"
        response = http.post(
            f"{edit_url}/phases/{phase.id}",
            data={
                "csrf_token": csrf_token(http, edit_url),
                f"{p}-title": "Welcome, everyone",
                f"{p}-instructions": "Say **hello** to your group.",
                f"{p}-minutes": "15",
                f"{p}-visibility": "none",
            },
            allow_redirects=False,
        )
        assert response.status_code == 302
        state = next_state(participant, lambda s: s["phase_title"] == "Welcome, everyone")
        assert "<strong>hello</strong>" in state["instructions_html"]

        group = workshop.groups[0]
        http.post(
            f"{edit_url}/groups/{group.id}",
            data={"csrf_token": csrf_token(http, edit_url), f"group-{group.id}-name": "The Oaks"},
        )
        state = next_state(participant, lambda s: s["group"]["name"] == "The Oaks")
        assert state["group"]["id"] == group.id
