"""The read API of published stories (README, "Running a workshop"):
`GET /api/v1/stories[?workshop=<id>|?consultation=<id>]` and `GET /api/v1/stories/<id>`. Unpublished
stories do not exist here: 404, or absent from lists."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from api import api_error, bp
from core.dates import aware
from stories.models import Story
from stories.reading import catalog
from stories.reading.links import public_url

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def story_json(story: Story) -> dict[str, Any]:
    """One published story as the API gives it."""
    workshop = story.workshop
    return {
        "id": story.id,
        "title": story.title,
        "authors": catalog.authors(story),
        "anonymous": bool(story.credit_anonymous),
        "summary": story.summary,
        "markdown": story.published_markdown,
        "html": story.published_html,
        "published_at": aware(story.published_at).isoformat() if story.published_at else None,
        "updated_at": aware(story.revised_at or story.published_at).isoformat()
        if story.published_at
        else None,
        "reading_minutes": catalog.reading_minutes(story),
        "language": story.language,
        "themes": [{"slug": t.slug, "label": t.label} for t in story.themes],
        "workshop": {"id": workshop.id, "title": workshop.title, "question": workshop.question}
        if workshop is not None
        else None,  # an anonymous story kept from a deleted workshop
        "url": public_url("stories.read", story_id=story.id),
    }


def _positive(name: str, default: int | None = None) -> int | None:
    """A positive integer query argument; None when absent; ValueError when malformed."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) < 1:
        raise ValueError(name)
    return int(raw)


@bp.get("/stories")
def list_stories() -> Any:
    """Published stories, the newest first (a workshop's in the order of its groups), `limit` a page."""
    try:
        workshop_id = _positive("workshop")
        consultation_id = _positive("consultation")
        page = _positive("page", 1) or 1
        limit = min(_positive("limit", PAGE_SIZE) or PAGE_SIZE, MAX_PAGE_SIZE)
    except ValueError as error:
        return api_error(400, "invalid", _("“%(name)s” must be a positive whole number.", name=str(error)))
    if workshop_id is not None:
        found = catalog.collection(workshop_id)
        if found is None:
            return api_error(404, "not_found", _("No published stories in this workshop."))
        stories = found.stories[(page - 1) * limit : page * limit + 1]
    elif consultation_id is not None:
        ids = catalog.consultation_workshops(consultation_id)
        if ids is None:
            return api_error(404, "not_found", _("This consultation does not exist."))
        stories = catalog.published_in(ids)[(page - 1) * limit : page * limit + 1]
    else:
        stories = catalog.latest(limit + 1, offset=(page - 1) * limit)
    args = {"workshop": workshop_id} if workshop_id else {}
    if consultation_id and not workshop_id:
        args["consultation"] = consultation_id
    if limit != PAGE_SIZE:
        args["limit"] = limit
    more = len(stories) > limit
    return jsonify(
        stories=[story_json(s) for s in stories[:limit]],
        page=page,
        next=public_url("api.list_stories", page=page + 1, **args) if more else None,
    )


@bp.get("/stories/<int:story_id>")
def get_story(story_id: int) -> Any:
    story = catalog.published_story(story_id)
    if story is None:
        return api_error(404, "not_found", _("This story does not exist, or is not published."))
    return jsonify(story_json(story))
