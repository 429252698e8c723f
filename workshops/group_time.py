"""A group's own time: the facilitator gives one group N more minutes without moving everyone's clock.

`Group.extra_seconds` is how much later than everyone's deadline the group's own one is, in the current phase
(while paused: how much more time it has left). The group's participants get their own deadline in their
`workshop:state` (`workshops.state`), the console gets it on the group's card; the next phase clears it
(`workshops.live.write_clock`), and so does "Lock all".

At everyone's deadline the phase's action runs as usual (`workshops.deadlines`), but a group with time of its
own is not held by the lock of every editor, nor told that time is up (`workshops.access.is_locked`). When its
own deadline passes, the deadline loop takes its extra time back (:func:`run_due`): the phase's lock, or its
signal, then reaches it as it reached the others. Not in a phase that moves everyone on at its deadline
(`advance`): the phase would end under the group; give the whole room more time instead.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from core.dates import aware
from core.unit_of_work import committed
from extensions import db
from workshops import access_version, phases, state
from workshops.models import Group, Workshop

log = logging.getLogger(__name__)


def give(workshop: Workshop, group: Group, seconds: int, now: datetime) -> None:
    """Give `group` `seconds` more than it has (flushed, the state queued; the caller commits).

    Raises `phases.PhaseError` (`not_running`) outside a live phase; the caller refuses a phase that
    advances at its deadline.
    """
    group.extra_seconds = phases.more_time(state.clock_of(workshop), group.extra_seconds or 0, seconds, now)
    db.session.flush()
    state.publish_state(workshop.id, now)


def due(now: datetime) -> list[tuple[int, int, int]]:
    """``(workshop id, group id, extra seconds)`` of groups whose own deadline has passed, in running
    workshops whose deadline action has run."""
    rows = db.session.execute(
        select(Workshop.id, Workshop.deadline, Group.id, Group.extra_seconds)
        .join(Group, Group.workshop_id == Workshop.id)
        .where(
            Workshop.status == phases.Status.RUNNING.value,
            Workshop.deadline_handled.is_(True),
            Workshop.deadline <= now,
            Group.extra_seconds > 0,
        )
    ).all()
    return [
        (workshop_id, group_id, extra)
        for workshop_id, deadline, group_id, extra in rows
        if aware(deadline) + timedelta(seconds=extra) <= now
    ]


def take_back(workshop_id: int, group_id: int, extra: int, now: datetime) -> bool:
    """End the group's own time if it is still `extra` (of two workers, or a worker and a "+2 min", one
    lands), and commit: its access moves, its new state goes out. Whether this call ended it."""
    with committed():
        ended = db.session.execute(
            update(Group)
            .where(Group.id == group_id, Group.extra_seconds == extra)
            .values(extra_seconds=0)
            .execution_options(synchronize_session=False, **access_version.COUNTED)
        )
        if ended.rowcount != 1:
            return False
        db.session.execute(
            update(Workshop)
            .where(Workshop.id == workshop_id)
            .values(access_version=Workshop.access_version + 1)
            .execution_options(synchronize_session=False, **access_version.COUNTED)
        )
        state.publish_state(workshop_id, now)
    log.info("workshop %s: group %s's own time is up", workshop_id, group_id)
    return True


def run_due(now: datetime) -> list[int]:
    """One pass: end the own time of every group whose own deadline passed; the ids of the groups it ended."""
    done: list[int] = []
    for workshop_id, group_id, extra in due(now):
        try:
            if take_back(workshop_id, group_id, extra, now):
                done.append(group_id)
        except Exception:
            log.exception("own time of group %s not ended", group_id)
    return done
