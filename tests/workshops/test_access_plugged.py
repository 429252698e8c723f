"""The app plugs the workshop's rules and people into `core` when it is created (`features.register`), and
the engine's answers come from them."""

from __future__ import annotations

import pytest
from flask import Flask

from core import access, identity
from tests import factories
from workshops.access import RULES
from workshops.people import DIRECTORY


def test_the_app_plugs_the_workshop_rules_and_people_into_core(app: Flask) -> None:
    assert access.rules() is RULES
    assert identity.participants() is DIRECTORY


def test_core_asks_the_registered_rules(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []

    class Closed:
        def story_access(
            self, who: identity.Identity | None, group_id: int, *, facilitator_writes: bool
        ) -> access.Access:
            asked.append(group_id)
            return access.Access.none()

    monkeypatch.setattr(access._rules, "value", Closed())
    who = identity.Identity("participant", 1)
    assert access.story_access_of(who, 42) == access.Access.none()
    assert asked == [42]


def test_an_unplugged_core_says_so(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access._rules, "value", None)
    with pytest.raises(RuntimeError, match="no access rules"):
        access.story_access_of(None, 1)


def test_a_participant_is_identified_through_the_plugged_directory(app: Flask) -> None:
    with app.test_request_context():
        workshop = factories.workshop()
        participant, token = factories.participant(workshop.groups[0], "Ada")
        assert identity.identify({"token": token}) == identity.Identity("participant", participant.id)
        assert identity.display_of(identity.Identity("participant", participant.id))[0] == "Ada"
        assert identity.identify({"token": "x" * 30}) is None
