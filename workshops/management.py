"""Workshop management: create from a template, edit settings, groups, agenda and facilitators; duplicate,
archive.

Plain functions, callable without a request. Each checks its rules first and raises :class:`WorkshopError`
(or `core.text.TextError` for a text field: both a `RefusedError`, with a code and a translated message that
is safe to show) before anything is written, then flushes: the caller commits, once
(`core.unit_of_work.committed`), with whatever else its request does in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts import operations as accounts
from accounts.models import Facilitator
from core.text import clean_line, clean_text
from errors import RefusedError
from extensions import db
from stories.cowriting.crdt import text_of
from stories.models import Story, StoryUpdate
from workshops import expiry, templates
from workshops.access import LIVE, facilitates
from workshops.join_codes import format_join_code, new_join_code, normalise_join_code
from workshops.models import (
    AT_DEADLINE,
    COMMENTS,
    MAX_COLUMN_NAME,
    MAX_COLUMNS,
    MAX_DOTS,
    TOOLS,
    VISIBILITY,
    Group,
    Participant,
    Phase,
    Workshop,
    WorkshopFacilitator,
)

__all__ = [
    "MAX_GROUPS",
    "MAX_MINUTES",
    "MAX_PHASES",
    "WorkshopError",
    "add_group",
    "add_phase",
    "archive_workshop",
    "clean_group_count",
    "clean_minutes",
    "create_workshop",
    "duplicate_workshop",
    "format_join_code",
    "invite_facilitator",
    "move_phase",
    "new_join_code",
    "normalise_join_code",
    "participant_counts",
    "remove_facilitator",
    "remove_group",
    "remove_phase",
    "rename_group",
    "story_is_blank",
    "unarchive_workshop",
    "update_phase",
    "update_settings",
    "workshop_for",
    "workshops_of",
]

MAX_TITLE = 200  # Workshop.title and Phase.title columns
MAX_QUESTION = 2_000
MAX_INSTRUCTIONS = 20_000
MAX_GROUP_NAME = 80  # Group.name column
MAX_GROUPS = 30
MAX_PHASES = 30
MAX_RETENTION_DAYS = 3650  # ten years
MIN_MINUTES, MAX_MINUTES = 1, 8 * 60


class WorkshopError(RefusedError):
    """A management rule was broken; `message` is translated and safe to show to the facilitator."""


# --- Checking input ---------------------------------------------------------------------------------


def _clean_int(value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorkshopError("invalid", _("Enter a whole number."))
    if not low <= value <= high:
        raise WorkshopError("out_of_range", _("Enter a number from %(low)d to %(high)d.", low=low, high=high))
    return value


def clean_minutes(value: object) -> int:
    return _clean_int(value, MIN_MINUTES, MAX_MINUTES)


def clean_dots(value: object) -> int:
    """Dots each member may place on a phase's board (0: no voting)."""
    return _clean_int(value, 0, MAX_DOTS)


def clean_columns(value: object) -> str:
    """A board's column names, one per line: each a short line, at most `MAX_COLUMNS`, no name twice."""
    lines = clean_text(value, limit=2000).splitlines()
    names = [clean_line(name, limit=MAX_COLUMN_NAME) for name in lines if name.strip()]
    if len(names) > MAX_COLUMNS:
        raise WorkshopError("invalid", _("A board has at most %(count)d columns.", count=MAX_COLUMNS))
    if len({name.casefold() for name in names}) != len(names):
        raise WorkshopError("invalid", _("Two columns have the same name."))
    return "\n".join(names)


def clean_group_count(value: object) -> int:
    return _clean_int(value, 1, MAX_GROUPS)


def clean_retention_days(value: object) -> int | None:
    """A workshop's own retention period in days, from what the facilitator typed; None (empty): the
    instance's default."""
    text = value.strip() if isinstance(value, str) else value
    if text in ("", None):
        return None
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 6:
        text = int(text)
    if isinstance(text, bool) or not isinstance(text, int) or not 1 <= text <= MAX_RETENTION_DAYS:
        raise WorkshopError(
            "invalid",
            _(
                "Enter a whole number of days from 1 to %(high)d, or leave the field empty for the default.",
                high=MAX_RETENTION_DAYS,
            ),
        )
    return text


