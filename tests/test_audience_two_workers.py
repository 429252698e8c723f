"""Narrow events stay narrow on every worker: with two workers sharing Redis, a comment reaches only the
sockets that may see it, wherever they are (issue 22, finding 3).

Each person opens the story from several sockets, so that both workers hold some of everyone's (a worker
that filtered only its own sockets let the other worker hand the comment to the whole story's room).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from pycrdt import Doc, Text

from extensions import db
from feedback import anchors
from feedback.models import Comment
from tests import factories
from tests.feedback.test_comment_sockets import STORY
from tests.server import ServerProcess
from tests.signin import facilitator_cookie, signed_in
from tests.sockets import Client
from workshops.models import Workshop

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SOCKETS = 6  # per person: the chance that all of them sit on the publisher's worker is 1/64
CUSTOM = [  # a custom agenda: everyone reads every draft, comments stay in the story's group
    {"title": "Read and comment", "editors_open": True, "visibility": "all", "comments": "group"},
]


@pytest.fixture(scope="module")
def two_workers(app, database: str, redis_url: str) -> Iterator[ServerProcess]:
    server = ServerProcess(
        database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "2", "PLUME_SOCKETS_PER_PARTICIPANT": "50"}
    )
    server.start()
    yield server
    server.stop()


class People:
    """Group 1's story opened by its own writers, by group 2 (a reader: no comments) and a facilitator."""

    def __init__(self, server: ServerProcess, stack: ExitStack) -> None:
        self.server = server
        self.stack = stack
        self.owner = factories.facilitator()
        self.workshop = factories.workshop(self.owner, groups=2, phases=CUSTOM)
        groups = list(self.workshop.groups)
        self.story = factories.story_of(groups[0])
        self.story_id = self.story.id
        self.doc = Doc()
        self.text = self.doc.get("body", type=Text)
        self.doc.apply_update(factories.story_text(self.story, STORY))
        self.tokens = {
            name: factories.participant(groups[g], name)[1]
            for name, g in (("ana", 0), ("abel", 0), ("bea", 1))
        }

    def open(self, auth: dict[str, Any], headers: dict[str, str] | None = None) -> list[Client]:
        clients = []
        for _ in range(SOCKETS):
            client = Client(self.server.url, auth=auth, headers=headers)
            self.stack.callback(client.close)
            assert client.call("story:open", {"story_id": self.story_id})["ok"] is True
            clients.append(client)
        return clients

    def participant(self, name: str) -> list[Client]:
        return self.open({"token": self.tokens[name]})

    def facilitator(self) -> list[Client]:
        headers = facilitator_cookie(self.server.url, self.owner.email, factories.PASSWORD)
        return self.open({"role": "facilitator", "workshop_id": self.workshop.id}, headers)


def comments_seen(clients: list[Client], settle: float = 1.0) -> list[list[dict[str, Any]]]:
    time.sleep(settle)
    return [[args[0] for args in client.events("comment")] for client in clients]


def write_comment(people: People, client: Client, body: str) -> dict[str, Any]:
    start = STORY.index("river")
    a, b = anchors.anchor(people.text, start, start + len("river"))
    passage = {"start": base64.b64encode(a).decode(), "end": base64.b64encode(b).decode(), "quote": "river"}
    ack = client.call("comment:create", {"story_id": people.story_id, "body": body, **passage})
    assert ack["ok"] is True, ack
    return ack["comment"]


def test_a_group_only_comment_reaches_only_its_group_on_every_worker(
    two_workers: ServerProcess, app_ctx
) -> None:
    with ExitStack() as stack:
        people = People(two_workers, stack)
        writers, readers, facilitators = (
            people.participant("abel"),
            people.participant("bea"),
            people.facilitator(),
        )
        author = people.participant("ana")[0]
        for client in writers + readers + facilitators:
            client.events("comment")  # nothing so far
        comment = write_comment(people, author, "Only for our group")
        assert all(len(seen) == 1 for seen in comments_seen(writers)), "every writer's socket gets it"
        assert comments_seen(readers, settle=0) == [[]] * SOCKETS, "no reader's socket gets it"
        for seen in comments_seen(facilitators, settle=0):
            assert [c["body"] for c in seen] == ["Only for our group"]
        assert comment["body"] == "Only for our group"


def test_hiding_and_showing_from_the_review_page_stays_in_the_group(
    two_workers: ServerProcess, app_ctx
) -> None:
    with ExitStack() as stack:
        people = People(two_workers, stack)
        comment = write_comment(people, people.participant("ana")[0], "Group only, hidden then shown")
        writers, readers = people.participant("abel"), people.participant("bea")
        session, token = signed_in(two_workers, people.owner.email)
        for hidden in ("1", "0"):
            answer = session.post(
                f"{two_workers.url}/workshops/{people.workshop.id}/comments/{comment['id']}/hidden",
                data={"csrf_token": token, "hidden": hidden},
                timeout=15,
                allow_redirects=False,
            )
            assert answer.status_code == 303
        seen_by_writers = comments_seen(writers)
        assert all([c["hidden"] for c in seen] == [True, False] for seen in seen_by_writers), seen_by_writers
        assert all(seen[-1]["body"] == "Group only, hidden then shown" for seen in seen_by_writers)
        assert comments_seen(readers, settle=0) == [[]] * SOCKETS, "no reader's socket hears of it"
        db.session.expire_all()
        assert db.session.get(Comment, comment["id"]).hidden is False
        assert db.session.get(Workshop, people.workshop.id).status == "running"
