"""Socket.IO connection handling: authenticate, then join the workshop's and group's rooms."""

from __future__ import annotations

from typing import Any

from flask_socketio import ConnectionRefusedError, join_room

from extensions import db, socketio
from workshops.access import facilitates
from workshops.identity import identify
from workshops.models import Participant
from workshops.realtime import (
    facilitators_room,
    group_room,
    save_identity,
    workshop_room,
)


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Refuse sockets without a valid identity; put the others in their rooms.

    Participants join their workshop's and group's rooms. Facilitators pass `{"role": "facilitator",
    "workshop_id": N}` and join that workshop's rooms when they run it.
    """
    identity = identify(auth if isinstance(auth, dict) else None)
    if identity is None:
        raise ConnectionRefusedError("unauthorized")
    if identity.is_facilitator:
        workshop_id = auth.get("workshop_id") if isinstance(auth, dict) else None
        if workshop_id is not None:
            if not isinstance(workshop_id, int) or not facilitates(identity.id, workshop_id):
                raise ConnectionRefusedError("forbidden")
            join_room(workshop_room(workshop_id))
            join_room(facilitators_room(workshop_id))
        save_identity(identity, workshop_id=workshop_id)
    else:
        participant = db.session.get(Participant, identity.id)
        join_room(workshop_room(participant.workshop_id))
        join_room(group_room(participant.group_id))
        save_identity(identity, workshop_id=participant.workshop_id)
    db.session.remove()
