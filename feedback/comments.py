"""Comments on a story's passages: create, reply, edit, delete, resolve, hide, list (plain functions).

Each operation checks `core.access.comment_access` (the rules that `workshops.access` plugs in decide who may
see and write comments in the current phase), validates sizes and rates, flushes, and returns the changed
rows; the socket handlers queue their events (`feedback.sockets`) and commit, which sends them. Anchors are
Yjs relative positions (`feedback.anchors`); the quote is read from the story's stored document when the
server knows the anchored characters, else taken from the client (bounded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pycrdt import Doc, Text
from sqlalchemy import func, select

import ids
from core import budget, rates, refusals
from core.access import CommentAccess, comment_access, current_phase_position
from core.commands import Check, Id, Range, command, parse
from core.events import FullComment, HiddenComment
from core.identity import Identity
from core.rendering import clean_source, render_message
from core.settings import settings
from errors import RefusedError
from extensions import db
from feedback import anchors
from feedback.models import Comment
from stories.cowriting import crdt, persistence
from stories.models import Story
from workshops.models import Group, Participant

MAX_BODY = 2000  # characters of a comment or a reply
MAX_QUOTE = 500  # characters of the quoted passage kept with a comment
MAX_COMMENTS_PER_STORY = 1000
MAX_REPLIES = 200
MAX_ID = ids.MAX_ID
_HTML = "_plume_html"  # an instance's (body, html) rendered before its write (`_stored`)


class FeedbackError(RefusedError):
    """A refused comment or chat action: a code of docs/protocol.md and a message for people."""


def refusal(code: str) -> FeedbackError:
    """The refusal `code` of comments (`core.refusals`)."""
    return refusals.refusal(FeedbackError, "comment", code)


def clean_body(value: object, limit: int = MAX_BODY) -> str:
    """A comment or message text: a string, not empty once stripped, at most `limit` characters."""
    if not isinstance(value, str):
        raise refusal("invalid")
    if len(value) > limit * 4:
        raise refusal("too_large")
    text = clean_source(value).strip()
    if not text:
        raise refusal("empty")
    if len(text) > limit:
        raise refusal("too_large")
    return text


Body = Annotated[str, Check(clean_body)]
comment_command = command("comment", error=FeedbackError)  # declares a comment event's payload


@comment_command
class Create:
    """`comment:create`: `{"story_id", "start", "end", "quote"?, "body"}`, anchors in base64."""

    story_id: Id
    start: Annotated[bytes, Check(anchors.from_base64)]
    end: Annotated[bytes, Check(anchors.from_base64)]
    quote: Annotated[str, Range(hi=MAX_QUOTE * 8)] = ""
    body: Body


@comment_command
class Reply:
    """`comment:reply` and `comment:edit`: `{"comment_id", "body"}`."""

    body: Body
    comment_id: Id


@comment_command
class Delete:
    """`comment:delete`: `{"comment_id"}`."""

    comment_id: Id


@comment_command
class Resolve:
    """`comment:resolve`: `{"comment_id", "resolved"}` (false: reopen)."""

    resolved: bool
    comment_id: Id


@comment_command
class Hide:
    """`comment:hide`: `{"comment_id", "hidden"}` (false: show again)."""

    hidden: bool
    comment_id: Id


@comment_command
class Listing:
    """`comment:list`: `{"story_id"}`."""

    story_id: Id


def now() -> datetime:
    return datetime.now(UTC)


def check_rate(action: str, who: Participant, rate: tuple[int, float]) -> None:
    """Count one `action` by participant `who`; refuse with `rate_limited` past `rate` (atomic:
    `core.rates`). The count is keyed by the participant's token, which no later row reuses (ids may be)."""
    if not rates.allow(action, who.token_hash[:32], rate):
        raise refusal("rate_limited")


# --- the story and who asks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The story a comment action is about, and what the asker may do with its comments."""

    story: Story
    group: Group
    access: CommentAccess


def target(identity: Identity | None, story_id: int) -> Target:
    """The story and the asker's comment access; an unknown story is `forbidden`, like one not readable."""
    story = db.session.get(Story, story_id)
    group = db.session.get(Group, story.group_id) if story else None
    if story is None or group is None:
        raise refusal("forbidden")
    return Target(story, group, comment_access(identity, group.id))


def _seeing(identity: Identity | None, story_id: int) -> Target:
    found = target(identity, story_id)
    if not found.access.see:
        raise refusal(found.access.reason or "forbidden")
    return found


def _writing(identity: Identity | None, story_id: int) -> Target:
    found = target(identity, story_id)
    if not found.access.write:
        raise refusal(found.access.reason or "forbidden")
    return found


