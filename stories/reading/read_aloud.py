"""Reading mode: one story at a time in large type, with next and previous, for the closing read-aloud.

Two sources, one page (templates/stories/read_aloud.html): a workshop's drafts as they stand, for its
facilitators (from the console or the wall view), and a workshop's published stories, for anyone. Every
story's HTML comes from `core.rendering` (through `publishing.render` for drafts, stored at publish time
for published ones).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

import browser_strings
from core import language
from core.access import facilitates, fits_id
from extensions import db
from stories.blueprint import bp
from stories.cowriting import persistence
from stories.reading import catalog, exports, publishing
from workshops.models import Workshop


@dataclass(frozen=True)
class Slide:
    """One story on the screen: its title, who wrote it, its sanitised HTML."""

    title: str
    byline: str
    html: Markup


def draft_slides(workshop: Workshop) -> list[Slide]:
    """The workshop's drafts as they stand, in group order; blank ones are left out."""
    slides = []
    for story in publishing.stories_of(workshop):
        markdown = persistence.load_text(story.id)
        draft = publishing.draft_of(story, markdown)
        rendition = publishing.render(draft, markdown)
        if rendition.is_blank:
            continue
        byline = exports.credit_line(rendition.authors) if rendition.authors else story.group.name
        slides.append(Slide(rendition.title, byline, rendition.html))
    return slides


def _page(
    workshop: Workshop, slides: Callable[[], list[Slide]], back: str, back_label: Callable[[], str]
) -> Any:
    """The reading mode speaks the workshop's language: it is projected for the room (`core.language`)."""
    return language.in_language(
        workshop.language,
        lambda: render_template(
            "stories/read_aloud.html",
            workshop=workshop,
            slides=slides(),
            back_url=back,
            back_label=back_label(),
            catalogue=browser_strings.read_aloud(),
        ),
    )


@bp.get("/workshops/<int:workshop_id>/read-aloud")
@login_required
def read_aloud_drafts(workshop_id: int) -> Any:
    """The drafts of a workshop, one at a time, for its facilitators."""
    if not facilitates(current_user.id, workshop_id):  # also refuses ids too large for the database
        abort(404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    back = url_for("workshops.console", workshop_id=workshop_id)
    return _page(workshop, lambda: draft_slides(workshop), back, lambda: _("Back to the console"))


@bp.get("/stories/c/<int:workshop_id>/read-aloud")
def read_aloud_published(workshop_id: int) -> Any:
    """A workshop's published stories, one at a time, for anyone."""
    found = catalog.collection(workshop_id) if fits_id(workshop_id) else None
    if found is None:
        abort(404)

    # The HTML was stored at publish time from render_markdown's sanitised output.
    def slides() -> list[Slide]:
        return [Slide(s.title, exports.byline(s), Markup(s.published_html)) for s in found.stories]  # noqa: S704

    back = url_for("stories.collection", workshop_id=workshop_id)
    return _page(found.workshop, slides, back, lambda: _("Back to the stories"))
