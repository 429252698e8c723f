"""The one hidden-characters rule: what no name, title or message may hold, and what every script needs."""

from __future__ import annotations

import pytest
import requests

from forms import has_hidden_characters
from tests import factories
from tests.server import ServerProcess

INVISIBLE = {
    "zero-width space": "Ada\u200b",
    "zero-width space inside": "A\u200bda",
    "zero-width non-joiner in Latin": "Ad\u200ca",
    "zero-width joiner after a letter": "Ada\u200d",
    "word joiner": "Ada\u2060",
    "byte order mark": "\ufeffAda",
    "soft hyphen": "A\u00adda",
    "invisible separator": "Ada\u2063",
    "Mongolian vowel separator": "Ada\u180e",
    "combining grapheme joiner": "Ada\u034f",
    "Hangul filler": "\u3164",
    "Hangul filler after a name": "Ada\u3164",
    "half-width Hangul filler": "Ada\uffa0",
    "variation selector on a Latin letter": "Ada\ufe0f",
    "tag characters alone": "Ada\U000e0041",
    "bidirectional override": "\u202eAda",
    "interlinear annotation": "Ada\ufff9x\ufffb",
}

VISIBLE = {
    "accents": "Zoë Ångström",
    "emoji": "Łukasz 🌱",
    "family emoji (zero-width joiners between pictographs)": "👨\u200d👩\u200d👧",
    "heart with variation selector": "I \u2764\ufe0f Plume",
    "keycap": "1\ufe0f\u20e3",
    "flag of Scotland (tag sequence)": "\U0001f3f4"
    + "".join(chr(0xE0000 + ord(c)) for c in "gbsct")
    + "\U000e007f",
    "Persian with a zero-width non-joiner": "می\u200cخواهم",
    "Hindi conjunct with a zero-width joiner": "क्\u200dष",
    "Chinese": "李小龍",
    "Korean": "김민준",
}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_are_hidden(text: str) -> None:
    assert has_hidden_characters(text)
    assert has_hidden_characters(text, multiline=True)


@pytest.mark.parametrize("text", VISIBLE.values(), ids=VISIBLE.keys())
def test_what_a_script_or_an_emoji_needs_is_not(text: str) -> None:
    assert not has_hidden_characters(text)


@pytest.mark.slow
def test_a_name_with_a_zero_width_space_cannot_pass_for_another(live_server: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    url = f"{live_server.url}/api/v1/join"
    assert requests.post(url, json={"code": workshop.join_code, "name": "Ada"}, timeout=15).status_code == 201
    for name in ("Ada\u200b", "\u200bAda", "Ad\u200da", "Ada\u2060", "\ufeffAda"):
        response = requests.post(url, json={"code": workshop.join_code, "name": name}, timeout=15)
        assert response.status_code == 422, name
        assert response.json()["error"]["code"] == "name_invalid"
