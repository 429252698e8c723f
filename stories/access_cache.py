"""Access checks for every sync message at the cost of a few queries per batch, not per message.

`workshops.access.story_access` decides (the rules live there only); it takes about a millisecond, too much
for every keystroke. This cache keeps its answer per (identity, story, facilitator writes) together with a
fingerprint of every column that `story_access` reads: the participant's workshop and group, the workshop's
status, lock and phase, that phase's editors and visibility, the workshop's groups (position, lock) and
whether a facilitator runs the workshop. Each batch reads those fingerprints afresh, in the transaction
that stores the batch, and asks `story_access` again for any that changed: a lock, a move or a phase
change is seen by the very next message. If `story_access` comes to read another column, add it here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from extensions import db
from workshops.access import Access, story_access
from workshops.identity import Identity
from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class Request:
    identity: Identity | None
    story_id: int
    workshop_id: int
    group_id: int
    facilitator_writes: bool = False


class AccessCache:
    """Used by one thread (the writer), inside its batch transaction."""

    def __init__(self) -> None:
        self._answers: dict[Request, tuple[Any, Access]] = {}
        self.computed = 0  # how many times story_access actually ran (for tests and the bench)

    def check(self, requests: Iterable[Request]) -> dict[Request, Access]:
        requests = set(requests)
        if not requests:
            return {}
        fingerprints = _fingerprints(requests)
        if len(self._answers) > MAX_ENTRIES:
            self._answers.clear()
        answers = {}
        for request in requests:
            fingerprint = fingerprints[request]
            cached = self._answers.get(request)
            if cached is None or cached[0] != fingerprint:
                cached = (fingerprint, _decide(request))
                self._answers[request] = cached
                self.computed += 1
            answers[request] = cached[1]
        return answers


def _decide(request: Request) -> Access:
    group = db.session.get(Group, request.group_id)
    if group is None:
        return Access.none()
    return story_access(request.identity, group, facilitator_writes=request.facilitator_writes)


def _fingerprints(requests: set[Request]) -> dict[Request, Any]:
    """What `story_access` reads, per request, in at most three queries (Core: this runs per batch)."""
    workshop_ids = {r.workshop_id for r in requests}
    participant_ids = {r.identity.id for r in requests if r.identity and not r.identity.is_facilitator}
    facilitator_ids = {r.identity.id for r in requests if r.identity and r.identity.is_facilitator}
    workshop, group, phase = Workshop.__table__.c, Group.__table__.c, Phase.__table__.c
    connection = db.session.connection()
    workshops: dict[int, list[tuple[Any, ...]]] = {}
    for row in connection.execute(
        select(
            workshop.id,
            workshop.status,
            workshop.all_locked,
            workshop.phase_index,
            phase.editors_open,
            phase.visibility,
            group.id,
            group.position,
            group.locked,
        )
        .select_from(Workshop.__table__)
        .join(Group.__table__, group.workshop_id == workshop.id)
        .outerjoin(
            Phase.__table__, and_(phase.workshop_id == workshop.id, phase.position == workshop.phase_index)
        )
        .where(workshop.id.in_(workshop_ids))
        .order_by(workshop.id, group.id)
    ):
        workshops.setdefault(row[0], []).append(tuple(row))
    participants = {}
    if participant_ids:
        people = Participant.__table__.c
        participants = {
            row.id: tuple(row)
            for row in connection.execute(
                select(people.id, people.workshop_id, people.group_id).where(people.id.in_(participant_ids))
            )
        }
    runs = set()
    if facilitator_ids:
        runners = WorkshopFacilitator.__table__.c
        runs = {
            tuple(row)
            for row in connection.execute(
                select(runners.facilitator_id, runners.workshop_id).where(
                    runners.facilitator_id.in_(facilitator_ids), runners.workshop_id.in_(workshop_ids)
                )
            )
        }
    found = {}
    for request in requests:
        who: Any = None
        if request.identity is not None:
            if request.identity.is_facilitator:
                who = (request.identity.id, request.workshop_id) in runs
            else:
                who = participants.get(request.identity.id)
        found[request] = (tuple(workshops.get(request.workshop_id, ())), who)
    return found
