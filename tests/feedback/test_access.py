"""`workshops.access.comment_access` (what `core.access` asks): who may see, write, resolve and moderate
comments, per phase setting."""

from __future__ import annotations

from typing import Any

import pytest

from core.access import CommentAccess
from core.identity import Identity
from extensions import db
from tests import factories
from workshops.access import comment_access, may_chat
from workshops.models import Group, Workshop


@pytest.fixture
def people(app_ctx: Any) -> dict[str, Any]:
    """Three groups; the phase lets group 3 read group 1's story (`next`, in a ring)."""
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner, groups=3, phases=[{"title": "Read", "editors_open": False, "visibility": "next"}]
    )
    stranger = factories.facilitator()
    factories.workshop(stranger)
    return {
        "workshop": workshop,
        "group": workshop.groups[0],
        "author": Identity("participant", factories.participant(workshop.groups[0])[0].id),
        "other": Identity("participant", factories.participant(workshop.groups[1])[0].id),
        "reader": Identity("participant", factories.participant(workshop.groups[2])[0].id),
        "runner": Identity("facilitator", owner.id),
        "stranger": Identity("facilitator", stranger.id),
    }


def set_mode(people: dict[str, Any], mode: str, status: str = "running") -> None:
    workshop = db.session.get(Workshop, people["workshop"].id)
    workshop.phases[0].comments = mode
    workshop.status = status
    db.session.commit()


@pytest.mark.parametrize(
    ("mode", "who", "expected"),
    [
        ("off", "author", CommentAccess(False, False, reason="comments_off")),
        ("off", "reader", CommentAccess(False, False, reason="comments_off")),
        ("group", "author", CommentAccess(True, True, resolve=True)),
        ("group", "reader", CommentAccess(False, False, reason="forbidden")),
        ("readers", "author", CommentAccess(True, True, resolve=True)),
        ("readers", "reader", CommentAccess(True, True, resolve=False)),
        ("readers", "other", CommentAccess(False, False, reason="forbidden")),
        ("off", "runner", CommentAccess(True, False, moderate=True, reason="forbidden")),
        ("readers", "runner", CommentAccess(True, False, moderate=True, reason="forbidden")),
        ("readers", "stranger", CommentAccess(False, False, reason="forbidden")),
    ],
)
def test_who_may_do_what(people: dict[str, Any], mode: str, who: str, expected: CommentAccess) -> None:
    set_mode(people, mode)
    assert comment_access(people[who], db.session.get(Group, people["group"].id)) == expected


def test_nobody_but_the_facilitators_outside_a_live_workshop(people: dict[str, Any]) -> None:
    # Before the start another group may not even read the story; once finished every group reads every
    # story (the closing read), but nobody comments any more.
    for status, reader in (
        ("not_started", CommentAccess.none()),
        ("finished", CommentAccess.none("comments_off")),
    ):
        set_mode(people, "readers", status)
        group = db.session.get(Group, people["group"].id)
        assert comment_access(people["author"], group) == CommentAccess.none("comments_off")
        assert comment_access(people["reader"], group) == reader
        assert comment_access(people["runner"], group).moderate
    assert comment_access(None, db.session.get(Group, people["group"].id)) == CommentAccess.none()


def test_a_lock_makes_comments_read_only(people: dict[str, Any]) -> None:
    set_mode(people, "readers")
    reader_group = db.session.get(Group, people["workshop"].groups[2].id)
    reader_group.locked = True
    db.session.commit()
    group = db.session.get(Group, people["group"].id)
    assert comment_access(people["reader"], group) == CommentAccess(True, False, reason="locked")
    assert comment_access(people["author"], group).write  # only the reader's group is locked
    db.session.get(Workshop, people["workshop"].id).all_locked = True
    db.session.commit()
    assert comment_access(people["author"], group) == CommentAccess(True, False, reason="locked")


def test_who_may_chat(people: dict[str, Any]) -> None:
    workshop, group = people["workshop"], people["group"]
    assert may_chat(people["author"], workshop.id, group.id)
    assert not may_chat(people["reader"], workshop.id, group.id)
    assert may_chat(people["runner"], workshop.id, group.id)
    assert not may_chat(people["stranger"], workshop.id, group.id)
    assert not may_chat(None, workshop.id, group.id)
    set_mode(people, "off", "finished")
    assert not may_chat(people["author"], workshop.id, group.id)
    assert may_chat(people["runner"], workshop.id, group.id)


def test_a_refused_chat_history_speaks_of_the_chat(app_ctx) -> None:
    """Issue 22: it said "You cannot see or write comments on this story now"."""
    from feedback import chat
    from feedback.comments import FeedbackError

    with pytest.raises(FeedbackError) as refused:
        chat.history(None, None, {})
    assert refused.value.code == "forbidden"
    assert "chat" in str(refused.value.message)
    assert "comment" not in str(refused.value.message)
