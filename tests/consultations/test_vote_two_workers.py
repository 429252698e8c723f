"""The vote's exactness with real clients (issue 25): 200 voters with 3 dots each vote at once through two
gunicorn workers sharing Redis, some from two tabs at once (two different allocations) and some with a
double click (the same one twice); the totals are exact. Moving dots moves them; closing in the middle of
a burst of moves freezes the totals, and every later move is refused.

PostgreSQL (DATABASE_URL) is where simultaneous writers really race; on SQLite the test still runs (its
writers queue on the database's lock).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from consultations import vote as votes
from consultations.models import Ballot, VoteDot
from core.unit_of_work import committed
from extensions import db
from tests.consultations import vote_world
from tests.server import ServerProcess
from tests.signin import signed_in

pytestmark = [pytest.mark.slow, pytest.mark.redis]

VOTERS = 200
DOTS = 3
TWO_TABS = 50  # voters who send two different allocations at once
DOUBLE_CLICK = 50  # voters who send the same allocation twice at once


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, all released together."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def cast(url: str, token: str, allocation: dict[int, int]) -> requests.Response:
    return requests.put(
        f"{url}/c/sante-2040/vote/ballot",
        json={"dots": {str(s): n for s, n in allocation.items()}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )


def ballot_of(url: str, token: str) -> dict[int, int]:
    response = requests.get(
        f"{url}/c/sante-2040/vote/ballot", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert response.status_code == 200, response.text
    return {int(s): n for s, n in response.json()["dots"].items()}


def stored_totals(vote_id: int) -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(VoteDot.story_id, func.sum(VoteDot.dots))
        .join(Ballot, Ballot.id == VoteDot.ballot_id)
        .where(Ballot.vote_id == vote_id)
        .group_by(VoteDot.story_id)
    )
    db.session.commit()
    return {story_id: int(n) for story_id, n in rows}


def allocation(stories: list[int], seed: int) -> dict[int, int]:
    """Three dots for voter `seed`: all on one story, two and one, or one on each of three."""
    a, b, c = (stories[(seed + k) % len(stories)] for k in range(3))
    return [{a: 3}, {a: 2, b: 1}, {a: 1, b: 1, c: 1}][seed % 3]


def test_two_hundred_voters_at_once_through_two_workers_are_counted_exactly(
    two_workers: ServerProcess, app_ctx: Flask
) -> None:
    world = vote_world.build(participants=VOTERS)
    with committed():
        vote = votes.open_vote(world.consultation, DOTS, False)
    url, stories, tokens = two_workers.url, world.stories, world.tokens
    cid = world.consultation.id

    # The first wave: every voter at once; the first 50 from two tabs with different allocations, the
    # next 50 with a double click.
    calls: list[Callable[[], Any]] = []
    choices: dict[str, list[dict[int, int]]] = {}
    for i, token in enumerate(tokens):
        first = allocation(stories, i)
        if i < TWO_TABS:
            second = allocation(stories, i + 1)
            choices[token] = [first, second]
            calls += [lambda t=token, x=first: cast(url, t, x), lambda t=token, x=second: cast(url, t, x)]
        elif i < TWO_TABS + DOUBLE_CLICK:
            choices[token] = [first]
            calls += [lambda t=token, x=first: cast(url, t, x)] * 2
        else:
            choices[token] = [first]
            calls.append(lambda t=token, x=first: cast(url, t, x))
    responses = at_once(calls)
    assert Counter(r.status_code for r in responses) == {200: len(calls)}, {r.text for r in responses}

    finals = {token: ballot_of(url, token) for token in tokens}
    for token, final in finals.items():
        assert final in choices[token]  # one tab's allocation, whole: never a mix, never more
        assert sum(final.values()) == DOTS
    expected: Counter[int] = Counter()
    for final in finals.values():
        expected.update(final)
    assert stored_totals(vote.id) == dict(expected)
    assert sum(expected.values()) == VOTERS * DOTS
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote.id)) == VOTERS

    # The organiser's live results say the same, on whichever worker answers.
    session, _csrf = signed_in(two_workers, world.owner.email)
    for _ in range(4):
        results = session.get(f"{url}/consultations/{cid}/vote/results.json", timeout=30).json()
        assert results["voters"] == VOTERS
        assert results["dots"] == VOTERS * DOTS
        assert {s["id"]: s["dots"] for s in results["stories"] if s["dots"]} == dict(expected)

    # Moving a dot moves it: every voter moves one dot of theirs to the last story, at once.
    last = stories[-1]
    moved = {}
    for token, final in finals.items():
        source = min(s for s in final if s != last) if any(s != last for s in final) else last
        after = Counter(final)
        after[source] -= 1
        after[last] += 1
        moved[token] = {s: n for s, n in after.items() if n}
    responses = at_once([lambda t=token, x=after: cast(url, t, x) for token, after in moved.items()])
    assert Counter(r.status_code for r in responses) == {200: VOTERS}
    expected = Counter()
    for after in moved.values():
        expected.update(after)
    assert stored_totals(vote.id) == dict(expected)
    assert sum(expected.values()) == VOTERS * DOTS

    # Closing in the middle of a burst of moves back: each move lands before the close or is refused.
    csrf = _csrf
    close = lambda: session.post(  # noqa: E731
        f"{url}/consultations/{cid}/vote/close",
        data={"csrf_token": csrf},
        timeout=60,
        allow_redirects=False,
    )
    # The moves are spread over a second or so, the close released with them (whatever each one's outcome,
    # the totals must match what was acknowledged).
    burst = [
        lambda t=token, x=final, i=i: (time.sleep(i * 0.006), cast(url, t, x))[1]
        for i, (token, final) in enumerate(finals.items())
    ]
    outcomes = at_once([*burst[:100], close, *burst[100:]])
    closing = outcomes[100]
    assert closing.status_code == 303, closing.text
    moves = outcomes[:100] + outcomes[101:]
    assert {r.status_code for r in moves} <= {200, 409}
    assert all(r.json()["error"]["code"] == "closed" for r in moves if r.status_code == 409)
    frozen = stored_totals(vote.id)
    landed = Counter()
    for token, response in zip(finals, moves, strict=True):
        landed.update(finals[token] if response.status_code == 200 else moved[token])
    assert frozen == dict(landed)
    assert sum(frozen.values()) == VOTERS * DOTS

    # After the close nothing moves: a whole wave of moves is refused, the totals stay.
    responses = at_once([lambda t=token, x=after: cast(url, t, x) for token, after in moved.items()])
    assert Counter(r.status_code for r in responses) == {409: VOTERS}
    assert stored_totals(vote.id) == frozen
    public = requests.get(f"{url}/c/sante-2040", timeout=30).text
    assert "Results of the vote" in public
    assert f"{VOTERS} voters" in public
