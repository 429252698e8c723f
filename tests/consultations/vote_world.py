"""A world for the vote's tests: two consultations, each with a workshop of published stories (and a draft),
their organisers, and participants of each (one removed, one erased); a published story outside them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from accounts.models import Facilitator
from consultations import operations as ops
from consultations.models import Consultation
from core.unit_of_work import committed
from extensions import db
from stories.reading import publishing
from tests import factories
from workshops.models import Workshop

TITLES = ["La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau", "Les veilleurs"]


@dataclass
class World:
    consultation: Consultation
    other: Consultation
    owner: Facilitator
    stranger: Facilitator  # the other consultation's organiser
    workshop: Workshop
    stories: list[int]  # published, in the consultation
    draft: int  # unpublished, in the consultation
    foreign: int  # published, in the other consultation
    outside: int  # published, in no consultation
    tokens: list[str] = field(default_factory=list)  # participants of the consultation
    other_token: str = ""  # a participant of the other consultation
    removed_token: str = ""
    erased_token: str = ""


def consultation(owner: Facilitator, slug: str, title: str = "Santé 2040") -> Consultation:
    with committed():
        return ops.create_consultation(
            owner,
            ops.Details(
                title=title,
                question="En 2040, qui prend soin de qui ?",
                description="",
                language="fr",
                slug=slug,
            ),
        )


def published_workshop(
    owner: Facilitator, titles: list[str], consultation_id: int | None, drafts: int = 0
) -> tuple[Workshop, list[int], list[int]]:
    """A workshop of len(titles) + drafts groups; the first stories published under `titles`."""
    workshop = factories.workshop(owner, groups=len(titles) + drafts, consultation_id=consultation_id)
    published, unpublished = [], []
    for group, title in zip(workshop.groups, titles + [""] * drafts, strict=True):
        story = factories.story_of(group)
        factories.story_text(story, f"# {title or 'Brouillon'}\n\nIl était une fois, en 2040.\n")
        if title:
            with committed():
                publishing.publish(story, publishing.draft_of(story))
            published.append(story.id)
        else:
            unpublished.append(story.id)
    return workshop, published, unpublished


def build(participants: int = 2) -> World:
    owner = factories.facilitator(name="Olive")
    stranger = factories.facilitator(name="Sacha")
    mine = consultation(owner, "sante-2040")
    other = consultation(stranger, "autre-2040", "Autre")
    workshop, stories, drafts = published_workshop(owner, TITLES, mine.id, drafts=1)
    _, foreign, _ = published_workshop(stranger, ["Ailleurs"], other.id)
    _, outside, _ = published_workshop(owner, ["Hors consultation"], None)
    world = World(mine, other, owner, stranger, workshop, stories, drafts[0], foreign[0], outside[0])
    group = workshop.groups[0]
    world.tokens = [factories.participant(group)[1] for _ in range(participants)]
    world.other_token = factories.participant(db.session.get(Workshop, other_workshop(other)).groups[0])[1]
    removed, world.removed_token = factories.participant(group, "Removed")
    erased, world.erased_token = factories.participant(group, "Erased")
    removed.removed_at = datetime.now(UTC)
    erased.erased_at = datetime.now(UTC)
    db.session.commit()
    return world


def other_workshop(consultation: Consultation) -> int:
    return ops.workshops_in(consultation)[0].id
