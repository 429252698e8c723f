"""The facilitator's download of a workshop's feedback (comments and chats), as CSV or JSON."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from core import signals
from core.access import facilitates
from core.downloads import CSV, attachment
from core.rendering import render_message
from core.unit_of_work import committed
from extensions import db
from feedback import comments, export
from feedback.blueprint import bp
from feedback.comments import MAX_ID
from feedback.models import Comment
from feedback.sockets import publish_comment
from stories.models import Story
from workshops.models import Workshop


def _workshop(workshop_id: int) -> Workshop:
    if workshop_id > MAX_ID or not facilitates(current_user.id, workshop_id):
        abort(404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def _exported(workshop: Workshop) -> Workshop:
    """Tell who listens (the audit log) that the workshop's feedback is downloaded, before it is made."""
    signals.exported(workshop.id, current_user.id, "feedback")
    return workshop


@bp.get("/workshops/<int:workshop_id>/feedback.json")
@login_required
def feedback_json(workshop_id: int) -> Any:
    data = export.feedback(_exported(_workshop(workshop_id)))
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return attachment(body, "application/json", f"plume-feedback-{workshop_id}.json", private=True)


@bp.get("/workshops/<int:workshop_id>/feedback.csv")
@login_required
def feedback_csv(workshop_id: int) -> Any:
    data = export.feedback(_exported(_workshop(workshop_id)))
    return attachment("\ufeff" + export.as_csv(data), CSV, f"plume-feedback-{workshop_id}.csv", private=True)


@bp.post("/workshops/<int:workshop_id>/comments/<int:comment_id>/hidden")
@login_required
def hide_comment(workshop_id: int, comment_id: int) -> Any:
    """Hide a comment from the participants (or show it again), from the review page."""
    workshop = _workshop(workshop_id)
    comment = db.session.get(Comment, comment_id) if comment_id <= MAX_ID else None
    story = db.session.get(Story, comment.story_id) if comment else None
    if comment is None or story is None or story.workshop_id != workshop.id:
        abort(404)
    with committed():
        comments.set_hidden(comment, request.form.get("hidden") == "1")
        publish_comment(comment)  # the participants' margins follow once it is committed
    flash(_("The comment is hidden.") if comment.hidden else _("The comment is shown again."), "success")
    return redirect(
        url_for("stories.review", workshop_id=workshop.id, _anchor=f"comments-{story.id}"), code=303
    )


@bp.app_template_filter("message")
def message_filter(text: str) -> Markup:
    """`{{ comment.body|message }}`: a comment or chat text through the one sanitiser."""
    return render_message(text)
