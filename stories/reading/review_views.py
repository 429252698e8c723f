"""The facilitator's review page: each group's story previewed exactly as readers will see it, its title,
summary, themes and credits, and publish / update / unpublish, one story or the whole workshop at once;
plus hiding abusive reactions. Only the workshop's facilitators see it; anyone else gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from core.access import facilitates
from core.unit_of_work import committed
from extensions import db
from feedback import export as feedback
from ids import id_arg
from stories.blueprint import bp
from stories.cowriting import persistence
from stories.models import Reaction, Story
from stories.reading import publishing, reactions
from stories.reading.forms import ReviewForm
from stories.reading.publishing import PublishError, Rendition
from workshops import state as live_state
from workshops.models import Workshop

UNPROCESSABLE = 422
T = TypeVar("T")


@dataclass(frozen=True)
class Review:
    """One story on the review page: its form, its rendition for the preview and its state."""

    story: Story
    form: ReviewForm
    rendition: Rendition

    @property
    def changed(self) -> bool:
        """Published, but the draft (text or choices) differs from what readers see."""
        story = self.story
        if story.published_at is None:
            return False
        return (self.rendition.markdown, self.rendition.title) != (story.published_markdown, story.title)


def _workshop(workshop_id: int) -> Workshop:
    if not facilitates(current_user.id, workshop_id):
        abort(404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def _review(story: Story, form: ReviewForm | None = None) -> Review:
    markdown = persistence.load_text(story.id)
    draft = publishing.draft_of(story, markdown)
    if form is None:
        form = ReviewForm.for_draft(story.id, draft, formdata=None)
    elif not form.errors:
        draft = form.draft()
    return Review(story, form, publishing.render(draft, markdown))


def _page(workshop: Workshop, failed: ReviewForm | None = None, failed_id: int | None = None) -> Any:
    stories = publishing.stories_of(workshop)
    reviews = [_review(s, failed if s.id == failed_id else None) for s in stories]
    published = [s.id for s in stories if s.published_at is not None]
    return render_template(
        "stories/review.html",
        workshop=workshop,
        reviews=reviews,
        published=len(published),
        counts=reactions.counts(published),
        recent=reactions.recent(published, limit=30),
        kinds=reactions.KINDS,
        threads=feedback.review_threads([s.id for s in stories]),
    ), (UNPROCESSABLE if failed is not None else 200)


def _published(workshop_id: int, action: Callable[[], T]) -> T:
    """Run a publishing operation and queue the workshop's new state, in one transaction committed here:
    participants learn that stories are out (a link to the gallery). A refusal rolls back and raises."""
    with committed():
        result = action()
        live_state.publish_state(workshop_id)
    return result


def _back(workshop: Workshop, story: Story | None = None) -> Response:
    anchor = f"story-{story.id}" if story else "main"  # always one: browsers keep the old one otherwise
    return redirect(url_for("stories.review", workshop_id=workshop.id, _anchor=anchor), code=303)


@bp.route("/workshops/<int:workshop_id>/publish", methods=["GET", "POST"])
@login_required
def review(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    if request.method == "GET":
        return _page(workshop)
    action = request.form.get("action", "")
    if action == "publish_all":
        return _publish_all(workshop)
    story = db.session.get(Story, request.form.get("story", type=id_arg) or 0)
    if story is None or story.workshop_id != workshop.id or action not in ("save", "publish", "unpublish"):
        abort(400)
    if action == "unpublish":
        _published(workshop.id, lambda: publishing.unpublish(story))
        flash(_("“%(title)s” is no longer public.", title=story.title), "success")
        return _back(workshop, story)
    form = ReviewForm(prefix=f"story-{story.id}")
    if not form.validate():
        return _page(workshop, form, story.id)
    try:
        if action == "save":
            _published(workshop.id, lambda: publishing.save(story, form.draft()))
            flash(_("Saved. The story is not published until you publish it."), "success")
        else:
            was_public = story.published_at is not None
            _published(workshop.id, lambda: publishing.publish(story, form.draft()))
            flash(_("“%(title)s” is updated.", title=story.title) if was_public
                  else _("“%(title)s” is published.", title=story.title), "success")  # fmt: skip
    except PublishError as error:
        flash(error.message, "error")
    return _back(workshop, story)


def _publish_all(workshop: Workshop) -> Response:
    result = _published(workshop.id, lambda: publishing.publish_workshop(workshop))
    if result.published:
        count = len(result.published)
        flash(ngettext("%(num)d story is published.", "%(num)d stories are published.", count), "success")
    if result.empty:
        names = ", ".join(s.group.name for s in result.empty)
        flash(_("Left out because they are empty: %(groups)s.", groups=names), "info")
    return _back(workshop)


@bp.post("/workshops/<int:workshop_id>/reactions/<int:reaction_id>")
@login_required
def moderate_reaction(workshop_id: int, reaction_id: int) -> Any:
    """Hide an abusive reaction from the counts, or show it again."""
    workshop = _workshop(workshop_id)
    reaction = db.session.get(Reaction, reaction_id)
    story = db.session.get(Story, reaction.story_id) if reaction else None
    if reaction is None or story is None or story.workshop_id != workshop.id:
        abort(404)
    hidden = request.form.get("hidden") == "1"
    with committed():
        reactions.set_hidden(reaction, hidden)
    flash(_("The reaction is hidden.") if hidden else _("The reaction is shown again."), "success")
    return redirect(
        url_for("stories.review", workshop_id=workshop.id, _anchor=f"reactions-{story.id}"), code=303
    )
