"""The group's board as plain values (docs/protocol.md, "The board"): its cards read from a story's document
and laid out in columns, most voted first, as the live board shows them (`static/src/board/model.js`).

What the history page (the board after each phase) and the exports read. Pure, no database: the document
is replayed off the event loop (`history.story_history`, `feedback.export`) and read there. A card is read
leniently, as the browser reads it: what the server's rules (`board_rules`) would have refused shows as an
empty value, never as an error, and a colour is kept only as `#rrggbb` (it goes into a style attribute).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Doc

from stories.cowriting import crdt

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_ID = 2**31 - 1  # participant ids are 32-bit: a card naming a larger one names nobody


@dataclass(frozen=True)
class Card:
    """One card: where it stands on the board (`index`), its keys, and each member's dots (> 0) on it."""

    index: int
    id: str
    text: str
    column: str
    author: int | None  # a participant id, as the card says (the reader names it only within the workshop)
    color: str | None  # `#rrggbb`
    used: bool  # its text was inserted into the story
    votes: dict[int, int] = field(default_factory=dict)  # participant id -> dots

    @property
    def dots(self) -> int:
        return sum(self.votes.values())


@dataclass(frozen=True)
class Column:
    name: str  # "" for the unnamed column of a board whose phase lists none
    cards: list[Card]


def whole(value: Any) -> int | None:
    """A Yjs number (pycrdt reads them as floats) as an int; None unless a whole number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _participant(value: Any) -> int | None:
    """A participant id as a card (a number) or its votes (a string of digits) hold it; None if none."""
    if isinstance(value, str):
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else None
    member = whole(value)
    return member if member is not None and 0 < member <= MAX_ID else None


def _votes(value: Any) -> dict[int, int]:
    votes: dict[int, int] = {}
    for voter, dots in value.items() if isinstance(value, dict) else ():
        member, count = _participant(voter), whole(dots)
        if member is not None and count is not None and count > 0:
            votes[member] = count
    return votes


def _card(index: int, value: Any) -> Card | None:
    if not isinstance(value, dict):  # a card is a Y.Map; anything else on the board is no card
        return None
    text, column, color = value.get("text"), value.get("column"), value.get("color")
    card_id = value.get("id")
    return Card(
        index=index,
        id=card_id if isinstance(card_id, str) else str(index),
        text=text if isinstance(text, str) else "",
        column=column if isinstance(column, str) else "",
        author=_participant(value.get("author")),
        color=color if isinstance(color, str) and COLOR.match(color) else None,
        used=value.get("used") is True,
        votes=_votes(value.get("votes")),
    )


def cards(doc: Doc[Any]) -> list[Card]:
    """The cards on the document's board, in the board's order (none when it has no board). Read in one
    transaction: a full board (500 cards of 500 characters) in about 30 ms, against 50 without."""
    with doc.transaction():
        board = doc.get(crdt.BOARD, type=Array).to_py() or []
    return [card for index, value in enumerate(board) if (card := _card(index, value)) is not None]


def layout(found: Sequence[Card], columns: Sequence[str] = (), *, by_votes: bool = True) -> list[Column]:
    """The columns to show: those `columns` lists (a phase's, even empty), then every other column that
    holds cards, in the order of their first card; cards most voted first (ties: the board's order) when
    `by_votes`, else in the board's order."""
    names = list(dict.fromkeys([*columns, *(card.column for card in found)]))

    def order(items: list[Card]) -> list[Card]:
        return sorted(items, key=lambda c: (-c.dots, c.index)) if by_votes else items

    return [Column(name, order([c for c in found if c.column == name])) for name in names]


def as_data(
    laid_out: Sequence[Column], names: Mapping[int, str], *, ids: bool = False, unknown: str | None = None
) -> list[dict[str, Any]]:
    """The cards of `laid_out` as plain data for an export, column by column: text, column, colour, author's
    display name, total dots, each member's dots (by display name) and whether used. `names`: the display
    names of the workshop's participants (an erased one's is already "a participant"); anyone else is
    `unknown`. `ids`: add the participant ids (the history archive has them; the feedback export not)."""

    def person(member: int | None) -> dict[str, Any]:
        name = names.get(member, unknown) if member is not None else unknown
        return (
            {"participant_id": member if member in names else None, "name": name} if ids else {"name": name}
        )

    out = []
    for column in laid_out:
        for card in column.cards:
            author = person(card.author)
            out.append(
                {
                    "id": card.id,
                    "text": card.text,
                    "column": card.column,
                    "color": card.color,
                    "author": author["name"],
                    **({"author_id": author["participant_id"]} if ids else {}),
                    "dots": card.dots,
                    "votes": [
                        {**person(member), "dots": dots}
                        for member, dots in sorted(card.votes.items(), key=lambda v: (-v[1], v[0]))
                    ],
                    "used": card.used,
                }
            )
    return out
