"""The dot-vote on a consultation's published stories (issue 25).

The organiser opens a vote (N dots per voter, readers allowed or not) and closes it for good. A voter is a
participant of one of the consultation's workshops (`p:<id>`) or, when allowed, a reader's browser
(`r:<hmac of the random id in its signed session>`); each has one `Ballot` and spreads up to N dots over the
stories, several on one story if they like, as rows `VoteDot` (ballot, story, dots).

Exactness: `allocate` replaces a voter's whole allocation in one transaction. It takes the vote's row
FOR SHARE (PostgreSQL: a concurrent `close` waits for it, and once closed it finds no open row) and bumps
the ballot's revision under a condition that the vote is still open (SQLite: the first write takes the
database's write lock, so the condition reads the latest state); that bump is the ballot's row lock, so
two tabs, a double click, two workers or a replayed request of the same voter run one after the other.
After writing, the ballot's total is checked against N in the same transaction. A replayed request sets
the same allocation again: nothing is counted twice.

Erasure (issue 26): a participant erased, or deleted with their workshop, leaves the vote by
:func:`forget_voters`. While the vote is open their ballot goes with them (its dots no longer count: the
results are not public yet, and they could still have moved them). Once it is closed the results are public
and final, so their dots stay counted, but the ballot is no longer theirs: its voter key becomes a random
`e:<hex>` and its participant link is cleared, so that nothing ties those dots to the person any more.
A participant's ballot is in their own data (`workshops.own_data`) until then. An allocation reads its
participant FOR SHARE first, so it and an erasure run one after the other.

Live: the callers note each committed change (`consultations.vote_live.changed`); the organisers watching
the vote get its results pushed over Socket.IO (`vote:results`), at most once a second per worker.

Plain functions: they raise `VoteError` (a `RefusedError`, translated) before or instead of writing, and
flush; the caller commits (`core.unit_of_work.committed`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from consultations.models import Ballot, Consultation, Vote, VoteDot
from core.dates import aware
from errors import RefusedError
from extensions import db
from stories.models import Story
from stories.reading import catalog
from workshops.models import Participant, Workshop
from workshops.people import participant_by_token

MIN_DOTS, MAX_DOTS = 1, 20  # dots per voter the organiser may choose
MAX_STORY_ID = 2**31 - 1
MAX_ENTRIES = 2_000  # stories named in one allocation (a form names every published story, mostly with 0)
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{32}")


class VoteError(RefusedError):
    """A vote that cannot be opened, closed or cast; `message` is translated and safe to show."""


@dataclass(frozen=True)
class Voter:
    """Who casts a ballot: `key` is stored (`p:<participant id>` or `r:<hmac>`)."""

    key: str
    participant_id: int | None = None

    @property
    def is_reader(self) -> bool:
        return self.participant_id is None


@dataclass(frozen=True)
class Line:
    """One story's line in the results."""

    story_id: int
    title: str
    dots: int
    voters: int


@dataclass(frozen=True)
class Results:
    lines: list[Line]
    voters: int
    dots: int


# --- Who votes --------------------------------------------------------------------------------------


def vote_of(consultation: Consultation) -> Vote | None:
    return db.session.scalar(select(Vote).where(Vote.consultation_id == consultation.id))


def is_open(vote: Vote | None) -> bool:
    return vote is not None and vote.closed_at is None


def participant_voter(consultation: Consultation, token: object) -> Voter | None:
    """The voter this participant token proves in this consultation: a participant of one of its workshops,
    neither removed nor erased (nor past their workshop's token expiry); else None."""
    participant = participant_by_token(token)
    if participant is None or participant.erased_at is not None:
        return None
    workshop = db.session.get(Workshop, participant.workshop_id)
    if workshop is None or workshop.consultation_id != consultation.id:
        return None
    return Voter(f"p:{participant.id}", participant.id)


def new_browser_id() -> str:
    """A fresh random id for a reader's browser (kept in its signed session cookie)."""
    return secrets.token_urlsafe(24)


def reader_voter(browser_id: object) -> Voter | None:
    """A reader's voter: an HMAC of their browser's id under the app's secret (the id itself is never
    stored); None for a malformed id."""
    if not isinstance(browser_id, str) or not _BROWSER_ID.fullmatch(browser_id):
        return None
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"vote:" + browser_id.encode(), hashlib.sha256).hexdigest()
    return Voter(f"r:{digest}")


