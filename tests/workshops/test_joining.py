"""Joining by code and name: balanced groups, chosen groups, rejoining, closing, and every bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.identity import hash_token
from extensions import db
from tests import factories
from workshops import joining
from workshops.models import Participant


def participants() -> int:
    return db.session.scalar(select(func.count(Participant.id)))


def test_joining_balances_the_groups_in_order(app_ctx) -> None:
    workshop = factories.workshop(groups=3)
    groups = [joining.join(workshop.join_code, f"Writer {i}").participant.group_id for i in range(7)]
    first, second, third = (g.id for g in workshop.groups)
    assert groups == [first, second, third, first, second, third, first]


def test_joining_fills_the_smallest_group_after_a_move_or_a_late_group(app_ctx) -> None:
    workshop = factories.workshop(groups=2)
    factories.participant(workshop.groups[0])
    factories.participant(workshop.groups[0])
    joined = joining.join(workshop.join_code, "Ada")
    assert joined.participant.group_id == workshop.groups[1].id


def test_a_join_stores_the_hash_of_a_fresh_token(app_ctx) -> None:
    workshop = factories.workshop()
    joined = joining.join(workshop.join_code, "  Ada   Lovelace ")
    stored = db.session.get(Participant, joined.participant.id)
    assert stored.display_name == "Ada Lovelace"
    assert stored.token_hash == hash_token(joined.token)
    assert joined.token not in stored.token_hash
    assert len(joined.token) >= 30
    assert stored.workshop_id == workshop.id


def test_writers_of_a_group_get_different_colours(app_ctx) -> None:
    workshop = factories.workshop(groups=1)
    colours = [
        joining.join(workshop.join_code, f"W{i}").participant.color for i in range(len(joining.PALETTE))
    ]
    assert sorted(colours) == sorted(joining.PALETTE)


@pytest.mark.parametrize("code", ["{code}", "{lower}", " {dashed} ", "{lower_dashed}"])
def test_the_code_may_be_typed_loosely(app_ctx, code: str) -> None:
    workshop = factories.workshop(join_code="K7QM4P")
    typed = code.format(code="K7QM4P", lower="k7qm4p", dashed="K7Q-M4P", lower_dashed="k7q-m4p")
    assert joining.join(typed, "Ada").participant.workshop_id == workshop.id


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "name_required"),
        ("   \u3000 ", "name_required"),
        ("x" * 10_000, "name_too_long"),
        ("x" * 61, "name_too_long"),
        ("Ada\x00", "name_invalid"),
        ("Ada\nLovelace", "name_invalid"),
        ("Ada\tLovelace", "name_invalid"),
        ("Ada\x1b[31m", "name_invalid"),
        ("\u202eevil", "name_invalid"),
        ("Ada\u2028", "name_invalid"),
        ("Ada\x85", "name_invalid"),
        ("\ud800", "name_invalid"),
        (None, "invalid"),
        (42, "invalid"),
        (["Ada"], "invalid"),
    ],
)
def test_a_bad_name_is_refused_and_nothing_is_written(app_ctx, name: object, code: str) -> None:
    workshop = factories.workshop()
    with pytest.raises(joining.JoinError) as refused:
        joining.join(workshop.join_code, name)
    assert refused.value.code == code
    assert refused.value.message
    assert participants() == 0


@pytest.mark.parametrize("name", ["Zoë", "Łukasz 🌱", "李小龍", "x" * 60, "Anne-Marie O’Neil"])
def test_names_in_any_script_are_welcome(app_ctx, name: str) -> None:
    workshop = factories.workshop()
    assert joining.join(workshop.join_code, name).participant.display_name == name


@pytest.mark.parametrize("code", ["NOPE42", "", None, 123, "x" * 1000])
def test_a_wrong_code_is_refused(app_ctx, code: object) -> None:
    factories.workshop()
    with pytest.raises(joining.JoinError) as refused:
        joining.join(code, "Ada")
    assert refused.value.code == "unknown_code"
    assert participants() == 0


def test_a_closed_or_archived_workshop_refuses_newcomers(app_ctx) -> None:
    closed = factories.workshop(joining_open=False)
    archived = factories.workshop(archived_at=datetime.now(UTC))
    for workshop in (closed, archived):
        with pytest.raises(joining.JoinError) as refused:
            joining.join(workshop.join_code, "Ada")
        assert refused.value.code == "joining_closed"
    assert participants() == 0


def test_participants_choose_their_group_when_allowed(app_ctx) -> None:
    workshop = factories.workshop(groups=3, participants_choose_group=True)
    last = workshop.groups[2]
    assert joining.join(workshop.join_code, "Ada", group_id=last.id).participant.group_id == last.id


@pytest.mark.parametrize("group", ["other_workshop", "missing", "text", "bool"])
def test_a_bad_group_choice_is_refused(app_ctx, group: str) -> None:
    workshop = factories.workshop(groups=2, participants_choose_group=True)
    other = factories.workshop()
    group_id = {"other_workshop": other.groups[0].id, "missing": 999_999, "text": "1", "bool": True}[group]
    with pytest.raises(joining.JoinError) as refused:
        joining.join(workshop.join_code, "Ada", group_id=group_id)
    assert refused.value.code == "invalid_group"
    assert participants() == 0


def test_choosing_a_group_needs_the_facilitators_permission(app_ctx) -> None:
    workshop = factories.workshop(groups=2)
    with pytest.raises(joining.JoinError) as refused:
        joining.join(workshop.join_code, "Ada", group_id=workshop.groups[1].id)
    assert refused.value.code == "choice_not_allowed"
    assert participants() == 0


def test_rejoining_with_the_token_gives_the_same_participant_in_the_same_group(app_ctx) -> None:
    workshop = factories.workshop(groups=3)
    joined = joining.join(workshop.join_code, "Ada")
    for i in range(3):
        joining.join(workshop.join_code, f"Other {i}")
    again = joining.rejoin(joined.token)
    assert (again.id, again.group_id) == (joined.participant.id, joined.participant.group_id)
    assert participants() == 4


@pytest.mark.parametrize("token", ["not-a-token-at-all", "", None, 7, "x" * 500])
def test_rejoining_with_a_wrong_token_is_refused(app_ctx, token: object) -> None:
    factories.workshop()
    with pytest.raises(joining.JoinError) as refused:
        joining.rejoin(token)
    assert refused.value.code == "unknown_token"


def test_the_facilitator_closes_and_reopens_joining(app_ctx) -> None:
    workshop = factories.workshop()
    joining.set_joining(workshop, False)
    with pytest.raises(joining.JoinError):
        joining.join(workshop.join_code, "Ada")
    joining.set_joining(workshop, True)
    assert joining.join(workshop.join_code, "Ada").participant.workshop_id == workshop.id


def test_an_archived_workshop_cannot_be_reopened_for_joining(app_ctx) -> None:
    workshop = factories.workshop(joining_open=False, archived_at=datetime.now(UTC))
    with pytest.raises(joining.JoinError) as refused:
        joining.set_joining(workshop, True)
    assert refused.value.code == "archived"
    db.session.rollback()
    assert db.session.get(type(workshop), workshop.id).joining_open is False


def test_a_workshop_without_groups_says_so(app_ctx) -> None:
    workshop = factories.workshop(groups=0)
    with pytest.raises(joining.JoinError) as refused:
        joining.join(workshop.join_code, "Ada")
    assert refused.value.code == "no_group"
