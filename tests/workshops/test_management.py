"""Workshop management operations, called directly (no request): their effects and the rules they keep."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.unit_of_work import committed
from errors import RefusedError
from extensions import db
from stories.models import Story
from tests import factories
from workshops import join_codes
from workshops import management as ops
from workshops.models import Group, Phase, Workshop, WorkshopFacilitator

pytestmark = pytest.mark.usefixtures("app_ctx")


def count(model: Any) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(workshop: Workshop) -> Workshop:
    """The workshop as stored (nothing from the session's memory)."""
    db.session.expire_all()
    return db.session.get(Workshop, workshop.id)


def titles(workshop: Workshop) -> list[str]:
    return [p.title for p in fresh(workshop).phases]


def agenda_of(workshop: Workshop) -> list[tuple[Any, ...]]:
    return [
        (p.position, p.title, p.instructions, p.duration_seconds, p.editors_open, p.visibility)
        for p in workshop.phases
    ]


def snapshot() -> tuple[int, ...]:
    return tuple(count(m) for m in (Workshop, Phase, Group, Story, WorkshopFacilitator))


# --- Join codes ---------------------------------------------------------------------------------------


def test_join_codes_are_short_unambiguous_and_readable() -> None:
    codes = {join_codes.new_join_code() for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(join_codes.ALPHABET)
    assert not set("01ILOU") & set(join_codes.ALPHABET)
    assert len(join_codes.ALPHABET) == 30
    assert join_codes.format_join_code("K7QM4P") == "K7Q-M4P"
    assert join_codes.format_join_code("TEST0001") == "TEST0001"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("K7Q-M4P", "K7QM4P"), ("k7q-m4p", "K7QM4P"), (" k7q m4p\n", "K7QM4P"), ("k7qm4p", "K7QM4P")],
)
def test_what_people_type_is_normalised(typed: str, canonical: str) -> None:
    assert ops.normalise_join_code(typed) == canonical


@pytest.mark.parametrize("junk", [None, 42, b"K7QM4P", "x" * 65, "", "---"])
def test_junk_normalises_to_nothing(junk: object) -> None:
    assert ops.normalise_join_code(junk) == ""


def test_a_taken_code_is_never_given_again(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = factories.bright_mirror_workshop().join_code
    draws = iter([taken, taken, "ABCDEF"])
    monkeypatch.setattr(join_codes, "random_join_code", lambda: next(draws))
    assert join_codes.new_join_code() == "ABCDEF"
    monkeypatch.setattr(join_codes, "random_join_code", lambda: taken)
    with pytest.raises(join_codes.JoinCodesExhaustedError):
        join_codes.new_join_code()


# --- Creating -----------------------------------------------------------------------------------------


def test_create_builds_the_whole_workshop_from_the_template() -> None:
    owner = factories.facilitator()
    workshop = ops.create_workshop(owner, "  Santé 2040 ", "Comment soigner\r\nen 2040 ?", groups=4)
    stored = fresh(workshop)
    assert stored.title == "Santé 2040"
    assert stored.question == "Comment soigner\nen 2040 ?"
    assert stored.language == "fr"
    assert stored.status == "not_started"
    assert stored.joining_open
    assert [p.title for p in stored.phases][:2] == ["Accueil et cadrage", "Signaux"]
    assert [p.position for p in stored.phases] == list(range(8))
    assert [g.name for g in stored.groups] == ["Groupe 1", "Groupe 2", "Groupe 3", "Groupe 4"]
    stories = db.session.scalars(select(Story).where(Story.workshop_id == stored.id)).all()
    assert sorted(s.group_id for s in stories) == sorted(g.id for g in stored.groups)
    assert stored.facilitators == [owner]
    assert stored.owner_id == owner.id
    assert len(stored.join_code) == 6


def test_create_in_english_blank_with_named_groups() -> None:
    workshop = ops.create_workshop(
        factories.facilitator(),
        "Mobility",
        language="en",
        template="blank",
        groups=3,
        group_names=["Red", "Blue"],
    )
    stored = fresh(workshop)
    assert [p.title for p in stored.phases] == ["Writing"]
    assert [g.name for g in stored.groups] == ["Red", "Blue", "Group 3"]


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "Tab\there"},
        {"title": "Nul\x00"},
        {"title": "\u202eevil"},  # reverses what follows: a title must read as what it is
        {"title": 12},
        {"question": "x" * 2001},
        {"question": "bell\x07"},
        {"language": "de"},
        {"groups": 0},
        {"groups": 31},
        {"groups": "3"},
        {"groups": True},
        {"template": "nope"},
        {"group_names": ["A", "B", "C", "D"]},
        {"group_names": [""]},
        {"group_names": ["x" * 81]},
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(bad: dict[str, Any]) -> None:
    owner = factories.facilitator()
    before = snapshot()
    args = {"title": "Fine", "question": "", "language": "en", "groups": 3, **bad}
    with pytest.raises(RefusedError) as caught:
        ops.create_workshop(owner, args.pop("title"), args.pop("question"), **args)
    assert caught.value.message
    db.session.rollback()
    assert snapshot() == before


