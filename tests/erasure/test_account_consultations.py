"""Deleting a facilitator account that owns consultations (erasure.accounts): each goes to another organiser,
or, organised by the account alone, is deleted while its workshops stay."""

from __future__ import annotations

from flask import Flask

from consultations import operations
from consultations.models import Consultation
from core.unit_of_work import committed
from erasure import accounts
from extensions import db
from tests import factories
from workshops.models import Workshop


def consultation(owner, slug: str) -> Consultation:
    details = operations.Details(
        title="Health in 2040", question="How?", description="", language="en", slug=slug
    )
    with committed():
        made = operations.create_consultation(owner, details)
    return made


def test_an_owned_consultation_goes_to_another_organiser_or_is_deleted(app_ctx: Flask) -> None:
    owner, co = factories.facilitator(), factories.facilitator()
    shared, alone = consultation(owner, "shared"), consultation(owner, "alone")
    with committed():
        operations.invite_organiser(shared, co.email)
    workshop = factories.workshop(co, groups=1)
    workshop.consultation_id = alone.id
    db.session.commit()
    shared_id, alone_id, workshop_id = shared.id, alone.id, workshop.id

    with committed():
        accounts.delete_account(owner, {})

    db.session.expire_all()
    assert db.session.get(Consultation, shared_id).owner_id == co.id
    assert db.session.get(Consultation, alone_id) is None
    assert db.session.get(Workshop, workshop_id).consultation_id is None  # the workshop stays
