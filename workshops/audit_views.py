"""The audit log's page: who did what to the workshop's people and data (`workshops.audit`)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_login import current_user, login_required

from core.access import facilitates
from extensions import db
from workshops import audit
from workshops.blueprint import bp
from workshops.models import Workshop


@bp.get("/workshops/<int:workshop_id>/audit")
@login_required
def audit_log(workshop_id: int) -> Any:
    """The workshop's audit log, newest first: its facilitators only (anyone else: 404)."""
    if not facilitates(current_user.id, workshop_id):
        abort(404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return render_template("workshops/audit.html", workshop=workshop, lines=audit.lines(workshop_id))
