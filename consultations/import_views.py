"""Importing a consultation's workshops from a CSV file: the upload (on the consultation's page and on a
page of its own, with the expected columns), the report of the rows refused, and a sample file.

Only the consultation's organisers may import; anyone else gets a 404, as on the consultation's page. The
file is checked whole first (`csv_import.read`); nothing is made unless every row is accepted, and then the
workshops are made in short transactions (`batch.create`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from consultations import batch, csv_import
from consultations import operations as ops
from consultations.blueprint import bp
from consultations.models import Consultation
from errors import RefusedError

UNPROCESSABLE = 422
SAMPLE = (
    "\ufefftitre;e-mail de l'animateur;nombre de groupes;début\r\n"
    "Atelier Lyon;animatrice@example.org;4;01/03/2027 09:30\r\n"
    "Atelier Lille;animateur@example.org;3;2027-03-01 14:00\r\n"
)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


def _consultation(consultation_id: int) -> Consultation:
    consultation = ops.consultation_for(current_user.id, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _page(consultation: Consultation, form: ImportForm, report: csv_import.Report | None, status: int) -> Any:
    return render_template(
        "consultations/import.html",
        consultation=consultation,
        form=form,
        report=report,
        max_rows=csv_import.MAX_ROWS,
    ), status


@bp.get("/consultations/<int:consultation_id>/workshops/import/sample.csv")
@login_required
def import_sample(consultation_id: int) -> Any:
    _consultation(consultation_id)
    return Response(
        SAMPLE.encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=workshops.csv"},
    )


@bp.route("/consultations/<int:consultation_id>/workshops/import", methods=["GET", "POST"])
@login_required
def import_workshops(consultation_id: int) -> Any:
    """The import form (GET) and the file it sends (POST). One rule for both: two rules on one path answer
    a POST with a huge id 405 (the GET rule's pattern matches before its converter refuses the id)."""
    consultation = _consultation(consultation_id)
    if request.method == "GET":
        return _page(consultation, ImportForm(), None, 200)
    form = ImportForm()
    if not form.validate():
        return _page(consultation, form, None, UNPROCESSABLE)
    report = csv_import.read(form.file.data.stream, consultation)
    if not report.accepted:
        return _page(consultation, ImportForm(formdata=None), report, UNPROCESSABLE)
    try:
        made = batch.create(consultation.id, current_user.id, report.specs)
    except RefusedError as error:  # another organiser added workshops meanwhile: nothing was kept
        report.problems.append(str(error.message))
        report.specs = []
        return _page(consultation, ImportForm(formdata=None), report, UNPROCESSABLE)
    flash(ngettext("%(num)d workshop imported.", "%(num)d workshops imported.", len(made)), "success")
    return redirect(url_for("consultations.edit", consultation_id=consultation.id, _anchor="workshops"))
