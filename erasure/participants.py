"""Erase a participant: their name, token and messages go; what they wrote in the story stays, as "a
participant's" (issue 26).

The participant's row stays, anonymised, so that the story's log, snapshots and colours keep telling their
share apart from the others': every page, export, figure and feed that names an author reads the row, and
finds "a participant" there. Their ballot leaves the consultation's vote
(`consultations.vote.forget_voters`: deleted while the vote is open; in a closed vote, whose results are
public, its dots stay counted under a random voter key, no longer tied to them). What holds a copy of
their name is rewritten: comments (deleted, or kept without their text where a reply hangs on them), chat
messages (deleted), checkpoints' figures, credits and the published form of the stories that credit them
(rendered again). On SQLite every connection
zeroes what it deletes (`PRAGMA secure_delete`, `app._sqlite_pragmas`), and `sqlite.checkpoint` folds the
write-ahead log once the erase is committed, so the name is in neither file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import aliased

from consultations import vote as votes
from consultations import vote_live
from core.identity import hash_token
from core.language import in_language
from core.outbox import on_commit
from core.unit_of_work import committed
from erasure import sqlite
from extensions import db
from feedback.models import ChatMessage, Comment
from stories.models import Story, StoryCheckpoint
from stories.reading import publishing
from workshops import audit, live
from workshops.models import Participant, Workshop, name_key

log = logging.getLogger(__name__)


def anonymous_name(workshop: Workshop) -> str:
    """What an erased participant is called, in the workshop's language."""
    return in_language(workshop.language, lambda: _("a participant"))


def erase_participant(
    workshop: Workshop,
    participant_id: int,
    now: datetime,
    *,
    by: int | None,
    prepared: dict[int, Any] | None = None,
    action: str = "erase",
) -> None:
    """Erase the workshop's participant `participant_id` (removed or not; not yet erased), close their
    sockets on every worker and log it as `action` (`by`: the facilitator, None from the command line or
    the retention job). Flushes; the caller commits, then calls `forget`. `prepared`: the stories
    `prepare_credits` rendered again. Refused as the console's `not_found.participant`."""
    participant = live.remove_participant(workshop, participant_id, now, erased=True)
    old = participant.display_name
    anonymous = anonymous_name(workshop)
    participant.display_name = anonymous
    participant.name_key = f"erased {participant.id}"  # no name, and unique in the workshop
    participant.token_hash = hash_token(secrets.token_urlsafe(32))  # no token proves it any more
    participant.last_seen_at = None
    participant.erased_at = now
    db.session.execute(delete(ChatMessage).where(ChatMessage.author_id == participant_id))
    for consultation_id in votes.forget_voters([participant_id]):
        on_commit(lambda c=consultation_id: vote_live.changed(c))
    _erase_comments(workshop, participant_id, old, anonymous)
    stories = list(db.session.scalars(select(Story).where(Story.workshop_id == workshop.id)))
    for story in stories:
        _rename_in_checkpoints(story.id, old, anonymous)
        _rename_in_credits(story, old, anonymous, prepared or {})
    audit.record(workshop.id, action, by=by, participant_id=participant_id)
    db.session.flush()


def _erase_comments(workshop: Workshop, participant_id: int, old: str, anonymous: str) -> None:
    """Delete their comments that no reply hangs on (again and again: a reply of theirs may hold up
    another), keep the others as "a participant's" without their text; their name as who resolved a
    thread goes too."""
    reply = aliased(Comment)
    theirs = Comment.author_id == participant_id
    while db.session.execute(
        delete(Comment)
        .where(theirs, ~exists().where(reply.parent_id == Comment.id))
        .execution_options(synchronize_session=False)
    ).rowcount:
        pass
    for comment in db.session.scalars(select(Comment).where(theirs)):
        comment.body = ""
        comment.deleted = True
        comment.author_name = anonymous
        comment.edited_at = None
    story_ids = select(Story.id).where(Story.workshop_id == workshop.id)
    for comment in db.session.scalars(
        select(Comment).where(Comment.story_id.in_(story_ids), Comment.resolved_by != "")
    ):
        if name_key(comment.resolved_by) == name_key(old):
            comment.resolved_by = anonymous


def _rename_in_checkpoints(story_id: int, old: str, anonymous: str) -> None:
    """The checkpoints' stored figures ({name: characters}) count their characters as "a participant's"."""
    for checkpoint in db.session.scalars(select(StoryCheckpoint).where(StoryCheckpoint.story_id == story_id)):
        figures: dict[str, int] = json.loads(checkpoint.authorship or "{}")
        if old not in figures:
            continue
        figures[anonymous] = figures.get(anonymous, 0) + figures.pop(old)
        checkpoint.authorship = json.dumps(figures, ensure_ascii=False, sort_keys=True)


def _credits_without(story: Story, old: str, anonymous: str) -> list[str] | None:
    """The story's credits with "a participant" for `old`, or None when they do not name `old`."""
    credits = (story.credits or "").split("\n")
    if not any(name_key(line) == name_key(old) for line in credits):
        return None
    return [anonymous if name_key(line) == name_key(old) else line for line in credits]


def prepare_credits(workshop_id: int, participant_id: int) -> dict[int, Any]:
    """Before an erase (no write open: rendering gives way), the workshop's published stories that credit
    the participant, rendered again with "a participant" in their credits: {story id: prepared}."""
    participant = db.session.get(Participant, participant_id)
    workshop = db.session.get(Workshop, workshop_id)
    if participant is None or workshop is None or participant.workshop_id != workshop_id:
        return {}
    old, anonymous = participant.display_name, anonymous_name(workshop)
    prepared = {}
    with committed():  # read only: nothing held while the erase waits for the workshop's lock
        for story in db.session.scalars(
            select(Story).where(Story.workshop_id == workshop_id, Story.published_at.is_not(None))
        ):
            credits = _credits_without(story, old, anonymous)
            if credits is not None:
                draft = publishing.draft_of(story, story.published_markdown)
                draft = dataclasses.replace(draft, credits=credits)
                prepared[story.id] = publishing.prepare_again(story, draft)
    return prepared


def _rename_in_credits(story: Story, old: str, anonymous: str, prepared: dict[int, Any]) -> None:
    """Credits that name them name "a participant"; a published story is stored as `prepare_credits`
    rendered it again (its text, dates and choices as they were), which renews its search text and its
    history's summary."""
    credits = _credits_without(story, old, anonymous)
    if credits is None:
        return
    story.credits = "\n".join(credits)
    if story.id in prepared:
        publishing.store_again(prepared[story.id])
    elif story.published_at is not None:  # published meanwhile: taken off until it is published again
        publishing.unpublish(story)


def erase(
    workshop_id: int, participant_id: int, now: datetime, *, by: int | None, action: str = "erase"
) -> None:
    """`erase_participant` under the workshop's lock, committed (its sockets close then), then the SQLite
    write-ahead log emptied (`sqlite.checkpoint`).
    Raises `live.CommandError` (`not_found`) for a workshop or participant that is not there."""
    prepared = prepare_credits(workshop_id, participant_id)
    with live.locked_workshop(workshop_id), committed():
        workshop = live.load_for_update(workshop_id)
        erase_participant(workshop, participant_id, now, by=by, prepared=prepared, action=action)
        sqlite.checkpoint_on_commit()


def participant_for_erasure(participant_id: int) -> Participant | None:
    """The participant that an erase would erase: there, and not erased yet."""
    participant = db.session.get(Participant, participant_id)
    return participant if participant is not None and participant.erased_at is None else None
