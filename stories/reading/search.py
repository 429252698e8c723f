"""Accent-insensitive full-text search over published stories, the same on SQLite and PostgreSQL.

Publishing stores each story's `search_text`: its words folded (NFKD, combining marks dropped, case-folded,
ligatures spelt out) and separated by single spaces. A query is folded the same way and split into terms;
a story matches when every term occurs in it (as a word or the start of one), and results are ranked by
how often the terms occur, the newest first among equals. Plain `LIKE` and `replace()`: no extension, no
FTS table to keep in sync, and "sante" finds "santé" on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Integer, and_, cast, func, literal, select

from extensions import db
from stories.models import Story, StoryTheme
from stories.reading.catalog import is_published

MAX_QUERY = 200  # characters of a query that are read
MAX_TERMS = 8
MAX_TERM = 40
LIMIT = 50

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ﬁ": "fi", "ﬂ": "fl", "ø": "o"})
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case words without accents, joined by single spaces: "Santé, l’Œuvre" → "sante l oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_WORD.findall(bare))


def terms(query: str) -> list[str]:
    """The distinct folded terms of a query, in order, at most MAX_TERMS of at most MAX_TERM characters."""
    found: list[str] = []
    for term in fold((query or "")[:MAX_QUERY]).split():
        term = term[:MAX_TERM]
        if term not in found:
            found.append(term)
    return found[:MAX_TERMS]


def _occurs(term: str) -> ColumnElement[bool]:
    """The term starts a word of the folded text (which begins with a space: see `_padded`)."""
    return _padded().like(f"% {term}%")  # terms hold letters and digits only: no LIKE wildcard to escape


def _padded() -> ColumnElement[str]:
    return literal(" ") + Story.search_text


def _occurrences(term: str) -> ColumnElement[int]:
    """How many times ` term` occurs in the padded text: (length - length without it) / length of it."""
    needle = " " + term
    removed = func.length(_padded()) - func.length(func.replace(_padded(), needle, ""))
    return cast(removed / len(needle), Integer)


def search(
    query: str, theme: str | None = None, limit: int = LIMIT, *, workshop_ids: Sequence[int] | None = None
) -> list[Story]:
    """Published stories matching every term of `query` (and tagged `theme`, if given), best first; only
    those of `workshop_ids` when given (a consultation's).

    No terms and no theme: no results (the caller shows the search form).
    """
    found = terms(query)
    if not found and not theme:
        return []
    conditions: list[ColumnElement[bool]] = [is_published(), *(_occurs(t) for t in found)]
    if theme:
        conditions.append(Story.id.in_(select(StoryTheme.story_id).where(StoryTheme.slug == theme[:60])))
    if workshop_ids is not None:
        conditions.append(Story.workshop_id.in_(list(workshop_ids)))
    statement = select(Story).where(and_(*conditions))
    if found:
        score = sum((_occurrences(t) for t in found[1:]), _occurrences(found[0]))
        statement = statement.order_by(score.desc(), Story.published_at.desc(), Story.id.desc())
    else:
        statement = statement.order_by(Story.published_at.desc(), Story.id.desc())
    return list(db.session.scalars(statement.limit(limit)))
