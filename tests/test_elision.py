"""French elision where a name is put into a message (core/elision.py), on the cases the browser's
`format` is tested against too (tests/fixtures/elision.json, static/src/strings.test.mjs)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale

from core.elision import elide, format_message

CASES = json.loads((Path(__file__).parent / "fixtures" / "elision.json").read_text(encoding="utf-8"))["cases"]


def braces(template: str, values: dict[str, Any]) -> str:
    """What the browser's `format` does once elided: {name} → its value, an unknown one left as is."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), template)


@pytest.mark.parametrize("case", CASES, ids=[c["expected"] for c in CASES])
def test_elision_on_the_shared_cases(case: dict[str, Any]) -> None:
    lang, values = case["lang"], case["values"]
    assert braces(elide(case["template"], values, lang), values) == case["expected"]
    if re.findall(r"\{(\w+)\}", case["template"]) and all(
        k in values for k in re.findall(r"\{(\w+)\}", case["template"])
    ):  # the same message with Python's placeholders
        percent = re.sub(r"\{(\w+)\}", r"%(\1)s", case["template"])
        assert format_message(percent, values, lang) == case["expected"]


def test_templates_elide_in_french_and_still_escape(app: Flask) -> None:
    source = "{{ _('the comment of %(name)s', name=name) }}"
    with app.test_request_context("/"):
        assert render_template_string(source, name="Alice") == "the comment of Alice"
        with force_locale("fr"):
            assert render_template_string(source, name="Alice") == "le commentaire d’Alice"
            assert render_template_string(source, name="David") == "le commentaire de David"
            hostile = render_template_string(source, name="<b>Ève</b>")
            assert hostile == "le commentaire de &lt;b&gt;Ève&lt;/b&gt;"  # escaped; "<" is no vowel
            assert render_template_string("{{ _('100%% sure') }}") == "100% sure"
