"""Pages of the live workshop: joining, the participant view, the facilitator console and the join screen."""

from __future__ import annotations

from typing import Any

import segno
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.validators import Optional

import browser_strings
from core.access import facilitates
from core.identity import remember_participant
from core.language import in_language
from core.settings import settings
from core.unit_of_work import committed
from extensions import db, limiter
from feedback import comments as feedback_comments
from forms import PlumeForm
from workshops import joining, room, state
from workshops.blueprint import bp
from workshops.join_codes import format_join_code, normalise_join_code
from workshops.limits import join_limits, wrong_code
from workshops.models import Participant, Workshop
from workshops.own_data import own_data as data_of
from workshops.people import participant_by_token, session_participant

UNPROCESSABLE = 422
SMALLEST = -1  # the join form's choice "any group": the smallest one, as when the facilitator assigns

#: Which form field shows each refusal of a join.
ERROR_FIELD = {
    "unknown_code": "code",
    "joining_closed": "code",
    "no_group": "code",
    "invalid_group": "group",
    "choice_not_allowed": "group",
}


class JoinForm(PlumeForm):
    code = StringField(_l("Join code"))
    name = StringField(_l("Your name"))
    group = SelectField(_l("Your group"), coerce=int, validators=[Optional()], validate_choice=False)


@bp.app_template_global("lang_attr")
def lang_attr(language: str | None) -> Markup:
    """` lang="fr"` on content written in another language than the page's (nothing when they agree)."""
    if not language or language == str(get_locale()):
        return Markup("")
    return Markup(' lang="%s"') % language


def follow_workshop_language(workshop: Workshop) -> None:
    """A participant's interface speaks the workshop's language, unless they chose one with the switch."""
    if not session.get("lang_chosen") and workshop.language in current_app.config["LANGUAGES"]:
        session["lang"] = workshop.language


