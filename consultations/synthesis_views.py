"""The synthesis of a consultation for its sponsor: a page, a PDF report, and its figures as JSON and CSV.

Only the consultation's organisers (its owner and the facilitators invited) see it; anyone else signed in
gets a 404, as on the organiser's other pages, and anyone not signed in is sent to sign in. Everything is
worded in the consultation's language (French or English), whatever the organiser's own. The figures are
read on the loop, then analysed (and the PDF laid out) off it within the work budget
(`consultations.synthesis.build`, `core.budget`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import abort, current_app, render_template
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import charts, synthesis_data, text_stats
from consultations import operations as ops
from consultations import synthesis as figures
from consultations.blueprint import bp
from consultations.models import Consultation
from consultations.synthesis_pdf import synthesis_pdf_of
from core import budget
from core.downloads import CSV, attachment
from core.settings import settings
from extensions import limiter
from stories.reading import exports
from stories.reading import pdf as pdf_export

JSON = "application/json; charset=utf-8"


def _export_rate() -> str:
    return settings().export_rate


def _consultation(consultation_id: int) -> Consultation:
    consultation = ops.consultation_for(current_user.id, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _filename(consultation: Consultation, suffix: str, table: str = "") -> str:
    """ "Santé 2040" → "sante-2040-synthesis.pdf" (or "…-synthesis-workshops.csv")."""
    return exports.filename(f"{consultation.title} synthesis {table}", suffix, "synthesis")


def _language(consultation: Consultation) -> str:
    return text_stats.language_of(consultation.language)


def _chart_words() -> figures.ChartWords:
    return figures.ChartWords(
        participants=_("Participants per workshop"),
        words=_("Words published per workshop"),
        comments=_("Comments per workshop"),
        timeline=_("Writing activity over time"),
        themes=_("Themes that go together"),
    )


def _labels(synthesis_made: str) -> dict[str, str]:
    """The words of the PDF report, translated here (the report is laid out off the loop)."""
    return {
        "report": _("Synthesis"),
        "made": _("Made on %(date)s by Plume", date=synthesis_made),
        "participation": _("Participation"),
        "workshops": _("Workshops"),
        "participants": _("Participants"),
        "groups": _("Groups"),
        "stories_published": _("Stories published"),
        "words_published": _("Words published"),
        "characters_written": _("Characters written"),
        "comments": _("Comments"),
        "reactions": _("Readers' reactions"),
        "votes": _("Votes"),
        "no_vote": _("No vote"),
        "participants_chart": _("Participants per workshop"),
        "words_chart": _("Words published per workshop"),
        "comments_chart": _("Comments per workshop"),
        "chart_cut": _("Charts show the first %(count)d workshops; every workshop is in the CSV and JSON.",
                       count=figures.MAX_CHART_WORKSHOPS),
        "timeline_chart": _("Writing activity over time"),
        "timeline_caption": _("Edits saved in the stories, all workshops together (times in UTC)."),
        "themes": _("Themes"),
        "no_themes": _("No published story has a theme yet."),
        "pairs_chart": _("Themes that go together"),
        "pairs_caption": _("Stories that carry both themes (the diagonal: each theme's stories)."),
        "top_words": _("The most used words"),
        "stories": _("The stories"),
        "no_stories": _("No story is published yet."),
        "distinctive": _("Distinctive words: %(words)s"),
        "dots": _("Votes: %(count)s"),
    }  # fmt: skip


@bp.get("/consultations/<int:consultation_id>/synthesis")
@login_required
@limiter.limit(_export_rate)
def synthesis(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    with force_locale(_language(consultation)):
        found = figures.build(consultation, _chart_words())
        return render_template(
            "consultations/synthesis.html",
            consultation=consultation,
            synthesis=found,
            tables=synthesis_data.CSV_TABLES,
            max_chart=figures.MAX_CHART_WORKSHOPS,
            made=format_datetime(found.inputs.made_at, "medium"),
        )


@bp.get("/consultations/<int:consultation_id>/synthesis.json")
@login_required
@limiter.limit(_export_rate)
def synthesis_json(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    found = figures.build(consultation)
    body = json.dumps(synthesis_data.as_json(found), ensure_ascii=False, indent=1)
    return attachment(body, JSON, _filename(consultation, "json"), private=True)


@bp.get("/consultations/<int:consultation_id>/synthesis-<table>.csv")
@login_required
@limiter.limit(_export_rate)
def synthesis_csv(consultation_id: int, table: str) -> Any:
    consultation = _consultation(consultation_id)
    if table not in synthesis_data.CSV_TABLES:
        abort(404)
    found = figures.build(consultation)
    return attachment(
        synthesis_data.as_csv(found, table), CSV, _filename(consultation, "csv", table), private=True
    )


@bp.get("/consultations/<int:consultation_id>/synthesis.pdf")
@login_required
@limiter.limit(_export_rate)
def synthesis_pdf(consultation_id: int) -> Any:
    consultation = _consultation(consultation_id)
    with force_locale(_language(consultation)):
        try:
            fonts = pdf_export.font_files()
        except pdf_export.PdfUnavailableError as error:
            current_app.logger.error("%s", error)
            message = _("PDF downloads are not available on this server. Please try another format.")
            return render_template("error.html", status=503, message=message), 503
        inputs = figures.gather(consultation)
        words = _chart_words()
        labels = _labels(format_datetime(inputs.made_at, "medium"))

        def make() -> bytes:
            found = figures.analyse(inputs, words, charts.PDF_FONT)
            return synthesis_pdf_of(found, labels, fonts)

        body = budget.run(make, "consultation synthesis PDF")
    return attachment(body, "application/pdf", _filename(consultation, "pdf"), private=True)