def test_factory_workshops_keep_working_alongside() -> None:
    built = factories.workshop(groups=3)
    assert len(built.groups) == 3
    assert built.join_code.startswith("TEST")
    assert ops.normalise_join_code(built.join_code.lower()) == built.join_code


# --- Settings, archive, listing ---------------------------------------------------------------------


def test_settings_change_and_are_checked() -> None:
    workshop = factories.bright_mirror_workshop()
    with committed():
        ops.update_settings(
            workshop,
            title="New title",
            question="Why?",
            language="fr",
            participants_choose_group=True,
            joining_open=False,
        )
    stored = fresh(workshop)
    assert (stored.title, stored.question, stored.language) == ("New title", "Why?", "fr")
    assert stored.participants_choose_group
    assert not stored.joining_open
    with pytest.raises(RefusedError):
        ops.update_settings(
            stored, title="", question="", language="fr", participants_choose_group=True, joining_open=True
        )
    db.session.rollback()
    assert fresh(workshop).title == "New title"
    with pytest.raises(RefusedError):
        ops.update_settings(
            stored, title="T", question="", language="fr", participants_choose_group="yes", joining_open=True
        )


def test_archive_hides_and_closes_then_unarchive_brings_back() -> None:
    owner = factories.facilitator()
    kept = factories.bright_mirror_workshop(owner)
    archived = factories.bright_mirror_workshop(owner)
    with committed():
        ops.archive_workshop(archived)
    assert not fresh(archived).joining_open
    assert fresh(archived).archived_at is not None
    current, old = ops.workshops_of(owner)
    assert [w.id for w in current] == [kept.id]
    assert [w.id for w in old] == [archived.id]
    with pytest.raises(RefusedError) as caught:
        ops.update_settings(
            fresh(archived),
            title="T",
            question="",
            language="en",
            participants_choose_group=False,
            joining_open=True,
        )
    assert caught.value.code == "archived"
    db.session.rollback()
    ops.unarchive_workshop(fresh(archived))
    assert fresh(archived).archived_at is None
    assert not fresh(archived).joining_open
    assert len(ops.workshops_of(owner)[0]) == 2


def test_only_facilitators_of_a_workshop_get_it() -> None:
    owner, stranger = factories.facilitator(), factories.facilitator()
    workshop = factories.bright_mirror_workshop(owner)
    assert ops.workshop_for(owner.id, workshop.id).id == workshop.id
    assert ops.workshop_for(stranger.id, workshop.id) is None
    assert ops.workshop_for(owner.id, workshop.id + 1000) is None
    assert ops.workshops_of(stranger) == ([], [])


def test_participant_counts() -> None:
    workshop = factories.bright_mirror_workshop()
    factories.participant(workshop.groups[0])
    factories.participant(workshop.groups[1])
    empty = factories.bright_mirror_workshop()
    assert ops.participant_counts([workshop, empty]) == {workshop.id: 2}
    assert ops.participant_counts([]) == {}


