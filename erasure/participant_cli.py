"""`flask participant erase PARTICIPANT_ID [--yes]`: erase a participant (`erasure.participants`)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from erasure import participants as erasure
from ids import parse_id
from workshops import live

group = AppGroup("participant", help="Manage participants.")


@group.command("erase")
@click.argument("participant_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(participant_id: str, yes: bool) -> None:
    """Erase a participant: name, token, chat messages and comments go; their writing stays, anonymous."""
    wanted = parse_id(participant_id, digits=True)
    if wanted is None:
        raise click.ClickException(f"{participant_id!r} is not a participant id (a positive whole number).")
    participant = erasure.participant_for_erasure(wanted)
    if participant is None:
        raise click.ClickException(f"No participant {wanted} to erase (unknown, or already erased).")
    workshop_id = participant.workshop_id
    click.echo(
        f"Participant {wanted} ({participant.display_name}) of workshop {workshop_id}: their name, token, "
        "chat messages and comments will be erased, their sockets closed, and what they wrote in the "
        "stories kept as a participant's. This cannot be undone."
    )
    if not yes:
        click.confirm("Erase them?", abort=True)
    try:
        erasure.erase(workshop_id, wanted, datetime.now(UTC), by=None)
    except live.CommandError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Erased participant {wanted}.")


def register(app: Flask) -> None:
    app.cli.add_command(group)
