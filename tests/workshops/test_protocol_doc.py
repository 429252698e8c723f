"""docs/protocol.md's "Workshops and facilitation" section names every action, field and error code that
the server has (a new one without its line in the document fails here)."""

from __future__ import annotations

import re
from pathlib import Path

from tests import factories
from workshops import live, phases, state

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def section() -> str:
    text = DOC.read_text()
    start = text.index("## Workshops and facilitation")
    return text[start : text.index("## A client in Python")]


def test_the_section_is_written() -> None:
    assert "To be written" not in section()


def test_every_action_has_its_row() -> None:
    rows = re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", section(), flags=re.MULTILINE)
    documented = {name for row in rows for name in row if name}
    assert set(live.ACTIONS) <= documented


def test_every_error_code_is_listed() -> None:
    codes = {*phases.ERROR_CODES, "forbidden", "stale", "not_found", "too_long", "archived", "server_error"}
    for code in codes:
        assert f"`{code}`" in section(), code


def test_every_field_of_workshop_state_is_described(app_ctx) -> None:
    workshop = factories.workshop(groups=2)
    someone, _ = factories.participant(workshop.groups[0])
    fields = {*state.facilitator_state(workshop.id), *state.participant_state(someone)}
    fields |= set(state.facilitator_state(workshop.id)["groups"][0]) | set(
        state.participant_state(someone)["group"]
    )
    fields |= set(state.presence_payload(workshop.id))
    text = section()
    for name in fields:
        assert f"`{name}`" in text or f'"{name}"' in text, name
