"""A workshop's feedback for its facilitators: every comment with its quote and where its passage stands,
and every chat message, as JSON or CSV (never public)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from core import budget
from extensions import db
from feedback import anchors, chat, comments
from feedback.models import Comment
from stories.cowriting import crdt, persistence
from stories.models import Story
from workshops.models import Group, Workshop

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _where(doc: Any, text: Any, start: bytes, end: bytes) -> str:
    """ "present", "deleted" or "unknown": where an anchored passage stands in the document."""
    try:
        resolved = anchors.resolve(doc, text, start, end)
    except anchors.AnchorError:
        return "unknown"
    if resolved is None:
        return "unknown"
    return "deleted" if resolved.deleted else "present"


def _passages(found: Sequence[Comment]) -> dict[int, str]:
    """Where each thread's passage stands in its stored story now, by comment id. The logs are read here;
    replaying the stories and resolving the anchors (their cost grows with the stories) run off the event
    loop within the work budget (`core.budget`, which may raise `OverBudgetError`)."""
    wanted: dict[int, list[tuple[int, bytes, bytes]]] = {}
    for comment in found:
        if comment.parent_id is None and comment.anchor_start is not None and comment.anchor_end is not None:
            anchor = (comment.id, bytes(comment.anchor_start), bytes(comment.anchor_end))
            wanted.setdefault(comment.story_id, []).append(anchor)
    logs = {story_id: persistence.rows_after(story_id) for story_id in wanted}

    def locate() -> dict[int, str]:
        out: dict[int, str] = {}
        for story_id, items in wanted.items():
            story = crdt.replay(data for _, data in logs[story_id])
            for comment_id, start, end in items:
                out[comment_id] = _where(story.doc, story.body, start, end)
        return out

    return budget.run(locate, "feedback export")


def feedback(workshop: Workshop) -> dict[str, Any]:
    """The workshop's comments (threads in order) and chat messages, hidden and deleted ones marked."""
    groups = {g.id: g.name for g in db.session.scalars(select(Group).where(Group.workshop_id == workshop.id))}
    rows = db.session.execute(
        select(Comment, Story.group_id)
        .join(Story, Story.id == Comment.story_id)
        .where(Story.workshop_id == workshop.id)
        .order_by(Story.group_id, Comment.id)
    ).all()
    passages = _passages([c for c, _group_id in rows])
    out_comments = [
        {
            "id": c.id,
            "thread_id": c.parent_id or c.id,
            "story_id": c.story_id,
            "story_group": groups.get(group_id, ""),
            "kind": "reply" if c.parent_id else "comment",
            "author": c.author_name,
            "author_group": c.author_group_name,
            "phase": c.phase_position + 1 if c.phase_position is not None else None,
            "created_at": comments._iso(c.created_at),
            "text": c.body,
            "quote": c.quote,
            "passage": passages.get(c.id, ""),
            "resolved": c.resolved_at is not None,
            "resolved_by": c.resolved_by,
            "hidden": c.hidden,
            "deleted": c.deleted,
        }
        for c, group_id in rows
    ]
    out_chat = [
        {
            "id": m.id,
            "group": groups.get(m.group_id, "") if m.group_id else None,
            "author": m.author_name,
            "facilitator": m.facilitator_id is not None,
            "created_at": comments._iso(m.created_at),
            "text": m.body,
            "hidden": m.hidden,
        }
        for m in chat.messages_of(workshop.id)
    ]
    return {
        "workshop": {"id": workshop.id, "title": workshop.title},
        "comments": out_comments,
        "chat": out_chat,
    }


CSV_COLUMNS = (
    "kind", "id", "thread_id", "story_group", "author", "author_group", "phase", "created_at",
    "text", "quote", "passage", "resolved", "hidden", "deleted",
)  # fmt: skip


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def as_csv(data: dict[str, Any]) -> str:
    """One table: comments and replies (by story), then chat messages (`kind` "chat", group as story)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in data["comments"]:
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    for message in data["chat"]:
        row = {
            "kind": "chat",
            "id": message["id"],
            "story_group": message["group"] if message["group"] is not None else "*",
            "author": message["author"],
            "author_group": "" if message["facilitator"] else message["group"],
            "created_at": message["created_at"],
            "text": message["text"],
            "hidden": message["hidden"],
        }
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def review_threads(story_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per story, its threads for the review page: first comment, replies, where the passage stands now."""
    out: dict[int, list[dict[str, Any]]] = {sid: [] for sid in story_ids}
    if not story_ids:
        return out
    rows = db.session.scalars(
        select(Comment).where(Comment.story_id.in_(story_ids)).order_by(Comment.id)
    ).all()
    passages = _passages(rows)
    threads: dict[int, dict[str, Any]] = {}
    for comment in rows:
        if comment.parent_id is None:
            threads[comment.id] = {"comment": comment, "replies": [], "passage": passages.get(comment.id, "")}
            out[comment.story_id].append(threads[comment.id])
        elif comment.parent_id in threads:
            threads[comment.parent_id]["replies"].append(comment)
    return out
