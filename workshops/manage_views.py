"""Workshop management pages: my workshops, a new workshop, and its edit page (settings, groups, agenda,
facilitators) with one small POST form per action that redirects back: no JavaScript needed.

Only the workshop's facilitators see or change it; anyone else gets a 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from core.settings import settings
from core.unit_of_work import committed
from errors import RefusedError
from extensions import db
from workshops import management as ops
from workshops import retention, state, templates
from workshops.blueprint import bp
from workshops.forms import (
    GroupForm,
    InviteForm,
    MoveForm,
    NewPhaseForm,
    NewWorkshopForm,
    PhaseForm,
    RetentionForm,
    SettingsForm,
)
from workshops.models import Group, Phase, Workshop

UNPROCESSABLE = 422
T = TypeVar("T")


@bp.app_template_filter("join_code")
def join_code_filter(code: str) -> str:
    """`{{ workshop.join_code|join_code }}` shows the code as people read it: K7Q-M4P."""
    return ops.format_join_code(code)


def _me() -> Any:
    return current_user._get_current_object()


def _workshop(workshop_id: int) -> Workshop:
    workshop = ops.workshop_for(current_user.id, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def _phase(workshop: Workshop, phase_id: int) -> Phase:
    phase = db.session.get(Phase, phase_id)
    if phase is None or phase.workshop_id != workshop.id:
        abort(404)
    return phase


def _group(workshop: Workshop, group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None or group.workshop_id != workshop.id:
        abort(404)
    return group


def _back(workshop: Workshop, anchor: str | None = None, **args: Any) -> Response:
    return redirect(url_for("workshops.edit", workshop_id=workshop.id, _anchor=anchor, **args))


def _published(workshop_id: int, action: Callable[[], T]) -> T:
    """Run an operation and queue the workshop's new state, in one transaction committed here: the live
    screens (participants, console) get the state once the change is stored; a refusal rolls back (nothing
    written, nothing sent) and raises."""
    with committed():
        result = action()
        state.publish_state(workshop_id)
    return result


def _apply(workshop: Workshop, action: Callable[[], Any], done: str) -> bool:
    """Run an operation: flash `done` and publish the new state, or flash the rule it broke (nothing
    written). True when it succeeded."""
    try:
        _published(workshop.id, action)
    except RefusedError as error:
        flash(error.message, "error")
        return False
    flash(done, "success")
    return True


def phase_form(phase: Phase, **kwargs: Any) -> PhaseForm:
    return PhaseForm(
        prefix=f"phase-{phase.id}",
        data={
            "title": phase.title,
            "instructions": phase.instructions,
            "minutes": max(1, round(phase.duration_seconds / 60)),
            "editors_open": phase.editors_open,
            "visibility": phase.visibility,
            "comments": phase.comments,
            "at_deadline": phase.at_deadline,
            "tool": phase.tool,
            "board_columns": phase.board_columns,
            "dots": phase.dots,
            "board_readonly": phase.board_readonly,
        },
        **kwargs,
    )


def group_form(group: Group, **kwargs: Any) -> GroupForm:
    return GroupForm(prefix=f"group-{group.id}", data={"name": group.name}, **kwargs)


def _edit_page(workshop: Workshop, failed: dict[str, FlaskForm] | None = None) -> Any:
    """The edit page; `failed` holds the submitted form that did not validate, shown with its errors."""
    failed = failed or {}
    unbound = {"formdata": None}  # the other forms must not read the request's fields
    open_phase = request.args.get("open", type=int)
    phase_forms = {}
    for phase in workshop.phases:
        phase_forms[phase.id] = failed.get(f"phase-{phase.id}") or phase_form(phase, **unbound)
        if f"phase-{phase.id}" in failed:
            open_phase = phase.id
    context = {
        "workshop": workshop,
        "settings": failed.get("settings") or SettingsForm(obj=workshop, **unbound),
        "phase_forms": phase_forms,
        "open_phase": open_phase,
        "group_forms": {
            g.id: failed.get(f"group-{g.id}") or group_form(g, **unbound) for g in workshop.groups
        },
        "new_phase": failed.get("new-phase") or NewPhaseForm(prefix="new-phase", **unbound),
        "invite": failed.get("invite") or InviteForm(prefix="invite", **unbound),
        "retention": failed.get("retention")
        or RetentionForm(prefix="retention", data={"days": workshop.retention_days or ""}, **unbound),
        "default_retention_days": settings().retention_days,
        "retention_due": retention.due_at(workshop),
        "max_retention_days": ops.MAX_RETENTION_DAYS,
        "participants": ops.participant_counts([workshop]).get(workshop.id, 0),
    }
    return render_template("workshops/edit.html", **context), UNPROCESSABLE if failed else 200


# --- Pages ------------------------------------------------------------------------------------------


@bp.get("/workshops")
@login_required
def index() -> Any:
    current, archived = ops.workshops_of(_me())
    return render_template(
        "workshops/index.html",
        current=current,
        archived=archived,
        participants=ops.participant_counts(current + archived),
    )


@bp.route("/workshops/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    form = NewWorkshopForm()
    if request.method == "GET" and str(get_locale()) in templates.LANGUAGES:
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        try:
            with committed():
                workshop = ops.create_workshop(
                    _me(),
                    form.title.data,
                    form.question.data or "",
                    language=form.language.data,
                    groups=form.groups.data,
                    template=form.template.data,
                    group_names=form.names(),
                )
        except RefusedError as error:
            flash(error.message, "error")
        else:
            flash(
                _("Your workshop is ready. Adjust its agenda and groups, then share the join code."),
                "success",
            )
            return redirect(url_for("workshops.edit", workshop_id=workshop.id))
    status = UNPROCESSABLE if request.method == "POST" else 200
    descriptions = {key: template.description for key, template in templates.TEMPLATES.items()}
    return render_template("workshops/new.html", form=form, descriptions=descriptions), status


@bp.route("/workshops/<int:workshop_id>", methods=["GET", "POST"])
@login_required
def edit(workshop_id: int) -> Any:
    """The edit page; POST saves the settings."""
    workshop = _workshop(workshop_id)
    if request.method == "GET":
        return _edit_page(workshop)
    form = SettingsForm()
    if not form.validate():
        return _edit_page(workshop, {"settings": form})
    changes = {
        "title": form.title.data,
        "question": form.question.data or "",
        "language": form.language.data,
        "participants_choose_group": form.participants_choose_group.data,
        "joining_open": form.joining_open.data,
    }
    _apply(workshop, lambda: ops.update_settings(workshop, **changes), _("Settings saved."))
    return _back(workshop, "settings")


@bp.post("/workshops/<int:workshop_id>/retention")
@login_required
def edit_retention(workshop_id: int) -> Any:
    """Set how long the workshop's people and drafts are kept after it ends."""
    workshop = _workshop(workshop_id)
    form = RetentionForm(prefix="retention")
    if not form.validate():
        return _edit_page(workshop, {"retention": form})
    try:
        with committed():
            ops.set_retention(workshop, form.days.data)
    except RefusedError as error:
        flash(error.message, "error")
    else:
        flash(_("Retention saved."), "success")
    return _back(workshop, "retention")


