"""The readers' side: gallery, collections, story pages, search, reactions, feeds, downloads and the sitemap.

Everything here reads through `stories.reading.catalog` (published stories only): an unpublished story or a
workshop without published stories is a 404, whatever the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from core.dates import aware
from core.downloads import attachment
from core.settings import settings
from core.unit_of_work import committed
from extensions import limiter
from stories.blueprint import bp
from stories.models import Story
from stories.reading import catalog, exports, feeds, pdf, reactions, search
from stories.reading.catalog import Collection
from stories.reading.links import public_url
from stories.reading.publishing import slugify

ATOM = "application/atom+xml; charset=utf-8"


@bp.app_template_global()
def story_byline(story: Story) -> str:
    return exports.byline(story)


@bp.app_template_global()
def story_minutes(story: Story) -> int:
    return catalog.reading_minutes(story)


@bp.app_template_global()
def story_html(story: Story) -> Markup:
    """The published HTML, sanitised at publish time by `rendering.render_markdown`."""
    return Markup(story.published_html)  # noqa: S704 - stored from render_markdown's sanitised output


@bp.app_template_global()
def story_themes(story: Story) -> list[tuple[str, str]]:
    """The story's themes as (slug, label), spelled as the theme cloud spells them (one query per request)."""
    if "theme_spellings" not in g:
        g.theme_spellings = catalog.spellings()
    return catalog.story_themes(story, g.theme_spellings)


bp.app_template_global("public_url")(public_url)
bp.app_template_global("credit_line")(exports.credit_line)
bp.app_template_global("minutes_for")(catalog.minutes_for)


def _story(story_id: int) -> Story:
    story = catalog.published_story(story_id)
    if story is None:
        abort(404)
    return story


def _collection(workshop_id: int) -> Collection:
    found = catalog.collection(workshop_id)
    if found is None:
        abort(404)
    return found


def _theme_arg() -> str | None:
    """The `theme` argument as a slug ("Santé" and "sante" alike), None when absent or without letters."""
    return slugify(request.args.get("theme", "")[:200]) or None


def _export_rate() -> str:
    return settings().export_rate


def _reaction_rate() -> str:
    return settings().reaction_rate


# --- Pages --------------------------------------------------------------------------------------------


@bp.get("/stories")
def gallery() -> Any:
    latest = catalog.latest(7)
    return render_template(
        "stories/gallery.html",
        collections=catalog.collections(),
        featured=latest[0] if latest else None,
        latest=latest[1:],
        themes=catalog.themes()[:24],
    )


@bp.get("/stories/c/<int:workshop_id>")
def collection(workshop_id: int) -> Any:
    found = _collection(workshop_id)
    theme = _theme_arg()
    return render_template(
        "stories/collection.html",
        collection=found,
        workshop=found.workshop,
        stories=catalog.tagged(found.stories, theme),
        themes=catalog.themes(workshop_id),
        theme=theme,
        theme_label=catalog.theme_label(theme) if theme else None,
    )


@bp.get("/stories/<int:story_id>")
def read(story_id: int) -> Any:
    story = _story(story_id)
    previous, following = catalog.neighbours(story)
    browser = reactions.browser_key(request.cookies.get(reactions.COOKIE))
    return render_template(
        "stories/read.html",
        story=story,
        workshop=story.workshop,
        previous=previous,
        following=following,
        counts=reactions.counts([story.id])[story.id],
        chosen=reactions.chosen(story.id, browser),
        kinds=reactions.KINDS,
        canonical=public_url("stories.read", story_id=story.id),
    )


