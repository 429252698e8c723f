"""A workshop's feedback for its facilitators: every comment with its quote and where its passage stands,
every chat message, and every group's board (its cards and their dots), as JSON or CSV (never public)."""

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
from stories.cowriting import board, crdt, history, persistence
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


Anchor = tuple[int, bytes, bytes]  # a thread's comment id and the two ends of its passage


def _anchors(found: Sequence[Comment]) -> dict[int, list[Anchor]]:
    """The passages of the threads in `found`, by story id."""
    wanted: dict[int, list[Anchor]] = {}
    for comment in found:
        if comment.parent_id is None and comment.anchor_start is not None and comment.anchor_end is not None:
            anchor = (comment.id, bytes(comment.anchor_start), bytes(comment.anchor_end))
            wanted.setdefault(comment.story_id, []).append(anchor)
    return wanted


def _read_stories(
    wanted: dict[int, list[Anchor]], boards: Sequence[int] = ()
) -> tuple[dict[int, str], dict[int, list[board.Card]]]:
    """Where each thread's passage stands in its stored story now (by comment id), and the cards on the
    boards of the stories `boards` names (by story id). The logs are read here; replaying the stories,
    resolving the anchors and reading the boards (their cost grows with the stories) run off the event loop
    within the work budget (`core.budget`, which may raise `OverBudgetError`)."""
    story_ids = list(dict.fromkeys([*wanted, *boards]))
    logs = {story_id: persistence.rows_after(story_id) for story_id in story_ids}

    def read() -> tuple[dict[int, str], dict[int, list[board.Card]]]:
        passages: dict[int, str] = {}
        cards: dict[int, list[board.Card]] = {}
        for story_id in story_ids:
            story = crdt.replay(data for _, data in logs[story_id])
            for comment_id, start, end in wanted.get(story_id, []):
                passages[comment_id] = _where(story.doc, story.body, start, end)
            if story_id in boards:
                cards[story_id] = board.cards(story.doc)
        return passages, cards

    return budget.run(read, "feedback export")


def _passages(found: Sequence[Comment]) -> dict[int, str]:
    """Where each thread's passage stands in its stored story now, by comment id (`_read_stories`)."""
    return _read_stories(_anchors(found))[0]


def _cards(
    workshop: Workshop, stories: Sequence[Story], found: dict[int, list[board.Card]]
) -> list[dict[str, Any]]:
    """Every story's cards, story by story, each as `board.as_data` gives it (laid out in the columns of
    the phase under way, most voted first) with its story and group: names as the history page gives them
    (`history.card_people`), none for an author the card may not name; no participant ids, like the
    comments."""
    columns = workshop.phase_columns(workshop.phase_index)
    out: list[dict[str, Any]] = []
    for story in stories:
        cards = found.get(story.id) or []
        if not cards:
            continue
        people = history.card_people(story, cards)
        names = {member_id: member.name for member_id, member in people.items()}
        out.extend(
            {"story_id": story.id, "story_group": story.group.name, **card}
            for card in board.as_data(board.layout(cards, columns), names)
        )
    return out


def feedback(workshop: Workshop) -> dict[str, Any]:
    """The workshop's comments (threads in order) and chat messages, hidden and deleted ones marked."""
    groups = {g.id: g.name for g in db.session.scalars(select(Group).where(Group.workshop_id == workshop.id))}
    rows = db.session.execute(
        select(Comment, Story.group_id)
        .join(Story, Story.id == Comment.story_id)
        .where(Story.workshop_id == workshop.id)
        .order_by(Story.group_id, Comment.id)
    ).all()
    stories = list(
        db.session.scalars(select(Story).where(Story.workshop_id == workshop.id).order_by(Story.group_id))
    )
    passages, cards = _read_stories(_anchors([c for c, _group_id in rows]), [s.id for s in stories])
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
        "cards": _cards(workshop, stories, cards),
    }


CSV_COLUMNS = (
    "kind", "id", "thread_id", "story_group", "author", "author_group", "phase", "created_at",
    "text", "quote", "passage", "resolved", "hidden", "deleted", "column", "color", "dots", "used",
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
    """One table: comments and replies (by story), then chat messages (`kind` "chat", group as story), then
    the boards' cards (`kind` "card": its group as story, its author, text, column, colour, total dots and
    whether used; each member's dots are in the JSON only)."""
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
    for card in data["cards"]:
        writer.writerow([_cell({**card, "kind": "card"}.get(column)) for column in CSV_COLUMNS])
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
