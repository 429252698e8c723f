"""Who may do what: the interface every handler asks, and the slot where the rules plug in.

`core` decides nothing about workshops: the rules (phase visibility, locks, comment modes, co-facilitators)
live in `workshops.access`, which implements `AccessRules` and plugs it in with `register` when the app is
created (`workshops.register`, called from `features.register`), the way a Hocuspocus extension hooks
`onAuthenticate`, or pycrdt-websocket's `YRoom` takes `on_message`. The co-writing engine and `feedback`
ask through the functions below and never import `workshops`.

What the rules answer:
- `story_access`: may this identity open, read, write the story of this group (`Access`);
- `versions`: the access versions to watch, {workshop id: version}: every change of access moves its
  workshop's, so an answer cached with the version (the writer's access cache) stays right until it moves,
  and `core.access_version.Watcher` re-checks open sockets when it does;
- `audience_group`: the group whose audience room a participant's socket joins (`core.audience`);
- `comment_access`, `comment_audience`, `current_phase_position`, `may_chat`, `facilitates`: for
  `feedback` and the reading pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import ids
from core.identity import Identity
from core.plugs import Slot


@dataclass(frozen=True)
class BoardRules:
    """What a writer may change of the story's document in the current phase (docs/protocol.md, "The
    board"): the board (`write`, or `read`: shown only, or `none`: the phase has none), the story's text,
    and the dots of `member` (the writer's participant id; None: a facilitator, who places none)."""

    board: str = "write"
    text: bool = True
    dots: int = 0
    member: int | None = None


@dataclass(frozen=True)
class Access:
    """What an identity may do with a story; `reason` says why writing is refused."""

    read: bool
    write: bool
    reason: str | None = None  # "forbidden" (no access at all) or "locked" (read-only for now)
    rules: BoardRules = BoardRules()  # what a write may change (only asked of one that may write)

    @classmethod
    def none(cls) -> Access:
        return cls(read=False, write=False, reason="forbidden")


@dataclass(frozen=True)
class CommentAccess:
    """What an identity may do with the comments on a story now; `reason` says why writing is refused.

    `see`: read the comments; `write`: comment, reply, edit and delete one's own; `resolve`: resolve and
    reopen threads (the story's own group); `moderate`: hide and show comments (its facilitators).
    """

    see: bool
    write: bool
    resolve: bool = False
    moderate: bool = False
    reason: str | None = None  # "forbidden", "comments_off" or "locked"

    @classmethod
    def none(cls, reason: str = "forbidden") -> CommentAccess:
        return cls(see=False, write=False, reason=reason)


class AccessRules(Protocol):
    """What the engine and the features ask; one implementation is registered per process."""

    def story_access(self, identity: Identity | None, group_id: int, *, facilitator_writes: bool) -> Access:
        """What `identity` may do with the story of group `group_id` now (a group that is gone: nothing)."""
        ...

    def versions(self, workshop_ids: Iterable[int]) -> dict[int, int]:
        """{workshop id: access version} of those that exist (a deleted workshop is missing)."""
        ...

    def audience_group(self, identity: Identity) -> int | None:
        """The group of a participant (None: gone); never asked for a facilitator."""
        ...

    def facilitates(self, facilitator_id: int, workshop_id: int) -> bool: ...

    def comment_access(self, identity: Identity | None, group_id: int) -> CommentAccess: ...

    def comment_audience(self, group_id: int) -> set[int]:
        """The groups whose participants see the comments on the story of group `group_id` now."""
        ...

    def current_phase_position(self, workshop_id: int) -> int | None: ...

    def may_chat(self, identity: Identity | None, workshop_id: int, group_id: int) -> bool: ...


_rules: Slot[AccessRules] = Slot("access rules")


def register(rules: AccessRules) -> None:
    """Plug the rules in (once per process, when the app is created; the last one wins)."""
    _rules.plug(rules)


def rules() -> AccessRules:
    """The registered rules; an app created without them is a setup error, not a refusal."""
    return _rules.get()


def fits_id(value: int) -> bool:
    """Whether an id from a URL can be a row's id (larger ones would overflow the database's integers)."""
    return ids.parse_id(value) is not None


def story_access_of(identity: Identity | None, group_id: int, *, facilitator_writes: bool = False) -> Access:
    """What `identity` may do with the story of the group `group_id` (a group that is gone: no access)."""
    return rules().story_access(identity, group_id, facilitator_writes=facilitator_writes)


def facilitates(facilitator_id: int, workshop_id: int) -> bool:
    """True when the facilitator owns or co-runs the workshop."""
    return fits_id(workshop_id) and rules().facilitates(facilitator_id, workshop_id)


def comment_access(identity: Identity | None, group_id: int) -> CommentAccess:
    """What `identity` may do with the comments on the story of group `group_id` now."""
    return rules().comment_access(identity, group_id)


def comment_audience(group_id: int) -> set[int]:
    return rules().comment_audience(group_id)


def current_phase_position(workshop_id: int) -> int | None:
    """The position of the workshop's current phase (None: before the first, after the last)."""
    return rules().current_phase_position(workshop_id)


def may_chat(identity: Identity | None, workshop_id: int, group_id: int) -> bool:
    """Whether `identity` may read and post in the chat of group `group_id` of workshop `workshop_id`."""
    return rules().may_chat(identity, workshop_id, group_id)


def versions(workshop_ids: Iterable[int]) -> dict[int, int]:
    """{workshop id: access version} of those that exist (a deleted workshop is missing)."""
    return rules().versions(workshop_ids)
