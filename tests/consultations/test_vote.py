"""The vote on a consultation's stories over HTTP (issue 25): the organiser opens and closes it; participants
(and readers, when allowed) spread their dots and move them; every refusal is a clear 4xx; the access
matrix over every route; the results public once closed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from consultations import vote as votes
from consultations.models import Ballot, Vote, VoteDot
from core.unit_of_work import committed
from extensions import db
from tests.consultations import vote_world
from tests.http import csrf_of
from tests.overrides import changed_settings
from tests.signin import as_participant, sign_in

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def world() -> vote_world.World:
    return vote_world.build()


def opened(world: vote_world.World, dots: int = 3, readers: bool = False) -> Vote:
    with committed():
        return votes.open_vote(world.consultation, dots, readers)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def put(client: FlaskClient, token: str, dots: Any, slug: str = "sante-2040") -> Any:
    return client.put(f"/c/{slug}/vote/ballot", json={"dots": dots}, headers=bearer(token))


def totals(vote: Vote) -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(VoteDot.story_id, func.sum(VoteDot.dots))
        .join(Ballot, Ballot.id == VoteDot.ballot_id)
        .where(Ballot.vote_id == vote.id)
        .group_by(VoteDot.story_id)
    )
    return {story_id: int(n) for story_id, n in rows}


def error_code(response: Any) -> str:
    return response.get_json()["error"]["code"]


def test_participants_spread_and_move_their_dots(client: FlaskClient, world: vote_world.World) -> None:
    vote = opened(world)
    a, b, c, _ = world.stories
    first, second = world.tokens
    response = put(client, first, {str(a): 2, str(b): 1})
    assert response.status_code == 200
    assert response.get_json() == {
        "state": "open",
        "dots_per_voter": 3,
        "placed": 3,
        "dots": {str(a): 2, str(b): 1},
    }
    assert put(client, second, {str(a): 3}).status_code == 200
    assert totals(vote) == {a: 5, b: 1}
    # Moving a dot from `a` to `c`: the whole allocation is set again.
    assert put(client, first, {str(a): 1, str(b): 1, str(c): 1}).status_code == 200
    assert totals(vote) == {a: 4, b: 1, c: 1}
    # A replayed request counts nothing twice.
    for _ in range(3):
        assert put(client, first, {str(a): 1, str(b): 1, str(c): 1}).status_code == 200
    assert totals(vote) == {a: 4, b: 1, c: 1}
    # Taking every dot back; zeros are dropped.
    assert put(client, second, {str(a): 0}).get_json()["placed"] == 0
    assert totals(vote) == {a: 1, b: 1, c: 1}
    got = client.get("/c/sante-2040/vote/ballot", headers=bearer(first)).get_json()
    assert got["dots"] == {str(a): 1, str(b): 1, str(c): 1}
    assert db.session.scalar(select(func.count(Ballot.id))) == 2


@pytest.mark.parametrize(
    ("dots", "status", "code"),
    [
        ("{a: 4}", 422, "too_many_dots"),
        ("{a: 2, b: 2}", 422, "too_many_dots"),
        ("{draft: 1}", 422, "not_votable"),
        ("{foreign: 1}", 422, "not_votable"),
        ("{outside: 1}", 422, "not_votable"),
        ("{999999: 1}", 422, "not_votable"),
        ("{'99999999999999999999': 1}", 400, "invalid"),
        ("{str(2**31): 1}", 400, "invalid"),
        ("{'-1': 1}", 400, "invalid"),
        ("{'a': 1}", 400, "invalid"),
        ("{a: -1}", 400, "invalid"),
        ("{a: True}", 400, "invalid"),
        ("{a: 1.5}", 400, "invalid"),
        ("{a: '1'}", 200, None),  # a form's digits are read as a number
        ("{a: 10**30}", 422, "too_many_dots"),
        ("[1, 2]", 400, "invalid"),
        ("'<script>alert(1)</script>'", 400, "invalid"),
        ("None", 400, "invalid"),
        ("{a: None}", 400, "invalid"),
    ],
)
def test_a_bad_allocation_is_refused_and_changes_nothing(
    client: FlaskClient, world: vote_world.World, dots: str, status: int, code: str | None
) -> None:
    vote = opened(world)
    a, b, *_ = world.stories
    token = world.tokens[0]
    assert put(client, token, {str(b): 1}).status_code == 200
    names = {"a": a, "b": b, "draft": world.draft, "foreign": world.foreign, "outside": world.outside}
    value = eval(dots, {}, names)  # noqa: S307  # the test's own literals
    if isinstance(value, dict):
        value = {str(k) if isinstance(k, int) else k: v for k, v in value.items()}
    response = put(client, token, value)
    assert response.status_code == status, response.get_data(as_text=True)
    if code is not None:
        assert error_code(response) == code
        assert response.get_json()["error"]["message"]
        assert totals(vote) == {b: 1}


def test_a_body_of_the_wrong_shape_is_refused(client: FlaskClient, world: vote_world.World) -> None:
    opened(world)
    token = world.tokens[0]
    for body in ({}, {"dots": {}, "more": 1}, [1], "x", {"votes": {}}):
        response = client.put("/c/sante-2040/vote/ballot", json=body, headers=bearer(token))
        assert response.status_code == 400, body
        assert error_code(response) == "invalid"
    response = client.put("/c/sante-2040/vote/ballot", data="not json", headers=bearer(token))
    assert response.status_code == 400
    huge = {str(i): 0 for i in range(1, 3000)}  # bounded before any story is looked up
    assert error_code(put(client, token, huge)) == "invalid"


def test_no_dot_before_the_vote_opens_nor_after_it_closes(
    client: FlaskClient, world: vote_world.World
) -> None:
    a = world.stories[0]
    token = world.tokens[0]
    response = put(client, token, {str(a): 1})
    assert (response.status_code, error_code(response)) == (409, "not_open")
    vote = opened(world)
    assert put(client, token, {str(a): 2}).status_code == 200
    with committed():
        votes.close_vote(world.consultation)
    response = put(client, token, {str(a): 3})
    assert (response.status_code, error_code(response)) == (409, "closed")
    assert totals(vote) == {a: 2}
    with pytest.raises(votes.VoteError) as raised, committed():
        votes.close_vote(world.consultation)
    assert raised.value.code == "closed"
    with pytest.raises(votes.VoteError) as raised, committed():
        votes.open_vote(world.consultation, 3, False)
    assert raised.value.code == "already_opened"


def test_removed_erased_and_other_participants_are_refused(
    client: FlaskClient, world: vote_world.World
) -> None:
    vote = opened(world)
    a = str(world.stories[0])
    for token, code in [
        (world.removed_token, "removed"),
        (world.erased_token, "removed"),
        (world.other_token, "not_a_voter"),
        ("x" * 40, "not_a_voter"),
        ("x" * 5000, "not_a_voter"),
    ]:
        response = put(client, token, {a: 1})
        assert (response.status_code, error_code(response)) == (403, code)
    # Their session cookie, readers not allowed.
    page = as_participant(client, world.removed_token).get("/c/sante-2040/vote")
    assert page.status_code == 403
    assert "You were removed from your workshop" in page.get_data(as_text=True)
    assert totals(vote) == {}


def test_readers_vote_once_per_browser_when_allowed(
    client: FlaskClient, app: Any, world: vote_world.World
) -> None:
    vote = opened(world, dots=2, readers=True)
    a, b, *_ = world.stories
    page = client.get("/c/sante-2040/vote")
    assert page.status_code == 200
    token = csrf_of(page.get_data(as_text=True))
    # Without the CSRF token a cookie-borne ballot is refused.
    assert client.put("/c/sante-2040/vote/ballot", json={"dots": {str(a): 1}}).status_code == 400
    headers = {"X-CSRFToken": token}
    response = client.put("/c/sante-2040/vote/ballot", json={"dots": {str(a): 2}}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    # The same browser again: the same ballot, moved.
    client.put("/c/sante-2040/vote/ballot", json={"dots": {str(b): 2}}, headers=headers)
    assert totals(vote) == {b: 2}
    # Another browser is another reader.
    other = app.test_client()
    g.pop("csrf_token", None)  # the test's app context (and its `g`) is shared by both clients' requests
    other_token = csrf_of(other.get("/c/sante-2040/vote").get_data(as_text=True))
    other.put("/c/sante-2040/vote/ballot", json={"dots": {str(a): 1}}, headers={"X-CSRFToken": other_token})
    assert totals(vote) == {a: 1, b: 2}
    keys = db.session.scalars(select(Ballot.voter)).all()
    assert all(k.startswith("r:") and len(k) == 66 for k in keys)  # an HMAC, never the cookie's id


def test_readers_are_refused_when_only_participants_vote(
    client: FlaskClient, world: vote_world.World
) -> None:
    opened(world)
    page = client.get("/c/sante-2040/vote")
    assert page.status_code == 403
    assert "Only the participants" in page.get_data(as_text=True)
    token = csrf_of(page.get_data(as_text=True))
    response = client.put(
        "/c/sante-2040/vote/ballot", json={"dots": {str(world.stories[0]): 1}}, headers={"X-CSRFToken": token}
    )
    assert (response.status_code, error_code(response)) == (403, "participants_only")


def test_a_participant_votes_with_the_page_form(csrf_client: FlaskClient, world: vote_world.World) -> None:
    vote = opened(world)
    a, b, c, d = world.stories
    client = as_participant(csrf_client, world.tokens[0])
    page = client.get("/c/sante-2040/vote").get_data(as_text=True)
    assert "0 of 3 dots placed" in page
    fields = {f"dots-{s}": "0" for s in world.stories}
    response = client.post("/c/sante-2040/vote", data={**fields, "add": str(a)})
    assert response.status_code == 303
    assert totals(vote) == {a: 1}
    # The page's fields now hold the dot; two more on `b`, one moved from `a` to `c`.
    fields[f"dots-{a}"] = "1"
    client.post("/c/sante-2040/vote", data={**fields, "add": str(b)})
    fields[f"dots-{b}"] = "1"
    client.post("/c/sante-2040/vote", data={**fields, "add": str(b)})
    fields[f"dots-{b}"] = "2"
    assert totals(vote) == {a: 1, b: 2}
    response = client.post("/c/sante-2040/vote", data={**fields, "add": str(c)})
    assert response.status_code == 422
    assert "You have 3 dots to spread" in response.get_data(as_text=True)
    client.post("/c/sante-2040/vote", data={**fields, "remove": str(a)})
    fields[f"dots-{a}"] = "0"
    client.post("/c/sante-2040/vote", data={**fields, "add": str(c)})
    assert totals(vote) == {b: 2, c: 1}
    page = client.get("/c/sante-2040/vote").get_data(as_text=True)
    assert "3 of 3 dots placed" in page
    response = client.post("/c/sante-2040/vote", data={**fields, f"dots-{world.draft}": "1"})
    assert response.status_code == 422
    assert totals(vote) == {b: 2, c: 1}
    assert d not in totals(vote)


def test_the_results_are_public_once_closed(client: FlaskClient, world: vote_world.World) -> None:
    vote = opened(world)
    a, b, *_ = world.stories
    put(client, world.tokens[0], {str(a): 3})
    put(client, world.tokens[1], {str(b): 2, str(a): 1})
    page = client.get("/c/sante-2040").get_data(as_text=True)
    assert "The vote is open" in page
    assert "4 dots" not in page
    with committed():
        votes.close_vote(world.consultation)
    page = client.get("/c/sante-2040").get_data(as_text=True)
    assert "Results of the vote" in page
    for text in ("4 dots", "2 dots", "2 voters"):
        assert text in page
    assert page.index("La Maison des communs") < page.index("L’ordonnance verte")
    assert "Results of the vote" in client.get("/c/sante-2040/vote").get_data(as_text=True)
    found = votes.results(world.consultation, vote)
    assert [(line.story_id, line.dots, line.voters) for line in found.lines[:2]] == [(a, 4, 2), (b, 2, 1)]
    assert "Results of the vote" not in client.get("/c/autre-2040").get_data(as_text=True)


def test_the_organiser_opens_watches_and_closes_the_vote(
    csrf_client: FlaskClient, world: vote_world.World
) -> None:
    client = sign_in(csrf_client, world.owner)
    cid = world.consultation.id
    page = client.get(f"/consultations/{cid}/vote")
    assert page.status_code == 200
    assert "Open the vote" in page.get_data(as_text=True)
    assert client.get(f"/consultations/{cid}/vote/results.json").status_code == 404
    for bad in ("0", "21", "x", "", "3.5", "9" * 40):
        response = client.post(f"/consultations/{cid}/vote/open", data={"dots": bad})
        assert response.status_code == 400, bad
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    response = client.post(f"/consultations/{cid}/vote/open", data={"dots": "3", "readers": "on"})
    assert response.status_code == 303
    vote = db.session.scalar(select(Vote))
    assert (vote.dots, vote.readers, vote.closed_at) == (3, True, None)
    assert client.post(f"/consultations/{cid}/vote/open", data={"dots": "3"}).status_code == 409
    put(client, world.tokens[0], {str(world.stories[1]): 2})
    results = client.get(f"/consultations/{cid}/vote/results.json").get_json()
    assert (results["state"], results["voters"], results["dots"]) == ("open", 1, 2)
    assert results["stories"][0] == {
        "id": world.stories[1],
        "title": vote_world.TITLES[1],
        "dots": 2,
        "voters": 1,
    }
    assert len(results["stories"]) == 4  # every published story, with or without dots
    assert "data-vote-live" in client.get(f"/consultations/{cid}/vote").get_data(as_text=True)
    assert client.post(f"/consultations/{cid}/vote/close").status_code == 303
    assert client.post(f"/consultations/{cid}/vote/close").status_code == 409
    assert client.get(f"/consultations/{cid}/vote/results.json").get_json()["state"] == "closed"


def test_a_vote_needs_published_stories(csrf_client: FlaskClient, world: vote_world.World) -> None:
    client = sign_in(csrf_client, world.stranger)
    empty = vote_world.consultation(world.stranger, "vide-2040", "Vide")
    response = client.post(f"/consultations/{empty.id}/vote/open", data={"dots": "3"})
    assert response.status_code == 409
    assert "Publish stories before opening the vote" in response.get_data(as_text=True)


# --- The access matrix ------------------------------------------------------------------------------


def voter_routes(world: vote_world.World) -> list[tuple[str, str, dict[str, Any]]]:
    a = str(world.stories[0])
    return [
        ("GET", "/c/sante-2040/vote", {}),
        ("POST", "/c/sante-2040/vote", {"data": {f"dots-{a}": "0", "add": a}}),
        ("GET", "/c/sante-2040/vote/ballot", {}),
        ("PUT", "/c/sante-2040/vote/ballot", {"json": {"dots": {a: 1}}}),
        ("POST", "/c/sante-2040/vote/ballot", {"json": {"dots": {a: 1}}}),
    ]


def organiser_routes(world: vote_world.World) -> list[tuple[str, str, dict[str, Any]]]:
    cid = world.consultation.id
    return [
        ("GET", f"/consultations/{cid}/vote", {}),
        ("GET", f"/consultations/{cid}/vote/results.json", {}),
        ("POST", f"/consultations/{cid}/vote/close", {}),
        ("POST", f"/consultations/{cid}/vote/open", {"data": {"dots": "3"}}),
    ]


ROLES = ["organiser", "other_organiser", "participant", "other_participant", "reader", "anonymous"]


def as_role(client: FlaskClient, world: vote_world.World, role: str) -> FlaskClient:
    if role == "organiser":
        return sign_in(client, world.owner)
    if role == "other_organiser":
        return sign_in(client, world.stranger)
    if role == "participant":
        return as_participant(client, world.tokens[0])
    if role == "other_participant":
        return as_participant(client, world.other_token)
    if role == "reader":
        with client.session_transaction() as session:
            session["vote_browser"] = "A" * 32
    return client


@pytest.mark.parametrize("readers", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_the_access_matrix(
    csrf_client: FlaskClient, world: vote_world.World, role: str, readers: bool
) -> None:
    vote = opened(world, readers=readers)
    client = as_role(csrf_client, world, role)
    for method, url, kwargs in voter_routes(world):
        status = client.open(url, method=method, **kwargs).status_code
        voter = role == "participant" or readers
        expected = {True: {"GET": 200, "POST": 303 if "ballot" not in url else 200, "PUT": 200}, False: {}}
        assert status == expected[voter].get(method, 403), (role, method, url, status)
    for method, url, kwargs in organiser_routes(world):
        response = client.open(url, method=method, **kwargs)
        status = response.status_code
        if role == "organiser":
            assert status in (200, 303, 409), (method, url, status)
        elif role == "other_organiser":
            assert status == 404, (method, url, status)
        else:
            assert status == 302, (role, url)
            assert "/login" in response.location
    db.session.expire_all()
    closed = db.session.get(Vote, vote.id)
    assert (closed.closed_at is not None) == (role == "organiser")
    placed = totals(vote)
    if role == "participant" or readers:
        assert placed == {world.stories[0]: 1}
    else:
        assert placed == {}


def test_an_unknown_slug_or_a_consultation_without_a_vote_is_a_404(
    client: FlaskClient, world: vote_world.World
) -> None:
    for url in (
        "/c/sante-2040/vote",
        "/c/sante-2040/vote/ballot",
        "/c/nope-nope/vote",
        "/c/NOPE/vote/ballot",
    ):
        response = client.get(url, headers=bearer(world.tokens[0]))
        assert response.status_code in (404, 409), url
    response = put(client, world.tokens[0], {"1": 1}, slug="x" * 500)
    assert response.status_code == 404
    sign_in(client, world.owner)
    for url in ("/consultations/99999999999999999999/vote", "/consultations/2147483648/vote/results.json"):
        assert client.get(url).status_code == 404, url


def test_readers_are_rate_limited_per_address_and_participants_are_not(
    app: Any, csrf_client: FlaskClient, world: vote_world.World
) -> None:
    opened(world, readers=True)
    a = str(world.stories[0])
    with changed_settings(app, reaction_rate="3 per minute"):
        readers = [
            csrf_client.put("/c/sante-2040/vote/ballot", json={"dots": {a: 1}}).status_code for _ in range(5)
        ]
        forms = [
            csrf_client.post("/c/sante-2040/vote", data={f"dots-{a}": "1"}).status_code for _ in range(2)
        ]
        participant = [put(csrf_client, world.tokens[0], {a: 1}).status_code for _ in range(5)]
    assert readers == [200, 200, 200, 429, 429]
    assert forms == [429, 429]  # the same address
    assert participant == [200] * 5


@pytest.mark.parametrize("keep_published", [False, True])
def test_deleting_a_workshop_takes_its_participants_ballots_and_its_stories_dots(
    client: FlaskClient, world: vote_world.World, keep_published: bool
) -> None:
    from erasure.workshops import delete_workshop

    vote = opened(world)
    a, b, *_ = world.stories
    assert put(client, world.tokens[0], {str(a): 2, str(b): 1}).status_code == 200
    with committed():
        delete_workshop(world.workshop, keep_published=keep_published)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    assert totals(vote) == {}
    assert votes.results(world.consultation, vote).dots == 0
