"""`/c/<slug>/anthology.epub` and `.pdf`: the consultation's published stories as one book, for readers.

An unknown slug, or a consultation with nothing published yet, is a 404; the downloads share the rate limit
of every export (`PLUME_EXPORT_RATE`); over the work budget they answer 503 (`pages`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template
from flask_babel import gettext as _

from consultations import anthology, collection
from consultations.blueprint import bp
from core.downloads import attachment
from core.settings import settings
from extensions import limiter
from stories.reading import exports, pdf
from stories.reading.exports import AnthologyCopy


def _export_rate() -> str:
    return settings().export_rate


def _book(slug: str) -> AnthologyCopy:
    consultation = collection.by_slug(slug)
    book = anthology.book_of(consultation) if consultation is not None else None
    if book is None:
        abort(404)
    return book


@bp.get("/c/<slug>/anthology.epub")
@limiter.limit(_export_rate)
def anthology_epub(slug: str) -> Any:
    book = _book(slug)
    body = anthology.epub(book)
    return attachment(body, exports.EPUB_MEDIA_TYPE, exports.filename(book.title, "epub", "anthology"))


@bp.get("/c/<slug>/anthology.pdf")
@limiter.limit(_export_rate)
def anthology_pdf(slug: str) -> Any:
    book = _book(slug)
    try:
        body = anthology.pdf_of(book)
    except pdf.PdfUnavailableError as error:
        current_app.logger.error("%s", error)
        message = _("PDF downloads are not available on this server. Please try another format.")
        return render_template("error.html", status=503, message=message), 503
    return attachment(body, "application/pdf", exports.filename(book.title, "pdf", "anthology"))
