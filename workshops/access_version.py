"""The workshop's access version: one more for every change of who may read what (`core.access.versions`).

A flush that changes anything `workshops.access` decides from (the phase, a lock, the workshop's status, a
participant's group, a removal, a co-facilitator) adds one to the workshop's `access_version`, in the same
transaction. What is known to change nothing (titles, instructions, the timer, a broadcast, a newcomer's
row, a group's call to the facilitator) is listed in `COSMETIC`; everything else counts, so a new column is
safe by default.

The listeners hook every SQLAlchemy session once this module is imported (`workshops.register`); each
process watches the versions (`core.access_version.Watcher`).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from extensions import db
from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

COSMETIC: dict[type, frozenset[str]] = {
    Workshop: frozenset(
        {
            "title", "question", "language", "joining_open", "participants_choose_group", "deadline",
            "remaining_seconds", "broadcast", "broadcast_at", "published_at", "access_version",
        }
    ),
    Phase: frozenset({"title", "instructions", "duration_seconds"}),
    Group: frozenset({"name", "called_at"}),
    Participant: frozenset({"display_name", "color", "last_seen_at"}),
    WorkshopFacilitator: frozenset(),
}  # fmt: skip


def _workshop_of(obj: object) -> int | None:
    if isinstance(obj, Workshop):
        return obj.id
    if type(obj) in COSMETIC:
        return getattr(obj, "workshop_id", None)
    return None


def _changes_access(obj: object) -> bool:
    """Whether a dirty object changed a column that is not cosmetic."""
    cosmetic = COSMETIC[type(obj)]
    state = inspect(obj)
    return any(
        attr.key not in cosmetic and attr.history.has_changes()
        for attr in state.attrs
        if attr.key in state.mapper.column_attrs
    )


@event.listens_for(Session, "after_flush")
def _bump_versions(session: Session, _context: Any) -> None:
    """Add one to the access version of every workshop whose access this flush changed."""
    touched = set()
    for obj in chain(session.dirty, session.deleted):
        workshop_id = _workshop_of(obj)
        if workshop_id is not None and (obj in session.deleted or _changes_access(obj)):
            touched.add(workshop_id)
    for obj in session.new:  # a newcomer changes nobody's access, but a new group, phase or facilitator may
        if not isinstance(obj, Participant | Workshop):
            workshop_id = _workshop_of(obj)
            if workshop_id is not None:
                touched.add(workshop_id)
    if touched:
        table = Workshop.__table__
        session.connection().execute(
            update(table).where(table.c.id.in_(touched)).values(access_version=table.c.access_version + 1)
        )


COUNTED = {"plume_access_version_set": True}  # execution options of a statement that moves it itself


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of rows that decide access names no objects: every workshop moves, unless
    the statement moves the version itself (`COUNTED`)."""
    if not (state.is_update or state.is_delete) or state.execution_options.get("plume_access_version_set"):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ not in COSMETIC:
        return
    table = Workshop.__table__
    state.session.connection().execute(update(table).values(access_version=table.c.access_version + 1))


def versions(workshop_ids: Iterable[int]) -> dict[int, int]:
    """{workshop id: access version} of those that exist (a deleted workshop is missing)."""
    ids = sorted(set(workshop_ids))
    if not ids:
        return {}
    table = Workshop.__table__
    rows = db.session.execute(select(table.c.id, table.c.access_version).where(table.c.id.in_(ids)))
    return {row.id: row.access_version for row in rows}
