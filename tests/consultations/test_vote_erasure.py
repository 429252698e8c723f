"""The vote and the participant's rights (issues 25 and 26): an erased participant's ballot goes with them
while the vote is open, and stays counted but tied to nobody once it is closed (its results are public);
deleting a workshop does the same for its participants; the participant's own data holds their ballot.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from consultations import vote as votes
from consultations import vote_live
from consultations.models import Ballot, Vote
from core.unit_of_work import committed
from erasure import participants as erasure
from erasure.workshops import delete_workshop
from extensions import db
from tests import factories
from tests.consultations import vote_world
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.usefixtures("app_ctx")


def voter(world: vote_world.World, token: str) -> votes.Voter:
    found = votes.participant_voter(world.consultation, token)
    assert found is not None
    return found


def cast(world: vote_world.World, token: str, allocation: dict[int, int]) -> votes.Voter:
    who = voter(world, token)
    with committed():
        votes.allocate(world.consultation, who, {str(s): n for s, n in allocation.items()})
    return who


def totals(world: vote_world.World) -> tuple[dict[int, int], int]:
    db.session.expire_all()
    vote = votes.vote_of(world.consultation)
    assert vote is not None
    found = votes.results(world.consultation, vote)
    db.session.commit()
    return {line.story_id: line.dots for line in found.lines if line.dots}, found.voters


def ballots() -> list[Ballot]:
    db.session.expire_all()
    return list(db.session.scalars(select(Ballot).order_by(Ballot.id)))


def close(world: vote_world.World) -> None:
    with committed():
        votes.close_vote(world.consultation)


@pytest.fixture
def world() -> vote_world.World:
    world = vote_world.build(participants=2)
    with committed():
        votes.open_vote(world.consultation, 3, False)
    return world


def test_erased_while_the_vote_is_open_their_ballot_goes(world: vote_world.World) -> None:
    s = world.stories
    ana = cast(world, world.tokens[0], {s[0]: 2, s[1]: 1})
    cast(world, world.tokens[1], {s[0]: 1})
    vote_live.CHANGES.take()
    assert ana.participant_id is not None
    erasure.erase(world.workshop.id, ana.participant_id, datetime.now(UTC), by=None)
    assert totals(world) == ({s[0]: 1}, 1)
    assert [b.voter for b in ballots()] == [f"p:{voter(world, world.tokens[1]).participant_id}"]
    assert vote_live.CHANGES.take() == {world.consultation.id}  # the organisers hear it
    # Their old token votes no more, and neither does a voter made before the erasure.
    assert votes.participant_voter(world.consultation, world.tokens[0]) is None
    with pytest.raises(votes.VoteError) as refused, committed():
        votes.allocate(world.consultation, ana, {str(s[2]): 1})
    assert refused.value.code == "removed"
    assert totals(world) == ({s[0]: 1}, 1)


def test_erased_once_the_vote_is_closed_their_dots_stay_tied_to_nobody(world: vote_world.World) -> None:
    s = world.stories
    ana = cast(world, world.tokens[0], {s[0]: 2, s[1]: 1})
    ben = cast(world, world.tokens[1], {s[0]: 1})
    close(world)
    before = totals(world)
    assert before == ({s[0]: 3, s[1]: 1}, 2)
    assert ana.participant_id is not None
    erasure.erase(world.workshop.id, ana.participant_id, datetime.now(UTC), by=None)
    assert totals(world) == before  # public and final: unchanged
    kept = ballots()
    assert [b.voter for b in kept][1] == ben.key
    assert kept[0].voter.startswith("e:")
    assert len(kept[0].voter) == 34
    assert kept[0].participant_id is None
    assert db.session.get(Participant, ana.participant_id) is not None  # the anonymised record stays
    assert votes.ballots_of(ana.participant_id) == []  # nothing ties the dots to them any more
    # A second erased voter gets another key (the vote's keys stay unique).
    assert ben.participant_id is not None
    erasure.erase(world.workshop.id, ben.participant_id, datetime.now(UTC), by=None)
    first, second = (b.voter for b in ballots())
    assert first != second
    assert second.startswith("e:")
    assert totals(world) == before


def second_workshop(world: vote_world.World) -> tuple[Workshop, str]:
    """Another workshop of the consultation with a published story, and a participant of it."""
    workshop, _published, _ = vote_world.published_workshop(
        world.owner, ["Deuxième atelier"], world.consultation.id
    )
    _participant, token = factories.participant(workshop.groups[0], "Zoé")
    return workshop, token


@pytest.mark.parametrize("closed", [False, True])
def test_deleting_a_workshop_takes_its_voters_out_as_erasure_does(
    world: vote_world.World, closed: bool
) -> None:
    s = world.stories
    workshop, zoe_token = second_workshop(world)
    cast(world, zoe_token, {s[0]: 3})  # a voter of the deleted workshop, on a story of the other one
    ana = cast(world, world.tokens[0], {s[1]: 1})
    if closed:
        close(world)
    vote_live.CHANGES.take()
    with committed():
        delete_workshop(db.session.get(Workshop, workshop.id))
    if closed:  # public and final: Zoé's dots stay, tied to nobody
        assert totals(world) == ({s[0]: 3, s[1]: 1}, 2)
        voters = [b.voter for b in ballots()]
        assert voters[0].startswith("e:")
        assert voters[1] == ana.key
    else:
        assert totals(world) == ({s[1]: 1}, 1)
        assert [b.voter for b in ballots()] == [ana.key]
    assert vote_live.CHANGES.take() == {world.consultation.id}


def test_deleting_the_workshop_of_the_voted_stories_takes_their_dots(world: vote_world.World) -> None:
    s = world.stories
    _workshop, zoe_token = second_workshop(world)
    zoe = cast(world, zoe_token, {s[0]: 2})
    cast(world, world.tokens[0], {s[0]: 1})
    close(world)
    with committed():
        delete_workshop(db.session.get(Workshop, world.workshop.id))
    assert [b.voter for b in ballots()] != []
    assert ballots()[0].voter == zoe.key  # Zoé's ballot stays hers (her workshop is still there) …
    vote = db.session.scalar(select(Vote))
    assert vote is not None
    assert votes.allocation_of(vote, zoe) == {}  # … without the dots on the deleted story


def test_the_participants_own_data_holds_their_ballot(world: vote_world.World, app: Flask) -> None:
    s = world.stories
    ana = cast(world, world.tokens[0], {s[0]: 2, s[1]: 1})
    cast(world, world.tokens[1], {s[2]: 3})
    client = app.test_client()
    response = client.get(
        f"/w/{world.workshop.id}/my-data.json", headers={"Authorization": f"Bearer {world.tokens[0]}"}
    )
    assert response.status_code == 200, response.text
    (ballot,) = response.get_json()["votes"]
    assert ballot["consultation_id"] == world.consultation.id
    assert ballot["consultation"] == "Santé 2040"
    assert (ballot["state"], ballot["dots_per_voter"], ballot["closed_at"]) == ("open", 3, None)
    assert ballot["opened_at"]
    assert ballot["dots"] == [
        {"story_id": s[0], "title": vote_world.TITLES[0], "dots": 2},
        {"story_id": s[1], "title": vote_world.TITLES[1], "dots": 1},
    ]
    assert str(s[2]) not in str(ballot["dots"])  # not the other voter's
    close(world)
    (ballot,) = votes.ballots_of(ana.participant_id or 0)
    assert ballot["state"] == "closed"
    assert ballot["closed_at"]
