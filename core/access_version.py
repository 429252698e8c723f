"""Access that follows the workshop: a version that every change of who-may-read-what increments.

A flush that changes anything `core.access` decides from (the phase, a lock, the workshop's status, a
participant's group, a removal, a co-facilitator) adds one to the workshop's `access_version`, in the same
transaction. What is known to change nothing (titles, instructions, the timer, a broadcast, a newcomer's
row) is listed in `COSMETIC`; everything else counts, so a new column is safe by default.

Each process watches the versions of the workshops its sockets are in (`Watcher`, a background loop) and
calls its hooks with the workshops whose version moved, so that sockets leave the rooms they may no longer
hear, on every worker, within `POLL_SECONDS`. Decisions cached per version (the writer's access cache) are
right as long as the version has not moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from flask import Flask
from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from core import runtime
from extensions import db
from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25

COSMETIC: dict[type, frozenset[str]] = {
    Workshop: frozenset(
        {
            "title", "question", "language", "joining_open", "participants_choose_group", "deadline",
            "remaining_seconds", "broadcast", "broadcast_at", "published_at", "access_version",
        }
    ),
    Phase: frozenset({"title", "instructions", "duration_seconds"}),
    Group: frozenset({"name"}),
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


Hook = Callable[[dict[int, int], set[int]], None]


class Watcher:
    """This process's loop over the versions of the workshops its sockets are in."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.hooks: list[tuple[Callable[[], set[int]], Hook]] = []
        self.seen: dict[int, int] = {}

    def add_hook(self, watched: Callable[[], set[int]], hook: Hook) -> None:
        """`watched()` names workshops to follow; each poll calls `hook(current versions, moved ids)`.

        A workshop seen for the first time, or gone, counts as moved.
        """
        self.hooks.append((watched, hook))

    def poll(self) -> set[int]:
        """Read the watched workshops' versions and call every hook; return the workshops that moved."""
        watched = set().union(*(w() for w, _ in self.hooks))
        if not watched:
            self.seen = {}
            return set()
        current = versions(watched)
        db.session.rollback()
        moved = {w for w in watched if current.get(w) != self.seen.get(w)}
        self.seen = current
        for _, hook in self.hooks:
            try:
                hook(current, moved)
            except Exception:
                log.exception("access change hook failed for workshops %s", sorted(moved))
            finally:
                db.session.rollback()
        return moved


def watcher(app: Flask) -> Watcher:
    """The app's watcher (one per process and app)."""
    found = app.extensions.get("plume.access_watcher")
    if found is None:
        found = app.extensions["plume.access_watcher"] = Watcher(app)
        runtime.of(app).every(POLL_SECONDS, found.poll, "access-watcher")  # from its first hook on
    return found
