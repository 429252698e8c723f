"""The organiser's live overview page, `/consultations/<id>/overview`: its first snapshot is rendered into
the page, then `static/src/overview/` follows it over Socket.IO (`overview:join`, `overview:workshops`).

Only the consultation's organisers see it; anyone else signed in gets a 404, as for the consultation's page.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_login import current_user, login_required

import browser_strings
from consultations import operations as ops
from consultations import overview
from consultations.blueprint import bp


@bp.get("/consultations/<int:consultation_id>/overview")
@login_required
def live_overview(consultation_id: int) -> Any:
    consultation = ops.consultation_for(current_user.id, consultation_id)
    if consultation is None:
        abort(404)
    runs = ops.run_by(current_user.id, ops.workshops_in(consultation))
    return render_template(
        "consultations/overview.html",
        consultation=consultation,
        snapshot=overview.snapshot(consultation.id, runs=runs),
        catalogue=browser_strings.overview_page(),
    )
