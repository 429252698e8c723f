"""The chat of each group: post, history, hide (plain functions that flush; the socket handlers commit,
which sends the events they queued).

A participant writes in and reads its own group's chat; a facilitator of the workshop reads every group's and
posts to one group (`group_id`) or to all (`group_id` null: one message every group sees). Readers of the
gallery never see any of it. `core.access.may_chat` asks who may (`workshops.access` decides).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from accounts.models import Facilitator
from core import rates
from core.access import facilitates, may_chat
from core.events import FullChatMessage, HiddenChatMessage
from core.identity import Identity
from core.settings import settings
from extensions import db
from feedback.comments import (
    FeedbackError,
    _iso,
    _stored,
    check_rate,
    clean_body,
    html_of,
    now,
    parse_id,
    payload_of,
    refusal,
    rendered,
)
from feedback.models import ChatMessage
from workshops.models import Group, Participant

MAX_MESSAGE = 1000  # characters
HISTORY = 200  # messages sent on join


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    workshop_id: int
    group_id: int | None  # None: to every group


_MESSAGES = {  # the chat's own words for refusals its code shares with comments
    "forbidden": _l("You cannot read or write in this chat now."),
    "not_found": _l("This message or group does not exist, or you cannot see it."),
}


def chat_refusal(code: str) -> FeedbackError:
    """A refused chat action, worded for the chat (not for comments)."""
    return FeedbackError(code, _MESSAGES[code]) if code in _MESSAGES else refusal(code)


def _rate() -> tuple[int, float]:
    return settings().chat_rate


def _group(workshop_id: int, value: object) -> Group:
    group = db.session.get(Group, parse_id(value))
    if group is None or group.workshop_id != workshop_id:
        raise chat_refusal("not_found")
    return group


def post(identity: Identity | None, workshop_id: int | None, payload: object) -> Posted:
    """A message: `{"body"}` from a participant (to its group); `{"body", "group_id"}` from a facilitator
    of `workshop_id` (a group's id, or null for every group)."""
    if identity is None:
        raise chat_refusal("forbidden")
    if identity.is_facilitator:
        data = payload_of(payload, {"body", "group_id"}, {"workshop_id"})
        body = clean_body(data["body"], MAX_MESSAGE)
        if workshop_id is None or not facilitates(identity.id, workshop_id):
            raise chat_refusal("forbidden")
        group_id = None if data["group_id"] is None else _group(workshop_id, data["group_id"]).id
        facilitator = db.session.get(Facilitator, identity.id)
        if facilitator is None:
            raise chat_refusal("forbidden")
        if not rates.allow("chat-facilitator", facilitator.email, _rate()):
            raise chat_refusal("rate_limited")
        message = ChatMessage(
            workshop_id=workshop_id,
            group_id=group_id,
            facilitator_id=identity.id,
            author_name=(facilitator.name if facilitator and facilitator.name else "")[:80],
            body=body,
            created_at=now(),
        )
    else:
        data = payload_of(payload, {"body"})
        body = clean_body(data["body"], MAX_MESSAGE)
        participant = db.session.get(Participant, identity.id)
        if participant is None or not may_chat(identity, participant.workshop_id, participant.group_id):
            raise chat_refusal("forbidden")
        check_rate("chat", participant, _rate())
        message = ChatMessage(
            workshop_id=participant.workshop_id,
            group_id=participant.group_id,
            author_id=participant.id,
            author_name=participant.display_name,
            author_color=participant.color,
            body=body,
            created_at=now(),
        )
    _stored(message, rendered(message.body))  # rendered before the write opens
    return Posted(message, message.workshop_id, message.group_id)


def history(identity: Identity | None, workshop_id: int | None, payload: object) -> dict[str, Any]:
    """The last messages: a participant's group (`{}`), or for a facilitator `{"group_id"}` (null: all)."""
    if identity is None:
        raise chat_refusal("forbidden")
    query = select(ChatMessage)
    if identity.is_facilitator:
        data = payload_of(payload if payload is not None else {}, set(), {"group_id", "workshop_id"})
        if workshop_id is None or not facilitates(identity.id, workshop_id):
            raise chat_refusal("forbidden")
        query = query.where(ChatMessage.workshop_id == workshop_id)
        if data.get("group_id") is not None:
            group = _group(workshop_id, data["group_id"])
            query = query.where(or_(ChatMessage.group_id == group.id, ChatMessage.group_id.is_(None)))
        full = True
    else:
        payload_of(payload if payload is not None else {}, set())
        participant = db.session.get(Participant, identity.id)
        if participant is None or not may_chat(identity, participant.workshop_id, participant.group_id):
            raise chat_refusal("forbidden")
        query = query.where(
            ChatMessage.workshop_id == participant.workshop_id,
            or_(ChatMessage.group_id == participant.group_id, ChatMessage.group_id.is_(None)),
            ChatMessage.hidden.is_(False),
        )
        full = False
    rows = db.session.scalars(query.order_by(ChatMessage.id.desc()).limit(HISTORY)).all()
    return {"messages": [as_payload(m, full=full) for m in reversed(rows)]}


def hide(identity: Identity | None, payload: object) -> Posted:
    """Hide (`"hidden": true`) or show again a message: `{"message_id", "hidden"}`, facilitators only."""
    data = payload_of(payload, {"message_id", "hidden"})
    if not isinstance(data["hidden"], bool):
        raise refusal("invalid")
    message = db.session.get(ChatMessage, parse_id(data["message_id"]))
    if message is None or identity is None or not identity.is_facilitator:
        raise chat_refusal("not_found" if message is None else "forbidden")
    if not facilitates(identity.id, message.workshop_id):
        raise chat_refusal("not_found")
    html = rendered(message.body)
    message.hidden = data["hidden"]
    _stored(message, html)
    return Posted(message, message.workshop_id, message.group_id)


def messages_of(workshop_id: int) -> Sequence[ChatMessage]:
    return db.session.scalars(
        select(ChatMessage).where(ChatMessage.workshop_id == workshop_id).order_by(ChatMessage.id)
    ).all()


def as_payload(message: ChatMessage, *, full: bool = False) -> dict[str, Any]:
    """A message as events and histories carry it; a hidden one is only its ids unless `full`."""
    return as_event(message, full=full).payload()


def as_event(message: ChatMessage, *, full: bool = False) -> HiddenChatMessage:
    """The `chat:message` event of `message` (see `as_payload`)."""
    base = {"id": message.id, "group_id": message.group_id, "hidden": message.hidden}
    if message.hidden and not full:
        return HiddenChatMessage(**base)
    return FullChatMessage(
        **base,
        author={
            "participant_id": message.author_id,
            "name": message.author_name,
            "color": message.author_color,
            "facilitator": message.facilitator_id is not None,
        },
        body=message.body,
        html=html_of(message),
        created_at=_iso(message.created_at),
    )
