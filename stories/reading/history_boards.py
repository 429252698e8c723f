"""The group's board in a story's history (docs/history.md, "The board after each phase"): the cards as they
stood at each phase end and now, read from the replays `history.story_history` made (off the event loop),
laid out in the columns of the phase they stood in, most voted first, their people named as
`history.card_people` says (an erased participant is "a participant", as everywhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stories.cowriting import board, history
from workshops.models import Workshop


@dataclass
class Boards:
    after: dict[int, list[board.Column]]  # checkpoint id -> the board at that phase end (absent: no card)
    now: list[board.Column]  # the board now (empty: no card)
    people: dict[int, history.Member]  # who the cards may name (`history.card_people`)
    counts_hidden: bool  # the dots of the board now are not shown (nor sorted by)
    unchanged: set[int] = field(default_factory=set)  # checkpoint ids whose board is the previous one's

    def names(self) -> dict[int, str]:
        return {member_id: member.name for member_id, member in self.people.items()}


def dots_hidden(workshop: Workshop) -> bool:
    """Whether the phase under way hides the dot counts from the participants until a reveal."""
    if workshop.status not in ("running", "paused"):
        return False
    return any(p.dots_hidden for p in workshop.phases if p.position == workshop.phase_index)


def boards(found: history.History, *, counts_hidden: bool = False) -> Boards:
    """The board after each phase that ended (exact checkpoints only) and now; `counts_hidden`: show the
    board now without its dots, in the board's order (a participant while the phase hides the counts)."""
    workshop = found.story.workshop
    cards = [card for point in found.checkpoints for card in point.cards] + found.now.cards
    people = history.card_people(found.story, cards, also=found.members) if cards else {}
    after = {
        point.row.id: board.layout(point.cards, workshop.phase_columns(point.row.phase_position))
        for point in found.checkpoints
        if point.cards
    }
    now = (
        board.layout(
            found.now.cards, workshop.phase_columns(workshop.phase_index), by_votes=not counts_hidden
        )
        if found.now.cards
        else []
    )
    unchanged = {
        point.row.id
        for before, point in zip(found.checkpoints, found.checkpoints[1:], strict=False)
        if point.cards and point.cards == before.cards
    }
    return Boards(after, now, people, counts_hidden, unchanged)


def as_data(boards: Boards, columns: list[board.Column]) -> list[dict[str, Any]]:
    """A board for the archive (`history_export`): its cards with their authors' and voters' ids and names."""
    return board.as_data(columns, boards.names(), ids=True)
