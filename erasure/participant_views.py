"""The console's erase (a POST from its confirmation dialog) on the workshops' blueprint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.access import facilitates
from erasure import participants as erasure
from ids import id_arg
from workshops import live
from workshops.blueprint import bp


@bp.post("/workshops/<int:workshop_id>/participants/erase")
@login_required
def erase_participant(workshop_id: int) -> Any:
    """Erase the participant of the form's `participant_id`: only the workshop's facilitators (anyone else:
    404); a missing or malformed id: 400; someone who is not the workshop's participant (any more): 404."""
    if not facilitates(current_user.id, workshop_id):  # also refuses ids too large for the database
        abort(404)
    participant_id = request.form.get("participant_id", type=id_arg)
    if participant_id is None:
        abort(400)
    try:
        erasure.erase(workshop_id, participant_id, datetime.now(UTC), by=current_user.id)
    except live.CommandError:
        abort(404)
    flash(_("The participant was erased. What they wrote stays, as a participant's."), "success")
    return redirect(url_for("workshops.console", workshop_id=workshop_id))
