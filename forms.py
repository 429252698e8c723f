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
_HIDDEN = frozenset({"Cc", "Cs", "Co", "Cf"})  # controls, lone surrogates, private use, format characters

#: Unicode's Default_Ignorable_Code_Point ranges (drawn as nothing: zero-width space, word joiner, soft
#: hyphen, fillers, variation selectors, tags), plus the braille blank, which looks like a space.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x2800, 0x2800),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
ZWNJ, ZWJ, KEYCAP, BLACK_FLAG, CANCEL_TAG = "\u200c", "\u200d", "\u20e3", "\U0001f3f4", "\U000e007f"


def _ignorable(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE)


def _is_variation_selector(ch: str) -> bool:
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"


def _is_tag(ch: str) -> bool:
    return "\U000e0020" <= ch <= "\U000e007f"


def _pictograph(ch: str) -> bool:
    """An emoji-like symbol (or a skin tone modifier), which joiners and variation selectors may follow."""
    return not ch.isascii() and unicodedata.category(ch) in ("So", "Sk", "Sm", "Po")


def _needed(value: str, i: int) -> bool:
    """Whether the invisible character at `value[i]` is one that a script or an emoji needs there.

    A joiner between pictographs (👨‍👩‍👧) or after a virama (क्‍ष); a non-joiner between non-Latin letters
    (می‌خواهم); a variation selector after a symbol or an ideograph (❤️, 1️⃣); the tags of a flag (🏴 + tags
    + cancel tag). Anywhere else they only hide something.
    """
    ch = value[i]
    before = value[i - 1] if i else ""
    after = value[i + 1] if i + 1 < len(value) else ""
    if ch in (ZWJ, ZWNJ) and before and after:
        if unicodedata.combining(before) == 9:  # a virama: the joiner picks the form of a conjunct
            return unicodedata.category(after).startswith("L")
        if ch == ZWJ:
            return (_pictograph(before) or _is_variation_selector(before)) and _pictograph(after)
        return not before.isascii() and not after.isascii() and before.isalpha() and after.isalpha()
    if _is_variation_selector(ch):
        if before in "0123456789#*" and before and after == KEYCAP:
            return True
        return bool(before) and (_pictograph(before) or (not before.isascii() and before.isalpha()))
    if _is_tag(ch):  # a subdivision flag: 🏴, then tag letters, then the cancel tag
        start = i
        while start and _is_tag(value[start - 1]):
            start -= 1
        end = i
        while end + 1 < len(value) and _is_tag(value[end + 1]):
            end += 1
        run = value[start : end + 1]
        return start > 0 and value[start - 1] == BLACK_FLAG and len(run) > 1 and run[-1] == CANCEL_TAG
    return False


def has_hidden_characters(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds characters that hide or reorder text: what no name, title or message may have.

    Invisible characters (controls, format characters such as the zero-width space, fillers) are refused,
    but for the joiners, variation selectors and tags that a script or an emoji needs where they stand.
    Tab and line breaks are allowed when `multiline`; a one-line text refuses them and the Unicode line and
    paragraph separators too.
    """
    for i, ch in enumerate(value):
        if multiline and ch in "\t\n\r":
            continue
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS or (not multiline and category in ("Zl", "Zp")):
            return True
        if (category in _HIDDEN or _ignorable(ch)) and not _needed(value, i):
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
