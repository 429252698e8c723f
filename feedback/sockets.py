"""Socket.IO handlers of comments and chat (thin: parse who asks, call `feedback.comments`/`feedback.chat`,
queue the events, commit: they go out with the commit). Events and error codes: docs/protocol.md,
"Comments and chat"."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from core import audience, commands, refusals
from core.events import CommentCounts, HiddenChatMessage, HiddenComment
from core.outbox import emit_on_commit
from core.realtime import (
    error,
    facilitators_room,
    group_room,
    socket_identity,
    socket_session,
    workshop_room,
)
from core.unit_of_work import committed
from extensions import db
from feedback import chat, comments
from feedback.comments import FeedbackError
from feedback.models import Comment
from stories.models import Story
from workshops.models import Group

log = logging.getLogger(__name__)
NAMESPACE = "/"
COMMENT_EVENT = HiddenComment.name  # s→c: one comment or reply, as it is now
COUNTS_EVENT = CommentCounts.name  # s→c facilitators: threads per story
CHAT_EVENT = HiddenChatMessage.name  # s→c: one chat message


def _handled(run: Callable[[], dict[str, Any]], what: str) -> dict[str, Any]:
    """Run an operation; a refusal or a failure becomes an error ack, never a dropped socket."""
    try:
        return run()
    except FeedbackError as refused:
        db.session.rollback()
        return error(refused.code, refused.message)
    except Exception:
        db.session.rollback()
        log.exception("%s failed", what)
        return error("unavailable", refusals.message("comment", "unavailable"))
    finally:
        db.session.remove()


# --- comments --------------------------------------------------------------------------------------------


def publish_comment(comment: Comment) -> None:
    """Once the transaction commits, send the comment to the sockets of its story that may see it now, and
    the counts to the workshop's facilitators.

    It goes to the story's audience rooms (`core.audience`): the groups that see its comments now get it
    as participants see it, the facilitators in full (even a hidden one). Rooms, not a filter of this
    worker's sockets, so it holds on every worker."""
    story = db.session.get(Story, comment.story_id)
    group = db.session.get(Group, story.group_id)
    participants, facilitators = audience.comment_rooms(story.id, group.id)
    public = comments.as_event(comment)
    for room in participants:
        emit_on_commit(public, to=room)
    emit_on_commit(comments.as_event(comment, full=True), to=facilitators)
    tally = comments.counts([story.id])[story.id]
    counts = CommentCounts(story_id=story.id, group_id=group.id, total=tally["total"], open=tally["open"])
    emit_on_commit(counts, to=facilitators_room(story.workshop_id))


def _comment_event(operation: Callable[..., Comment], what: str) -> Callable[[Any], dict[str, Any]]:
    def handler(payload: Any = None) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            with committed():
                comment = operation(socket_identity(), payload)
                publish_comment(comment)
            return {"ok": True, "comment": comments.as_payload(comment, full=True)}

        return _handled(run, what)

    handler.__name__ = f"on_{what.replace(':', '_')}"
    return handler


for _name, (_operation, _command) in {
    "comment:create": (comments.create, comments.Create),
    "comment:reply": (comments.reply, comments.Reply),
    "comment:edit": (comments.edit, comments.Reply),
    "comment:delete": (comments.delete, comments.Delete),
    "comment:resolve": (comments.resolve, comments.Resolve),
    "comment:hide": (comments.hide, comments.Hide),
}.items():
    commands.on(_name, _command)(_comment_event(_operation, _name))


@commands.on("comment:list", comments.Listing)
def on_comment_list(payload: Any = None) -> dict[str, Any]:
    """The story's comments as the asker may see them, with what it may do (`can_comment`, …)."""
    return _handled(lambda: {"ok": True, **comments.listing(socket_identity(), payload)}, "comment:list")


# --- chat ------------------------------------------------------------------------------------------------


def publish_chat(posted: chat.Posted) -> None:
    """Once the transaction commits, a message to its group's room (or every group's: the workshop room),
    the full one to facilitators."""
    room = workshop_room(posted.workshop_id) if posted.group_id is None else group_room(posted.group_id)
    emit_on_commit(chat.as_event(posted.message), to=room)
    emit_on_commit(chat.as_event(posted.message, full=True), to=facilitators_room(posted.workshop_id))


def _workshop_of_socket() -> int | None:
    """A facilitator socket's workshop (from its connect; its commands may name another)."""
    workshop_id = socket_session().get("workshop_id")
    return workshop_id if isinstance(workshop_id, int) and not isinstance(workshop_id, bool) else None


@commands.on("chat:send", chat.Send, chat.FacilitatorSend)
def on_chat_send(payload: Any = None) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with committed():
            posted = chat.post(socket_identity(), _workshop_of_socket(), payload)
            publish_chat(posted)
        return {"ok": True, "message": chat.as_payload(posted.message, full=True)}

    return _handled(run, "chat:send")


@commands.on("chat:history", chat.History, chat.FacilitatorHistory)
def on_chat_history(payload: Any = None) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        return {"ok": True, **chat.history(socket_identity(), _workshop_of_socket(), payload)}

    return _handled(run, "chat:history")


@commands.on("chat:hide", chat.Hide)
def on_chat_hide(payload: Any = None) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        with committed():
            posted = chat.hide(socket_identity(), payload)
            publish_chat(posted)
        return {"ok": True, "message": chat.as_payload(posted.message, full=True)}

    return _handled(run, "chat:hide")
