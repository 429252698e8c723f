"""Forms of the deletion pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from forms import PlumeForm


class DeleteWorkshopForm(PlumeForm):
    keep_published = BooleanField(_l("Keep the published stories readable, as anonymous stories"))


class DeleteAccountForm(PlumeForm):
    keep_published = BooleanField(
        _l("In the workshops I delete, keep the published stories readable, as anonymous stories")
    )
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])