# --- Groups -------------------------------------------------------------------------------------------


def test_add_group_gives_it_a_story_and_a_name_in_the_workshop_language() -> None:
    workshop = factories.bright_mirror_workshop(language="fr", groups=2)
    group = ops.add_group(workshop)
    assert group.name == "Groupe 3"
    assert group.position == 2
    assert db.session.scalar(select(Story).where(Story.group_id == group.id)) is not None
    named = ops.add_group(workshop, "  Les Tilleuls ")
    assert named.name == "Les Tilleuls"
    assert named.position == 3


def test_there_is_a_limit_to_groups() -> None:
    workshop = factories.bright_mirror_workshop(groups=ops.MAX_GROUPS)
    with pytest.raises(RefusedError):
        ops.add_group(workshop)


def test_rename_group() -> None:
    workshop = factories.bright_mirror_workshop()
    group = workshop.groups[0]
    with committed():
        ops.rename_group(workshop, group, "The Oaks")
    assert fresh(workshop).groups[0].name == "The Oaks"
    for bad in ("", "x" * 81, "line\nbreak"):
        with pytest.raises(RefusedError):
            ops.rename_group(workshop, group, bad)
        db.session.rollback()
    assert fresh(workshop).groups[0].name == "The Oaks"
    other = factories.bright_mirror_workshop()
    with pytest.raises(RefusedError):
        ops.rename_group(workshop, other.groups[0], "Stolen")


def test_remove_an_empty_group_renumbers_the_others() -> None:
    workshop = factories.bright_mirror_workshop(groups=3)
    middle = workshop.groups[1]
    stories_before = count(Story)
    ops.remove_group(workshop, middle)
    stored = fresh(workshop)
    assert [g.name for g in stored.groups] == ["Group 1", "Group 3"]
    assert [g.position for g in stored.groups] == [0, 1]
    assert count(Story) == stories_before - 1
    ops.add_group(stored)  # positions stay consistent afterwards
    assert [g.position for g in fresh(workshop).groups] == [0, 1, 2]


def test_a_group_with_people_or_text_cannot_be_removed() -> None:
    workshop = factories.bright_mirror_workshop(groups=3)
    joined, written, emptied = workshop.groups
    factories.participant(joined)
    factories.story_text(factories.story_of(written), "Once upon a time in 2040")
    before = snapshot()
    with pytest.raises(RefusedError) as caught:
        ops.remove_group(workshop, joined)
    assert caught.value.code == "has_participants"
    with pytest.raises(RefusedError) as caught:
        ops.remove_group(workshop, written)
    assert caught.value.code == "story_not_empty"
    db.session.rollback()
    assert snapshot() == before
    # Text typed then deleted leaves a blank story: the group may go.
    story = factories.story_of(emptied)
    assert ops.story_is_blank(story)
    _blank_after_edits(story)
    assert ops.story_is_blank(story)
    ops.remove_group(fresh(workshop), fresh(workshop).groups[2])
    assert len(fresh(workshop).groups) == 2


def _blank_after_edits(story: Story) -> None:
    """Type a line into the story's log, then delete it (two real Yjs updates)."""
    from pycrdt import Doc, Text

    from stories.models import StoryUpdate

    doc = Doc()
    body = doc.get("body", type=Text)
    body += "  draft  "
    first = doc.get_update()
    state = doc.get_state()
    del body[0 : len(body)]
    second = doc.get_update(state)
    db.session.add_all(
        [
            StoryUpdate(story_id=story.id, seq=1, data=first),
            StoryUpdate(story_id=story.id, seq=2, data=second),
        ]
    )
    db.session.commit()


def test_the_last_group_stays() -> None:
    workshop = factories.bright_mirror_workshop(groups=1)
    with pytest.raises(RefusedError) as caught:
        ops.remove_group(workshop, workshop.groups[0])
    assert caught.value.code == "last_group"


# --- Agenda -------------------------------------------------------------------------------------------


