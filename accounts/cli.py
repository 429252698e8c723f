"""`flask facilitator create EMAIL` and `flask facilitator reset-password EMAIL`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from accounts import operations
from core.unit_of_work import committed

group = AppGroup("facilitator", help="Manage facilitator accounts.")


def _read_password() -> str:
    """A password from the terminal prompt (typed twice), or from the first line of stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@group.command("create")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
def create(email: str, name: str) -> None:
    """Create a facilitator; the password comes from a prompt or stdin, never the command line."""
    try:
        password = _read_password()
        with committed():
            facilitator = operations.create_facilitator(email, password, name)
    except operations.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created facilitator {facilitator.email}.")


@group.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Set a new password for a facilitator (prompt or stdin)."""
    facilitator = operations.find_by_email(email)
    if facilitator is None:
        raise click.ClickException(f"No facilitator with email {email}.")
    try:
        password = _read_password()
        with committed():
            operations.set_password(facilitator, password)
    except operations.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Password changed for {facilitator.email}.")


def register(app: Flask) -> None:
    app.cli.add_command(group)
