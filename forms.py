"""The base of every form, and the one cleaning rule for user text: no control characters.

PostgreSQL refuses NUL in text and no user-facing text needs C0 controls, so every field of every
`PlumeForm` drops them (keeping tab and newlines) before validation; JSON and socket inputs use `clean_text`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> Any:
    """`value` without C0 control characters (tab, CR and LF kept); non-strings pass through."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


class PlumeForm(FlaskForm):
    """A Flask-WTF form whose every field is cleaned of control characters first."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = unbound_field.kwargs.get("filters") or ()
            options["filters"] = (clean_text, *filters)
            return unbound_field.bind(form=form, **options)


Validator = Callable[[FlaskForm, Field], None]


def rule(check: Callable[[Any], Any], error_type: type[Exception]) -> Validator:
    """A WTForms validator from a domain check: the operation's rule, stated once, shown as a field error.

    `check` gets the field's data (`""` for none) and raises `error_type`, whose `message` is shown.
    """

    def validate(_form: FlaskForm, field: Field) -> None:
        if field.errors:  # already refused (not a number, missing): one message is enough
            return
        try:
            check("" if field.data is None else field.data)
        except error_type as error:
            raise ValidationError(getattr(error, "message", str(error))) from None

    return validate