def test_add_and_edit_a_phase_minutes_are_stored_as_seconds() -> None:
    workshop = factories.bright_mirror_workshop()
    phase = ops.add_phase(workshop, "Walk outside", 10)
    assert phase.position == 8
    assert phase.duration_seconds == 600
    ops.update_phase(
        workshop,
        phase,
        title="Walk in the park",
        instructions="# Go\r\n\r\n- look\n\t- listen",
        minutes=25,
        editors_open=False,
        visibility="all",
    )
    stored = fresh(workshop).phases[-1]
    assert stored.title == "Walk in the park"
    assert stored.duration_seconds == 25 * 60
    assert stored.instructions == "# Go\n\n- look\n\t- listen"
    assert not stored.editors_open
    assert stored.visibility == "all"
    assert ops.add_phase(workshop).title == "New phase"


@pytest.mark.parametrize(
    "bad",
    [
        {"minutes": 0},
        {"minutes": -5},
        {"minutes": ops.MAX_MINUTES + 1},
        {"minutes": "10"},
        {"minutes": 2.5},
        {"minutes": True},
        {"visibility": "previous"},
        {"editors_open": "no"},
        {"title": ""},
        {"title": "a\x1bb"},
        {"instructions": "x" * 20_001},
        {"instructions": "nul \x00"},
        {"instructions": "hidden \u2066text"},
    ],
)
def test_update_phase_refuses_bad_input_and_writes_nothing(bad: dict[str, Any]) -> None:
    workshop = factories.bright_mirror_workshop()
    phase = workshop.phases[0]
    good = {"title": "T", "instructions": "", "minutes": 5, "editors_open": True, "visibility": "none"}
    with pytest.raises(RefusedError):
        ops.update_phase(workshop, phase, **{**good, **bad})
    db.session.rollback()
    assert fresh(workshop).phases[0].title == "Welcome and framing"
    assert fresh(workshop).phases[0].duration_seconds == 15 * 60


def test_add_phase_checks_too() -> None:
    workshop = factories.bright_mirror_workshop()
    for title, minutes in (("", 5), ("ok", 0), ("x" * 201, 5)):
        with pytest.raises(RefusedError):
            ops.add_phase(workshop, title, minutes)
        db.session.rollback()
    while len(fresh(workshop).phases) < ops.MAX_PHASES:
        ops.add_phase(fresh(workshop))
    with pytest.raises(RefusedError):
        ops.add_phase(fresh(workshop))


def test_move_phases_up_and_down() -> None:
    workshop = factories.bright_mirror_workshop()
    first, second = workshop.phases[0], workshop.phases[1]
    ops.move_phase(workshop, second, -1)
    assert titles(workshop)[:2] == ["Signals", "Welcome and framing"]
    ops.move_phase(fresh(workshop), fresh(workshop).phases[1], 1)
    assert titles(workshop)[:3] == ["Signals", "Imagine the world", "Welcome and framing"]
    assert [p.position for p in fresh(workshop).phases] == list(range(8))
    with pytest.raises(RefusedError):
        ops.move_phase(fresh(workshop), db.session.get(Phase, second.id), -1)  # already first
    last = fresh(workshop).phases[-1]
    with pytest.raises(RefusedError):
        ops.move_phase(fresh(workshop), last, 1)
    with pytest.raises(RefusedError):
        ops.move_phase(fresh(workshop), db.session.get(Phase, first.id), 2)


def test_the_live_clock_stays_on_its_phase_when_the_agenda_changes() -> None:
    workshop = factories.bright_mirror_workshop()
    workshop.status, workshop.phase_index = "paused", 2  # on "Imagine the world"
    workshop.remaining_seconds = 100
    db.session.commit()
    ops.move_phase(workshop, workshop.phases[2], -1)
    assert fresh(workshop).phase_index == 1
    ops.remove_phase(fresh(workshop), fresh(workshop).phases[0])
    stored = fresh(workshop)
    assert stored.phase_index == 0
    assert stored.phases[0].title == "Imagine the world"
    with pytest.raises(RefusedError) as caught:
        ops.remove_phase(stored, stored.phases[0])
    assert caught.value.code == "phase_in_progress"