def _clean_language(value: object) -> str:
    if value not in templates.LANGUAGES:
        raise WorkshopError("invalid", _("Choose one of the offered languages."))
    return str(value)


def _clean_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise WorkshopError("invalid", _("Expected true or false."))
    return value


def _clean_at_deadline(value: object) -> str:
    if value not in AT_DEADLINE:
        raise WorkshopError("invalid", _("Choose what happens when the time is up."))
    return str(value)


def _clean_tool(value: object) -> str:
    if value not in TOOLS:
        raise WorkshopError("invalid", _("Choose what the groups see during this phase."))
    return str(value)


def _clean_visibility(value: object) -> str:
    if value not in VISIBILITY:
        raise WorkshopError("invalid", _("Choose which drafts the groups may read."))
    return str(value)


def _clean_comments(value: object) -> str:
    if value not in COMMENTS:
        raise WorkshopError("invalid", _("Choose who may comment during this phase."))
    return str(value)


# --- Reading ----------------------------------------------------------------------------------------


def workshop_for(facilitator_id: int, workshop_id: int) -> Workshop | None:
    """The workshop when this facilitator runs it, else None (callers answer 404: nothing leaks)."""
    if not facilitates(facilitator_id, workshop_id):
        return None
    return db.session.get(Workshop, workshop_id)


def workshops_of(facilitator: Facilitator) -> tuple[list[Workshop], list[Workshop]]:
    """The facilitator's workshops, newest first: (current, archived)."""
    rows = db.session.scalars(
        select(Workshop)
        .join(WorkshopFacilitator, WorkshopFacilitator.workshop_id == Workshop.id)
        .where(WorkshopFacilitator.facilitator_id == facilitator.id)
        .options(selectinload(Workshop.phases), selectinload(Workshop.groups))
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    ).all()
    return [w for w in rows if w.archived_at is None], [w for w in rows if w.archived_at is not None]


def participant_counts(workshops: Sequence[Workshop]) -> dict[int, int]:
    """How many participants joined each workshop (absent means none)."""
    if not workshops:
        return {}
    rows = db.session.execute(
        select(Participant.workshop_id, func.count(Participant.id))
        .where(Participant.workshop_id.in_([w.id for w in workshops]), Participant.removed_at.is_(None))
        .group_by(Participant.workshop_id)
    ).all()
    return {workshop_id: count for workshop_id, count in rows}


def story_is_blank(story: Story) -> bool:
    """True when nothing, or only white space, was ever left in the story's text."""
    updates = db.session.scalars(
        select(StoryUpdate.data).where(StoryUpdate.story_id == story.id).order_by(StoryUpdate.seq)
    ).all()
    return not updates or not text_of(updates).strip()


# --- Creating ---------------------------------------------------------------------------------------


def _new_group(workshop: Workshop, position: int, name: str) -> Group:
    """A group at `position` with its story (flushed, so both have ids)."""
    return _new_groups(workshop, [(position, name)])[0]


def _new_groups(workshop: Workshop, places: Sequence[tuple[int, str]]) -> list[Group]:
    """Groups at these (position, name), each with its story, in two inserts of many rows (a consultation
    makes a hundred workshops of twenty groups in one request)."""
    groups = [Group(workshop_id=workshop.id, position=position, name=name) for position, name in places]
    db.session.add_all(groups)
    db.session.flush()
    db.session.add_all([Story(workshop_id=workshop.id, group_id=group.id) for group in groups])
    return groups