@bp.post("/stories/<int:story_id>/reactions")
@limiter.limit(_reaction_rate)
def react(story_id: int) -> Any:
    """Add or take back this browser's reaction; the browser gets its random id on its first reaction."""
    story = _story(story_id)
    browser_id = request.cookies.get(reactions.COOKIE)
    key = reactions.browser_key(browser_id)
    if key is None:
        browser_id = reactions.new_browser_id()
        key = reactions.browser_key(browser_id)
    try:
        with committed():
            stands = reactions.toggle(story, request.form.get("kind"), key)
    except reactions.ReactionError as error:
        flash(error.message, "error")
    else:
        flash(_("Thank you for your reaction.") if stands else _("Your reaction was taken back."), "success")
    response = redirect(url_for("stories.read", story_id=story.id, _anchor="reactions"), code=303)
    response.set_cookie(
        reactions.COOKIE,
        str(browser_id),
        max_age=reactions.COOKIE_MAX_AGE,
        path="/stories",
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/stories/search")
def search_page() -> Any:
    query = request.args.get("q", "")[: search.MAX_QUERY]
    theme = _theme_arg()
    asked = bool(search.terms(query) or theme)
    return render_template(
        "stories/search.html",
        query=query,
        theme=theme,
        theme_label=catalog.theme_label(theme) if theme else None,
        results=search.search(query, theme) if asked else [],
        asked=asked,
        themes=catalog.themes()[:24],
    )


# --- Feeds and sitemap --------------------------------------------------------------------------------


@bp.get("/stories/feed.atom")
def site_feed() -> Any:
    return Response(feeds.site_feed(), mimetype=ATOM)


@bp.get("/stories/c/<int:workshop_id>/feed.atom")
def collection_feed(workshop_id: int) -> Any:
    return Response(feeds.collection_feed(_collection(workshop_id)), mimetype=ATOM)


@bp.get("/sitemap.xml")
def sitemap() -> Any:
    return Response(feeds.sitemap(), mimetype="application/xml; charset=utf-8")


# --- Downloads ----------------------------------------------------------------------------------------


# Each download is read here, then made off the event loop within the work budget: over it, the page
# answers 503 `over_budget` (`pages.register_error_handlers`).


@bp.get("/stories/<int:story_id>.md")
def story_markdown(story_id: int) -> Any:
    story = _story(story_id)
    body = exports.story_markdown(story)
    return attachment(body, "text/markdown; charset=utf-8", exports.filename(story.title, "md"))


@bp.get("/stories/<int:story_id>.html")
def story_file(story_id: int) -> Any:
    story = _story(story_id)
    body = exports.story_html(story)
    return attachment(body, "text/html; charset=utf-8", exports.filename(story.title, "html"))


def _pdf(make: Callable[[], bytes], name: str) -> Any:
    try:
        body = make()
    except pdf.PdfUnavailableError as error:
        current_app.logger.error("%s", error)
        message = _("PDF downloads are not available on this server. Please try another format.")
        return render_template("error.html", status=503, message=message), 503
    return attachment(body, "application/pdf", name)


@bp.get("/stories/<int:story_id>.pdf")
@limiter.limit(_export_rate)
def story_pdf(story_id: int) -> Any:
    story = _story(story_id)
    return _pdf(lambda: pdf.story_pdf(story), exports.filename(story.title, "pdf"))


@bp.get("/stories/c/<int:workshop_id>/anthology.epub")
@limiter.limit(_export_rate)
def anthology_epub(workshop_id: int) -> Any:
    found = _collection(workshop_id)
    body = exports.anthology_epub(found)
    return attachment(
        body, exports.EPUB_MEDIA_TYPE, exports.filename(found.workshop.title, "epub", "anthology")
    )


@bp.get("/stories/c/<int:workshop_id>/anthology.pdf")
@limiter.limit(_export_rate)
def anthology_pdf(workshop_id: int) -> Any:
    found = _collection(workshop_id)
    name = exports.filename(found.workshop.title, "pdf", "anthology")
    return _pdf(lambda: pdf.anthology_pdf(found), name)


@bp.app_template_filter("iso")
def iso_filter(moment: Any) -> str:
    return aware(moment).isoformat() if moment else ""
