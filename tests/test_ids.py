"""Ids from outside (URLs, forms, socket payloads) beyond what a database column holds are refused, not a 500.

Real HTTP requests and real Socket.IO clients against the live server, for every route with an id in it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
import socketio
from flask import Flask

import ids
from tests import factories
from tests.http import cookie_header
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import WIRE_MAX, WIRE_MIN, Client, connected

pytestmark = pytest.mark.slow

HUGE = 2**64  # far above ids.MAX_ID, the largest id an INTEGER column holds on PostgreSQL


def routes_with_ids(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every route with an integer in its URL, each integer set to HUGE."""
    found = []
    for rule in app.url_map.iter_rules():
        int_args = [name for name, conv in rule._converters.items() if isinstance(conv, ids.IdConverter)]
        if not int_args:
            continue
        path = rule.rule
        for name in int_args:
            path = re.sub(rf"<[^:>]+:{name}>", str(HUGE), path)
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        found.append((method, path))
    return sorted(found)


def test_every_route_with_an_id_is_found(app: Flask) -> None:
    paths = [path for _, path in routes_with_ids(app)]
    assert f"/stories/{HUGE}" in paths
    assert f"/workshops/{HUGE}/console" in paths
    assert f"/workshops/{HUGE}/publish" in paths
    assert f"/stories/c/{HUGE}/anthology.epub" in paths
    assert len(paths) > 25


def test_a_huge_id_in_any_url_is_a_404(live_server: ServerProcess, app: Flask, app_ctx) -> None:
    owner = factories.facilitator()
    factories.workshop(owner)
    facilitator, csrf = signed_in(live_server, owner.email)
    anonymous = requests.Session()
    failures = []
    for method, path in routes_with_ids(app):
        for who, session in (("anonymous", anonymous), ("facilitator", facilitator)):
            response = session.request(
                method,
                live_server.url + path,
                headers={"X-CSRFToken": csrf},
                data={"csrf_token": csrf},
                timeout=15,
                allow_redirects=False,
            )
            expected = (302, 404) if who == "anonymous" else (404,)  # anonymous: to /login, or a 404
            if response.status_code not in expected:
                failures.append((who, method, path, response.status_code))
    assert failures == []


def test_a_huge_story_in_the_publish_form_is_refused(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    facilitator, csrf = signed_in(live_server, owner.email)
    for story in (str(HUGE), "9" * 5000, "-1", "x"):
        response = facilitator.post(
            f"{live_server.url}/workshops/{workshop.id}/publish",
            data={"csrf_token": csrf, "action": "publish", "story": story},
            timeout=15,
            allow_redirects=False,
        )
        assert response.status_code == 400, (story, response.status_code)


def test_a_huge_workshop_id_on_a_socket_is_invalid(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    facilitator, _ = signed_in(live_server, owner.email)
    headers = {"Cookie": cookie_header(facilitator)}
    with connected(live_server.url, auth={"role": "facilitator"}, headers=headers) as console:
        for payload in (
            {"action": "start", "workshop_id": WIRE_MAX},
            {"action": "start", "workshop_id": WIRE_MIN},
            {"action": "lock", "workshop_id": workshop.id, "group_id": WIRE_MAX},
            {"action": "move", "workshop_id": workshop.id, "participant_id": WIRE_MAX, "group_id": WIRE_MAX},
        ):
            ack = console.call("facilitator:command", payload)
            assert ack["ok"] is False, payload
            assert ack["error"]["code"] == "invalid", payload
        assert console.sio.connected
    # Asking for a huge workshop's rooms at connect time is refused, like any workshop one does not run.
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(live_server.url, auth={"role": "facilitator", "workshop_id": WIRE_MAX}, headers=headers)


def test_a_huge_story_id_on_story_open_is_invalid(live_server: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    _, token = factories.participant(workshop.groups[0])
    with connected(live_server.url, auth={"token": token}) as client:
        ack = client.call("story:open", {"story_id": WIRE_MAX})
        assert ack["ok"] is False
        assert ack["error"]["code"] == "invalid"


def test_a_one_megabyte_broadcast_is_too_long_and_the_socket_stays(
    live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    facilitator, _ = signed_in(live_server, owner.email)
    headers = {"Cookie": cookie_header(facilitator)}
    auth = {"role": "facilitator", "workshop_id": workshop.id}
    with connected(live_server.url, auth=auth, headers=headers) as console:
        huge = {"action": "broadcast", "message": "x" * 1_000_000}
        ack = console.call("facilitator:command", huge, timeout=15)
        assert ack["ok"] is False
        assert ack["error"]["code"] == "too_long"
        assert console.sio.connected
        hello = {"action": "broadcast", "message": "Hello"}
        assert console.call("facilitator:command", hello) == {"ok": True}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (ids.MAX_ID, ids.MAX_ID),
        ("42", 42),
        (ids.MAX_ID + 1, None),
        (HUGE, None),
        (str(HUGE), None),
        ("9" * 5000, None),
        (0, None),
        (-1, None),
        ("-1", None),
        ("٤٢", None),  # Arabic-Indic digits: a number to int(), not an id
        (" 42", None),
        (True, None),
        (1.0, None),
        (None, None),
        ([1], None),
    ],
)
def test_parse_id(value: Any, expected: int | None) -> None:
    assert ids.parse_id(value, digits=True) == expected
    assert ids.parse_id(value) == (expected if isinstance(value, int) else None)  # JSON: numbers only
