"""Rooms that follow the workshop: when its access version moves, this process's sockets are put right.

A participant's sockets belong in their workshop's room and their group's room; a facilitator's in the
workshop's and facilitators' rooms while they still run it. After a move, a removal or a co-facilitator's
removal, each worker fixes its own sockets (`core.access_version.Watcher` calls `reconcile` with the
workshops whose version moved): a moved participant changes group rooms, and a socket that may no longer
hear the workshop leaves its rooms, gets `workshop:revoked`, and is disconnected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask

from core import audience
from core.access import facilitates
from core.access_version import watcher
from core.events import Event, WorkshopRevoked
from core.outbox import emit_now
from core.realtime import facilitators_room, group_room, socket_identity, workshop_room
from core.unit_of_work import committed
from extensions import db, socketio
from workshops import state
from workshops.models import Participant

log = logging.getLogger(__name__)
NAMESPACE = "/"
REVOKED_EVENT = WorkshopRevoked.name
DISCONNECT_AFTER_SECONDS = 0.5
_PREFIX = workshop_room(0)[:-1]  # "workshop:"


def watched() -> set[int]:
    """The workshops that sockets of this process are in."""
    rooms = socketio.server.manager.rooms.get(NAMESPACE, {})
    return {int(name[len(_PREFIX) :]) for name in list(rooms) if name and name.startswith(_PREFIX)}


def _sids(room: str) -> list[str]:
    return [sid for sid, _ in socketio.server.manager.get_participants(NAMESPACE, room)]


def revoke(sid: str, workshop_id: int, rooms: list[str]) -> None:
    for room in rooms:
        socketio.server.leave_room(sid, room, namespace=NAMESPACE)
    emit_now(WorkshopRevoked(workshop_id=workshop_id), to=sid)
    socketio.start_background_task(_disconnect_soon, sid)


def close(sids: Iterable[str], message: Event | None) -> None:
    """Tell each socket why (unless `message` is None), then close it, wherever it is: a socket of another
    worker is reached through the message queue. Run after the commit (`core.outbox.on_commit`): a
    disconnect runs its handler here, which ends this database session."""
    server = socketio.server
    for sid in sids:
        if message is not None:
            emit_now(message, to=sid)
        try:
            server.disconnect(sid, namespace=NAMESPACE)
        except KeyError:  # it left by itself meanwhile
            log.debug("socket %s was already gone", sid)


def _disconnect_soon(sid: str) -> None:
    """Close the socket once `workshop:revoked` has had time to reach it (a close drops what is queued)."""
    socketio.sleep(DISCONNECT_AFTER_SECONDS)
    socketio.server.disconnect(sid, namespace=NAMESPACE)


def _reconcile_facilitator(sid: str, facilitator_id: int, workshop_id: int, gone: bool) -> None:
    if gone or not facilitates(facilitator_id, workshop_id):
        revoke(sid, workshop_id, [workshop_room(workshop_id), facilitators_room(workshop_id)])


def _reconcile_participant(sid: str, participant_id: int, workshop_id: int, gone: bool) -> None:
    """Revoke a participant no longer in the workshop (removed or erased, also by another process such as
    `flask participant erase`), else keep its socket in its (new) group's room only."""
    participant = None if gone else db.session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != workshop_id or participant.removed_at is not None:
        revoke(sid, workshop_id, [workshop_room(workshop_id)])
        return
    own = group_room(participant.group_id)
    for room in socketio.server.rooms(sid, namespace=NAMESPACE):
        if room.startswith("group:") and room != own:
            socketio.server.leave_room(sid, room, namespace=NAMESPACE)
    audience.follow_group(sid, participant.group_id)
    if own not in socketio.server.rooms(sid, namespace=NAMESPACE):
        socketio.server.enter_room(sid, own, namespace=NAMESPACE)
        state_now = state.participant_state(participant)
        if state_now is not None:
            socketio.emit(state.EVENT, state_now, to=sid, namespace=NAMESPACE)


def reconcile(current: dict[int, int], moved: set[int]) -> None:
    """Put every local socket of the moved workshops in the rooms it may hear now, and only those."""
    for workshop_id in moved:
        gone = workshop_id not in current
        for sid in _sids(workshop_room(workshop_id)):
            identity = socket_identity(sid)
            if identity is None:
                continue
            if identity.is_facilitator:
                _reconcile_facilitator(sid, identity.id, workshop_id, gone)
            else:
                _reconcile_participant(sid, identity.id, workshop_id, gone)


def resend_states(app: Flask) -> None:
    """Send the state again to every workshop this worker has sockets in (after the message queue was away:
    a broadcast or a phase change made on another worker meanwhile did not reach them)."""
    with app.app_context():
        try:
            for workshop_id in sorted(watched()):
                with committed():  # sends it
                    state.publish_state(workshop_id)
        except Exception:
            log.exception("could not send the workshops' state again")
        finally:
            db.session.remove()


def follow(app: Flask) -> None:
    """Keep this app's socket rooms in step with access (hooked once per app, from its first socket; the
    watcher polls in the app's runtime), and
    send the state again when the message queue comes back."""
    if not app.extensions.get("plume.rooms_follow"):
        app.extensions["plume.rooms_follow"] = True
        watcher(app).add_hook(watched, reconcile)
        hooks = getattr(socketio.server.manager, "on_resubscribed", None)
        if hooks is not None:
            hooks.append(lambda: resend_states(app))
