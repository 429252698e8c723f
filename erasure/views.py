"""The deletion pages: delete a workshop (its facilitators), delete one's own facilitator account.

Each is a confirmation page (GET) that says what will go, and its form (POST, CSRF; for the account, its
password, wrong guesses limited as at sign-in). Only the workshop's facilitators reach its page; anyone else
gets a 404, as for every management page; a workshop already deleted is a 404 too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from accounts.operations import SESSION_KEY
from core.settings import settings
from core.unit_of_work import committed
from erasure import accounts, workshops
from erasure.forms import DeleteAccountForm, DeleteWorkshopForm
from errors import RefusedError
from extensions import limiter
from ids import parse_id
from workshops.management import workshop_for
from workshops.models import Workshop

bp = Blueprint("erasure", __name__)
UNPROCESSABLE = 422


def _workshop(workshop_id: int) -> Workshop:
    workshop = workshop_for(current_user.id, workshop_id)  # None for a stranger, a bad id, a deleted one
    if workshop is None:
        abort(404)
    return workshop


@bp.route("/workshops/<int:workshop_id>/delete", methods=["GET", "POST"])
@login_required
def delete_workshop(workshop_id: int) -> Any:
    workshop = _workshop(workshop_id)
    form = DeleteWorkshopForm()
    if form.validate_on_submit():
        title = workshop.title
        with committed():
            workshops.delete_workshop(workshop, keep_published=form.keep_published.data)
        flash(_("“%(title)s” and everything it held are deleted.", title=title), "success")
        return redirect(url_for("workshops.index"), code=303)
    status = UNPROCESSABLE if request.method == "POST" else 200
    page = render_template(
        "erasure/delete_workshop.html", workshop=workshop, form=form, contents=workshops.contents(workshop)
    )
    return page, status


def _choices(owned: list[accounts.Owned]) -> dict[int, int | str]:
    """The person's choice for each owned workshop, as the form sent it (checked by the operation)."""
    choices: dict[int, int | str] = {}
    for item in owned:
        raw = request.form.get(f"workshop-{item.workshop.id}", "")
        choices[item.workshop.id] = parse_id(raw, digits=True) or raw
    return choices


def _password_key() -> str:
    """Wrong passwords count per client address and account, as at sign-in."""
    return f"{request.remote_addr or 'unknown'}|delete-account|{current_user.get_id()}"


def _failed(_response: Any) -> bool:
    return bool(g.get("plume_password_failed"))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: settings().login_rate, key_func=_password_key, methods=["POST"], deduct_when=_failed)
def delete_account() -> Any:
    me = current_user._get_current_object()
    owned = accounts.owned(me)
    form = DeleteAccountForm()
    chosen: dict[int, int | str] = accounts.default_choices(owned)
    error = None
    if form.validate_on_submit():
        chosen = _choices(owned)
        if not me.check_password(form.password.data):
            g.plume_password_failed = True
            form.password.errors.append(_("Wrong password."))
        else:
            try:
                with committed():
                    accounts.delete_account(me, chosen, keep_published=form.keep_published.data)
            except RefusedError as refused:
                error = refused.message
            else:
                session.pop(SESSION_KEY, None)
                logout_user()
                flash(_("Your account is deleted. Thank you for your workshops."), "success")
                return redirect(url_for("pages.home"), code=303)
    status = UNPROCESSABLE if request.method == "POST" else 200
    page = render_template(
        "erasure/delete_account.html",
        form=form,
        owned=owned,
        chosen=chosen,
        error=error,
        delete_choice=accounts.DELETE,
        contents={item.workshop.id: workshops.contents(item.workshop) for item in owned},
    )
    return page, status