def _comment(identity: Identity | None, comment_id: int) -> tuple[Comment, Target]:
    """The comment and the asker's access to its story (refused like the story when the asker may not see
    its comments; `not_found` for an unknown or hidden one)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise refusal("not_found")
    found = target(identity, comment.story_id)
    if not found.access.see:
        raise refusal(found.access.reason or "forbidden")
    if comment.hidden and not found.access.moderate:
        raise refusal("not_found")
    return comment, found


def _locate(story_id: int, start: bytes, end: bytes) -> anchors.Resolved | None:
    """Where the anchored passage stands in the stored story: the log is read here, the replay (whose cost
    grows with the story) runs off the event loop within the work budget (`core.budget`)."""
    rows = persistence.rows_after(story_id)

    def locate() -> anchors.Resolved | None:
        story = crdt.replay(data for _, data in rows)
        return anchors.resolve(story.doc, story.body, start, end)

    try:
        return budget.run(locate, "comment anchor")
    except budget.OverBudgetError as refused:
        raise FeedbackError(refused.code, refused.message) from None
    except anchors.AnchorError as exc:  # e.g. a position in another shared type than the story
        raise refusal("invalid") from exc


def story_doc(story_id: int) -> tuple[Doc, Text]:
    """The story's document as stored (the database log, no cache)."""
    story = crdt.replay(data for _, data in persistence.rows_after(story_id))
    return story.doc, story.body


# --- operations ------------------------------------------------------------------------------------------


def _rate() -> tuple[int, float]:
    return settings().comment_rate


def _change_rate() -> tuple[int, float]:
    return settings().comment_change_rate


def _author(identity: Identity) -> Participant:
    participant = db.session.get(Participant, identity.id)
    if participant is None or identity.is_facilitator:
        raise refusal("forbidden")
    return participant


def create(identity: Identity | None, payload: object) -> Comment:
    """A comment on a passage: `{"story_id", "start", "end", "quote", "body"}`, anchors in base64."""
    asked = parse(Create, payload)
    story_id, start, end, quote, body = asked.story_id, asked.start, asked.end, asked.quote, asked.body
    found = _writing(identity, story_id)
    author = _author(identity)  # type: ignore[arg-type]
    check_rate("comment", author, _rate())
    count = db.session.scalar(select(func.count()).where(Comment.story_id == story_id))
    if (count or 0) >= MAX_COMMENTS_PER_STORY:
        raise refusal("full")
    resolved = _locate(story_id, start, end)
    if resolved is not None:  # the server knows the passage: quote what it holds
        quote = resolved.text
    quote = clean_source(quote).strip()[:MAX_QUOTE]
    if not quote:
        raise refusal("empty")
    phase_position = current_phase_position(found.group.workshop_id)
    html = rendered(body)  # before the write opens: rendering gives way to other greenlets
    comment = Comment(
        story_id=story_id,
        anchor_start=start,
        anchor_end=end,
        quote=quote,
        body=body,
        phase_position=phase_position,
        created_at=now(),
        **_signature(author),
    )
    return _stored(comment, html)


def rendered(body: str) -> str:
    """The HTML of a comment's or message's text. Call it before the write: it runs in the threadpool,
    and a write must not stay open while the greenlet waits (`core.transactions`)."""
    return str(render_message(body))


def _stored(row: Any, html: str) -> Any:
    """Flush `row` (its write opens now), keeping the HTML rendered before for the events sent after."""
    row.__dict__[_HTML] = (row.body, html)
    db.session.add(row)
    db.session.flush()
    return row


def html_of(row: Any) -> str:
    """The HTML of a comment's or message's text: as rendered before its write, else rendered now."""
    kept = row.__dict__.get(_HTML)
    return kept[1] if kept is not None and kept[0] == row.body else rendered(row.body)


def _signature(author: Participant) -> dict[str, Any]:
    return {
        "author_id": author.id,
        "author_name": author.display_name,
        "author_group_id": author.group_id,
        "author_group_name": author.group.name,
        "author_color": author.color,
    }


def reply(identity: Identity | None, payload: object) -> Comment:
    """A reply in a thread: `{"comment_id", "body"}` (a reply to a reply joins the same thread)."""
    asked = parse(Reply, payload)
    body = asked.body
    parent, found = _comment(identity, asked.comment_id)
    if parent.parent_id is not None:
        parent = db.session.get(Comment, parent.parent_id) or parent
    if not found.access.write:
        raise refusal(found.access.reason or "forbidden")
    author = _author(identity)  # type: ignore[arg-type]
    check_rate("comment", author, _rate())
    replies = db.session.scalar(select(func.count()).where(Comment.parent_id == parent.id))
    if (replies or 0) >= MAX_REPLIES:
        raise refusal("full")
    phase_position = current_phase_position(found.group.workshop_id)
    html = rendered(body)
    comment = Comment(
        story_id=parent.story_id,
        parent_id=parent.id,
        body=body,
        phase_position=phase_position,
        created_at=now(),
        **_signature(author),
    )
    return _stored(comment, html)


def _own(identity: Identity | None, comment_id: int) -> Comment:
    comment, found = _comment(identity, comment_id)
    if not found.access.write:
        raise refusal(found.access.reason or "forbidden")
    if comment.deleted or identity is None or identity.is_facilitator or comment.author_id != identity.id:
        raise refusal("not_yours")
    check_rate("comment-change", _author(identity), _change_rate())
    return comment


