"""The chat of each group: post, history, hide (plain functions that flush; the socket handlers commit,
which sends the events they queued).

A participant writes in and reads its own group's chat; a facilitator of the workshop reads every group's and
posts to one group (`group_id`) or to all (`group_id` null: one message every group sees). Readers of the
gallery never see any of it. `core.access.may_chat` asks who may (`workshops.access` decides).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from sqlalchemy import or_, select

from accounts.models import Facilitator
from core import rates, refusals
from core.access import facilitates, may_chat
from core.commands import Check, Id, NotNull, command, parse
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


def chat_refusal(code: str) -> FeedbackError:
    """A refused chat action, worded for the chat (`core.refusals`: comments' words but for a few)."""
    return refusals.refusal(FeedbackError, "chat", code)


def message_body(value: object) -> str:
    return clean_body(value, MAX_MESSAGE)


Workshop = Annotated[Id | None, NotNull()]  # a facilitator's: the socket's workshop when left out


@command("chat", error=FeedbackError)
class Send:
    """`chat:send` from a participant: `{"body"}`, to its group."""

    body: Annotated[str, Check(message_body)]


@command("chat", error=FeedbackError)
class FacilitatorSend:
    """`chat:send` from a facilitator: `{"body", "group_id", "workshop_id"?}` (null group: every one)."""

    body: Annotated[str, Check(message_body)]
    group_id: Id | None
    workshop_id: Workshop = None


@command("chat", error=FeedbackError, absent=True)
class History:
    """`chat:history` from a participant: `{}` (or nothing), its group's."""


@command("chat", error=FeedbackError, absent=True)
class FacilitatorHistory:
    """`chat:history` from a facilitator: `{"group_id"?, "workshop_id"?}` (no group: every group's)."""

    group_id: Id | None = None
    workshop_id: Workshop = None


@command("chat", error=FeedbackError)
class Hide:
    """`chat:hide`: `{"message_id", "hidden"}` (false: show again), facilitators only."""

    hidden: bool
    message_id: Id


def workshop_of(asked: FacilitatorSend | FacilitatorHistory, socket_workshop: int | None) -> int | None:
    """The workshop a facilitator's chat command is for: the one it names, else its socket's."""
    return asked.workshop_id if asked.workshop_id is not None else socket_workshop


def _rate() -> tuple[int, float]:
    return settings().chat_rate


def _group(workshop_id: int, group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None or group.workshop_id != workshop_id:
        raise chat_refusal("not_found")
    return group


def post(identity: Identity | None, workshop_id: int | None, payload: object) -> Posted:
    """A message: `{"body"}` from a participant (to its group); `{"body", "group_id"}` from a facilitator
    of `workshop_id` (a group's id, or null for every group)."""
    if identity is None:
        raise chat_refusal("forbidden")
    if identity.is_facilitator:
        asked = parse(FacilitatorSend, payload)
        body, workshop_id = asked.body, workshop_of(asked, workshop_id)
        if workshop_id is None or not facilitates(identity.id, workshop_id):
            raise chat_refusal("forbidden")
        group_id = None if asked.group_id is None else _group(workshop_id, asked.group_id).id
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
        body = parse(Send, payload).body
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
        asked = parse(FacilitatorHistory, payload)
        workshop_id = workshop_of(asked, workshop_id)
        if workshop_id is None or not facilitates(identity.id, workshop_id):
            raise chat_refusal("forbidden")
        query = query.where(ChatMessage.workshop_id == workshop_id)
        if asked.group_id is not None:
            group = _group(workshop_id, asked.group_id)
            query = query.where(or_(ChatMessage.group_id == group.id, ChatMessage.group_id.is_(None)))
        full = True
    else:
        parse(History, payload)
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
    asked = parse(Hide, payload)
    message = db.session.get(ChatMessage, asked.message_id)
    if message is None or identity is None or not identity.is_facilitator:
        raise chat_refusal("not_found" if message is None else "forbidden")
    if not facilitates(identity.id, message.workshop_id):
        raise chat_refusal("not_found")
    html = rendered(message.body)
    message.hidden = asked.hidden
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