# --- Checking input ---------------------------------------------------------------------------------


def clean_dots(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise VoteError("invalid", _("Enter a whole number."))
    if not MIN_DOTS <= value <= MAX_DOTS:
        raise VoteError(
            "out_of_range", _("Enter a number from %(low)d to %(high)d.", low=MIN_DOTS, high=MAX_DOTS)
        )
    return value


def clean_allocation(raw: object, dots: int) -> dict[int, int]:
    """{story id: dots} from a JSON object or a mapping of form fields ({"12": 2}); zeros are dropped.
    Refuses wrong types, ids out of range, negative counts and more than `dots` in all."""
    if not isinstance(raw, Mapping):
        raise VoteError("invalid", _("Send your dots as an object of story ids and numbers of dots."))
    if len(raw) > MAX_ENTRIES:
        raise VoteError("invalid", _("Send your dots as an object of story ids and numbers of dots."))
    allocation: dict[int, int] = {}
    for key, value in raw.items():
        story_id = whole(key)
        count = whole(value)
        if story_id is None or count is None or not 1 <= story_id <= MAX_STORY_ID or count < 0:
            raise VoteError("invalid", _("Send your dots as an object of story ids and numbers of dots."))
        if count > dots:
            raise VoteError("too_many_dots", _("You have %(count)d dots to spread, no more.", count=dots))
        if count:
            allocation[story_id] = allocation.get(story_id, 0) + count
    if sum(allocation.values()) > dots:
        raise VoteError("too_many_dots", _("You have %(count)d dots to spread, no more.", count=dots))
    return allocation


def whole(value: object) -> int | None:
    """A whole number from an int or a short string of digits (form fields, JSON keys); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and 0 < len(value) <= 10 and value.isascii() and value.isdigit():
        return int(value)
    return None


def candidates(consultation: Consultation) -> list[Story]:
    """The stories one may vote on: the consultation's published ones, most recently published first."""
    statement = select(Workshop.id).where(Workshop.consultation_id == consultation.id)
    return catalog.published_in(list(db.session.scalars(statement)))


def _votable(consultation: Consultation, story_ids: Sequence[int]) -> set[int]:
    if not story_ids:
        return set()
    statement = (
        select(Story.id)
        .join(Workshop, Workshop.id == Story.workshop_id)
        .where(
            Story.id.in_(list(story_ids)),
            Workshop.consultation_id == consultation.id,
            catalog.is_published(),
        )
    )
    return set(db.session.scalars(statement))


# --- The organiser's operations ---------------------------------------------------------------------


def open_vote(consultation: Consultation, dots: object, readers: bool) -> Vote:
    """Open the consultation's vote: `dots` per voter, readers allowed or not. Once only."""
    dots = clean_dots(dots)
    if vote_of(consultation) is not None:
        raise VoteError("already_opened", _("This consultation's vote was already opened."))
    if not candidates(consultation):
        raise VoteError(
            "no_stories", _("Publish stories before opening the vote: there is nothing to vote on.")
        )
    vote = Vote(consultation_id=consultation.id, dots=dots, readers=bool(readers))
    db.session.add(vote)
    db.session.flush()
    return vote


def close_vote(consultation: Consultation, now: datetime | None = None) -> Vote:
    """Close the vote for good: its totals no longer move. The conditional update waits for the
    allocations under way (they hold the vote's row FOR SHARE) and sees a concurrent close."""
    vote = vote_of(consultation)
    if vote is None:
        raise VoteError("not_open", _("The vote is not open."))
    result = db.session.execute(
        update(Vote)
        .where(Vote.id == vote.id, Vote.closed_at.is_(None))
        .values(closed_at=now or datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult
        raise VoteError("closed", _("The vote is closed."))
    db.session.flush()
    db.session.refresh(vote)
    return vote


# --- A voter's ballot -------------------------------------------------------------------------------


def allowed(vote: Vote, voter: Voter) -> None:
    if voter.is_reader and not vote.readers:
        raise VoteError(
            "participants_only", _("Only the participants of this consultation's workshops may vote.")
        )


def allocation_of(vote: Vote, voter: Voter) -> dict[int, int]:
    """{story id: dots} of this voter's ballot (empty before their first dot)."""
    statement = (
        select(VoteDot.story_id, VoteDot.dots)
        .join(Ballot, Ballot.id == VoteDot.ballot_id)
        .where(Ballot.vote_id == vote.id, Ballot.voter == voter.key)
    )
    return {story_id: count for story_id, count in db.session.execute(statement)}


def allocate(consultation: Consultation, voter: Voter, raw: object) -> dict[int, int]:
    """Set this voter's whole allocation to `raw` ({story id: dots}), in the caller's one transaction.

    Refuses: the vote not open (or closed meanwhile), a reader when readers may not vote, wrong types,
    more dots than the vote gives, a story that is not a published story of this consultation."""
    vote = vote_of(consultation)
    if vote is None:
        raise VoteError("not_open", _("The vote is not open."))
    if vote.closed_at is not None:
        raise VoteError("closed", _("The vote is closed: dots no longer move."))
    allowed(vote, voter)
    allocation = clean_allocation(raw, vote.dots)
    if set(allocation) - _votable(consultation, list(allocation)):
        raise VoteError(
            "not_votable", _("You may only put dots on the published stories of this consultation.")
        )
    # PostgreSQL: a share lock on the participant first (an erasure, which updates that row before it takes
    # their ballot, waits for us or is seen: the same order as the erasure's, so no deadlock), then on the
    # open vote (a close waits for us, or we see it closed).
    if voter.participant_id is not None and not _still_a_participant(voter.participant_id):
        raise VoteError("removed", _("You were removed from your workshop: you may no longer vote."))
    still_open = db.session.scalar(
        select(Vote.id).where(Vote.id == vote.id, Vote.closed_at.is_(None)).with_for_update(read=True)
    )
    if still_open is None:
        raise VoteError("closed", _("The vote is closed: dots no longer move."))
    ballot_id = _ballot(vote, voter)
    bumped = db.session.execute(
        update(Ballot)
        .where(
            Ballot.id == ballot_id,
            exists().where(Vote.id == vote.id, Vote.closed_at.is_(None)),
        )
        .values(revision=Ballot.revision + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult
        raise VoteError("closed", _("The vote is closed: dots no longer move."))
    if voter.participant_id is not None and not _still_a_participant(voter.participant_id):  # SQLite: now
        raise VoteError("removed", _("You were removed from your workshop: you may no longer vote."))
    db.session.execute(delete(VoteDot).where(VoteDot.ballot_id == ballot_id))
    if allocation:
        db.session.execute(
            insert(VoteDot),
            [{"ballot_id": ballot_id, "story_id": s, "dots": n} for s, n in sorted(allocation.items())],
        )
    total = db.session.scalar(
        select(func.coalesce(func.sum(VoteDot.dots), 0)).where(VoteDot.ballot_id == ballot_id)
    )
    if (total or 0) > vote.dots:  # cannot happen under the ballot's lock: checked all the same
        raise VoteError("too_many_dots", _("You have %(count)d dots to spread, no more.", count=vote.dots))
    db.session.flush()
    return allocation


def _still_a_participant(participant_id: int) -> bool:
    """Whether the participant is neither removed nor erased: FOR SHARE before the ballot is touched
    (PostgreSQL: an erasure under way, which updates the row, is waited for and then seen) and again after
    its first write (SQLite: under the write lock), so that no ballot outlives an erasure run alongside."""
    statement = (
        select(Participant.id)
        .where(
            Participant.id == participant_id,
            Participant.removed_at.is_(None),
            Participant.erased_at.is_(None),
        )
        .with_for_update(read=True)
    )
    return db.session.scalar(statement) is not None


def _ballot(vote: Vote, voter: Voter) -> int:
    """The voter's ballot id, made on their first allocation (a concurrent first one of theirs waits on
    the unique constraint, then finds it)."""
    values = {"vote_id": vote.id, "voter": voter.key, "participant_id": voter.participant_id, "revision": 0}
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    db.session.execute(
        module.insert(Ballot).values(**values).on_conflict_do_nothing(index_elements=["vote_id", "voter"])
    )
    ballot_id = db.session.scalar(
        select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.voter == voter.key)
    )
    if ballot_id is None:  # pragma: no cover - the row was just inserted or found
        raise VoteError("invalid", _("Your vote could not be recorded. Try again."))
    return ballot_id


# --- Erasure and own data ---------------------------------------------------------------------------


def forget_voters(participant_ids: Sequence[int]) -> set[int]:
    """Take these participants out of every vote (they are being erased, or deleted with their workshop):
    a ballot in an open vote is deleted with its dots; one in a closed vote keeps its dots, counted in the
    public results, under a random voter key and without its participant. Flushes; returns the
    consultations whose vote changed (to tell `consultations.vote_live` once committed)."""
    if not participant_ids:
        return set()
    found = db.session.execute(
        select(Ballot.id, Vote.closed_at, Vote.consultation_id)
        .join(Vote, Vote.id == Ballot.vote_id)
        .where(Ballot.participant_id.in_(list(participant_ids)))
    ).all()
    still_open = [ballot_id for ballot_id, closed_at, _consultation in found if closed_at is None]
    if still_open:
        db.session.execute(delete(VoteDot).where(VoteDot.ballot_id.in_(still_open)))
        db.session.execute(delete(Ballot).where(Ballot.id.in_(still_open)))
    for ballot_id, closed_at, _consultation in found:
        if closed_at is not None:
            db.session.execute(
                update(Ballot)
                .where(Ballot.id == ballot_id)
                .values(voter=f"e:{secrets.token_hex(16)}", participant_id=None)
                .execution_options(synchronize_session=False)
            )
    db.session.flush()
    return {consultation_id for _ballot, _closed, consultation_id in found}


def ballots_of(participant_id: int) -> list[dict[str, object]]:
    """The participant's ballots, for their own data: each vote's consultation, state, and their dots."""
    found = db.session.execute(
        select(Ballot.id, Vote.consultation_id, Vote.dots, Vote.opened_at, Vote.closed_at)
        .join(Vote, Vote.id == Ballot.vote_id)
        .where(Ballot.participant_id == participant_id)
        .order_by(Ballot.id)
    ).all()
    ballots: list[dict[str, object]] = []
    for ballot_id, consultation_id, dots, opened_at, closed_at in found:
        placed = db.session.execute(
            select(VoteDot.story_id, Story.title, VoteDot.dots)
            .join(Story, Story.id == VoteDot.story_id)
            .where(VoteDot.ballot_id == ballot_id)
            .order_by(VoteDot.story_id)
        )
        consultation = db.session.get(Consultation, consultation_id)
        ballots.append(
            {
                "consultation_id": consultation_id,
                "consultation": consultation.title if consultation else None,
                "state": "open" if closed_at is None else "closed",
                "dots_per_voter": dots,
                "opened_at": aware(opened_at).isoformat(),
                "closed_at": aware(closed_at).isoformat() if closed_at is not None else None,
                "dots": [{"story_id": s, "title": t, "dots": n} for s, t, n in placed],
            }
        )
    return ballots


# --- Results ----------------------------------------------------------------------------------------


def results(consultation: Consultation, vote: Vote) -> Results:
    """Dots and voters per published story of the consultation (every one, with or without dots), most
    dots first; and how many voters placed at least one dot, and how many dots in all."""
    stories = candidates(consultation)
    rows = db.session.execute(
        select(VoteDot.story_id, func.sum(VoteDot.dots), func.count(VoteDot.ballot_id))
        .join(Ballot, Ballot.id == VoteDot.ballot_id)
        .where(Ballot.vote_id == vote.id)
        .group_by(VoteDot.story_id)
    )
    counted = {story_id: (int(dots), int(voters)) for story_id, dots, voters in rows}
    lines = [Line(story.id, story.title, *counted.get(story.id, (0, 0))) for story in stories]
    lines.sort(key=lambda line: (-line.dots, line.title.casefold(), line.story_id))
    shown = [line.story_id for line in lines]
    voters = (
        db.session.scalar(
            select(func.count(func.distinct(VoteDot.ballot_id)))
            .join(Ballot, Ballot.id == VoteDot.ballot_id)
            .where(Ballot.vote_id == vote.id, VoteDot.story_id.in_(shown))
        )
        if shown
        else 0
    )
    return Results(lines, voters or 0, sum(line.dots for line in lines))


def results_json(vote: Vote, found: Results) -> dict[str, object]:
    return {
        "state": "open" if vote.closed_at is None else "closed",
        "dots_per_voter": vote.dots,
        "readers": vote.readers,
        "voters": found.voters,
        "dots": found.dots,
        "stories": [
            {"id": line.story_id, "title": line.title, "dots": line.dots, "voters": line.voters}
            for line in found.lines
        ],
    }
