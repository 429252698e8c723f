"""Every event the server sends, as a typed structure: its name and exactly the fields of its payload.

Payloads are built only through these classes (``Presence(...).payload()``), and
``tests/test_protocol_events.py`` checks them against ``docs/protocol.md``, field for field, both ways. The
binary ``yjs`` messages are not here: their arguments are ``(story_id, bytes)``, not an object.
Send them with :mod:`core.outbox` (after the commit, or now).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    """An event's payload; subclasses name the event (`name`) and declare its fields."""

    name: ClassVar[str]
    variant: ClassVar[str] = ""  # which form of the event, when it has several (docs/protocol.md)

    def payload(self) -> dict[str, Any]:
        """The JSON object sent: every field, in declaration order (nested values as they are)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


# --- workshops ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WorkshopState(Event):
    """What every receiver of `workshop:state` gets (docs/protocol.md, "workshop:state")."""

    name: ClassVar[str] = "workshop:state"
    workshop_id: int
    title: str
    language: str
    version: int
    status: str
    paused: bool
    deadline: str | None
    server_time: str
    remaining_seconds: float
    phase_index: int
    phase_count: int
    phase_title: str
    instructions_html: str
    phase_duration_seconds: int
    phase_editors_open: bool
    at_deadline: str
    phase_tool: str  # story, board or both (docs/protocol.md, "The board")
    board: dict[str, Any]  # {"columns", "dots", "readonly"}
    deadline_reached: bool
    agenda: list[dict[str, Any]]
    all_locked: bool
    locked_groups: list[int]
    broadcast: str
    broadcast_at: str | None
    joining_open: bool
    stories_published: int
    ended: bool  # its last phase finished or it was archived: browsers delete their copies of its drafts


@dataclass(frozen=True, kw_only=True)
class ParticipantState(WorkshopState):
    """`workshop:state` as a group's participants see it."""

    variant: ClassVar[str] = "participant"

    role: str = "participant"
    locked: bool
    writable: bool
    writing: str  # why it may write or not: phase, facilitator, locked, agenda, not_live
    group: dict[str, Any]
    readable: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class FacilitatorState(WorkshopState):
    """`workshop:state` as the workshop's facilitators see it."""

    variant: ClassVar[str] = "facilitator"

    role: str = "facilitator"
    locked: bool
    writable: bool = False
    join_code: str
    groups: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class Presence(Event):
    """Who is connected now, overall and per group (to the facilitators)."""

    name: ClassVar[str] = "presence"
    workshop_id: int
    connected: list[int]
    groups: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class ParticipantRemoved(Event):
    """To a removed participant's sockets, just before the server closes them."""

    name: ClassVar[str] = "participant:removed"
    message: str
    erased: bool = False  # also erased (issue 26): the browser deletes its copy of the drafts


@dataclass(frozen=True, kw_only=True)
class WorkshopRevoked(Event):
    """To a socket that may no longer hear the workshop, before it is disconnected."""

    name: ClassVar[str] = "workshop:revoked"
    workshop_id: int


# --- story sync ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StoryAccess(Event):
    """To a socket that may still read the story but whose right to write changed."""

    name: ClassVar[str] = "story:access"
    story_id: int
    writable: bool


@dataclass(frozen=True, kw_only=True)
class StoryRevoked(Event):
    """To a socket taken out of a story's room: it may no longer read it."""

    name: ClassVar[str] = "story:revoked"
    story_id: int


@dataclass(frozen=True, kw_only=True)
class StoryActivity(Event):
    """To the facilitators, after updates to a story are stored (at most once a second per story)."""

    name: ClassVar[str] = "story:activity"
    story_id: int
    group_id: int
    length: int
    last_activity_at: str | None


# --- comments and chat --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class HiddenComment(Event):
    """A comment that the facilitator hid, as participants get it: remove it."""

    name: ClassVar[str] = "comment"
    variant: ClassVar[str] = "hidden"
    id: int
    story_id: int
    parent_id: int | None
    hidden: bool


@dataclass(frozen=True, kw_only=True)
class FullComment(HiddenComment):
    """One comment or reply as it is now."""

    variant: ClassVar[str] = ""

    author: dict[str, Any]
    body: str
    html: str
    quote: str
    start: str | None
    end: str | None
    resolved: bool
    resolved_by: int | None
    deleted: bool
    created_at: str | None
    edited_at: str | None


@dataclass(frozen=True, kw_only=True)
class CommentCounts(Event):
    """A story's threads, shown and unresolved (to the facilitators)."""

    name: ClassVar[str] = "comment:counts"
    story_id: int
    group_id: int
    total: int
    open: int


@dataclass(frozen=True, kw_only=True)
class HiddenChatMessage(Event):
    """A chat message that the facilitator hid, as participants get it."""

    name: ClassVar[str] = "chat:message"
    variant: ClassVar[str] = "hidden"
    id: int
    group_id: int | None
    hidden: bool


@dataclass(frozen=True, kw_only=True)
class FullChatMessage(HiddenChatMessage):
    """One chat message as it is now."""

    variant: ClassVar[str] = ""

    author: dict[str, Any]
    body: str
    html: str
    created_at: str | None


# --- consultations --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OverviewWorkshops(Event):
    """To a consultation's organisers watching its overview: the workshops that changed (at most one push a
    second or so per worker, `consultations.overview`)."""

    name: ClassVar[str] = "overview:workshops"
    consultation_id: int
    server_time: str
    workshops: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class VoteResults(Event):
    """To a consultation's organisers watching its vote: the results after ballots moved or the vote opened
    or closed (at most one push a second or so per worker, `consultations.vote_live`)."""

    name: ClassVar[str] = "vote:results"
    consultation_id: int
    results: dict[str, Any]


EVENTS: tuple[type[Event], ...] = (
    ParticipantState,
    FacilitatorState,
    Presence,
    ParticipantRemoved,
    WorkshopRevoked,
    StoryAccess,
    StoryRevoked,
    StoryActivity,
    HiddenComment,
    FullComment,
    CommentCounts,
    HiddenChatMessage,
    FullChatMessage,
    OverviewWorkshops,
    VoteResults,
)
"""Every payload the server sends (the structures that the protocol test checks)."""
