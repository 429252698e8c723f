"""`workshops.access.comment_audience` (the groups a comment event goes to) agrees with `comment_access` for
every participant, in every comment setting and visibility, running and not."""

from __future__ import annotations

from typing import Any

import pytest

from core.identity import Identity
from extensions import db
from tests import factories
from workshops.access import comment_access, comment_audience
from workshops.models import Workshop


@pytest.mark.parametrize("status", ["running", "paused", "finished", "not_started"])
@pytest.mark.parametrize("visibility", ["none", "next", "all"])
@pytest.mark.parametrize("comments", ["off", "group", "readers"])
def test_the_audience_is_who_may_see_the_comments(
    app_ctx: Any, status: str, visibility: str, comments: str
) -> None:
    phases = [{"title": "Now", "editors_open": True, "visibility": visibility, "comments": comments}]
    workshop = factories.workshop(groups=3, phases=phases, status=status)
    people = [(group.id, factories.participant(group)[0].id) for group in workshop.groups for _ in range(2)]
    workshop = db.session.get(Workshop, workshop.id)
    for group in workshop.groups:
        audience = comment_audience(group)
        for group_id, participant_id in people:
            sees = comment_access(Identity("participant", participant_id), group).see
            assert sees == (group_id in audience), (group.id, group_id)
