"""What readers may see: published stories and the collections (one per workshop) that hold them.

Every reader-facing query (pages, search, feeds, exports, API, sitemap) starts here, so that the one rule,
"a story is public when `published_at` is set", lives in one place.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from consultations.models import Consultation
from core.dates import aware
from extensions import db
from ids import parse_id
from stories.models import Story, StoryTheme
from workshops.models import Group, Workshop

WORDS_PER_MINUTE = 200


def is_published() -> ColumnElement[bool]:
    """The one condition that makes a story public."""
    return Story.published_at.is_not(None)


def _stories() -> Select[tuple[Story]]:
    """Published stories with what their cards show loaded."""
    return (
        select(Story)
        .where(is_published())
        .options(selectinload(Story.themes), joinedload(Story.workshop), joinedload(Story.group))
    )


@dataclass(frozen=True)
class Collection:
    """A workshop's published stories, in the order of its groups."""

    workshop: Workshop
    stories: list[Story]

    @property
    def published_at(self) -> datetime:
        """When the collection opened (its first publication), in UTC."""
        first = self.workshop.published_at or min(s.published_at for s in self.stories if s.published_at)
        return aware(first)

    @property
    def updated_at(self) -> datetime:
        """When one of its stories was last published or updated, in UTC."""
        return max(aware(s.revised_at or s.published_at) for s in self.stories if s.published_at)


def published_story(story_id: int) -> Story | None:
    return db.session.scalar(_stories().where(Story.id == story_id))


def collection(workshop_id: int) -> Collection | None:
    """The workshop's published stories; None when it has none (readers then get a 404)."""
    workshop = db.session.get(Workshop, workshop_id) if parse_id(workshop_id) is not None else None
    if workshop is None:
        return None
    statement = (
        _stories()
        .join(Group, Group.id == Story.group_id)
        .where(Story.workshop_id == workshop_id)
        .order_by(Group.position, Story.id)
    )
    stories = list(db.session.scalars(statement))
    return Collection(workshop, stories) if stories else None


def collections() -> list[Collection]:
    """Every workshop with published stories, the most recently published first."""
    stories = db.session.scalars(_stories().join(Group, Group.id == Story.group_id).order_by(Group.position))
    by_workshop: dict[int, list[Story]] = {}
    for story in stories:
        by_workshop.setdefault(story.workshop_id, []).append(story)
    found = [Collection(group[0].workshop, group) for group in by_workshop.values()]
    return sorted(found, key=lambda c: (c.published_at, c.workshop.id), reverse=True)


def consultation_workshops(consultation_id: int) -> list[int] | None:
    """The ids of a consultation's workshops; None when there is no such consultation."""
    if parse_id(consultation_id) is None or db.session.get(Consultation, consultation_id) is None:
        return None
    return list(db.session.scalars(select(Workshop.id).where(Workshop.consultation_id == consultation_id)))


def published_in(workshop_ids: Sequence[int]) -> list[Story]:
    """The published stories of these workshops (a consultation's), the most recently published first."""
    statement = (
        _stories()
        .where(Story.workshop_id.in_(list(workshop_ids)))
        .order_by(Story.published_at.desc(), Story.id.desc())
    )
    return list(db.session.scalars(statement)) if workshop_ids else []


def latest(limit: int = 6, offset: int = 0, workshop_id: int | None = None) -> list[Story]:
    """Published stories, the most recently published first."""
    statement = _stories().order_by(Story.published_at.desc(), Story.id.desc())
    if workshop_id is not None:
        statement = statement.where(Story.workshop_id == workshop_id)
    return list(db.session.scalars(statement.limit(limit).offset(offset)))


def kept() -> list[Story]:
    """The anonymous stories kept from deleted workshops (in no collection), the most recent first."""
    statement = _stories().where(Story.workshop_id.is_(None))
    return list(db.session.scalars(statement.order_by(Story.published_at.desc(), Story.id.desc())))


def neighbours(story: Story) -> tuple[Story | None, Story | None]:
    """The previous and next published stories of the same collection (none for an anonymous story)."""
    if story.detached:
        return None, None
    found = collection(story.workshop_id)
    if found is None or story not in found.stories:
        return None, None
    ids = [s.id for s in found.stories]
    index = ids.index(story.id)
    previous = found.stories[index - 1] if index > 0 else None
    following = found.stories[index + 1] if index + 1 < len(ids) else None
    return previous, following


@dataclass(frozen=True)
class ThemeCount:
    slug: str
    label: str
    count: int


def best_spelling(counts: dict[str, int]) -> str:
    """The one label shown for a theme among the spellings stories gave it ("sante", "Santé", "santé").

    Accents first (they cannot be guessed back from "sante"), then the most used, then lower case (a theme
    is a word, not a title), then the first in alphabetical order so that every page picks the same.
    """
    return min(counts, key=lambda label: (-_accents(label), -counts[label], label != label.lower(), label))


def _accents(label: str) -> int:
    return sum(1 for c in unicodedata.normalize("NFD", label) if unicodedata.combining(c))


def spellings() -> dict[str, str]:
    """Each theme's slug → its best spelling over every published story (the same on every page)."""
    statement = (
        select(StoryTheme.slug, StoryTheme.label, func.count(StoryTheme.story_id))
        .join(Story, Story.id == StoryTheme.story_id)
        .where(is_published())
        .group_by(StoryTheme.slug, StoryTheme.label)
    )
    by_slug: dict[str, dict[str, int]] = {}
    for slug, label, count in db.session.execute(statement):
        by_slug.setdefault(slug, {})[label] = count
    return {slug: best_spelling(counts) for slug, counts in by_slug.items()}


def themes(workshop_id: int | None = None, *, workshop_ids: Sequence[int] | None = None) -> list[ThemeCount]:
    """The themes of published stories with how many stories carry each, the most used first (of one
    workshop's stories, or of several workshops' when given)."""
    statement = (
        select(StoryTheme.slug, func.count(StoryTheme.story_id))
        .join(Story, Story.id == StoryTheme.story_id)
        .where(is_published())
        .group_by(StoryTheme.slug)
    )
    if workshop_id is not None:
        statement = statement.where(Story.workshop_id == workshop_id)
    if workshop_ids is not None:
        statement = statement.where(Story.workshop_id.in_(list(workshop_ids)))
    labels = spellings()
    found = [ThemeCount(slug, labels.get(slug, slug), count) for slug, count in db.session.execute(statement)]
    return sorted(found, key=lambda t: (-t.count, t.label.casefold()))


def theme_label(slug: str) -> str | None:
    """The label of a theme that published stories carry, else None."""
    return spellings().get(slug)


def story_themes(story: Story, labels: dict[str, str]) -> list[tuple[str, str]]:
    """A story's themes as (slug, label), spelled as the theme cloud spells them (`labels`: `spellings()`)."""
    return [(t.slug, labels.get(t.slug, t.label)) for t in story.themes]


def authors(story: Story) -> list[str]:
    """The names the story is credited to, in order; none when the group chose to stay anonymous."""
    if story.credit_anonymous:
        return []
    return [name for name in (story.credits or "").split("\n") if name.strip()]


def minutes_for(words: int) -> int:
    """Minutes to read so many words, at least one."""
    return max(1, math.ceil((words or 0) / WORDS_PER_MINUTE))


def reading_minutes(story: Story) -> int:
    return minutes_for(story.published_words)


def tagged(stories: Sequence[Story], theme: str | None) -> list[Story]:
    """The stories carrying the theme `theme` (all of them when no theme is given)."""
    return [s for s in stories if not theme or any(t.slug == theme for t in s.themes)]
