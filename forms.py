"""The base of every form, and the one cleaning rule for user text: no control characters.

PostgreSQL refuses NUL in text and no user-facing text needs C0 controls, so every field of every
`PlumeForm` drops them (keeping tab and newlines) before validation; JSON and socket inputs use `clean_text`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any) -> Any:
    """`value` without C0 control characters (tab, CR and LF kept); non-strings pass through."""
    return _CONTROL.sub("", value) if isinstance(value, str) else value


#: Invisible characters that reorder or hide text (bidirectional marks, embeddings, overrides, isolates).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_HIDDEN = frozenset({"Cc", "Cs", "Co"})  # control characters, lone surrogates, private use


def has_hidden_characters(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds characters that hide or reorder text: what no name, title or message may have.

    Tab and line breaks are allowed when `multiline`; a one-line text refuses them and the Unicode line and
    paragraph separators too.
    """
    for ch in value:
        if multiline and ch in "\t\n\r":
            continue
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS or category in _HIDDEN or (not multiline and category in ("Zl", "Zp")):
            return True
    return False


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
