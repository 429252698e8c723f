"""The Bright Mirror agenda and the blank template, in every language a workshop can use."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from core.rendering import render_markdown
from workshops import templates
from workshops.models import VISIBILITY

BRIGHT_MIRROR_EN = [
    "Welcome and framing",
    "Signals",
    "Imagine the world",
    "Characters and plot",
    "Write",
    "Cross-reading",
    "Revise",
    "Publish and share",
]
BRIGHT_MIRROR_FR = [
    "Accueil et cadrage",
    "Signaux",
    "Imaginer le monde",
    "Personnages et intrigue",
    "Écrire",
    "Lecture croisée",
    "Réviser",
    "Publier et partager",
]


def test_every_app_language_has_its_texts(app: Flask) -> None:
    assert set(templates.LANGUAGES) == set(app.config["LANGUAGES"])


@pytest.mark.parametrize("key", list(templates.TEMPLATES))
@pytest.mark.parametrize("language", templates.LANGUAGES)
def test_every_phase_is_complete_and_sane(key: str, language: str) -> None:
    phases = templates.agenda(key, language)
    assert phases
    for phase in phases:
        assert phase.title.strip()
        assert len(phase.title) <= 200
        assert phase.instructions.strip()
        assert 60 <= phase.duration_seconds <= 2 * 3600
        assert phase.duration_seconds % 60 == 0
        assert phase.visibility in VISIBILITY


def test_the_bright_mirror_agenda_follows_the_design() -> None:
    english = templates.agenda("bright_mirror", "en")
    french = templates.agenda("bright_mirror", "fr")
    assert [p.title for p in english] == BRIGHT_MIRROR_EN
    assert [p.title for p in french] == BRIGHT_MIRROR_FR
    assert sum(p.duration_seconds for p in english) == 3 * 3600  # a three-hour workshop
    by_title = {p.title: p for p in english}
    assert not by_title["Welcome and framing"].editors_open
    assert all(by_title[t].editors_open for t in ("Signals", "Imagine the world", "Write", "Revise"))
    cross = by_title["Cross-reading"]
    assert (cross.editors_open, cross.visibility) == (False, "next")
    assert by_title["Publish and share"].visibility == "all"
    # Both languages share one set of settings.
    settings = [(p.duration_seconds, p.editors_open, p.visibility) for p in english]
    assert settings == [(p.duration_seconds, p.editors_open, p.visibility) for p in french]


@pytest.mark.parametrize("language", templates.LANGUAGES)
def test_instructions_are_markdown_that_renders_to_lists_and_emphasis(app: Flask, language: str) -> None:
    for phase in templates.agenda("bright_mirror", language):
        html = str(render_markdown(phase.instructions))
        assert "<p>" in html
        assert "<li>" in html, phase.title  # every phase gives its steps as a list
        assert "**" not in html
        assert "\\" not in html


def test_french_texts_follow_french_typography() -> None:
    for phase in templates.agenda("bright_mirror", "fr"):
        text = phase.title + "\n" + phase.instructions
        assert not re.search(r" [:;!?»]|« ", text), phase.title  # a no-break space instead
        assert "'" not in text  # the typographic apostrophe ’
        assert "\u00a0:" in text or "\u00a0?" in text or "\u00a0!" in text


def test_languages_and_templates_outside_the_list() -> None:
    assert templates.agenda("blank", "de") == templates.agenda("blank", "en")
    with pytest.raises(KeyError):
        templates.agenda("no-such-template", "en")
    blank = templates.agenda("blank", "fr")
    assert len(blank) == 1
    assert blank[0].editors_open
    assert blank[0].title == "Écriture"


def test_default_names_are_in_the_workshop_language() -> None:
    assert templates.group_name("fr", 2) == "Groupe 2"
    assert templates.group_name("en", 3) == "Group 3"
    assert templates.group_name("xx", 1) == "Group 1"
    assert templates.new_phase_title("fr") == "Nouvelle phase"
