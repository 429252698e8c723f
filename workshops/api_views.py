"""JSON API of workshops (on the `api` blueprint, /api/v1): joining, and the editor's Markdown preview."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from api import api_error, bp
from core.identity import identify
from core.rendering import render_markdown
from core.settings import settings
from core.unit_of_work import committed
from extensions import csrf, db
from stories.models import Story
from workshops import joining
from workshops.limits import join_limits, wrong_code
from workshops.models import Participant

#: HTTP status of each refusal of a join.
JOIN_STATUS = {
    "invalid": 400,
    "name_required": 422,
    "name_too_long": 422,
    "name_invalid": 422,
    "invalid_group": 422,
    "choice_not_allowed": 422,
    "unknown_code": 404,
    "unknown_token": 404,
    "joining_closed": 403,
    "no_group": 409,
    "name_taken": 409,
}


def joined_payload(participant: Participant, token: str) -> dict[str, Any]:
    """The body of a successful join: what a client needs to connect and open its group's story."""
    story_id = db.session.scalar(select(Story.id).where(Story.group_id == participant.group_id))
    return {
        "token": token,
        "participant_id": participant.id,
        "workshop_id": participant.workshop_id,
        "group_id": participant.group_id,
        "story_id": story_id,
    }


@bp.post("/join")
@join_limits
def join() -> Any:
    """`{"code", "name", "group_id"?}` → 201 with a new participant; `{"token"}` → 200, the same one again."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return api_error(400, "invalid", _("Send a JSON object with a join code and a name."))
    try:
        if "token" in data and "code" not in data:
            participant = joining.rejoin(data["token"])
            return jsonify(joined_payload(participant, data["token"])), 200
        for key in ("code", "name"):
            if not isinstance(data.get(key), str):
                return api_error(400, "invalid", _("The field “%(field)s” is missing.", field=key))
        with committed():
            joined = joining.join(data["code"], data["name"], group_id=data.get("group_id"))
    except joining.JoinError as refused:
        db.session.rollback()  # a refused rejoin read only: end its transaction too
        if refused.code in ("unknown_code", "unknown_token"):
            wrong_code()
        return api_error(JOIN_STATUS.get(refused.code, 400), refused.code, refused.message)
    return jsonify(joined_payload(joined.participant, joined.token)), 201


csrf.exempt(join)  # no cookie is used or set: a token in the body is the only credential


@bp.post("/preview")
def preview() -> Any:
    """`{"markdown"}` → `{"html"}` through the one rendering module; for participants and facilitators."""
    if identify() is None:
        return api_error(403, "forbidden", _("Join a workshop or sign in to use the preview."))
    data = request.get_json(silent=True)
    markdown = data.get("markdown") if isinstance(data, dict) else None
    if not isinstance(markdown, str):
        return api_error(400, "invalid", _("The field “%(field)s” is missing.", field="markdown"))
    if len(markdown.encode("utf-8", "surrogatepass")) > settings().max_story_bytes:
        return api_error(413, "too_large", _("What you sent is too large."))
    return jsonify(html=str(render_markdown(markdown)))
