"""The text rules of every field that people type: stripped, not too long, no invisible control characters.

Workshop settings, group names, phase instructions and a published story's title and summary all pass here.
"""

from __future__ import annotations

from flask_babel import gettext as _

from errors import RefusedError
from forms import has_hidden_characters


class TextError(RefusedError):
    """A text broke a rule (not text, missing, too long, control characters); `message` is safe to show."""


def _check_text(value: object, *, limit: int, multiline: bool, required: bool) -> str:
    if not isinstance(value, str):
        raise TextError("invalid", _("Enter some text."))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not value:
        raise TextError("required", _("This field is required."))
    if len(value) > limit:
        raise TextError("too_long", _("At most %(limit)d characters, please.", limit=limit))
    if has_hidden_characters(value, multiline=multiline):
        raise TextError("control_characters", _("Remove the invisible control characters."))
    return value


def clean_line(value: object, *, limit: int, required: bool = True) -> str:
    """A one-line text (title, name) stripped and checked: no control character, not too long."""
    return _check_text(value, limit=limit, multiline=False, required=required)


def clean_text(value: object, *, limit: int, required: bool = False) -> str:
    """A multi-line text (question, Markdown instructions) with its line breaks normalised to \\n."""
    return _check_text(value, limit=limit, multiline=True, required=required)
