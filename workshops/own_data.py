"""What Plume holds about one participant, as a JSON-ready dict: the download of their own data.

Their record (name, workshop, group, colour, when they joined and were last seen), their chat messages and
comments, their ballot in the consultation's vote (`consultations.vote.ballots_of`, each story's dots:
plugged in by `features.py`), and their share of each story they wrote in, from the story's log
(`stories.cowriting.history`): characters they wrote (inserted), how many of those are still in the text,
and the text spans that are theirs now. Nothing about anyone else: the spans of others, the names of
others are not in it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, union

from core.dates import aware
from extensions import db
from feedback.models import ChatMessage, Comment
from stories.cowriting import history
from stories.models import Story, StoryLogEntry, StoryUpdate
from workshops.models import Group, Participant, Workshop

FORMAT = 1  # the version of this document's shape

#: What features above workshops add to a participant's data, by key (`consultations`: "votes", their
#: ballots); `features.py` plugs them in when the app is created.
_SECTIONS: dict[str, Callable[[int], object]] = {}


def add_section(key: str, read: Callable[[int], object]) -> None:
    """Add `read(participant_id)` to every participant's data under `key`."""
    _SECTIONS[key] = read


def _iso(moment: Any) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


def _stories_written_in(participant: Participant) -> list[Story]:
    """Their group's story and every other story of the workshop whose log has an update of theirs."""
    authored = union(
        select(StoryUpdate.story_id).where(StoryUpdate.author_id == participant.id),
        select(StoryLogEntry.story_id).where(StoryLogEntry.author_id == participant.id),
    ).subquery()
    query = (
        select(Story)
        .where(
            Story.workshop_id == participant.workshop_id,
            (Story.group_id == participant.group_id) | Story.id.in_(select(authored.c[0])),
        )
        .order_by(Story.id)
    )
    return list(db.session.scalars(query))


def _contribution(story: Story, participant_id: int) -> dict[str, Any]:
    """Their share of the story now, replayed from its log within the work budget (`core.budget`)."""
    replay = history.seek_frozen(story.id, None, "own data")
    written = replay.written.get(participant_id, 0)
    present = replay.present().get(participant_id, 0)
    group = db.session.get(Group, story.group_id)
    return {
        "story_id": story.id,
        "title": story.title,
        "group": group.name if group else None,
        "characters_written": written,
        "characters_in_text": present,
        "characters_written_not_in_text": max(written - present, 0),
        "spans": [piece for author, piece in replay.segments() if author == participant_id and piece],
    }


def _chat(participant_id: int) -> list[dict[str, Any]]:
    messages = db.session.scalars(
        select(ChatMessage).where(ChatMessage.author_id == participant_id).order_by(ChatMessage.id)
    )
    return [
        {
            "id": m.id,
            "group_id": m.group_id,
            "name": m.author_name,
            "body": m.body,
            "hidden_by_facilitator": m.hidden,
            "at": _iso(m.created_at),
        }
        for m in messages
    ]


def _comments(participant_id: int) -> list[dict[str, Any]]:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == participant_id).order_by(Comment.id)
    )
    return [
        {
            "id": c.id,
            "story_id": c.story_id,
            "reply_to": c.parent_id,
            "name": c.author_name,
            "group": c.author_group_name,
            "quote": c.quote,
            "body": c.body,
            "deleted": c.deleted,
            "hidden_by_facilitator": c.hidden,
            "resolved": c.resolved_at is not None,
            "at": _iso(c.created_at),
            "edited_at": _iso(c.edited_at),
        }
        for c in comments
    ]


def own_data(participant: Participant) -> dict[str, Any]:
    """Everything Plume holds that is about `participant` (reads only)."""
    workshop = db.session.get(Workshop, participant.workshop_id)
    group = db.session.get(Group, participant.group_id)
    return {
        "format": FORMAT,
        "participant": {
            "id": participant.id,
            "name": participant.display_name,
            "color": participant.color,
            "joined_at": _iso(participant.joined_at),
            "last_seen_at": _iso(participant.last_seen_at),
        },
        "workshop": {"id": workshop.id, "title": workshop.title} if workshop else None,
        "group": {"id": group.id, "name": group.name} if group else None,
        "stories": [_contribution(story, participant.id) for story in _stories_written_in(participant)],
        "chat_messages": _chat(participant.id),
        "comments": _comments(participant.id),
        "reactions": [],
        "votes": _SECTIONS["votes"](participant.id) if "votes" in _SECTIONS else [],
        "notes": [
            _("Plume keeps a hash of your secret token, never the token itself: it is not in this file."),
            _("Readers' reactions are kept per browser under a keyed hash, never tied to a participant."),
            _(
                "Your ballot in a vote is yours until the vote closes: if you are erased before, it goes; "
                "after, its dots stay counted in the public results, no longer tied to you."
            ),
        ],
    }
