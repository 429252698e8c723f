"""Facilitator account pages: first-run setup, sign in, sign out, change password."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import operations
from accounts.forms import LoginForm, PasswordForm, SetupForm
from accounts.models import Facilitator
from accounts.operations import SESSION_KEY
from accounts.safety import safe_next
from core.settings import settings
from core.unit_of_work import committed
from extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)
HOME = "workshops.index"  # where a signed-in facilitator lands: their workshops

login_manager.login_view = "accounts.login"
login_manager.login_message = None


@login_manager.user_loader
def load_facilitator(user_id: str) -> Facilitator | None:
    """The signed-in facilitator, if this browser's session is still live on the server (not signed out)."""
    if not user_id.isdigit() or operations.find_session(session.get(SESSION_KEY), int(user_id)) is None:
        return None
    return db.session.get(Facilitator, int(user_id))


def sign_in(facilitator: Facilitator) -> None:
    """Sign this browser in: a new server-side session, named by a token in the session cookie."""
    session[SESSION_KEY] = operations.start_session(facilitator)
    login_user(facilitator)


def _client_address() -> str:
    return request.remote_addr or "unknown"  # the proxy's client with PLUME_TRUSTED_PROXIES (ProxyFix)


def _login_key() -> str:
    """Wrong passwords count per client address *and* account: one NAT or attacker locks no one else out."""
    email = request.form.get("email")
    account = operations.normalise_email(email)[:254] if isinstance(email, str) else ""
    return f"{_client_address()}|{account}"


def _failed(_response: Any) -> bool:
    return bool(g.get("plume_login_failed"))


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Any:
    """One-time page that creates the first facilitator; gone once one exists."""
    if operations.facilitator_exists():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            with committed():
                data = form.email.data, form.password.data, form.name.data
                sign_in(operations.create_facilitator(*data))
        except operations.AccountError:
            abort(404)  # someone else completed the setup a moment ago
        flash(_("Welcome to Plume! Your facilitator account is ready."), "success")
        return redirect(url_for(HOME))
    return render_template("accounts/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: settings().login_rate, key_func=_login_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: settings().login_address_rate,
    key_func=_client_address,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), HOME))
    if not operations.facilitator_exists():
        return redirect(url_for("accounts.setup"))
    form = LoginForm()
    if form.validate_on_submit():
        facilitator = operations.authenticate(form.email.data, form.password.data)
        if facilitator is not None:
            with committed():
                sign_in(facilitator)
            return redirect(safe_next(request.args.get("next"), HOME))
        g.plume_login_failed = True
        form.password.errors.append(_("Wrong email or password."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Any:
    """Sign out: this browser's session ends on the server too, so a copy of its cookie opens nothing."""
    with committed():
        operations.end_session(session.pop(SESSION_KEY, None))
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Wrong password."))
        else:
            with committed():
                facilitator = current_user._get_current_object()
                operations.set_password(facilitator, form.password.data)  # signs out every browser…
                sign_in(facilitator)  # …but this one, in a new session
            flash(_("Your password is changed."), "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/password.html", form=form)
