"""Consultation operations: create and edit one, invite co-organisers, add workshops to it (one, or N at
once from its template).

Plain functions, callable without a request. Each checks its rules first and raises
:class:`ConsultationError` (or a `core.text.TextError` / `workshops.management.WorkshopError`: all
`RefusedError`s, with a translated message safe to show) before anything is written, then flushes: the
caller commits once (`core.unit_of_work.committed`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts import operations as accounts
from accounts.models import Facilitator
from consultations.models import Consultation, ConsultationOrganiser
from core.text import clean_line, clean_text
from errors import RefusedError
from extensions import db
from workshops import management, templates
from workshops.models import Workshop, WorkshopFacilitator

MAX_TITLE = management.MAX_TITLE
MAX_QUESTION = management.MAX_QUESTION
MAX_DESCRIPTION = 20_000
MAX_THEMES, MAX_THEME = 40, 60
MIN_SLUG, MAX_SLUG = 3, 60
MAX_BATCH = 100  # workshops created at once
MAX_BATCH_GROUPS = 20  # groups of each workshop created at once
MAX_WORKSHOPS = 500  # workshops of one consultation
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class ConsultationError(RefusedError):
    """A consultation rule was broken; `message` is translated and safe to show to the organiser."""


@dataclass(frozen=True)
class Details:
    """What the organiser writes about a consultation (creating or editing it)."""

    title: str
    question: str
    description: str
    language: str
    slug: str
    template: str = templates.DEFAULT_TEMPLATE
    themes: Sequence[str] = ()
    starts_on: date | None = None
    ends_on: date | None = None


# --- Checking input ---------------------------------------------------------------------------------


def _clean_int(value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConsultationError("invalid", _("Enter a whole number."))
    if not low <= value <= high:
        raise ConsultationError(
            "out_of_range", _("Enter a number from %(low)d to %(high)d.", low=low, high=high)
        )
    return value


def clean_batch_count(value: object) -> int:
    return _clean_int(value, 1, MAX_BATCH)


def clean_batch_groups(value: object) -> int:
    return _clean_int(value, 1, MAX_BATCH_GROUPS)


def is_slug(value: object) -> bool:
    """A well-formed public slug: lower-case letters and digits in words joined by single hyphens."""
    return isinstance(value, str) and MIN_SLUG <= len(value) <= MAX_SLUG and SLUG.fullmatch(value) is not None


def clean_slug(value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not is_slug(text):
        raise ConsultationError(
            "invalid_slug",
            _(
                "Use %(low)d to %(high)d lower-case letters, digits and single hyphens, e.g. “health-2040”.",
                low=MIN_SLUG,
                high=MAX_SLUG,
            ),
        )
    return text


def clean_themes(themes: Sequence[str]) -> list[str]:
    """The themes, one per entry, without blanks or repeats (case aside), at most MAX_THEMES."""
    found: list[str] = []
    for theme in themes:
        if not theme.strip():
            continue
        label = clean_line(theme, limit=MAX_THEME)
        if label.casefold() not in {t.casefold() for t in found}:
            found.append(label)
    if len(found) > MAX_THEMES:
        raise ConsultationError(
            "too_many", _("A consultation has at most %(count)d themes.", count=MAX_THEMES)
        )
    return found


def _clean(details: Details, consultation_id: int | None) -> Details:
    if details.language not in templates.LANGUAGES:
        raise ConsultationError("invalid", _("Choose one of the offered languages."))
    if details.template not in templates.TEMPLATES:
        raise ConsultationError("invalid", _("Choose one of the offered templates."))
    if details.starts_on and details.ends_on and details.ends_on < details.starts_on:
        raise ConsultationError("dates", _("The consultation cannot end before it starts."))
    slug = clean_slug(details.slug)
    taken = db.session.scalar(select(Consultation.id).where(Consultation.slug == slug))
    if taken is not None and taken != consultation_id:
        raise ConsultationError("slug_taken", _("Another consultation already uses this address."))
    return Details(
        title=clean_line(details.title, limit=MAX_TITLE),
        question=clean_text(details.question, limit=MAX_QUESTION),
        description=clean_text(details.description, limit=MAX_DESCRIPTION),
        language=details.language,
        slug=slug,
        template=details.template,
        themes=clean_themes(details.themes),
        starts_on=details.starts_on,
        ends_on=details.ends_on,
    )


# --- Reading ----------------------------------------------------------------------------------------


def organises(facilitator_id: int, consultation_id: int) -> bool:
    """Whether this facilitator owns the consultation or was invited to organise it."""
    row = db.session.get(ConsultationOrganiser, (consultation_id, facilitator_id))
    return row is not None


def consultation_for(facilitator_id: int, consultation_id: int) -> Consultation | None:
    """The consultation when this facilitator organises it, else None (callers answer 404: nothing leaks)."""
    if not organises(facilitator_id, consultation_id):
        return None
    return db.session.get(Consultation, consultation_id)


def consultations_of(facilitator: Facilitator) -> list[Consultation]:
    """The consultations this facilitator organises, newest first."""
    return list(
        db.session.scalars(
            select(Consultation)
            .join(ConsultationOrganiser, ConsultationOrganiser.consultation_id == Consultation.id)
            .where(ConsultationOrganiser.facilitator_id == facilitator.id)
            .order_by(Consultation.created_at.desc(), Consultation.id.desc())
        )
    )


def workshops_in(consultation: Consultation) -> list[Workshop]:
    """The consultation's workshops, in the order they were created."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.consultation_id == consultation.id)
            .options(selectinload(Workshop.groups))
            .order_by(Workshop.id)
        )
    )


