"""Speaking a given language for one piece of work: a workshop's projected screens, its exports.

The locale of a request is the reader's (`app.select_locale`); a screen shown to the room (the wall, the
share screen, the reading mode) or a file made for it speaks the room's language instead, the one the
participants' pages already speak (see docs/architecture.md for where each page lives).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_babel import force_locale

T = TypeVar("T")


def in_language(language: str | None, make: Callable[[], T]) -> T:
    """`make()` with every translation, date and plural in `language`, when the site has it."""
    if language not in current_app.config["LANGUAGES"]:
        return make()
    with force_locale(language):
        return make()
