"""`flask demo`, and `flask demo --consultation`: a consultation with three running workshops.

The plain `flask demo` is the workshop's (`workshops.demo`, unchanged): one facilitator, one running
workshop. With `--consultation`, an organiser account (not the demo facilitator's, so that the plain demo
keeps finding its own workshop) gets a consultation at `/c/demo-2040` with three workshops, each open for
joining and running on a phase whose editors are open. Idempotent like the plain demo. The last line
printed is JSON: ``{"consultation_id", "public_url", "workshops": [{"id", "join_code"}, ...], "organiser"}``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from accounts import operations as accounts
from consultations import batch
from consultations import operations as ops
from consultations.models import Consultation
from core.settings import settings
from core.unit_of_work import committed
from extensions import db
from workshops import demo, templates
from workshops.models import Workshop

EMAIL = "organiser@plume.example"
PASSWORD = "plume-demo-2040"  # noqa: S105 (a demo account, printed on purpose)
SLUG = "demo-2040"
WORKSHOPS = 3
TEXTS = {
    "en": ("Demo consultation: health in 2040", "What does a desirable everyday life in 2040 look like?"),
    "fr": ("Consultation de démonstration : la santé en 2040", "Quel quotidien désirable en 2040 ?"),
}


def _organiser() -> Any:
    organiser = accounts.find_by_email(EMAIL)
    if organiser is None:
        return accounts.create_facilitator(EMAIL, PASSWORD, "Demo organiser")
    if not organiser.check_password(PASSWORD):
        accounts.set_password(organiser, PASSWORD)
    return organiser


def ensure_consultation(base_url: str, language: str = "en") -> dict[str, Any]:
    """Create (or find) the demo consultation and its three running workshops; what the command prints."""
    title, question = TEXTS.get(language, TEXTS["en"])
    with committed():
        organiser = _organiser()
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))
        if consultation is None:
            details = ops.Details(title, question, "", language, SLUG)
            consultation = ops.create_consultation(organiser, details)
        elif not ops.organises(organiser.id, consultation.id):
            raise click.ClickException(f"/c/{SLUG} belongs to another account.")
        consultation_id, organiser_id = consultation.id, organiser.id
    missing = WORKSHOPS - len(ops.workshops_in(consultation))
    if missing > 0:
        batch.create(consultation_id, organiser_id, batch.batch_specs(consultation, missing, 3))
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.consultation_id == consultation_id).order_by(Workshop.id)
        )
    )[:WORKSHOPS]
    for workshop in workshops:
        demo.open_for_writing(workshop)  # each command commits on its own
        db.session.refresh(workshop)
    return {
        "consultation_id": consultation_id,
        "public_url": f"{base_url.rstrip('/')}/c/{SLUG}",
        "workshops": [{"id": w.id, "join_code": w.join_code} for w in workshops],
        "organiser": {"email": EMAIL, "password": PASSWORD},
    }


@click.command("demo")
@click.option("--url", "base_url", default=None, help="Address people open (default: PLUME_PUBLIC_URL).")
@click.option(
    "--language", type=click.Choice(templates.LANGUAGES), default="en", help="Language of the demo."
)
@click.option("--consultation", is_flag=True, help="A consultation of three running workshops instead.")
@with_appcontext
def command(base_url: str | None, language: str, consultation: bool) -> None:
    """Create a demo facilitator and a running workshop (idempotent); print its join code as JSON.

    With --consultation: a consultation of three running workshops; print its id, public address and
    workshops as JSON."""
    base_url = base_url or settings().public_url
    if not base_url:
        base_url = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    made = ensure_consultation(base_url, language) if consultation else demo.ensure_demo(base_url, language)
    click.echo(json.dumps(made))
