"""The vote's pages and JSON routes (issue 25).

The organiser's (`/consultations/<id>/vote`: open, close, the live results and their JSON): only the
consultation's organisers; anyone else gets a 404, as on its other pages. The results page follows them
over Socket.IO (`vote:join`, `vote:results`: `consultations.vote_live`, noted here once each change is
committed), and polls `results.json` slowly only while its socket is down.

The voter's (`/c/<slug>/vote`: the ballot page and its form, `/c/<slug>/vote/ballot`: the same in JSON):
a participant of one of its workshops, known by the token in their session cookie (as on the participant's
page) or, for other clients, `Authorization: Bearer <token>`; and, when the organiser allows it, a reader,
one per browser by a random id in its signed session cookie, rate-limited per address. A refusal is a 4xx
with `{"error": {"code", "message"}}` (JSON) or the page with its message (HTML). The results are public
on `/c/<slug>` once the vote is closed (`vote_panel`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from api import api_error
from consultations import collection, vote_live
from consultations import operations as ops
from consultations import vote as votes
from consultations.blueprint import bp
from consultations.models import Consultation, Vote
from core.identity import SESSION_KEY, hash_token
from core.settings import settings
from core.unit_of_work import committed
from extensions import csrf, db, limiter
from workshops.models import Participant, Workshop

BROWSER_KEY = "vote_browser"  # the reader's random id, in the signed session cookie
STATUS = {
    "invalid": 400,
    "out_of_range": 400,
    "participants_only": 403,
    "removed": 403,
    "not_a_voter": 403,
    "not_open": 409,
    "closed": 409,
    "already_opened": 409,
    "no_stories": 409,
    "too_many_dots": 422,
    "not_votable": 422,
}


# --- The organiser's ---------------------------------------------------------------------------------


def _organised(consultation_id: int) -> Consultation:
    consultation = ops.consultation_for(current_user.id, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _manage_page(consultation: Consultation, status: int = 200) -> Any:
    vote = votes.vote_of(consultation)
    found = votes.results(consultation, vote) if vote is not None else None
    context = {
        "consultation": consultation,
        "vote": vote,
        "results": found,
        "stories": len(votes.candidates(consultation)) if vote is None else None,
        "min_dots": votes.MIN_DOTS,
        "max_dots": votes.MAX_DOTS,
    }
    return render_template("consultations/vote_manage.html", **context), status


@bp.get("/consultations/<int:consultation_id>/vote")
@login_required
def vote_manage(consultation_id: int) -> Any:
    return _manage_page(_organised(consultation_id))


def _change_vote(consultation: Consultation, change: Callable[[], object], done: str) -> Any:
    """Open or close the vote in one transaction; a refusal is said on the vote's page."""
    try:
        with committed():
            change()
    except votes.VoteError as error:
        flash(error.message, "error")
        return _manage_page(consultation, STATUS.get(error.code, 400))
    vote_live.changed(consultation.id)
    flash(done, "success")
    return redirect(url_for("consultations.vote_manage", consultation_id=consultation.id), code=303)


@bp.post("/consultations/<int:consultation_id>/vote/open")
@login_required
def vote_open(consultation_id: int) -> Any:
    consultation = _organised(consultation_id)
    dots, readers = votes.whole(request.form.get("dots")), request.form.get("readers") == "on"
    return _change_vote(
        consultation, lambda: votes.open_vote(consultation, dots, readers), _("The vote is open.")
    )


@bp.post("/consultations/<int:consultation_id>/vote/close")
@login_required
def vote_close(consultation_id: int) -> Any:
    consultation = _organised(consultation_id)
    return _change_vote(
        consultation,
        lambda: votes.close_vote(consultation),
        _("The vote is closed. Its results are now public."),
    )


@bp.get("/consultations/<int:consultation_id>/vote/results.json")
@login_required
def vote_results(consultation_id: int) -> Any:
    consultation = _organised(consultation_id)
    vote = votes.vote_of(consultation)
    if vote is None:
        return api_error(404, "not_open", _("The vote is not open."))
    response = jsonify(votes.results_json(vote, votes.results(consultation, vote)))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- The voter's --------------------------------------------------------------------------------------


def _public(slug: str) -> Consultation:
    found = collection.by_slug(slug)
    if found is None:
        abort(404)
    return found


def _bearer() -> str | None:
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _former(consultation: Consultation, token: object) -> bool:
    """Whether this token was a participant's of this consultation who was removed or erased since."""
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        return False
    statement = (
        select(Participant.id)
        .join(Workshop, Workshop.id == Participant.workshop_id)
        .where(
            Participant.token_hash == hash_token(token),
            Workshop.consultation_id == consultation.id,
            (Participant.removed_at.is_not(None)) | (Participant.erased_at.is_not(None)),
        )
    )
    return db.session.scalar(statement) is not None


def _voter(consultation: Consultation, vote: Vote, *, create: bool) -> votes.Voter:
    """Who votes with this request; raises VoteError for anyone who may not. A reader's browser gets its
    random id on its first ballot (`create`)."""
    bearer = _bearer()
    token = bearer if bearer is not None else session.get(SESSION_KEY)
    found = votes.participant_voter(consultation, token)
    if found is not None:
        return found
    if _former(consultation, token):
        raise votes.VoteError("removed", _("You were removed from your workshop: you may no longer vote."))
    if bearer is not None:
        raise votes.VoteError("not_a_voter", _("This token is not a participant's of this consultation."))
    if not vote.readers:
        raise votes.VoteError(
            "participants_only", _("Only the participants of this consultation's workshops may vote.")
        )
    browser = session.get(BROWSER_KEY)
    reader = votes.reader_voter(browser)
    if reader is None:
        if not create:
            return votes.Voter("r:none")  # no ballot yet: nothing placed
        session[BROWSER_KEY] = browser = votes.new_browser_id()
        session.permanent = True
        reader = votes.reader_voter(browser)
        assert reader is not None
    return reader