def test_remove_phase_renumbers_and_keeps_one() -> None:
    workshop = factories.bright_mirror_workshop(template="blank")
    with pytest.raises(RefusedError) as caught:
        ops.remove_phase(workshop, workshop.phases[0])
    assert caught.value.code == "last_phase"
    added = ops.add_phase(fresh(workshop), "Second", 5)
    ops.add_phase(fresh(workshop), "Third", 5)
    ops.remove_phase(fresh(workshop), db.session.get(Phase, added.id))
    stored = fresh(workshop)
    assert [(p.title, p.position) for p in stored.phases] == [("Writing", 0), ("Third", 1)]
    other = factories.bright_mirror_workshop()
    with pytest.raises(RefusedError):
        ops.remove_phase(stored, other.phases[0])


# --- Facilitators -------------------------------------------------------------------------------------


def test_invite_and_remove_co_facilitators() -> None:
    owner = factories.facilitator()
    colleague = factories.facilitator("sam@example.org", name="Sam")
    workshop = factories.bright_mirror_workshop(owner)
    assert ops.invite_facilitator(workshop, "  SAM@example.org ").id == colleague.id
    assert {f.id for f in fresh(workshop).facilitators} == {owner.id, colleague.id}
    assert ops.workshop_for(colleague.id, workshop.id) is not None
    with pytest.raises(RefusedError) as caught:
        ops.invite_facilitator(fresh(workshop), "sam@example.org")
    assert caught.value.code == "already_facilitator"
    with pytest.raises(RefusedError) as caught:
        ops.invite_facilitator(fresh(workshop), "nobody@example.org")
    assert caught.value.code == "unknown_facilitator"
    with pytest.raises(RefusedError) as caught:
        ops.remove_facilitator(fresh(workshop), owner.id)
    assert caught.value.code == "owner"
    ops.remove_facilitator(fresh(workshop), colleague.id)
    assert ops.workshop_for(colleague.id, workshop.id) is None
    with pytest.raises(RefusedError):
        ops.remove_facilitator(fresh(workshop), colleague.id)


# --- Duplicating --------------------------------------------------------------------------------------


def test_duplicate_copies_settings_agenda_and_groups_with_fresh_everything_else() -> None:
    owner, colleague = factories.facilitator(), factories.facilitator()
    source = factories.bright_mirror_workshop(owner, language="fr", groups=3)
    ops.invite_facilitator(source, colleague.email)
    ops.rename_group(source, source.groups[0], "Les Tilleuls")
    ops.update_phase(
        source,
        source.phases[0],
        title="Bienvenue",
        instructions="Hi",
        minutes=7,
        editors_open=True,
        visibility="all",
    )
    source.participants_choose_group = True
    source.status, source.phase_index, source.joining_open = "finished", 7, False
    db.session.commit()
    factories.participant(source.groups[0])
    factories.story_text(factories.story_of(source.groups[0]), "Il était une fois")

    copy = ops.duplicate_workshop(fresh(source), colleague)
    stored, original = fresh(copy), fresh(source)
    assert stored.id != original.id
    assert stored.join_code != original.join_code
    assert stored.title == f"{original.title} (copy)"
    assert (stored.question, stored.language, stored.participants_choose_group) == (
        original.question,
        "fr",
        True,
    )
    assert (stored.status, stored.phase_index, stored.joining_open, stored.archived_at) == (
        "not_started",
        0,
        True,
        None,
    )
    assert agenda_of(stored) == agenda_of(original)
    assert [g.name for g in stored.groups] == ["Les Tilleuls", "Groupe 2", "Groupe 3"]
    assert all(not g.participants for g in stored.groups)
    stories = db.session.scalars(select(Story).where(Story.workshop_id == stored.id)).all()
    assert len(stories) == 3
    assert all(ops.story_is_blank(s) for s in stories)
    assert stored.owner_id == colleague.id
    assert [f.id for f in stored.facilitators] == [colleague.id]
    assert len(original.groups[0].participants) == 1  # the source is untouched
