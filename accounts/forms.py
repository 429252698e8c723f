"""Forms of the facilitator account pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from forms import PlumeForm

PASSWORD_MIN = 10


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address."))


class SetupForm(PlumeForm):
    name = StringField(_l("Your name"), validators=[Length(max=80)])
    email = EmailField(_l("Email"), filters=[_strip], validators=[DataRequired(), EMAIL, Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class LoginForm(PlumeForm):
    email = EmailField(_l("Email"), filters=[_strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(PlumeForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
