"""When a phase's time runs out: its deadline action (signal, lock the editors, or go on), run once.

Every worker runs the same periodic pass (:func:`register` hands :func:`run_due` to the app's runtime,
`core/runtime.py`). Each pass finds the running workshops whose deadline has passed and whose action has
not run yet, and claims each one with a conditional UPDATE on the clock version it read
(:func:`workshops.live.write_clock`): of several workers, or of a worker and a facilitator's command, exactly
one write lands, so a phase never advances twice. The winner queues the new state and commits
(`core.unit_of_work.committed`, one transaction per workshop): the state goes out with the commit
(:mod:`core.outbox`), and the phase's end is announced after it.

- ``signal``: nothing changes but the flag; every screen gets the state (it chimes and says time is up).
- ``lock``: every group's editor is locked (lifted again by the next phase or by more time).
- ``advance``: the next phase starts now (the last phase finishes the workshop).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import runtime, settings
from core.outbox import on_commit
from core.unit_of_work import committed
from extensions import db
from workshops import group_time, live, phases, state
from workshops.models import Workshop

log = logging.getLogger(__name__)

INTERVAL = 0.5
"""Seconds between two passes: a deadline action runs at most this late."""


def due(now: datetime) -> list[tuple[int, int]]:
    """``(workshop id, clock version)`` of running workshops past their deadline, action not run yet."""
    rows = db.session.execute(
        select(Workshop.id, Workshop.clock_version).where(
            Workshop.status == phases.Status.RUNNING.value,
            Workshop.deadline <= now,
            Workshop.deadline_handled.is_(False),
        )
    ).all()
    return [(row[0], row[1]) for row in rows]


def run_action(workshop_id: int, version: int, now: datetime) -> str | None:
    """Run the deadline action of the workshop's current phase if its clock is still at `version`, and commit
    (one unit of work per workshop: the new state goes out, a phase that ended is announced).

    Returns the action that this call ran, or None (not due, or another writer got there first).
    """
    with committed():
        ran = _take_action(workshop_id, version, now)
    if ran is None:
        return None
    action, position = ran
    log.info("workshop %s: deadline of phase %s reached, %s", workshop_id, position, action)
    return action


def _take_action(workshop_id: int, version: int, now: datetime) -> tuple[str, int] | None:
    """Claim and apply the action (flushed, its state and announcement queued): (action, phase position),
    or None when there is nothing to do or another writer claimed it (nothing written)."""
    workshop = db.session.scalar(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .options(selectinload(Workshop.phases), selectinload(Workshop.groups))
    )
    if workshop is None or workshop.clock_version != version or workshop.deadline_handled:
        return None
    before = state.clock_of(workshop)
    if not phases.is_overtime(before, now) or not workshop.phases:
        return None
    phase = next((p for p in workshop.phases if p.position == before.phase), workshop.phases[-1])
    action = phase.at_deadline
    ended: tuple[int, str] | None = None
    if action == "advance":
        durations = [p.duration_seconds for p in workshop.phases]
        after = phases.apply(before, phases.Command("next"), durations, now)
        ended = (phase.position, phase.title)
        won = live.write_clock(
            workshop_id, version, after, deadline_handled=False, **live.finish_columns(before, after, now)
        )
    else:
        columns: dict[str, Any] = {"deadline_handled": True}
        if action == "lock":
            columns["all_locked"] = True
        won = live.write_clock(workshop_id, version, before, bump=False, unhandled_only=True, **columns)
    if not won:
        return None  # its conditional UPDATE changed no row
    state.publish_state(workshop_id, now)
    if ended is not None:
        on_commit(partial(live.announce_phase_end, workshop_id, *ended))
    return action, phase.position


def run_due(now: datetime | None = None) -> list[tuple[int, str]]:
    """One pass: run every due deadline action; ``(workshop id, action)`` of those this call ran. Then end the
    own time of the groups whose own deadline passed (`workshops.group_time`)."""
    now = now or datetime.now(UTC)
    done = []
    for workshop_id, version in due(now):
        try:
            action = run_action(workshop_id, version, now)
        except Exception:
            log.exception("deadline action of workshop %s failed", workshop_id)
            continue
        if action is not None:
            done.append((workshop_id, action))
    group_time.run_due(now)
    return done


def register(app: Flask) -> None:
    """Run :func:`run_due` every :data:`INTERVAL` in each worker (not in tests, which drive it themselves)."""
    if app.testing or not settings.of(app).deadline_loop:
        return
    runtime.of(app).every(INTERVAL, run_due, "deadlines")
