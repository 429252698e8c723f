"""`flask workshop delete ID`, `flask facilitator delete EMAIL` and `flask story delete ID` (an anonymous
story kept from a deleted workshop): the deletion pages' operations, for the administrator. Each says what
will go and asks for confirmation (`--yes` skips it)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from accounts import operations as account_operations
from accounts.cli import group as facilitator_group
from core.unit_of_work import committed
from erasure import accounts, workshops
from erasure.workshops import Contents
from errors import RefusedError
from extensions import db
from ids import parse_id
from stories.models import Story
from workshops.models import Workshop

workshop_group = AppGroup("workshop", help="Manage workshops.")
story_group = AppGroup("story", help="Manage the anonymous stories kept from deleted workshops.")


def _summary(contents: Contents) -> str:
    return (
        f"{contents.groups} groups, {contents.participants} participants, "
        f"{contents.stories} stories written, {contents.published} published"
    )


@workshop_group.command("delete")
@click.argument("workshop_id", type=int)
@click.option("--keep-published", is_flag=True, help="Keep its published stories, as anonymous stories.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_workshop(workshop_id: int, keep_published: bool, yes: bool) -> None:
    """Delete a workshop and everything it holds, in one transaction."""
    workshop = db.session.get(Workshop, workshop_id) if parse_id(workshop_id) else None
    if workshop is None:
        raise click.ClickException(f"No workshop {workshop_id}.")
    kept = " (published stories kept, anonymous)" if keep_published else ""
    click.echo(f"Workshop {workshop.id} “{workshop.title}”: {_summary(workshops.contents(workshop))}{kept}.")
    if not yes:
        click.confirm("Delete it for good?", abort=True)
    with committed():
        workshops.delete_workshop(workshop, keep_published=keep_published)
    click.echo(f"Deleted workshop {workshop_id}.")


@facilitator_group.command("delete")
@click.argument("email")
@click.option("--delete-workshops", is_flag=True, help="Delete the workshops it owns, even shared ones.")
@click.option("--keep-published", is_flag=True, help="In deleted workshops, keep the published stories.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_facilitator(email: str, delete_workshops: bool, keep_published: bool, yes: bool) -> None:
    """Delete a facilitator account: each workshop it owns goes to its first co-facilitator (or is deleted
    when it has none, or with --delete-workshops); its sessions end."""
    facilitator = account_operations.find_by_email(email)
    if facilitator is None:
        raise click.ClickException(f"No facilitator with email {email}.")
    owned = accounts.owned(facilitator)
    choices = accounts.default_choices(owned)
    if delete_workshops:
        choices = dict.fromkeys(choices, accounts.DELETE)
    click.echo(f"Facilitator {facilitator.email}:")
    for item in owned:
        choice = choices[item.workshop.id]
        if choice == accounts.DELETE:
            what = f"deleted ({_summary(workshops.contents(item.workshop))})"
        else:
            what = f"handed to {next(f.email for f in item.co_facilitators if f.id == choice)}"
        click.echo(f"- workshop {item.workshop.id} “{item.workshop.title}”: {what}")
    if not yes:
        click.confirm("Delete the account for good?", abort=True)
    try:
        with committed():
            accounts.delete_account(facilitator, choices, keep_published=keep_published)
    except RefusedError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Deleted facilitator {email}.")


@story_group.command("delete")
@click.argument("story_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_story(story_id: int, yes: bool) -> None:
    """Delete an anonymous story kept from a deleted workshop (readers' reactions included)."""
    story = db.session.get(Story, story_id) if parse_id(story_id) else None
    if story is None or not story.detached:
        raise click.ClickException(
            f"No anonymous story {story_id} (a workshop's story goes with its workshop)."
        )
    click.echo(f"Anonymous story {story.id} “{story.title}”.")
    if not yes:
        click.confirm("Delete it for good?", abort=True)
    with committed():
        workshops.delete_kept_story(story)
    click.echo(f"Deleted story {story_id}.")


def register(app: Flask) -> None:
    app.cli.add_command(workshop_group)
    app.cli.add_command(story_group)
