"""Who is making a request or holding a socket: a participant (by token) or a facilitator (by login).

`core` holds no rows of people: the features that own them plug a directory in when the app is created,
`workshops` the participants (`Participants`: by token, names, colours, a group's members) and `accounts`
the facilitators (`Facilitators`: a display name). A facilitator's login itself is Flask-Login's.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from flask import session
from flask_login import current_user

from core.plugs import Slot

SESSION_KEY = "participant_token"
FACILITATOR_COLOR = "#1d4ed8"  # a facilitator's cursor and name in the editors
TOKEN_BYTES = 24


@dataclass(frozen=True)
class Identity:
    """A proven identity: a participant id or a facilitator id."""

    kind: Literal["participant", "facilitator"]
    id: int

    @property
    def is_facilitator(self) -> bool:
        return self.kind == "facilitator"


class Member(Protocol):
    """A participant as the engine shows it (a `workshops` row satisfies it)."""

    @property
    def id(self) -> int: ...

    @property
    def display_name(self) -> str: ...

    @property
    def color(self) -> str | None: ...


class Participants(Protocol):
    """The participants' directory, registered by `workshops`."""

    def by_token(self, token: object) -> int | None:
        """The id of the participant this token proves (None: unknown, removed or expired)."""
        ...

    def display(self, participant_id: int) -> tuple[str, str] | None:
        """Name and colour (None: gone)."""
        ...

    def names(self, participant_ids: set[int]) -> dict[int, str]: ...

    def members(self, workshop_id: int, group_id: int, also: Iterable[int]) -> list[Member]: ...


class Facilitators(Protocol):
    """The facilitators' directory, registered by `accounts`."""

    def display_name(self, facilitator_id: int) -> str | None: ...


_participants: Slot[Participants] = Slot("participants' directory")
_facilitators: Slot[Facilitators] = Slot("facilitators' directory")


def register_participants(directory: Participants) -> None:
    _participants.plug(directory)


def register_facilitators(directory: Facilitators) -> None:
    _facilitators.plug(directory)


def participants() -> Participants:
    return _participants.get()


def facilitators() -> Facilitators:
    return _facilitators.get()


def new_token() -> tuple[str, str]:
    """A fresh secret participant token and the hash that is stored (the token itself never is)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def remember_participant(token: str) -> None:
    """Keep the participant's token in the (signed, HttpOnly) session cookie, for rejoining after a reload."""
    session[SESSION_KEY] = token
    session.permanent = True


def session_participant_id() -> int | None:
    """The id of the participant whose token this browser's session cookie holds."""
    return participants().by_token(session.get(SESSION_KEY))


def identify(auth: Mapping[str, Any] | None = None) -> Identity | None:
    """Identity from a Socket.IO `auth` payload or the browser's cookies, else None.

    `{"token": ...}` names a participant; `{"role": "facilitator"}` asks for the signed-in facilitator
    (a facilitator's browser may also hold a participant cookie from a test join).
    """
    auth = auth if isinstance(auth, Mapping) else {}
    if "token" in auth:
        participant_id = participants().by_token(auth.get("token"))
        return Identity("participant", participant_id) if participant_id is not None else None
    facilitator = current_user if current_user and current_user.is_authenticated else None
    if auth.get("role") == "facilitator":
        return Identity("facilitator", facilitator.id) if facilitator else None
    participant_id = session_participant_id()
    if participant_id is not None:
        return Identity("participant", participant_id)
    return Identity("facilitator", facilitator.id) if facilitator else None


def display_of(identity: Identity) -> tuple[str, str]:
    """The name and colour under which `identity` appears to the others (cursors, authorship)."""
    if identity.is_facilitator:
        name = facilitators().display_name(identity.id)
        return (name if name is not None else "?"), FACILITATOR_COLOR
    found = participants().display(identity.id)
    return found if found is not None else ("?", FACILITATOR_COLOR)


def display_names(participant_ids: Iterable[int]) -> dict[int, str]:
    """{participant id: display name} of those that exist."""
    wanted = set(participant_ids)
    return participants().names(wanted) if wanted else {}


def group_members(workshop_id: int, group_id: int, also: Iterable[int] = ()) -> list[Member]:
    """The participants of a group, and those of its workshop named in `also` (e.g. moved since), by id."""
    return participants().members(workshop_id, group_id, also)
