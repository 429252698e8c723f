"""`flask demo`: a facilitator and a running Bright Mirror workshop to try Plume in a minute.

Idempotent: a second run finds the same facilitator and workshop (and makes sure that the workshop is still
open for joining and writing) instead of making new ones. Prints one line of JSON:
``{"join_code", "workshop_id", "facilitator": {"email", "password"}, "url"}``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from accounts import operations as accounts
from core.settings import settings
from core.unit_of_work import committed
from extensions import db
from workshops import joining, live, management, templates
from workshops.models import Workshop

EMAIL = "demo@plume.example"
PASSWORD = "plume-demo-2040"  # noqa: S105 (a demo account, printed on purpose)
TEXTS = {
    "en": ("Demo workshop: health in 2040", "What does a desirable everyday life in 2040 look like?"),
    "fr": ("Atelier de démonstration : la santé en 2040", "Quel quotidien désirable en 2040 ?"),
}


def _facilitator() -> Any:
    facilitator = accounts.find_by_email(EMAIL)
    if facilitator is None:
        return accounts.create_facilitator(EMAIL, PASSWORD, "Demo facilitator")
    if not facilitator.check_password(PASSWORD):
        accounts.set_password(facilitator, PASSWORD)  # the printed password must work
    return facilitator


def open_for_writing(workshop: Workshop) -> None:
    """Joining open, the clock running on the first phase whose editors are open on the story (not a
    board-only phase, which refuses the story's text), nothing locked."""
    if not workshop.joining_open:
        with committed():
            joining.set_joining(workshop, True)
    if workshop.status in ("not_started", "finished"):
        writing = (p.position for p in workshop.phases if p.editors_open and p.tool != "board")
        first_open = next(writing, 0)
        live.run_command(workshop.id, {"action": "goto", "index": first_open})
    elif workshop.status == "paused":
        live.run_command(workshop.id, {"action": "resume"})
    if workshop.all_locked or any(group.locked for group in workshop.groups):
        live.run_command(workshop.id, {"action": "unlock"})


def ensure_demo(base_url: str, language: str = "en") -> dict[str, Any]:
    """Create (or find) the demo facilitator and workshop; returns what `flask demo` prints."""
    title, question = TEXTS.get(language, TEXTS["en"])
    with committed():
        facilitator = _facilitator()
        workshop = db.session.scalar(
            select(Workshop)
            .where(Workshop.owner_id == facilitator.id, Workshop.archived_at.is_(None))
            .order_by(Workshop.id)
        )
        if workshop is None:
            workshop = management.create_workshop(facilitator, title, question, language=language, groups=3)
    open_for_writing(workshop)  # each command commits on its own (`live.run_command`)
    db.session.refresh(workshop)
    return {
        "join_code": workshop.join_code,
        "workshop_id": workshop.id,
        "facilitator": {"email": EMAIL, "password": PASSWORD},
        "url": f"{base_url.rstrip('/')}/join/{workshop.join_code}",
    }


@click.command("demo")
@click.option("--url", "base_url", default=None, help="Address people open (default: PLUME_PUBLIC_URL).")
@click.option(
    "--language", type=click.Choice(templates.LANGUAGES), default="en", help="Language of the demo workshop."
)
@with_appcontext
def command(base_url: str | None, language: str) -> None:
    """Create a demo facilitator and a running workshop (idempotent); print its join code as JSON."""
    base_url = base_url or settings().public_url
    if not base_url:
        base_url = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
    click.echo(json.dumps(ensure_demo(base_url, language)))
