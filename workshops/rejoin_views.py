"""Rejoin links (`workshops.rejoin_links`): the console asks for one, the participant's new device uses it.

The console's request is a facilitator's of this workshop (anyone else: 404). Opening the link shows whose
it is and asks to continue (a GET changes nothing: a link previewer or a QR scanner's peek does not use
it up); continuing uses it and opens the participant's screen.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import segno
from flask import abort, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.access import facilitates
from core.identity import remember_participant
from core.language import in_language
from core.settings import settings
from core.unit_of_work import committed
from extensions import db
from forms import PlumeForm
from workshops import joining, rejoin_links
from workshops.blueprint import bp
from workshops.live_views import follow_workshop_language, public_url
from workshops.models import Participant, Workshop

GONE = 410


@bp.post("/workshops/<int:workshop_id>/participants/<int:participant_id>/rejoin-link")
@login_required
def rejoin_link(workshop_id: int, participant_id: int) -> Any:
    """`{"url", "qr_svg", "name", "minutes"}`: a link that lets this participant back in on another device."""
    if not facilitates(current_user.id, workshop_id):
        abort(404)
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != workshop_id or participant.removed_at is not None:
        abort(404)
    url = public_url(url_for("workshops.rejoin", link=rejoin_links.link_token(participant)))
    title = _("QR code of %(name)s's rejoin link", name=participant.display_name)
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", title=title)
    return jsonify(
        url=url,
        qr_svg=svg,  # segno's SVG: the URL drawn as modules, the title escaped
        name=participant.display_name,
        minutes=round(settings().rejoin_link_seconds / 60),
    )


@bp.route("/rejoin/<link>", methods=["GET", "POST"])
def rejoin(link: str) -> Any:
    """Whose link this is and a button to continue as them (GET); continuing uses it up (POST)."""
    form = PlumeForm()
    try:
        if form.validate_on_submit():
            with committed():
                joined = rejoin_links.redeem(link)
                workshop_id = joined.participant.workshop_id  # read before the commit closes old sockets
            remember_participant(joined.token)
            follow_workshop_language(db.session.get(Workshop, workshop_id))
            return redirect(url_for("workshops.participant", workshop_id=workshop_id))
        participant = rejoin_links.holder(link)
    except joining.JoinError as refused:
        db.session.rollback()
        return render_template("workshops/rejoin.html", refused=refused.message, form=form), GONE
    workshop = db.session.get(Workshop, participant.workshop_id)
    page = partial(
        render_template, "workshops/rejoin.html", form=form, participant=participant, workshop=workshop
    )
    # The new device's first page speaks the workshop's language, as the join form does.
    return in_language(None if session.get("lang_chosen") else workshop.language, page)
