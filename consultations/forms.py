"""Forms of the organiser's pages; their validators apply the rules of `consultations.operations`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
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

from consultations import operations as ops
from errors import RefusedError
from workshops import management, templates
from workshops.forms import line, rule, text


def _language_choices() -> list[SelectChoice]:
    names = {"fr": "Français", "en": "English"}
    return [SelectChoice(code, names.get(code, code)) for code in templates.LANGUAGES]


class ConsultationForm(FlaskForm):
    title = StringField(_l("Title"), validators=[line(ops.MAX_TITLE)])
    question = TextAreaField(_l("The question of the consultation"), validators=[text(ops.MAX_QUESTION)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[text(ops.MAX_DESCRIPTION)])
    language = SelectField(_l("Language of the consultation"), choices=_language_choices())
    slug = StringField(_l("Public address"), validators=[rule(ops.clean_slug)])
    template = RadioField(
        _l("Agenda of its workshops"),
        choices=[SelectChoice(key, tpl.label) for key, tpl in templates.TEMPLATES.items()],
        default=templates.DEFAULT_TEMPLATE,
    )
    themes = TextAreaField(_l("Themes (optional)"), validators=[text(ops.MAX_THEMES * (ops.MAX_THEME + 1))])
    starts_on = DateField(_l("First day (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Last day (optional)"), validators=[Optional()])

    def theme_list(self) -> list[str]:
        return [t.strip() for t in (self.themes.data or "").splitlines() if t.strip()]

    def validate_themes(self, _field: Field) -> None:
        try:
            ops.clean_themes(self.theme_list())
        except RefusedError as error:
            raise ValidationError(error.message) from None

    def validate_ends_on(self, field: Field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The consultation cannot end before it starts."))

    def details(self) -> ops.Details:
        return ops.Details(
            title=self.title.data,
            question=self.question.data or "",
            description=self.description.data or "",
            language=self.language.data,
            slug=self.slug.data.strip().lower(),
            template=self.template.data,
            themes=self.theme_list(),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
        )


class WorkshopForm(FlaskForm):
    """One workshop in the consultation."""

    title = StringField(_l("Title of the workshop"), validators=[line(ops.MAX_TITLE)])
    groups = IntegerField(
        _l("Number of groups"), default=4, validators=[InputRequired(), rule(management.clean_group_count)]
    )


class BatchForm(FlaskForm):
    """N workshops at once from the consultation's template."""

    count = IntegerField(
        _l("Number of workshops"), default=10, validators=[InputRequired(), rule(ops.clean_batch_count)]
    )
    groups = IntegerField(
        _l("Groups in each workshop"), default=4, validators=[InputRequired(), rule(ops.clean_batch_groups)]
    )


class OrganiserForm(FlaskForm):
    email = EmailField(_l("Email of their facilitator account"), validators=[line(254)])
