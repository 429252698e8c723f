"""The public collection of a consultation, `/c/<slug>`: its question and description, its published
stories across its workshops (filtered by theme, or searched), its figures, and its Atom feed.

Readers see published stories only (`consultations.collection`); an unknown or malformed slug is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request
from markupsafe import Markup

from consultations import collection
from consultations.blueprint import bp
from consultations.models import Consultation
from core.rendering import render_markdown
from stories.reading import catalog, feeds, search
from stories.reading.links import public_url
from stories.reading.publishing import slugify

ATOM = "application/atom+xml; charset=utf-8"


def _consultation(slug: str) -> Consultation:
    found = collection.by_slug(slug)
    if found is None:
        abort(404)
    return found


@bp.get("/c/<slug>")
def public(slug: str) -> Any:
    consultation = _consultation(slug)
    ids = collection.workshop_ids(consultation)
    query = request.args.get("q", "")[: search.MAX_QUERY]
    theme = slugify(request.args.get("theme", "")[:200]) or None
    asked = bool(search.terms(query) or theme)
    stories = search.search(query, theme, workshop_ids=ids) if asked else catalog.published_in(ids)
    description: Markup = render_markdown(consultation.description)
    return render_template(
        "consultations/public.html",
        consultation=consultation,
        description=description,
        figures=collection.figures(ids),
        stories=stories,
        themes=catalog.themes(workshop_ids=ids),
        query=query,
        theme=theme,
        theme_label=catalog.theme_label(theme) if theme else None,
        asked=asked,
    )


@bp.get("/c/<slug>/feed.atom")
def feed(slug: str) -> Any:
    consultation = _consultation(slug)
    body = feeds.stories_feed(
        catalog.published_in(collection.workshop_ids(consultation)),
        title=consultation.title,
        subtitle=consultation.question,
        feed_url=public_url("consultations.feed", slug=consultation.slug),
        page_url=public_url("consultations.public", slug=consultation.slug),
    )
    return Response(body, mimetype=ATOM)
