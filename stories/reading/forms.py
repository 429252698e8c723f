"""The review form of one story; its validators apply the rules of `stories.reading.publishing`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField

import forms
from forms import PlumeForm, Validator
from stories.reading import publishing
from stories.reading.publishing import Draft, PublishError


def rule(check: Callable[[Any], Any]) -> Validator:
    """A WTForms validator from one of the publishing module's checks."""
    return forms.rule(check, PublishError)


class ReviewForm(PlumeForm):
    """Title, summary, themes and credits of one story, as the facilitator publishes it."""

    title = StringField(_l("Title"), validators=[rule(publishing.clean_title)])
    summary = TextAreaField(_l("Summary"), validators=[rule(publishing.clean_summary)])
    themes = StringField(_l("Themes"), validators=[rule(publishing.clean_themes)])
    credits = StringField(_l("Authors"), validators=[rule(publishing.clean_credits)])
    anonymous = BooleanField(_l("Publish without the authors' names"))
    show_history = BooleanField(
        _l("Show readers how this story was written (its phases and co-authors' shares)")
    )

    @classmethod
    def for_draft(cls, story_id: int, draft: Draft, **kwargs: Any) -> ReviewForm:
        data = {
            "title": draft.title,
            "summary": draft.summary,
            "themes": ", ".join(draft.themes),
            "credits": ", ".join(draft.credits),
            "anonymous": draft.anonymous,
            "show_history": draft.show_history,
        }
        return cls(prefix=f"story-{story_id}", data=data, **kwargs)

    def draft(self) -> Draft:
        """The checked draft (call after `validate`)."""
        return Draft.clean(
            self.title.data or "",
            self.summary.data or "",
            self.themes.data or "",
            self.credits.data or "",
            bool(self.anonymous.data),
            bool(self.show_history.data),
        )
