"""Who hears a narrow event on every worker: a story's sockets also sit in the room of who holds them.

A comment's audience is narrower than its story's room (a group-only comment, a hidden one). Filtering the
room's sockets on the worker that publishes sees only that worker's sockets: the other workers, reached
through Redis, would hand the event to everyone. So each socket that opens a story also joins its
`audience_room`: its group's (participants) or the facilitators'. A narrow event goes to the audience rooms
that may see it, and every worker's manager delivers it to the right sockets only.

The rooms follow the socket: left with the story (`story:close`, access revoked), moved with its
participant (`workshops.rooms`), gone with the socket.
"""

from __future__ import annotations

from core.access import comment_audience, rules
from core.identity import Identity
from core.realtime import audience_room, is_audience_room
from extensions import socketio

NAMESPACE = "/"


def room_of(identity: Identity | None, story_id: int) -> str | None:
    """The audience room of `identity` for `story_id` (None: nobody, or a participant that is gone)."""
    if identity is None:
        return None
    if identity.is_facilitator:
        return audience_room(story_id, None)
    group_id = rules().audience_group(identity)
    return audience_room(story_id, group_id) if group_id is not None else None


def join(sid: str, identity: Identity | None, story_id: int) -> None:
    """Put socket `sid`, which opened `story_id`, in its audience room for that story."""
    room = room_of(identity, story_id)
    if room is not None:
        socketio.server.enter_room(sid, room, namespace=NAMESPACE)


def leave(sid: str, story_id: int) -> None:
    """Take socket `sid` out of every audience room of `story_id`."""
    for room in socketio.server.rooms(sid, namespace=NAMESPACE):
        if is_audience_room(room, story_id):
            socketio.server.leave_room(sid, room, namespace=NAMESPACE)


def follow_group(sid: str, group_id: int) -> None:
    """A participant moved to group `group_id`: its socket's audience rooms become that group's."""
    for room in socketio.server.rooms(sid, namespace=NAMESPACE):
        if is_audience_room(room) and not room.endswith(":facilitators"):
            story_id = int(room.split(":")[1])
            if room != audience_room(story_id, group_id):
                socketio.server.leave_room(sid, room, namespace=NAMESPACE)
                socketio.server.enter_room(sid, audience_room(story_id, group_id), namespace=NAMESPACE)


def comment_rooms(story_id: int, group_id: int) -> tuple[list[str], str]:
    """The rooms of participants who see the comments on the story of group `group_id` now, and the
    facilitators' room."""
    groups = sorted(comment_audience(group_id))
    return [audience_room(story_id, g) for g in groups], audience_room(story_id, None)