def _reader_rate() -> str:
    return settings().reaction_rate


def _not_a_reader() -> bool:
    """Participants are not rate-limited per address (a whole room may share one)."""
    consultation = collection.by_slug(str((request.view_args or {}).get("slug", "")))
    token = _bearer() or session.get(SESSION_KEY)
    return consultation is not None and votes.participant_voter(consultation, token) is not None


def _open_vote(consultation: Consultation) -> Vote:
    vote = votes.vote_of(consultation)
    if vote is None:
        raise votes.VoteError("not_open", _("The vote is not open."))
    return vote


def _ballot_json(vote: Vote, allocation: dict[int, int]) -> dict[str, Any]:
    return {
        "state": "open" if vote.closed_at is None else "closed",
        "dots_per_voter": vote.dots,
        "placed": sum(allocation.values()),
        "dots": {str(story_id): count for story_id, count in sorted(allocation.items())},
    }


def _json_error(error: votes.VoteError) -> Any:
    return api_error(STATUS.get(error.code, 400), error.code, str(error.message))


@bp.get("/c/<slug>/vote/ballot")
def ballot(slug: str) -> Any:
    """The voter's dots: `{"state", "dots_per_voter", "placed", "dots": {story id: count}}`."""
    consultation = _public(slug)
    try:
        vote = _open_vote(consultation)
        voter = _voter(consultation, vote, create=False)
        votes.allowed(vote, voter)
    except votes.VoteError as error:
        return _json_error(error)
    response = jsonify(_ballot_json(vote, votes.allocation_of(vote, voter)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/c/<slug>/vote/ballot", methods=["PUT", "POST"])
@csrf.exempt  # type: ignore[untyped-decorator]  # checked below unless a bearer token is the credential
@limiter.shared_limit(_reader_rate, "consultation-vote", exempt_when=_not_a_reader)
def cast(slug: str) -> Any:
    """Set the voter's whole allocation: `{"dots": {story id: count}}`; answers as GET does."""
    if _bearer() is None and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()
    consultation = _public(slug)
    body = request.get_json(silent=True)
    try:
        vote = _open_vote(consultation)
        voter = _voter(consultation, vote, create=True)
        if not isinstance(body, dict) or set(body) != {"dots"}:
            raise votes.VoteError(
                "invalid", _("Send your dots as an object of story ids and numbers of dots.")
            )
        with committed():
            allocation = votes.allocate(consultation, voter, body["dots"])
    except votes.VoteError as error:
        return _json_error(error)
    vote_live.changed(consultation.id)
    return jsonify(_ballot_json(vote, allocation))


def _form_allocation() -> dict[str, object]:
    """The form's allocation, `dots-<story id>` fields, moved by one dot by its `add` or `remove` button."""
    raw: dict[str, object] = {}
    for name, value in request.form.items():
        if name.startswith("dots-"):
            raw[name.removeprefix("dots-")] = votes.whole(value) if value else 0
    for button, step in (("add", 1), ("remove", -1)):
        story = request.form.get(button)
        if story is not None:
            current = raw.get(story, 0)
            count = current if isinstance(current, int) else 0
            raw[story] = max(count + step, 0)
    return raw


def _ballot_page(
    consultation: Consultation, vote: Vote | None, voter: votes.Voter | None, status: int = 200
) -> Any:
    allocation = votes.allocation_of(vote, voter) if vote is not None and voter is not None else {}
    closed = vote is not None and vote.closed_at is not None
    return render_template(
        "consultations/vote.html",
        consultation=consultation,
        vote=vote,
        voter=voter,
        stories=votes.candidates(consultation),
        allocation=allocation,
        placed=sum(allocation.values()),
        results=votes.results(consultation, vote) if closed and vote is not None else None,
    ), status


@bp.route("/c/<slug>/vote", methods=["GET", "POST"])
@limiter.shared_limit(_reader_rate, "consultation-vote", methods=["POST"], exempt_when=_not_a_reader)
def vote_page(slug: str) -> Any:
    """The ballot: the stories with the voter's dots and buttons to add or take one; the results once
    closed. Works without JavaScript: each button posts the whole allocation."""
    consultation = _public(slug)
    vote = votes.vote_of(consultation)
    if vote is None:
        abort(404)
    if vote.closed_at is not None and request.method == "GET":
        return _ballot_page(consultation, vote, None)
    try:
        voter = _voter(consultation, vote, create=request.method == "POST")
        votes.allowed(vote, voter)
    except votes.VoteError as error:
        flash(error.message, "error")
        return _ballot_page(consultation, vote, None, STATUS.get(error.code, 403))
    if request.method == "POST":
        try:
            with committed():
                votes.allocate(consultation, voter, _form_allocation())
        except votes.VoteError as error:
            flash(error.message, "error")
            return _ballot_page(consultation, vote, voter, STATUS.get(error.code, 400))
        vote_live.changed(consultation.id)
        return redirect(
            url_for("consultations.vote_page", slug=consultation.slug, _anchor="ballot"), code=303
        )
    return _ballot_page(consultation, vote, voter)


@bp.app_template_global("vote_panel")
def vote_panel(consultation: Consultation) -> dict[str, Any] | None:
    """What `/c/<slug>` shows of the vote: a link while it is open, the results once closed."""
    vote = votes.vote_of(consultation)
    if vote is None:
        return None
    closed = vote.closed_at is not None
    return {"vote": vote, "closed": closed, "results": votes.results(consultation, vote) if closed else None}
