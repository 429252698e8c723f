"""Each phase says which tool it shows (the story, the board, both), the board's columns and its dots."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from accounts.models import Facilitator
from core.unit_of_work import committed
from errors import RefusedError
from extensions import db
from tests import factories
from tests.signin import sign_in
from workshops import management, state, templates
from workshops.models import Phase, Workshop


def test_the_bright_mirror_agenda_gives_the_early_phases_a_board() -> None:
    phases = {spec.title: spec for spec in templates.agenda("bright_mirror", "en")}
    signals = phases["Signals"]
    assert (signals.tool, signals.board_columns.splitlines(), signals.dots) == (
        "board",
        ["Signals", "Promising", "Set aside"],
        3,
    )
    assert phases["Imagine the world"].tool == "both"
    assert phases["Imagine the world"].board_columns.splitlines()[0] == "Promising"  # the signals kept
    assert phases["Characters and plot"].tool == "both"
    write = phases["Write"]
    assert (write.tool, write.board_readonly, write.board_columns) == ("both", True, "")  # every column
    assert phases["Cross-reading"].tool == "story"
    french = {spec.title: spec for spec in templates.agenda("bright_mirror", "fr")}
    assert french["Signaux"].board_columns.splitlines() == ["Signaux", "Prometteurs", "De côté"]


@pytest.mark.usefixtures("app_ctx")
def test_a_workshop_keeps_its_phases_boards_and_its_copy_too() -> None:
    workshop = factories.bright_mirror_workshop(groups=2)
    signals = workshop.phases[1]
    assert (signals.tool, signals.columns, signals.dots) == (
        "board",
        ["Signals", "Promising", "Set aside"],
        3,
    )
    with committed():
        copy = management.duplicate_workshop(workshop, workshop.owner)
    assert [(p.tool, p.board_columns, p.dots, p.board_readonly) for p in copy.phases] == [
        (p.tool, p.board_columns, p.dots, p.board_readonly) for p in workshop.phases
    ]


@pytest.mark.usefixtures("app_ctx")
def test_the_state_tells_the_groups_what_the_phase_shows() -> None:
    workshop = factories.workshop(
        groups=1,
        phases=[
            {"title": "Signals", "tool": "board", "board_columns": "Hot\nCold", "dots": 3},
            {"title": "Write", "tool": "both", "board_readonly": True},
        ],
    )
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    seen = state.participant_state(ada)
    assert seen["phase_tool"] == "board"
    assert seen["board"] == {"columns": ["Hot", "Cold"], "dots": 3, "readonly": False, "hidden": False}


@pytest.mark.usefixtures("app_ctx")
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"tool": "wall"}, "invalid"),
        ({"tool": 3}, "invalid"),
        ({"dots": -1}, "out_of_range"),
        ({"dots": 11}, "out_of_range"),
        ({"dots": True}, "invalid"),
        ({"dots": "3"}, "invalid"),
        ({"board_columns": "a\nb\nc\nd\ne\nf\ng"}, "invalid"),
        ({"board_columns": "Same\nsame"}, "invalid"),
        ({"board_columns": "x" * 41}, "too_long"),
        ({"board_columns": "bad\u0000name"}, "control_characters"),
        ({"board_readonly": "yes"}, "invalid"),
    ],
)
def test_a_bad_board_setting_is_refused_and_nothing_changes(change: dict[str, Any], code: str) -> None:
    workshop = factories.workshop(groups=1)
    phase = workshop.phases[0]
    base = {
        "title": phase.title,
        "instructions": "",
        "minutes": 15,
        "editors_open": True,
        "visibility": "none",
    }
    with pytest.raises(RefusedError) as refused:
        management.update_phase(workshop, phase, **base, **change)
    assert refused.value.code == code
    db.session.rollback()
    stored = db.session.get(Phase, phase.id)
    assert (stored.tool, stored.board_columns, stored.dots) == ("story", "", 0)


def test_the_agenda_editor_sets_a_phase_board(csrf_client: FlaskClient, app_ctx: Any) -> None:
    owner: Facilitator = factories.facilitator("board-owner@example.org")
    workshop = factories.bright_mirror_workshop(owner, groups=1)
    signed_in = sign_in(csrf_client, owner)
    phase = workshop.phases[2]
    page = signed_in.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert f'name="phase-{phase.id}-board_columns"' in page
    assert f'name="phase-{phase.id}-dots"' in page
    p = f"phase-{phase.id}"
    data = {
        f"{p}-title": phase.title,
        f"{p}-minutes": "25",
        f"{p}-visibility": "none",
        f"{p}-editors_open": "y",
        f"{p}-tool": "board",
        f"{p}-board_columns": "  Places \r\nPeople\n\n<b>Things</b>",
        f"{p}-dots": "2",
    }
    response = signed_in.post(f"/workshops/{workshop.id}/phases/{phase.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Workshop, workshop.id).phases[2]
    assert (stored.tool, stored.columns, stored.dots) == ("board", ["Places", "People", "<b>Things</b>"], 2)
    data[f"{p}-dots"] = "99"
    page = signed_in.post(f"/workshops/{workshop.id}/phases/{phase.id}", data=data).get_data(as_text=True)
    assert "Enter a number from 0 to 10." in page
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).phases[2].dots == 2
