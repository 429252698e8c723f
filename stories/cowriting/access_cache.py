"""Access checks for every sync message at the cost of one query per batch, not a few per message.

`core.access.story_access_of` asks the registered rules (`workshops.access`, the only place they live); it
takes about a millisecond, too much for every keystroke. This cache keeps its answer per (identity, story,
facilitator writes) with the workshop's access version (`core.access.versions`), which every change of access
moves. Each batch reads the versions afresh (`persistence.tips`, in the transaction that stores the batch) and
asks `story_access` again where one moved: a lock, a move or a phase change is seen by the very next message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.access import Access, story_access_of
from core.identity import Identity

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

    def check(self, requests: Iterable[Request], versions: dict[int, int]) -> dict[Request, Access]:
        """What each request may do, given {workshop id: access version} read in this transaction."""
        if len(self._answers) > MAX_ENTRIES:
            self._answers.clear()
        answers = {}
        for request in set(requests):
            fingerprint = versions.get(request.workshop_id)  # None: the workshop is gone
            cached = self._answers.get(request)
            if cached is None or cached[0] != fingerprint:
                cached = (fingerprint, _decide(request))
                self._answers[request] = cached
                self.computed += 1
            answers[request] = cached[1]
        return answers


def _decide(request: Request) -> Access:
    return story_access_of(request.identity, request.group_id, facilitator_writes=request.facilitator_writes)