@bp.app_template_filter("countdown")
def countdown(seconds: float) -> str:
    """`{{ 754|countdown }}` → "12:34" (hours when needed: "1:02:03"); what the scripts show too."""
    total = max(0, int(-(-seconds // 1)))  # whole seconds, rounded up: 0.2 s left still shows 0:01
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _sign_in_or_404(workshop_id: int) -> Workshop:
    if not facilitates(current_user.id, workshop_id):  # also refuses ids too large for the database
        abort(404)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def public_url(path: str) -> str:
    """An absolute address of this site for people in the room (PLUME_PUBLIC_URL when set)."""
    return (settings().public_url or request.host_url.rstrip("/")) + path


def public_join_url(workshop: Workshop) -> str:
    """The link that opens the join form with the workshop's code filled in."""
    return public_url(url_for("workshops.join", code=workshop.join_code))


# --- Joining ----------------------------------------------------------------------------------------


def _group_choices(code: str) -> list[tuple[int, str]] | None:
    """The groups to choose from, when the code opens a workshop that lets participants choose."""
    try:
        workshop = joining.find_workshop(code)
    except joining.JoinError:
        return None
    if not workshop.participants_choose_group:
        return None
    return [(g.id, g.name) for g in workshop.groups]


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET", "POST"])
@join_limits
def join(code: str | None = None) -> Any:
    """The join form: code and display name (the link /join/<code> fills the code in).

    With a code that opens a workshop, the form already speaks the workshop's language (unless the visitor
    chose one with the switch), as the participant's screen will after joining.
    """
    language = None
    if not session.get("lang_chosen"):
        try:
            language = joining.find_workshop(code or request.form.get("code") or "").language
        except joining.JoinError:
            language = None
    return in_language(language, lambda: _join_view(code))


def _join_view(code: str | None) -> Any:
    form = JoinForm()
    if request.method == "GET" and code:
        form.code.data = format_join_code(normalise_join_code(code))
    choices = _group_choices(form.code.data or "")
    if choices:
        form.group.choices = [
            (0, _("Choose…")),
            (SMALLEST, _("Any group: the one with the fewest people")),
            *choices,
        ]
    current = session_participant()
    if request.method == "POST" and form.validate():
        if choices and not form.group.data:
            form.group.errors.append(_("Choose your group."))
        else:
            return _join(form, current, choices)
        return _join_page(form, current, choices), UNPROCESSABLE
    status = UNPROCESSABLE if request.method == "POST" else 200
    return _join_page(form, current, choices), status


def _join(form: JoinForm, current: Participant | None, choices: list[tuple[int, str]] | None) -> Any:
    # The same browser sending the same name again (back button, double click) is the same person.
    name = form.name.data or ""
    try:
        if (
            current is not None
            and db.session.get(Workshop, current.workshop_id).join_code == normalise_join_code(form.code.data)
            and current.display_name == joining.clean_name(name)
        ):
            return redirect(url_for("workshops.participant", workshop_id=current.workshop_id))
        group_id = form.group.data if form.group.data and form.group.data != SMALLEST else None
        with committed():
            joined = joining.join(form.code.data, name, group_id=group_id)
    except joining.JoinError as refused:
        if refused.code == "unknown_code":
            wrong_code()
        getattr(form, ERROR_FIELD.get(refused.code, "name")).errors.append(refused.message)
        return _join_page(form, current, choices), UNPROCESSABLE
    remember_participant(joined.token)
    follow_workshop_language(db.session.get(Workshop, joined.participant.workshop_id))
    return redirect(url_for("workshops.participant", workshop_id=joined.participant.workshop_id))


def _join_page(form: JoinForm, current: Participant | None, choices: list[tuple[int, str]] | None) -> str:
    return render_template(
        "workshops/join.html",
        form=form,
        current=current,
        current_workshop=db.session.get(Workshop, current.workshop_id) if current else None,
        choose_group=bool(choices),
    )


# --- The participant view ---------------------------------------------------------------------------


@bp.get("/w/<int:workshop_id>")
def participant(workshop_id: int) -> Any:
    """The participant's screen: phase, timer, instructions, banner, their group and its story."""
    me = session_participant()
    if me is None or me.workshop_id != workshop_id:
        if current_user.is_authenticated and facilitates(current_user.id, workshop_id):
            return redirect(url_for("workshops.console", workshop_id=workshop_id))
        flash(_("Join the workshop with its code first."), "info")
        return redirect(url_for("workshops.join"))
    live_state = state.participant_state(me)
    return render_template(
        "workshops/participant.html",
        me=me,
        workshop=db.session.get(Workshop, workshop_id),
        live=live_state,
        catalogue=browser_strings.participant_page(),
    )


def _export_rate() -> str:
    return settings().export_rate


@bp.get("/w/<int:workshop_id>/my-data.json")
@limiter.limit(_export_rate)
def own_data(workshop_id: int) -> Any:
    """What Plume holds about the participant whose token this browser's session cookie holds (or, for
    other clients, `Authorization: Bearer <token>`), as a JSON download; nobody else's: a facilitator,
    another workshop's participant or a visitor without a token gets 403."""
    scheme, _sep, bearer = request.headers.get("Authorization", "").partition(" ")
    me = participant_by_token(bearer.strip()) if scheme.lower() == "bearer" else session_participant()
    if me is None or me.workshop_id != workshop_id:
        abort(403)
    response = jsonify(data_of(me))
    response.headers["Content-Disposition"] = f'attachment; filename="plume-my-data-{workshop_id}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- The facilitator's console and join screen ------------------------------------------------------


@bp.get("/workshops/<int:workshop_id>/console")
@login_required
def console(workshop_id: int) -> Any:
    """Run the workshop live: agenda, clock, controls, groups with their rosters and drafts."""
    workshop = _sign_in_or_404(workshop_id)
    return render_template(
        "workshops/console.html",
        workshop=workshop,
        live=state.facilitator_state(workshop_id),
        presence=state.presence_payload(workshop_id),
        join_url=public_join_url(workshop),
        comment_counts=feedback_comments.counts([g.story[0].id for g in workshop.groups if g.story]),
        catalogue=browser_strings.console_page(),
    )


@bp.get("/workshops/<int:workshop_id>/wall")
@login_required
def wall(workshop_id: int) -> Any:
    """The wall view for the projector: the phase, a big timer and the broadcast, live; with `?board=<group
    id>`, that group's board too (its cards in big type, most voted first).

    Projected for the room, it speaks the workshop's language, whatever the facilitator's (`core.language`).
    """
    workshop = _sign_in_or_404(workshop_id)
    live = state.facilitator_state(workshop_id)
    board_group = None
    if "board" in request.args and request.args["board"] != "":  # ?board=<group id>: project its board
        wanted = request.args["board"]
        board_group = next((g for g in live["groups"] if str(g["id"]) == wanted), None)
        if board_group is None:
            abort(404)
    return in_language(
        workshop.language,
        lambda: render_template(
            "workshops/wall.html",
            workshop=workshop,
            live=live,
            board_group=board_group,
            join_url=public_join_url(workshop),
            catalogue=browser_strings.wall_page(),
        ),
    )


@bp.get("/workshops/<int:workshop_id>/share")
@login_required
def share(workshop_id: int) -> Any:
    """A screen to project: the join link, the code in large letters and a QR code of the link.

    Like the wall, it speaks the workshop's language.
    """
    workshop = _sign_in_or_404(workshop_id)
    return in_language(workshop.language, lambda: _share_page(workshop))


def _share_page(workshop: Workshop) -> str:
    url = public_join_url(workshop)
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr", title=_("QR code of the link to join this workshop")
    )
    return render_template(
        "workshops/share.html",
        workshop=workshop,
        join_url=url,
        loopback=room.is_loopback(url),
        lan_addresses=room.lan_addresses() if room.is_loopback(url) else [],
        port=request.host.rpartition(":")[2] if ":" in request.host else "5000",
        join_form_url=public_url(url_for("workshops.join")).split("://", 1)[-1],
        qr_svg=Markup(svg),  # noqa: S704 (segno's SVG: the URL is drawn as modules, the title is escaped)
    )
