"""Deleting a facilitator account (issue 26): each workshop it owns is handed to one of its co-facilitators
or deleted, as the person chooses; it leaves the workshops it co-runs; its name leaves its chat messages;
every browser it signed in is signed out (its sockets close once committed); then the account goes.

`delete_account` checks every choice before it writes, then flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from accounts import operations as accounts
from accounts.models import Facilitator
from consultations.models import Consultation
from erasure import sqlite
from erasure.workshops import delete_workshop, sockets_of
from errors import RefusedError
from extensions import db
from feedback.models import ChatMessage
from workshops.models import Workshop, WorkshopFacilitator

DELETE = "delete"  # the choice that deletes a workshop instead of handing it over


class AccountDeletionError(RefusedError):
    """A choice that cannot be carried out; `message` is translated and safe to show."""


@dataclass(frozen=True)
class Owned:
    """A workshop the account owns, and who could take it over."""

    workshop: Workshop
    co_facilitators: list[Facilitator]


def owned(facilitator: Facilitator) -> list[Owned]:
    """The workshops the facilitator owns, newest first, each with its other facilitators."""
    workshops = db.session.scalars(
        select(Workshop)
        .where(Workshop.owner_id == facilitator.id)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    ).all()
    found = []
    for workshop in workshops:
        others = db.session.scalars(
            select(Facilitator)
            .join(WorkshopFacilitator, WorkshopFacilitator.facilitator_id == Facilitator.id)
            .where(WorkshopFacilitator.workshop_id == workshop.id, Facilitator.id != facilitator.id)
            .order_by(Facilitator.id)
        ).all()
        found.append(Owned(workshop, list(others)))
    return found


def default_choices(workshops: list[Owned]) -> dict[int, int | str]:
    """Hand each workshop to its first co-facilitator; delete the ones that have none."""
    return {o.workshop.id: o.co_facilitators[0].id if o.co_facilitators else DELETE for o in workshops}


def _checked(workshops: list[Owned], choices: Mapping[int, int | str]) -> dict[int, int | str]:
    plan: dict[int, int | str] = {}
    for item in workshops:
        choice = choices.get(item.workshop.id)
        if choice != DELETE and choice not in {f.id for f in item.co_facilitators}:
            raise AccountDeletionError(
                "invalid_choice",
                _("Choose who takes over “%(title)s”, or delete it.", title=item.workshop.title),
            )
        plan[item.workshop.id] = choice
    return plan


def _hand_over_consultations(facilitator_id: int) -> None:
    """Each consultation the account owns goes to its first other organiser; one it organises alone is
    deleted (its public collection with it; its workshops stay, outside any consultation)."""
    owned_ones = db.session.scalars(select(Consultation).where(Consultation.owner_id == facilitator_id))
    for consultation in owned_ones.all():
        others = [f for f in consultation.organisers if f.id != facilitator_id]
        if others:
            consultation.owner_id = others[0].id
        else:
            db.session.delete(consultation)
    db.session.flush()


def delete_account(
    facilitator: Facilitator, choices: Mapping[int, int | str], *, keep_published: bool = False
) -> None:
    """Hand over or delete each owned workshop (`choices`: workshop id → a co-facilitator's id, or
    `DELETE`), then delete the account (flushes; the caller commits)."""
    workshops = owned(facilitator)
    plan = _checked(workshops, choices)
    sockets = sockets_of(w for w, choice in plan.items() if choice == DELETE)
    facilitator_id = facilitator.id
    for item in workshops:
        choice = plan[item.workshop.id]
        if choice == DELETE:
            delete_workshop(item.workshop, keep_published=keep_published, sockets=sockets[item.workshop.id])
        else:
            item.workshop.owner_id = int(choice)
    db.session.execute(
        update(ChatMessage)
        .where(ChatMessage.facilitator_id == facilitator_id)
        .values(facilitator_id=None, author_name="")
    )
    db.session.execute(
        delete(WorkshopFacilitator).where(WorkshopFacilitator.facilitator_id == facilitator_id)
    )
    _hand_over_consultations(facilitator_id)
    accounts.end_sessions(facilitator)
    db.session.flush()
    db.session.execute(delete(Facilitator).where(Facilitator.id == facilitator_id))
    db.session.flush()
    sqlite.checkpoint_on_commit()
