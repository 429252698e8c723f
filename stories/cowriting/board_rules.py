"""The server's rules for the board (docs/protocol.md, "The board"), checked on what an update changed.

A live document records what each writer's update changed while it applies (`LiveStory.recording`: pycrdt's
own events, `Change`), and `judge` decides from them and the phase's rules (`core.access.BoardRules`):
the board changed where the phase does not let it be written, or the story's text where the phase shows
only the board (`locked`); dots in another member's name or past the phase's count (`forbidden`); a card
of the wrong shape, or more than `MAX_CARDS` (`malformed`). It reads only the cards the update touched;
each member's dots are counted over the board (at most `MAX_CARDS` cards) once, then kept up to date from
the changes (`moved_dots`) until a card is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Map

from core.access import BoardRules
from stories.cowriting import board

MAX_CARDS = 500
REQUIRED = {"id": str, "text": str, "column": str}
OPTIONAL: dict[str, tuple[type, ...]] = {"author": (int, float), "color": (str,), "used": (bool,)}
VOTES = "votes"
USED = "used"


@dataclass
class Change:
    """What one update changed: the story's text, and the board's events as (path, map keys or None)."""

    text: bool = False
    board: list[tuple[list[Any], dict[str, Any] | None]] = field(default_factory=list)
    inserted: list[Any] = field(default_factory=list)  # what the update inserted into the board itself
    deleted: bool = False  # it deleted cards


def _dots(value: Any) -> int | None:
    """A vote's dots as an int; None unless a non-negative whole number."""
    dots = board.whole(value)
    return dots if dots is not None and dots >= 0 else None


def _value_ok(key: str, value: Any) -> bool:
    """A card's key other than `id`, `text`, `column`: its type, or a plain value; `votes` of whole dots."""
    if key == VOTES:
        return isinstance(value, Map) and all(_dots(dots) is not None for dots in value.values())
    kinds = OPTIONAL.get(key)
    if kinds is not None:
        return isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool))
    return value is None or isinstance(value, str | int | float | bool)


def card_ok(card: Any) -> bool:
    """A card is a `Y.Map` with string `id`, `text`, `column`, the optional keys of their types, `votes` a
    `Y.Map` of whole dots, and no other nested type."""
    if not isinstance(card, Map):
        return False
    if not all(isinstance(card.get(key), kind) for key, kind in REQUIRED.items()):
        return False
    return all(key in REQUIRED or _value_ok(key, value) for key, value in card.items())


def tally(board: Array[Any]) -> dict[str, int]:
    """The dots each member placed over the whole board (one pass: at most `MAX_CARDS` cards)."""
    totals: dict[str, int] = {}
    for card in board:
        votes = card.get(VOTES) if isinstance(card, Map) else None
        for voter, dots in votes.items() if isinstance(votes, Map) else ():
            totals[voter] = totals.get(voter, 0) + (_dots(dots) or 0)
    return totals


def moved_dots(change: Change) -> dict[str, int] | None:
    """How many dots each member gained (or lost) in `change`; None when it cannot be told from the change
    alone (a card deleted, a card's votes replaced): the tally is then counted again."""
    moved: dict[str, int] = {}
    for card in change.inserted:
        votes = card.get(VOTES) if isinstance(card, Map) else None
        for voter, dots in votes.items() if isinstance(votes, Map) else ():
            moved[voter] = moved.get(voter, 0) + (_dots(dots) or 0)
    for path, keys in change.board:
        if not path or (len(path) == 1 and keys is not None and VOTES in keys):
            if path or change.deleted:
                return None
        elif len(path) == 2 and path[1] == VOTES and keys is not None:
            for voter, what in keys.items():
                new = 0 if what.get("action") == "delete" else _dots(what.get("newValue")) or 0
                moved[voter] = moved.get(voter, 0) + new - (_dots(what.get("oldValue")) or 0)
    return moved


def _new_cards(change: Change, member: str | None) -> tuple[str | None, bool]:
    """(refusal, adds dots) of the cards the update inserted: each well shaped, with no dots but its
    writer's."""
    more = False
    for card in change.inserted:
        if not card_ok(card):
            return "malformed", more
        votes = card.get(VOTES)
        for voter, dots in votes.items() if isinstance(votes, Map) else ():
            if dots and voter != member:
                return "forbidden", more
            more = more or bool(dots)
    return None, more


def _votes(keys: dict[str, Any], member: str | None) -> tuple[str | None, bool]:
    """(refusal, adds dots) of the entries an update changed in one card's `votes`: only the writer's own,
    whole dots."""
    more = False
    for voter, what in keys.items():
        if voter != member:
            return "forbidden", more
        dots = _dots(0 if what.get("action") == "delete" else what.get("newValue"))
        if dots is None:
            return "malformed", more
        more = more or dots > (_dots(what.get("oldValue")) or 0)
    return None, more


def _changed_cards(change: Change, board: Array[Any], member: str | None) -> tuple[str | None, bool]:
    """(refusal, adds dots) of the existing cards the update changed."""
    more = False
    for path, keys in change.board:
        if not path:  # the board itself: inserted cards (`_new_cards`); deletions need no check
            continue
        if not isinstance(path[0], int) or path[0] >= len(board):
            return "malformed", more
        if len(path) == 1:
            if not card_ok(board[path[0]]):
                return "malformed", more
        elif len(path) == 2 and path[1] == VOTES and keys is not None:
            refusal, added = _votes(keys, member)
            if refusal:
                return refusal, more
            more = more or added
        else:
            return "malformed", more  # a type nested deeper than a card's votes
    return None, more


def _only_marks_used(change: Change) -> bool:
    """Whether the update only marks cards as used in the story (what inserting a card's text does, in a
    phase that shows the board read-only beside the story)."""
    return all(
        len(path) == 1
        and keys is not None
        and set(keys) == {USED}
        and keys[USED].get("action") != "delete"
        and isinstance(keys[USED].get("newValue"), bool)
        for path, keys in change.board
    )


def judge(change: Change, board: Array[Any], rules: BoardRules, placed: Callable[[str], int]) -> str | None:
    """The refusal code for an update that made `change` (the document after it), or None; `placed`: the
    dots a member has on the board after it."""
    if change.text and not rules.text:
        return "locked"
    if not change.board:
        return None
    if rules.board != "write" and not (rules.board == "read" and rules.text and _only_marks_used(change)):
        return "locked"
    if change.inserted and len(board) > MAX_CARDS:
        return "malformed"
    member = None if rules.member is None else str(rules.member)
    refusal, more_new = _new_cards(change, member)
    if refusal:
        return refusal
    refusal, more_old = _changed_cards(change, board, member)
    if refusal:
        return refusal
    if (more_new or more_old) and (member is None or placed(member) > rules.dots):
        return "forbidden"
    return None
