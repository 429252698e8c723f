"""French elision where a name is put into a message: "le récit de {group}" with "Érable" gives "le récit
d’Érable", "le commentaire de %(name)s" with "Alice" gives "le commentaire d’Alice".

A translator cannot write the elided form: it depends on the name. So the message is formatted by
`format_message`, which elides "de", "que", "le" and "la" right before a placeholder whose value starts
with a vowel or a mute h, and only in French. Templates get it through their `_`/`gettext`
(`install_in_templates`); the browser's scripts have the same rules in `format` of static/src/strings.js,
and both are tested against the same cases (tests/fixtures/elision.json).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import get_locale, get_translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

#: The words elided before a vowel sound, and what they become.
ELIDED = {"de": "d’", "que": "qu’", "le": "l’", "la": "l’"}
VOWELS = "aeiouœæ"  # after the accents are taken off: "Émilie" starts with "e"
_BEFORE_PLACEHOLDER = re.compile(r"(?<![\w’'])(de|que|le|la) (?=%\((\w+)\)s|\{(\w+)\})", re.IGNORECASE)


def starts_with_vowel_sound(value: str) -> bool:
    """ "Alice", "Érable", "Hélène" (a mute h before a vowel): yes; "David", "Yves", "8 h": no."""
    bare = "".join(c for c in unicodedata.normalize("NFD", value.lstrip()) if not unicodedata.combining(c))
    first, second = bare[:1].lower(), bare[1:2].lower()
    return first in VOWELS or (first == "h" and second in VOWELS)


def elide(template: str, values: Mapping[str, Any], language: str | None) -> str:
    """`template` with "de {name}" turned into "d’{name}" where `values["name"]` starts with a vowel sound.

    Placeholders may be `%(name)s` (Python) or `{name}` (the browser's); nothing changes outside French.
    """
    if not language or not language.lower().startswith("fr"):
        return template

    def shorten(match: re.Match[str]) -> str:
        word, name = match[1], match[2] or match[3]
        value = values.get(name)
        if not isinstance(value, str) or not starts_with_vowel_sound(value):
            return match[0]
        short = ELIDED[word.lower()]
        return short[0].upper() + short[1:] if word[0].isupper() else short

    return _BEFORE_PLACEHOLDER.sub(shorten, template)


def format_message(
    template: str, values: Mapping[str, Any], language: str | None, *, markup: bool = False
) -> str:
    """`template % values`, elided first where `language` is French (see `elide`); with `markup`, the
    template is trusted HTML and the values are escaped into it."""
    elided = elide(template, values, language)
    return (Markup(elided) if markup else elided) % values  # noqa: S704 (a translated template; values escaped)


def install_in_templates(environment: Environment) -> None:
    """Templates' `_()` and `gettext()` elide (after Flask-Babel's set-up, which it replaces: the same
    "new style" gettext, escaping the values when autoescape is on, formatting even without values)."""

    @pass_context
    def gettext(context: Context, string: str, **variables: Any) -> str:
        translated: str = get_translations().ugettext(string)
        return format_message(translated, variables, str(get_locale()), markup=context.eval_ctx.autoescape)

    environment.globals["gettext"] = gettext
