"""The anthology of a consultation: its published stories, workshop after workshop, as one book (EPUB and
PDF), made by the workshop anthology's code (`stories.reading.exports.book_epub`, `pdf.book_pdf`).

Only published stories (`stories.reading.catalog.published_in`, the one rule of what is public), at most
`MAX_STORIES` of them (the first ones, workshop after workshop): what the book is made of is read here on
the loop, in the consultation's language, and the file is made off it within the work budget.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from consultations import collection
from consultations.models import Consultation
from core import language
from core.dates import aware
from stories.models import Story
from stories.reading import catalog, exports, pdf
from stories.reading.exports import AnthologyCopy
from stories.reading.links import public_url

MAX_STORIES = 300


def stories_of(consultation: Consultation) -> list[Story]:
    """The consultation's published stories in the order of its workshops, then of their groups."""
    found = catalog.published_in(collection.workshop_ids(consultation))

    def place(story: Story) -> tuple[int, int, int]:
        group = story.group
        return (story.workshop_id or 0, group.position if group is not None else 0, story.id)

    return sorted(found, key=place)[:MAX_STORIES]


def book_of(consultation: Consultation) -> AnthologyCopy | None:
    """What the consultation's anthology is made of; None when nothing is published yet (a 404)."""
    stories = stories_of(consultation)
    if not stories:
        return None

    def read() -> AnthologyCopy:
        first = min(aware(s.published_at or datetime.now(UTC)) for s in stories)
        return AnthologyCopy(
            title=consultation.title,
            question=consultation.question,
            language=consultation.language,
            url=public_url("consultations.public", slug=consultation.slug),
            date=format_date(first, "long"),
            day=first.date().isoformat(),
            count=ngettext("%(num)d story", "%(num)d stories", len(stories)),
            kicker=_("An anthology of stories from the future"),
            credit=_("Written together in the workshops of a consultation run with Plume."),
            contents=_("Contents"),
            stories=tuple(exports.chapter_copy(story) for story in stories),
        )

    return language.in_language(consultation.language, read)


def epub(book: AnthologyCopy) -> bytes:
    return exports.book_epub(book)


def pdf_of(book: AnthologyCopy) -> bytes:
    return pdf.book_pdf(book)