def create_workshop(
    owner: Facilitator,
    title: str,
    question: str = "",
    *,
    language: str = "fr",
    groups: int = 3,
    template: str = templates.DEFAULT_TEMPLATE,
    group_names: Sequence[str] = (),
) -> Workshop:
    """Create a workshop from a template: its phases, its groups (each with a story), the owner as its
    facilitator and a fresh join code. `group_names` names the first groups; the others are "Group N"."""
    title = clean_line(title, limit=MAX_TITLE)
    question = clean_text(question, limit=MAX_QUESTION)
    language = _clean_language(language)
    groups = clean_group_count(groups)
    names = [clean_line(name, limit=MAX_GROUP_NAME) for name in group_names]
    if len(names) > groups:
        raise WorkshopError(
            "too_many_names", _("You gave more names than groups: add groups or remove names.")
        )
    if template not in templates.TEMPLATES:
        raise WorkshopError("invalid", _("Choose one of the offered templates."))

    workshop = Workshop(
        title=title, question=question, language=language, owner_id=owner.id, join_code=new_join_code()
    )
    workshop.phases = [
        Phase(
            position=i,
            title=spec.title,
            instructions=spec.instructions,
            duration_seconds=spec.duration_seconds,
            editors_open=spec.editors_open,
            visibility=spec.visibility,
            comments=spec.comments,
            at_deadline=spec.at_deadline,
            tool=spec.tool,
            board_columns=spec.board_columns,
            dots=spec.dots,
            board_readonly=spec.board_readonly,
        )
        for i, spec in enumerate(templates.agenda(template, language))
    ]
    db.session.add(workshop)
    db.session.flush()
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=owner.id))
    _new_groups(
        workshop,
        [(i, names[i] if i < len(names) else templates.group_name(language, i + 1)) for i in range(groups)],
    )
    db.session.flush()
    return workshop


def duplicate_workshop(source: Workshop, owner: Facilitator) -> Workshop:
    """A copy of `source` owned by `owner`: same settings, agenda and groups; new code, blank stories,
    not started, open for joining."""
    copy_title = _("%(title)s (copy)", title=source.title)
    if len(copy_title) > MAX_TITLE:
        copy_title = source.title
    workshop = Workshop(
        title=copy_title,
        question=source.question,
        language=source.language,
        participants_choose_group=source.participants_choose_group,
        owner_id=owner.id,
        join_code=new_join_code(),
    )
    workshop.phases = [
        Phase(
            position=phase.position,
            title=phase.title,
            instructions=phase.instructions,
            duration_seconds=phase.duration_seconds,
            editors_open=phase.editors_open,
            visibility=phase.visibility,
            comments=phase.comments,
            at_deadline=phase.at_deadline,
            tool=phase.tool,
            board_columns=phase.board_columns,
            dots=phase.dots,
            board_readonly=phase.board_readonly,
        )
        for phase in source.phases
    ]
    db.session.add(workshop)
    db.session.flush()
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=owner.id))
    _new_groups(workshop, [(group.position, group.name) for group in source.groups])
    db.session.flush()
    return workshop


# --- Settings ---------------------------------------------------------------------------------------


def update_settings(
    workshop: Workshop,
    *,
    title: str,
    question: str,
    language: str,
    participants_choose_group: bool,
    joining_open: bool,
) -> None:
    """Change the workshop's title, question, language and joining rules (an archived one stays closed)."""
    title = clean_line(title, limit=MAX_TITLE)
    question = clean_text(question, limit=MAX_QUESTION)
    language = _clean_language(language)
    participants_choose_group = _clean_flag(participants_choose_group)
    joining_open = _clean_flag(joining_open)
    if joining_open and workshop.archived_at is not None:
        raise WorkshopError("archived", _("An archived workshop cannot be opened for joining."))
    workshop.title = title
    workshop.question = question
    workshop.language = language
    workshop.participants_choose_group = participants_choose_group
    workshop.joining_open = joining_open
    db.session.flush()


def set_retention(workshop: Workshop, days: object) -> None:
    """Set how many days after it ended the workshop's people, chat, comments and unpublished drafts are
    erased (`erasure.retention`); empty: the instance's default."""
    workshop.retention_days = clean_retention_days(days)
    db.session.flush()


def archive_workshop(workshop: Workshop) -> None:
    """Hide the workshop from the main list and close joining."""
    if workshop.archived_at is None:
        workshop.archived_at = datetime.now(UTC)
    workshop.joining_open = False
    db.session.flush()


def unarchive_workshop(workshop: Workshop) -> None:
    """Bring it back to the main list; joining stays closed until the facilitator opens it (tokens that
    expired stay expired)."""
    expiry.keep_expired(workshop)
    workshop.archived_at = None
    db.session.flush()


# --- Groups -----------------------------------------------------------------------------------------


