"""The vote's results, live for the organisers (issue 25): `vote:join` answers the consultation's organisers
only (an error ack for anyone else or any hostile payload), ballots reach the organiser's socket as
`vote:results`, and a burst of ballots is coalesced into a push or two with the exact totals.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests
import socketio
from flask import Flask

from consultations import overview, vote_live
from consultations import vote as votes
from core.events import VoteResults
from core.unit_of_work import committed
from tests import factories
from tests.consultations import vote_world
from tests.consultations.test_overview import HOSTILE
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client


def cast(url: str, token: str, allocation: dict[int, int]) -> requests.Response:
    return requests.put(
        f"{url}/c/sante-2040/vote/ballot",
        json={"dots": {str(s): n for s, n in allocation.items()}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )


def wait_for_results(client: Client, ready: Any, timeout: float = 30) -> dict[str, Any]:
    """The first pushed results for which `ready(results)` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (message,) = client.wait_for("vote:results", timeout=max(0.1, deadline - time.monotonic()))
        if ready(message["results"]):
            return message
    raise AssertionError("no results as expected")


def dots_of(results: dict[str, Any]) -> dict[int, int]:
    return {line["id"]: line["dots"] for line in results["stories"] if line["dots"]}


# --- In process: what a push carries, and how often ---------------------------------------------------


def test_a_burst_of_ballots_is_one_push_with_the_exact_totals(app_ctx: Flask, monkeypatch) -> None:
    world = vote_world.build(participants=50)
    with committed():
        votes.open_vote(world.consultation, 3, False)
    cid = world.consultation.id
    sent: list[tuple[VoteResults, str]] = []
    monkeypatch.setattr(vote_live, "emit_now", lambda message, to: sent.append((message, to)))
    monkeypatch.setattr(overview, "watched_room", lambda room: room == vote_live.vote_room(cid))
    vote_live.CHANGES.take()
    for i, token in enumerate(world.tokens):
        voter = votes.participant_voter(world.consultation, token)
        assert voter is not None
        with committed():
            votes.allocate(world.consultation, voter, {str(world.stories[i % 4]): 3})
        vote_live.changed(cid)
    assert vote_live.push_changes() == 1
    ((message, room),) = sent
    assert room == f"vote:{cid}"
    assert message.payload()["consultation_id"] == cid
    results = message.payload()["results"]
    assert (results["state"], results["voters"], results["dots"]) == ("open", 50, 150)
    assert dots_of(results) == {
        world.stories[0]: 39,
        world.stories[1]: 39,
        world.stories[2]: 36,
        world.stories[3]: 36,
    }
    assert vote_live.push_changes() == 0  # nothing new


def test_nothing_is_read_for_a_vote_nobody_watches(app_ctx: Flask, monkeypatch) -> None:
    world = vote_world.build()
    with committed():
        votes.open_vote(world.consultation, 3, False)
    asked: list[str] = []
    monkeypatch.setattr(vote_live, "emit_now", lambda message, to: pytest.fail("pushed"))
    monkeypatch.setattr(overview, "watched_room", lambda room: asked.append(room) or False)
    vote_live.changed(world.consultation.id)
    assert vote_live.push_changes() == 0
    assert asked == [f"vote:{world.consultation.id}"]


def test_the_vote_follows_the_overviews_coalescing(app_ctx: Flask) -> None:
    vote_live.register(app_ctx)
    vote_live.register(app_ctx)
    followed = [changes for changes, _ in overview._FOLLOWERS]
    assert followed.count(vote_live.CHANGES) == 1
    assert followed[0] is overview.CHANGES


# --- Live: who may follow it ---------------------------------------------------------------------------


@pytest.fixture
def world(app_ctx: Flask) -> vote_world.World:
    return vote_world.build()


@pytest.fixture
def people(world: vote_world.World, live_server: ServerProcess) -> Iterator[dict[str, Client]]:
    url = live_server.url
    invited = factories.facilitator(name="Invitée")
    with ExitStack() as stack:

        def facilitator(email: str, **auth: Any) -> Client:
            client = Client(url, auth={"role": "facilitator", **auth}, headers=facilitator_cookie(url, email))
            stack.callback(client.close)
            return client

        participant = Client(url, auth={"token": world.tokens[0]})
        stack.callback(participant.close)
        found = {
            "owner": facilitator(world.owner.email),
            "stranger": facilitator(world.stranger.email),
            "nobody": facilitator(invited.email),
            "participant": participant,
        }
        yield found


def test_vote_join_answers_the_organisers_and_refuses_everyone_else(
    world: vote_world.World, people: dict[str, Client], live_server: ServerProcess
) -> None:
    cid = world.consultation.id
    ack = people["owner"].call("vote:join", {"consultation_id": cid})
    assert ack == {"ok": True, "results": None}  # not opened yet
    for name in ("stranger", "nobody", "participant"):
        ack = people[name].call("vote:join", {"consultation_id": cid})
        assert (ack["ok"], ack["error"]["code"]) == (False, "forbidden"), (name, ack)
        assert ack["error"]["message"]
    for payload in HOSTILE:
        ack = people["owner"].call("vote:join", payload)
        assert (ack["ok"], ack["error"]["code"]) == (False, "invalid"), (payload, ack)
    for unknown in (999_999, 2**31 - 1, world.other.id):
        ack = people["owner"].call("vote:join", {"consultation_id": unknown})
        assert ack["error"]["code"] == "forbidden", (unknown, ack)
    assert people["owner"].sio.connected
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(live_server.url)  # anonymous: no socket at all

    # The vote opens, a ballot is cast: the organiser hears both, nobody refused hears anything.
    with committed():
        votes.open_vote(world.consultation, 3, False)
    response = cast(live_server.url, world.tokens[0], {world.stories[1]: 2})
    assert response.status_code == 200, response.text
    message = wait_for_results(people["owner"], lambda r: r["dots"] == 2)
    assert message["consultation_id"] == cid
    assert dots_of(message["results"]) == {world.stories[1]: 2}
    ack = people["owner"].call("vote:join", {"consultation_id": cid})  # a rejoin: the whole results
    assert ack["results"]["voters"] == 1
    time.sleep(overview.PUSH_SECONDS * 2)
    for name in ("stranger", "nobody", "participant"):
        assert people[name].events("vote:results") == [], name
