"""The vote's results, live for the consultation's organisers (issue 25).

A ballot cast, moved or erased, and the vote opened or closed, note the consultation here once committed
(:func:`changed`: a set insertion). The worker that noted it pushes one `vote:results` with the whole
results to the consultation's vote room (`vote:join`, `consultations.overview_sockets`), when somebody
watches it there (on this worker or, through the message queue, on another): on the overview's tick and
with its coalescing (`consultations.overview.follow`): at once after a quiet moment, then at most once a
second, so that a burst of 50 ballots costs a push or two per worker, each with the totals as committed.
What a push reads is bounded by the consultation's published stories, not by the ballots noted.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from consultations import overview
from consultations import vote as votes
from consultations.models import Consultation
from core.events import VoteResults
from core.outbox import emit_now
from extensions import db

log = logging.getLogger(__name__)

CHANGES = overview.Changes()


def vote_room(consultation_id: int) -> str:
    return f"vote:{consultation_id}"


def changed(consultation_id: int) -> None:
    """Note that the consultation's vote moved (call it once the change is committed)."""
    CHANGES.note(consultation_id)


def snapshot(consultation_id: int) -> dict[str, Any] | None:
    """The vote's results as `results.json` says them, or None before the vote is opened."""
    consultation = db.session.get(Consultation, consultation_id)
    vote = votes.vote_of(consultation) if consultation is not None else None
    found = votes.results_json(vote, votes.results(consultation, vote)) if consultation and vote else None
    db.session.rollback()  # end the read before the caller emits (no transaction across a switch)
    return found


def push_changes() -> int:
    """Push the results of the consultations whose vote moved since the last push, to their vote rooms
    (only those somebody watches); how many were pushed. Run on the overview's tick."""
    taken = CHANGES.take()
    pushed = 0
    try:
        for consultation_id in sorted(taken):
            if not overview.watched_room(vote_room(consultation_id)):
                continue
            results = snapshot(consultation_id)
            if results is None:
                continue
            emit_now(
                VoteResults(consultation_id=consultation_id, results=results), to=vote_room(consultation_id)
            )
            pushed += 1
    except Exception:
        log.exception("vote: could not push the results of consultations %s", sorted(taken)[:20])
    finally:
        db.session.remove()
    return pushed


def register(app: Flask) -> None:
    """Push on the overview's tick (`consultations.overview.register` runs it in each worker)."""
    overview.follow(CHANGES, push_changes)
