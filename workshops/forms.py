"""Forms of the workshop management pages. Their validators apply the rules of `workshops.management` and
`core.text`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

import forms
from core.text import clean_line, clean_text
from errors import RefusedError
from forms import Validator
from workshops import management as ops
from workshops import templates


def rule(check: Callable[[Any], Any]) -> Validator:
    """A WTForms validator from one of the management module's checks (one rule, one place)."""
    return forms.rule(check, RefusedError)


def line(limit: int, *, required: bool = True) -> Validator:
    return rule(lambda value: clean_line(value or "", limit=limit, required=required))


def text(limit: int) -> Validator:
    return rule(lambda value: clean_text(value or "", limit=limit))


def _language_choices() -> list[SelectChoice]:
    names = {"fr": "Français", "en": "English"}
    return [SelectChoice(code, names.get(code, code)) for code in templates.LANGUAGES]


VISIBILITY_CHOICES = [
    SelectChoice("none", _l("Only their own")),
    SelectChoice("next", _l("Their own and the next group's")),
    SelectChoice("all", _l("Every group's")),
]

COMMENTS_CHOICES = [
    SelectChoice("off", _l("No comments")),
    SelectChoice("group", _l("The group comments on its own story (and sees the comments it received)")),
    SelectChoice("readers", _l("Also the groups that read the story during this phase")),
]


AT_DEADLINE_CHOICES = [
    SelectChoice("signal", _l("Only signal it (a chime and “Time is up”)")),
    SelectChoice("lock", _l("Lock the editors")),
    SelectChoice("advance", _l("Go on to the next phase")),
]


TOOL_CHOICES = [
    SelectChoice("story", _l("The story")),
    SelectChoice("board", _l("The board of cards")),
    SelectChoice("both", _l("Both, side by side")),
]


class _SettingsFields(FlaskForm):
    title = StringField(_l("Title"), validators=[line(ops.MAX_TITLE)])
    question = TextAreaField(_l("The question of the workshop"), validators=[text(ops.MAX_QUESTION)])
    language = SelectField(_l("Language of the workshop"), choices=_language_choices())


class NewWorkshopForm(_SettingsFields):
    template = RadioField(
        _l("Agenda"),
        choices=[SelectChoice(key, tpl.label) for key, tpl in templates.TEMPLATES.items()],
        default=templates.DEFAULT_TEMPLATE,
    )
    groups = IntegerField(
        _l("Number of groups"), default=3, validators=[InputRequired(), rule(ops.clean_group_count)]
    )
    group_names = TextAreaField(_l("Names of the groups (optional)"), validators=[text(ops.MAX_GROUPS * 81)])

    def names(self) -> list[str]:
        return [name.strip() for name in (self.group_names.data or "").splitlines() if name.strip()]

    def validate_group_names(self, _field: Field) -> None:
        try:
            for name in self.names():
                clean_line(name, limit=ops.MAX_GROUP_NAME)
        except RefusedError as error:
            raise ValidationError(error.message) from None
        if isinstance(self.groups.data, int) and len(self.names()) > self.groups.data:
            raise ValidationError(_l("You gave more names than groups: add groups or remove names."))


class SettingsForm(_SettingsFields):
    participants_choose_group = BooleanField(_l("Participants choose their group"))
    joining_open = BooleanField(_l("Joining is open"))


class RetentionForm(FlaskForm):
    days = StringField(_l("Days kept after the workshop ends"), validators=[rule(ops.clean_retention_days)])


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[line(ops.MAX_GROUP_NAME)])


class NewPhaseForm(FlaskForm):
    title = StringField(_l("Title of the new phase"), validators=[line(ops.MAX_TITLE)])
    minutes = IntegerField(_l("Minutes"), default=15, validators=[InputRequired(), rule(ops.clean_minutes)])


class PhaseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[line(ops.MAX_TITLE)])
    instructions = TextAreaField(_l("Instructions (Markdown)"), validators=[text(ops.MAX_INSTRUCTIONS)])
    minutes = IntegerField(_l("Minutes"), validators=[InputRequired(), rule(ops.clean_minutes)])
    editors_open = BooleanField(_l("Groups can write during this phase"))
    visibility = RadioField(_l("Drafts each group can read"), choices=VISIBILITY_CHOICES, default="none")
    comments = RadioField(_l("Who can see and write comments"), choices=COMMENTS_CHOICES, default="off")
    at_deadline = RadioField(_l("When the time is up"), choices=AT_DEADLINE_CHOICES, default="signal")
    tool = RadioField(_l("What the groups see"), choices=TOOL_CHOICES, default="story")
    board_columns = TextAreaField(
        _l("Columns of the board (one per line)"), validators=[rule(ops.clean_columns)]
    )
    dots = IntegerField(
        _l("Dots each person may place on cards (0: no voting)"),
        default=0,
        validators=[Optional(), rule(ops.clean_dots)],  # left out: kept as it is
    )
    board_readonly = BooleanField(_l("The board is shown read-only"))


class InviteForm(FlaskForm):
    email = EmailField(_l("Email of their facilitator account"), validators=[line(254)])


class MoveForm(FlaskForm):
    direction = SelectField(choices=[SelectChoice("up"), SelectChoice("down")])
