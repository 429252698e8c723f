"""Access that follows the workshop: each process watches the access versions of the workshops its sockets
are in and re-checks them when one moves.

Every change of who may read what moves its workshop's access version (the rules say which versions:
`core.access.versions`; `workshops.access_version` moves them). `Watcher`, a background loop, calls its
hooks with the workshops whose version moved, so that sockets leave the rooms they may no longer hear, on
every worker, within `POLL_SECONDS`. Decisions cached per version (the writer's access cache) are right as
long as the version has not moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask

from core import runtime
from core.access import versions
from extensions import db

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25


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
