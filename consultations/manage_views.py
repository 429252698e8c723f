"""The organiser's pages: my consultations, a new one, and its page (details, workshops, organisers), with
one small POST form per action that redirects back: no JavaScript needed.

Only the consultation's organisers (its owner and the facilitators invited) see or change it; anyone else
gets a 404, as if it did not exist. A workshop made here is an ordinary workshop that knows its
consultation: its console and edit page are the workshop's own.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from consultations import batch
from consultations import operations as ops
from consultations.blueprint import bp
from consultations.forms import BatchForm, ConsultationForm, OrganiserForm, WorkshopForm
from consultations.models import Consultation
from core.unit_of_work import committed
from errors import RefusedError
from workshops import management, templates

UNPROCESSABLE = 422


def _me() -> Any:
    return current_user._get_current_object()


def _consultation(consultation_id: int) -> Consultation:
    consultation = ops.consultation_for(current_user.id, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _back(consultation: Consultation, anchor: str | None = None) -> Any:
    return redirect(url_for("consultations.edit", consultation_id=consultation.id, _anchor=anchor))


def _descriptions() -> dict[str, str]:
    return {key: str(template.description) for key, template in templates.TEMPLATES.items()}


def _page(consultation: Consultation, failed: dict[str, FlaskForm] | None = None) -> Any:
    """The consultation's page; `failed` holds the submitted form that did not validate, with its errors."""
    failed = failed or {}
    unbound = {"formdata": None}  # the other forms must not read the request's fields
    details = failed.get("details") or ConsultationForm(obj=consultation, **unbound)
    workshops = ops.workshops_in(consultation)
    context = {
        "consultation": consultation,
        "details": details,
        "descriptions": _descriptions(),
        "workshops": workshops,
        "participants": management.participant_counts(workshops),
        "runs": ops.run_by(current_user.id, workshops),
        "one": failed.get("one") or WorkshopForm(prefix="one", **unbound),
        "batch": failed.get("batch") or BatchForm(prefix="batch", **unbound),
        "invite": failed.get("invite") or OrganiserForm(prefix="invite", **unbound),
    }
    return render_template("consultations/edit.html", **context), UNPROCESSABLE if failed else 200


@bp.get("/consultations")
@login_required
def index() -> Any:
    return render_template("consultations/index.html", consultations=ops.consultations_of(_me()))


@bp.route("/consultations/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = ConsultationForm()
    if request.method == "GET" and str(get_locale()) in templates.LANGUAGES:
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        try:
            with committed():
                consultation = ops.create_consultation(_me(), form.details())
        except RefusedError as error:
            if error.code == "slug_taken":
                form.slug.errors = [error.message]
            else:
                flash(error.message, "error")
        else:
            flash(_("Your consultation is ready. Now add its workshops."), "success")
            return redirect(url_for("consultations.edit", consultation_id=consultation.id))
    status = UNPROCESSABLE if request.method == "POST" else 200
    return render_template("consultations/new.html", form=form, descriptions=_descriptions()), status


@bp.route("/consultations/<int:consultation_id>", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int) -> Any:
    """The consultation's page; POST saves its details."""
    consultation = _consultation(consultation_id)
    if request.method == "GET":
        return _page(consultation)
    form = ConsultationForm()
    if not form.validate():
        return _page(consultation, {"details": form})
    try:
        with committed():
            ops.update_consultation(consultation, form.details())
    except RefusedError as error:
        form.slug.errors = [error.message]
        return _page(consultation, {"details": form})
    flash(_("Consultation saved."), "success")
    return _back(consultation, "details")


@bp.post("/consultations/<int:consultation_id>/workshops")
@login_required
def add_workshop(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    form = WorkshopForm(prefix="one")
    if not form.validate():
        return _page(consultation, {"one": form})
    try:
        with committed():
            workshop = ops.add_workshop(consultation, _me(), form.title.data, form.groups.data)
    except RefusedError as error:
        form.title.errors = [error.message]
        return _page(consultation, {"one": form})
    flash(_("Workshop “%(title)s” added.", title=workshop.title), "success")
    return _back(consultation, "workshops")


@bp.post("/consultations/<int:consultation_id>/workshops/batch")
@login_required
def add_batch(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    form = BatchForm(prefix="batch")
    if not form.validate():
        return _page(consultation, {"batch": form})
    try:  # in short transactions, the loop given back between them (consultations.batch)
        specs = batch.batch_specs(consultation, form.count.data, form.groups.data)
        made = batch.create(consultation.id, current_user.id, specs)
    except RefusedError as error:
        form.count.errors = [error.message]
        return _page(consultation, {"batch": form})
    flash(ngettext("%(num)d workshop added.", "%(num)d workshops added.", len(made)), "success")
    return _back(consultation, "workshops")


@bp.post("/consultations/<int:consultation_id>/organisers")
@login_required
def invite_organiser(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    form = OrganiserForm(prefix="invite")
    if not form.validate():
        return _page(consultation, {"invite": form})
    try:
        with committed():
            invited = ops.invite_organiser(consultation, form.email.data)
    except RefusedError as error:
        form.email.errors = [error.message]
        return _page(consultation, {"invite": form})
    flash(_("%(name)s can now organise this consultation with you.", name=invited.display_name), "success")
    return _back(consultation, "organisers")
