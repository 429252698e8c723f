"""The one catalogue of browser strings (`browser_strings.py`) covers what the scripts read, in French too."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask_babel import force_locale

import browser_strings

ROOT = Path(__file__).resolve().parent.parent


def _js_keys(path: str, block: str) -> set[str]:
    """The keys of the object literal `block` in a static/src file (`key: 'English'` lines)."""
    text = (ROOT / path).read_text(encoding="utf-8")
    body = text[text.index(block) :].split("})", 1)[0]
    return set(re.findall(r"^\s+(\w+): '", body, re.M))


def _texts(entry: str | dict[str, str]) -> list[str]:
    """A catalogue entry's wordings: itself, or each plural form of a plural-aware entry."""
    return list(entry.values()) if isinstance(entry, dict) else [entry]


def test_a_count_is_worded_with_the_plural_forms_of_the_locale(app: Flask) -> None:
    with app.test_request_context():
        assert browser_strings.feedback()["chatUnread"] == {"one": "{count} new", "other": "{count} new"}
        with force_locale("fr"):
            french = browser_strings.feedback()["chatUnread"]
    assert french == {"one": "{count} nouveau", "other": "{count} nouveaux"}  # not "nouveau(x)"


def test_the_editor_strings_cover_the_scripts_fallbacks(app: Flask) -> None:
    with app.test_request_context():
        assert set(browser_strings.editor()) == _js_keys("static/src/strings.js", "DEFAULT_STRINGS")


def test_each_page_holds_its_components(app: Flask) -> None:
    with app.test_request_context():
        editor = browser_strings.editor()
        assert browser_strings.participant_page() == {
            **editor,
            "live": browser_strings.live(),
            "feedback": browser_strings.feedback(),
            "group": browser_strings.group(),
            "board": browser_strings.board(),
        }
        assert browser_strings.console_page() == {
            **browser_strings.participant_page(),
            "console": browser_strings.console(),
        }
        assert browser_strings.wall_page() == {
            "live": browser_strings.live(),
            "board": browser_strings.board(),
        }


def test_every_component_is_translated_into_french(app: Flask) -> None:
    components = [
        browser_strings.editor,
        browser_strings.live,
        browser_strings.console,
        browser_strings.feedback,
        browser_strings.group,
        browser_strings.board,
        browser_strings.history,
        browser_strings.read_aloud,
    ]
    with app.test_request_context():
        for component in components:
            english = component()
            with force_locale("fr"):
                french = component()
            assert set(french) == set(english)
            same = [
                key
                for key in english
                if french[key] == english[key]
                and re.search(r"[a-z]{4}", re.sub(r"\{\w+\}", "", " ".join(_texts(english[key]))))
            ]
            assert not same, f"{component.__name__}: not translated: {same}"
