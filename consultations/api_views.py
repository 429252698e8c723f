"""`GET /api/v1/consultations/<id>`: a consultation as readers see it (its published stories are listed by
`GET /api/v1/stories?consultation=<id>`, in the shape of every story list)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from api import api_error, bp
from consultations import collection
from consultations.models import Consultation
from core.rendering import render_markdown
from extensions import db
from stories.reading import catalog
from stories.reading.links import public_url


def consultation_json(consultation: Consultation) -> dict[str, Any]:
    ids = collection.workshop_ids(consultation)
    figures = collection.figures(ids)
    return {
        "id": consultation.id,
        "title": consultation.title,
        "question": consultation.question,
        "description": consultation.description,
        "description_html": str(render_markdown(consultation.description)),
        "language": consultation.language,
        "starts_on": consultation.starts_on.isoformat() if consultation.starts_on else None,
        "ends_on": consultation.ends_on.isoformat() if consultation.ends_on else None,
        "themes": consultation.theme_list,
        "story_themes": [
            {"slug": t.slug, "label": t.label, "count": t.count} for t in catalog.themes(workshop_ids=ids)
        ],
        "figures": {
            "workshops": figures.workshops,
            "participants": figures.participants,
            "stories": figures.stories,
        },
        "url": public_url("consultations.public", slug=consultation.slug),
        "feed_url": public_url("consultations.feed", slug=consultation.slug),
        "stories_url": public_url("api.list_stories", consultation=consultation.id),
    }


@bp.get("/consultations/<int:consultation_id>")
def get_consultation(consultation_id: int) -> Any:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return api_error(404, "not_found", _("This consultation does not exist."))
    return jsonify(consultation_json(consultation))