def _check_group(workshop: Workshop, group: Group) -> None:
    if group.workshop_id != workshop.id:
        raise WorkshopError("not_found", _("This group is not part of this workshop."))


def add_group(workshop: Workshop, name: str | None = None) -> Group:
    """A new group at the end, with its story; named "Group N" in the workshop's language by default."""
    count = len(workshop.groups)
    if count >= MAX_GROUPS:
        raise WorkshopError("too_many", _("A workshop has at most %(count)d groups.", count=MAX_GROUPS))
    if name is None:
        name = templates.group_name(workshop.language, count + 1)
    name = clean_line(name, limit=MAX_GROUP_NAME)
    position = max((g.position for g in workshop.groups), default=-1) + 1
    group = _new_group(workshop, position, name)
    db.session.flush()
    db.session.refresh(workshop)
    return group


def rename_group(workshop: Workshop, group: Group, name: str) -> None:
    _check_group(workshop, group)
    group.name = clean_line(name, limit=MAX_GROUP_NAME)
    db.session.flush()


def remove_group(workshop: Workshop, group: Group) -> None:
    """Delete a group and its story, only while no one joined it and its story is blank."""
    _check_group(workshop, group)
    if len(workshop.groups) <= 1:
        raise WorkshopError("last_group", _("A workshop needs at least one group."))
    if any(p.removed_at is None for p in group.participants):
        raise WorkshopError(
            "has_participants",
            _("%(name)s has participants: move them to another group first.", name=group.name),
        )
    for removed in list(group.participants):  # only people the facilitator removed: they go with it
        db.session.delete(removed)
    stories = db.session.scalars(select(Story).where(Story.group_id == group.id)).all()
    if not all(story_is_blank(story) for story in stories):
        raise WorkshopError(
            "story_not_empty", _("%(name)s has already written part of its story.", name=group.name)
        )
    for story in stories:
        db.session.delete(story)
    workshop.groups.remove(group)  # delete-orphan
    db.session.flush()
    for position, remaining in enumerate(sorted(workshop.groups, key=lambda g: g.position)):
        if remaining.position != position:  # one at a time: (workshop, position) is unique
            remaining.position = position
            db.session.flush()
    db.session.flush()


# --- Agenda -----------------------------------------------------------------------------------------


def _check_phase(workshop: Workshop, phase: Phase) -> None:
    if phase.workshop_id != workshop.id:
        raise WorkshopError("not_found", _("This phase is not part of this workshop."))


def _live_phase(workshop: Workshop) -> Phase | None:
    """The phase the clock is on while the workshop runs or is paused."""
    if workshop.status not in LIVE:
        return None
    return next((p for p in workshop.phases if p.position == workshop.phase_index), None)


def _renumber(workshop: Workshop, ordered: list[Phase], live: Phase | None) -> None:
    """Give the phases positions 0..n-1 in `ordered`, and keep the clock on the phase it was on."""
    for position, phase in enumerate(ordered):
        phase.position = position
    if live is not None and live in ordered:
        workshop.phase_index = live.position
    elif workshop.status == "finished":
        workshop.phase_index = len(ordered) - 1


def add_phase(workshop: Workshop, title: str | None = None, minutes: int = 15) -> Phase:
    """A new phase at the end of the agenda, editors open, other groups' drafts hidden."""
    if len(workshop.phases) >= MAX_PHASES:
        raise WorkshopError("too_many", _("An agenda has at most %(count)d phases.", count=MAX_PHASES))
    if title is None:
        title = templates.new_phase_title(workshop.language)
    title = clean_line(title, limit=MAX_TITLE)
    minutes = clean_minutes(minutes)
    phase = Phase(
        workshop_id=workshop.id,
        position=len(workshop.phases),
        title=title,
        instructions="",
        duration_seconds=minutes * 60,
        editors_open=True,
        visibility="none",
        comments="off",
    )
    workshop.phases.append(phase)
    if workshop.status == "finished":
        workshop.phase_index = phase.position
    db.session.flush()
    return phase