def run_by(facilitator_id: int, workshops: Sequence[Workshop]) -> set[int]:
    """The ids of those workshops that this facilitator runs (an organiser sees every workshop of the
    consultation, and opens those it runs)."""
    if not workshops:
        return set()
    statement = select(WorkshopFacilitator.workshop_id).where(
        WorkshopFacilitator.facilitator_id == facilitator_id,
        WorkshopFacilitator.workshop_id.in_([w.id for w in workshops]),
    )
    return set(db.session.scalars(statement))


def _count(consultation: Consultation) -> int:
    statement = select(func.count(Workshop.id)).where(Workshop.consultation_id == consultation.id)
    return db.session.scalar(statement) or 0


# --- Writing ----------------------------------------------------------------------------------------


def create_consultation(owner: Facilitator, details: Details) -> Consultation:
    """A new consultation owned by `owner`, who is its first organiser."""
    clean = _clean(details, None)
    consultation = Consultation(owner_id=owner.id)
    _assign(consultation, clean)
    db.session.add(consultation)
    db.session.flush()
    db.session.add(ConsultationOrganiser(consultation_id=consultation.id, facilitator_id=owner.id))
    db.session.flush()
    return consultation


def update_consultation(consultation: Consultation, details: Details) -> None:
    _assign(consultation, _clean(details, consultation.id))
    db.session.flush()


def _assign(consultation: Consultation, clean: Details) -> None:
    consultation.title = clean.title
    consultation.question = clean.question
    consultation.description = clean.description
    consultation.language = clean.language
    consultation.slug = clean.slug
    consultation.template = clean.template
    consultation.themes = "\n".join(clean.themes)
    consultation.starts_on = clean.starts_on
    consultation.ends_on = clean.ends_on


def invite_organiser(consultation: Consultation, email: str) -> Facilitator:
    """Let another facilitator account organise the consultation with its owner."""
    invited = accounts.find_by_email(clean_line(email, limit=254))
    if invited is None:
        raise ConsultationError(
            "unknown_facilitator",
            _("No facilitator account uses this email. Ask them to get one first, then invite them again."),
        )
    if organises(invited.id, consultation.id):
        raise ConsultationError(
            "already_organiser", _("%(name)s already organises this consultation.", name=invited.display_name)
        )
    db.session.add(ConsultationOrganiser(consultation_id=consultation.id, facilitator_id=invited.id))
    db.session.flush()
    db.session.refresh(consultation)
    return invited


def add_workshop(consultation: Consultation, organiser: Facilitator, title: str, groups: int) -> Workshop:
    """One workshop in the consultation: its question, language and agenda template; run by `organiser`."""
    return add_workshops(consultation, organiser, [title], groups)[0]


def add_batch(consultation: Consultation, organiser: Facilitator, count: int, groups: int) -> list[Workshop]:
    """`count` workshops of `groups` groups from the consultation's template, titled "<title> n", numbered
    after the workshops it already has."""
    count, groups = clean_batch_count(count), clean_batch_groups(groups)
    first = _count(consultation) + 1
    titles = [f"{consultation.title} {n}"[:MAX_TITLE] for n in range(first, first + count)]
    return add_workshops(consultation, organiser, titles, groups)


def add_workshops(
    consultation: Consultation, organiser: Facilitator, titles: Sequence[str], groups: int
) -> list[Workshop]:
    """Workshops titled `titles`, all or none (a refusal raises before the first is written)."""
    groups = management.clean_group_count(groups)
    titles = [clean_line(title, limit=MAX_TITLE) for title in titles]
    if _count(consultation) + len(titles) > MAX_WORKSHOPS:
        raise ConsultationError(
            "too_many", _("A consultation has at most %(count)d workshops.", count=MAX_WORKSHOPS)
        )
    made = []
    for title in titles:
        workshop = management.create_workshop(
            organiser,
            title,
            consultation.question,
            language=consultation.language,
            groups=groups,
            template=consultation.template,
        )
        workshop.consultation_id = consultation.id
        made.append(workshop)
    db.session.flush()
    return made
