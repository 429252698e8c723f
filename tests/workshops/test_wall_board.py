"""The wall projects one group's board with `?board=<group id>`: only a group of this workshop, only for its
facilitators; anything else is a 404, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests import factories
from tests.signin import sign_in


def test_the_wall_projects_a_group_of_its_workshop(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)
    group = workshop.groups[1]
    sign_in(client, owner)
    page = client.get(f"/workshops/{workshop.id}/wall?board={group.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-wall-board" in html
    assert f'data-story-id="{factories.story_of(group).id}"' in html
    assert "Board of Group 2" in html
    plain = client.get(f"/workshops/{workshop.id}/wall").get_data(as_text=True)
    assert "data-wall-board" not in plain
    assert "Project a board" in plain
    assert "data-wall-board" not in client.get(f"/workshops/{workshop.id}/wall?board=").get_data(as_text=True)


@pytest.mark.parametrize("board", ["abc", "-1", "0", str(2**31), "9" * 40, "1e3", "<script>"])
def test_a_wrong_board_is_a_404(client: FlaskClient, app_ctx: Any, board: str) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1)
    sign_in(client, owner)
    assert client.get(f"/workshops/{workshop.id}/wall", query_string={"board": board}).status_code == 404


def test_another_workshops_group_or_facilitator_is_a_404(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1)
    other = factories.workshop(groups=1)
    sign_in(client, owner)
    assert client.get(f"/workshops/{workshop.id}/wall?board={other.groups[0].id}").status_code == 404
    stranger = factories.facilitator()
    sign_in(client, stranger)
    assert client.get(f"/workshops/{workshop.id}/wall?board={workshop.groups[0].id}").status_code == 404