# --- Groups -----------------------------------------------------------------------------------------


@bp.post("/workshops/<int:workshop_id>/groups")
@login_required
def add_group(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    _apply(workshop, lambda: ops.add_group(workshop), _("Group added, with its own story."))
    return _back(workshop, "groups")


@bp.post("/workshops/<int:workshop_id>/groups/<int:group_id>")
@login_required
def rename_group(workshop_id: int, group_id: int) -> Any:
    workshop = _workshop(workshop_id)
    group = _group(workshop, group_id)
    form = GroupForm(prefix=f"group-{group.id}")
    if not form.validate():
        return _edit_page(workshop, {f"group-{group.id}": form})
    _apply(workshop, lambda: ops.rename_group(workshop, group, form.name.data), _("Group renamed."))
    return _back(workshop, "groups")


@bp.post("/workshops/<int:workshop_id>/groups/<int:group_id>/delete")
@login_required
def remove_group(workshop_id: int, group_id: int) -> Any:
    workshop = _workshop(workshop_id)
    group = _group(workshop, group_id)
    _apply(workshop, lambda: ops.remove_group(workshop, group), _("Group removed."))
    return _back(workshop, "groups")


# --- Agenda -----------------------------------------------------------------------------------------


@bp.post("/workshops/<int:workshop_id>/phases")
@login_required
def add_phase(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    form = NewPhaseForm(prefix="new-phase")
    if not form.validate():
        return _edit_page(workshop, {"new-phase": form})
    try:
        phase = _published(workshop.id, lambda: ops.add_phase(workshop, form.title.data, form.minutes.data))
    except RefusedError as error:
        flash(error.message, "error")
        return _back(workshop, "agenda")
    flash(_("Phase added at the end of the agenda."), "success")
    return _back(workshop, f"phase-{phase.id}", open=phase.id)


@bp.post("/workshops/<int:workshop_id>/phases/<int:phase_id>")
@login_required
def edit_phase(workshop_id: int, phase_id: int) -> Any:
    workshop = _workshop(workshop_id)
    phase = _phase(workshop, phase_id)
    form = PhaseForm(prefix=f"phase-{phase.id}")
    if not form.validate():
        return _edit_page(workshop, {f"phase-{phase.id}": form})
    changes = {
        "title": form.title.data,
        "instructions": form.instructions.data or "",
        "minutes": form.minutes.data,
        "editors_open": form.editors_open.data,
        "visibility": form.visibility.data,
        "comments": form.comments.data,
        "at_deadline": form.at_deadline.data,
        "tool": form.tool.data,
        "board_columns": form.board_columns.data or "",
        "dots": form.dots.data,
        "board_readonly": form.board_readonly.data,
    }
    _apply(workshop, lambda: ops.update_phase(workshop, phase, **changes), _("Phase saved."))
    return _back(workshop, f"phase-{phase.id}")


@bp.post("/workshops/<int:workshop_id>/phases/<int:phase_id>/move")
@login_required
def move_phase(workshop_id: int, phase_id: int) -> Any:
    workshop = _workshop(workshop_id)
    phase = _phase(workshop, phase_id)
    form = MoveForm()
    if not form.validate():
        abort(400)  # the page only ever sends "up" or "down"
    offset = -1 if form.direction.data == "up" else 1
    _apply(workshop, lambda: ops.move_phase(workshop, phase, offset), _("Phase moved."))
    return _back(workshop, f"phase-{phase.id}")


@bp.post("/workshops/<int:workshop_id>/phases/<int:phase_id>/delete")
@login_required
def remove_phase(workshop_id: int, phase_id: int) -> Any:
    workshop = _workshop(workshop_id)
    phase = _phase(workshop, phase_id)
    if _apply(workshop, lambda: ops.remove_phase(workshop, phase), _("Phase removed.")):
        return _back(workshop, "agenda")
    return _back(workshop, f"phase-{phase.id}")


# --- Facilitators, copies, archive ------------------------------------------------------------------


@bp.post("/workshops/<int:workshop_id>/facilitators")
@login_required
def invite_facilitator(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    form = InviteForm(prefix="invite")
    if not form.validate():
        return _edit_page(workshop, {"invite": form})
    email = form.email.data
    try:
        invited = _published(workshop.id, lambda: ops.invite_facilitator(workshop, email))
    except RefusedError as error:
        form.email.errors = [error.message]
        return _edit_page(workshop, {"invite": form})
    flash(_("%(name)s can now run this workshop with you.", name=invited.display_name), "success")
    return _back(workshop, "facilitators")


@bp.post("/workshops/<int:workshop_id>/facilitators/<int:facilitator_id>/delete")
@login_required
def remove_facilitator(workshop_id: int, facilitator_id: int) -> Any:
    workshop = _workshop(workshop_id)
    myself = facilitator_id == current_user.id
    done = _("You no longer run this workshop.") if myself else _("They no longer run this workshop.")
    if _apply(workshop, lambda: ops.remove_facilitator(workshop, facilitator_id), done) and myself:
        return redirect(url_for("workshops.index"))
    return _back(workshop, "facilitators")


@bp.post("/workshops/<int:workshop_id>/duplicate")
@login_required
def duplicate(workshop_id: int) -> Any:
    source = _workshop(workshop_id)
    with committed():
        copy = ops.duplicate_workshop(source, _me())
    flash(_("This is a copy with a new join code and blank stories. Adjust it, then share it."), "success")
    return redirect(url_for("workshops.edit", workshop_id=copy.id))


@bp.post("/workshops/<int:workshop_id>/archive")
@login_required
def archive(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    _apply(workshop, lambda: ops.archive_workshop(workshop), _("Workshop archived; joining is closed."))
    return redirect(url_for("workshops.index"))


@bp.post("/workshops/<int:workshop_id>/unarchive")
@login_required
def unarchive(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    _apply(
        workshop,
        lambda: ops.unarchive_workshop(workshop),
        _("Workshop restored. Joining stays closed until you open it."),
    )
    return _back(workshop, "settings")
