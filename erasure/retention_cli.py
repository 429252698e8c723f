"""`flask retention run [--dry-run]`: erase now what workshops keep past their retention period
(`erasure.retention`), or only say what would go."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from erasure import retention

group = AppGroup("retention", help="Erase what workshops keep past their retention period.")


@group.command("run")
@click.option("--dry-run", is_flag=True, help="Only say what would be erased; change nothing.")
def run(dry_run: bool) -> None:
    """Erase the participants, chats, comments and unpublished drafts of every workshop whose retention
    period is over (as the workers' background job does), and say what went, per workshop."""
    sweeps = retention.plan() if dry_run else retention.run()
    verb = "Would erase" if dry_run else "Erased"
    for sweep in sweeps:
        click.echo(f"{verb} {sweep.describe()}.")
    if not sweeps:
        click.echo("No workshop is past its retention period." if dry_run else "Nothing to erase.")


def register(app: Flask) -> None:
    app.cli.add_command(group)
