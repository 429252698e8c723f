"""The facilitator's download of a workshop's feedback (comments and chats), as CSV or JSON."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort
from flask_login import current_user, login_required

from extensions import db
from feedback import export
from feedback.comments import MAX_ID
from workshops.access import facilitates
from workshops.blueprint import bp
from workshops.models import Workshop


def _workshop(workshop_id: int) -> Workshop:
    if workshop_id > MAX_ID or not facilitates(current_user.id, workshop_id):
        abort(404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def _download(body: str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/workshops/<int:workshop_id>/feedback.json")
@login_required
def feedback_json(workshop_id: int) -> Any:
    data = export.feedback(_workshop(workshop_id))
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return _download(body, "application/json", f"plume-feedback-{workshop_id}.json")


@bp.get("/workshops/<int:workshop_id>/feedback.csv")
@login_required
def feedback_csv(workshop_id: int) -> Any:
    data = export.feedback(_workshop(workshop_id))
    return _download("\ufeff" + export.as_csv(data), "text/csv", f"plume-feedback-{workshop_id}.csv")