def edit(identity: Identity | None, payload: object) -> Comment:
    """Change the text of one's own comment or reply: `{"comment_id", "body"}`."""
    asked = parse(Reply, payload)
    body = asked.body
    comment = _own(identity, asked.comment_id)
    html = rendered(body)
    comment.body = body
    comment.edited_at = now()
    return _stored(comment, html)


def delete(identity: Identity | None, payload: object) -> Comment:
    """Delete one's own comment or reply: `{"comment_id"}`. Its text goes; its place in the thread stays."""
    comment = _own(identity, parse(Delete, payload).comment_id)
    comment.deleted = True
    comment.body = ""
    comment.edited_at = now()
    return _stored(comment, "")


def resolve(identity: Identity | None, payload: object) -> Comment:
    """Resolve (`"resolved": true`) or reopen a thread: `{"comment_id", "resolved"}`, by the story's group."""
    asked = parse(Resolve, payload)
    comment, found = _comment(identity, asked.comment_id)
    if not found.access.write:
        raise refusal(found.access.reason or "forbidden")
    if not found.access.resolve:
        raise refusal("not_allowed")
    if comment.parent_id is not None:
        comment = db.session.get(Comment, comment.parent_id) or comment
    author = _author(identity)  # type: ignore[arg-type]
    check_rate("comment-change", author, _change_rate())
    html = rendered(comment.body)
    comment.resolved_at = now() if asked.resolved else None
    comment.resolved_by = author.display_name if asked.resolved else ""
    return _stored(comment, html)


def hide(identity: Identity | None, payload: object) -> Comment:
    """Hide (`"hidden": true`) or show again a comment or reply: `{"comment_id", "hidden"}`, facilitators."""
    asked = parse(Hide, payload)
    comment, found = _comment(identity, asked.comment_id)
    if not found.access.moderate:
        raise refusal("forbidden")
    return set_hidden(comment, asked.hidden)


def set_hidden(comment: Comment, hidden: bool) -> Comment:
    """Hide or show `comment` (flushed), its HTML rendered before the write opens (`core.transactions`)."""
    html = rendered(comment.body)
    comment.hidden = hidden
    return _stored(comment, html)


def listing(identity: Identity | None, payload: object) -> dict[str, Any]:
    """The story's comments as this asker may see them, and what it may do: `{"story_id"}`."""
    found = _seeing(identity, parse(Listing, payload).story_id)
    rows = comments_of(found.story.id)
    full = found.access.moderate
    return {
        "comments": [as_payload(c, full=full) for c in rows if full or not c.hidden],
        "can_comment": found.access.write,
        "can_resolve": found.access.resolve,
        "can_moderate": found.access.moderate,
    }


def comments_of(story_id: int) -> Sequence[Comment]:
    return db.session.scalars(select(Comment).where(Comment.story_id == story_id).order_by(Comment.id)).all()


def counts(story_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per story: `total` threads (shown, not deleted alone) and `open` ones (not resolved)."""
    out = {sid: {"total": 0, "open": 0} for sid in story_ids}
    if not story_ids:
        return out
    rows = db.session.execute(
        select(Comment.story_id, Comment.resolved_at.is_(None), func.count())
        .where(
            Comment.story_id.in_(story_ids),
            Comment.parent_id.is_(None),
            Comment.hidden.is_(False),
            Comment.deleted.is_(False),
        )
        .group_by(Comment.story_id, Comment.resolved_at.is_(None))
    )
    for story_id, unresolved, count in rows:
        out[story_id]["total"] += count
        if unresolved:
            out[story_id]["open"] += count
    return out


# --- what goes on the wire -------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_payload(comment: Comment, *, full: bool = False) -> dict[str, Any]:
    """A comment as events and lists carry it; a hidden one is only its ids and `hidden` unless `full`."""
    return as_event(comment, full=full).payload()


def as_event(comment: Comment, *, full: bool = False) -> HiddenComment:
    """The `comment` event of `comment` (see `as_payload`)."""
    base = {
        "id": comment.id,
        "story_id": comment.story_id,
        "parent_id": comment.parent_id,
        "hidden": comment.hidden,
    }
    if comment.hidden and not full:
        return HiddenComment(**base)
    return FullComment(
        **base,
        author={
            "participant_id": comment.author_id,
            "name": comment.author_name,
            "group_id": comment.author_group_id,
            "group_name": comment.author_group_name,
            "color": comment.author_color,
        },
        body=comment.body,
        html=html_of(comment),
        quote=comment.quote,
        start=anchors.to_base64(comment.anchor_start),
        end=anchors.to_base64(comment.anchor_end),
        resolved=comment.resolved_at is not None,
        resolved_by=comment.resolved_by,
        deleted=comment.deleted,
        created_at=_iso(comment.created_at),
        edited_at=_iso(comment.edited_at),
    )