def update_phase(
    workshop: Workshop,
    phase: Phase,
    *,
    title: str,
    instructions: str,
    minutes: int,
    editors_open: bool,
    visibility: str,
    comments: str | None = None,
    at_deadline: str | None = None,
    tool: str | None = None,
    board_columns: str | None = None,
    dots: int | None = None,
    board_readonly: bool | None = None,
) -> None:
    """Edit a phase; its duration is given in minutes and stored in seconds; a setting given None is kept.

    A change to the phase in progress applies from its next start; the running countdown keeps its deadline.
    """
    _check_phase(workshop, phase)
    title = clean_line(title, limit=MAX_TITLE)
    instructions = clean_text(instructions, limit=MAX_INSTRUCTIONS)
    minutes = clean_minutes(minutes)
    editors_open = _clean_flag(editors_open)
    visibility = _clean_visibility(visibility)
    comments = phase.comments if comments is None else _clean_comments(comments)
    at_deadline = phase.at_deadline if at_deadline is None else _clean_at_deadline(at_deadline)
    tool = phase.tool if tool is None else _clean_tool(tool)
    board_columns = phase.board_columns if board_columns is None else clean_columns(board_columns)
    dots = phase.dots if dots is None else clean_dots(dots)
    board_readonly = phase.board_readonly if board_readonly is None else _clean_flag(board_readonly)
    phase.at_deadline = at_deadline
    phase.tool, phase.board_columns, phase.dots, phase.board_readonly = (
        tool,
        board_columns,
        dots,
        board_readonly,
    )
    phase.title = title
    phase.instructions = instructions
    phase.duration_seconds = minutes * 60
    phase.editors_open = editors_open
    phase.visibility = visibility
    phase.comments = comments
    db.session.flush()


def move_phase(workshop: Workshop, phase: Phase, offset: int) -> None:
    """Move a phase up (-1) or down (+1) in the agenda; the clock stays on the phase it was on."""
    _check_phase(workshop, phase)
    if offset not in (-1, 1):
        raise WorkshopError("invalid", _("A phase moves one step up or down."))
    ordered = sorted(workshop.phases, key=lambda p: p.position)
    index = ordered.index(phase)
    target = index + offset
    if not 0 <= target < len(ordered):
        raise WorkshopError(
            "cannot_move",
            _("This phase is already first.") if offset < 0 else _("This phase is already last."),
        )
    live = _live_phase(workshop)
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(workshop, ordered, live)
    db.session.flush()


def remove_phase(workshop: Workshop, phase: Phase) -> None:
    """Delete a phase; never the last one, nor the one in progress."""
    _check_phase(workshop, phase)
    if len(workshop.phases) <= 1:
        raise WorkshopError("last_phase", _("An agenda needs at least one phase."))
    live = _live_phase(workshop)
    if phase is live:
        raise WorkshopError(
            "phase_in_progress", _("This phase is in progress: move on to another phase before removing it.")
        )
    ordered = [p for p in sorted(workshop.phases, key=lambda p: p.position) if p is not phase]
    workshop.phases.remove(phase)  # delete-orphan
    _renumber(workshop, ordered, live)
    db.session.flush()


# --- Facilitators -----------------------------------------------------------------------------------


def invite_facilitator(workshop: Workshop, email: str) -> Facilitator:
    """Let another facilitator account co-run the workshop."""
    email = clean_line(email, limit=254)
    invited = accounts.find_by_email(email)
    if invited is None:
        raise WorkshopError(
            "unknown_facilitator",
            _("No facilitator account uses this email. Ask them to get one first, then invite them again."),
        )
    if facilitates(invited.id, workshop.id):
        raise WorkshopError(
            "already_facilitator",
            _("%(name)s already runs this workshop.", name=invited.display_name),
        )
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=invited.id))
    db.session.flush()
    db.session.refresh(workshop)
    return invited


def remove_facilitator(workshop: Workshop, facilitator_id: int) -> None:
    """Take a co-facilitator off the workshop; the owner always stays."""
    if facilitator_id == workshop.owner_id:
        raise WorkshopError("owner", _("The owner of a workshop cannot be removed from it."))
    row = db.session.get(WorkshopFacilitator, (workshop.id, facilitator_id))
    if row is None:
        raise WorkshopError("not_found", _("This person does not run this workshop."))
    db.session.delete(row)
    db.session.flush()
    db.session.refresh(workshop)
