"""History routes (thin): a story's history page, the timeslider's seek, the contribution balance, restoring
a checkpoint, a workshop's archive, and a published story's "how it was written" page.

Who may see what: the group's members and the workshop's facilitators see a story's history; only those
facilitators restore and export; readers see "how it was written" of a published story that opted in.
Everyone else gets a 404, whatever the id.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import browser_strings
from core import signals
from core.access import facilitates
from core.downloads import CSV, attachment
from core.identity import Identity
from extensions import db
from stories.blueprint import bp
from stories.cowriting import history, restore, writers
from stories.models import Story, StoryCheckpoint
from stories.reading import history_boards, history_export
from stories.reading.catalog import published_story
from workshops.models import Workshop
from workshops.people import session_participant

MAX_ID = 2**31 - 1  # ids are 32-bit integers: anything larger names nothing
HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
UNKNOWN_COLOR = "#6b7280"


def _row(model: type, row_id: int) -> Any:
    return db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None


def _viewer(story_id: int) -> tuple[Story, bool]:
    """The story and whether a facilitator of it is asking; 404 unless a facilitator or a group member."""
    story = _row(Story, story_id)
    if story is None:
        abort(404)
    if current_user.is_authenticated and facilitates(current_user.id, story.workshop_id):
        return story, True
    participant = session_participant()
    if participant is not None and participant.group_id == story.group_id:
        return story, False
    abort(404)


def _facilitated(story_id: int) -> Story:
    story, facilitator = _viewer(story_id)
    if not facilitator:
        abort(404)
    return story


@bp.app_template_filter("author_color")
def author_color(color: str | None) -> str:
    """A member's colour as a safe `#rrggbb` (grey for text nobody in the group wrote)."""
    return color if color and HEX.match(color) else UNKNOWN_COLOR


def _legend(members: dict[int, history.Member]) -> dict[str, dict[str, str]]:
    return {str(i): {"name": m.name, "color": author_color(m.color)} for i, m in members.items()}


def _running_phase(workshop: Workshop) -> str | None:
    """The title of the phase under way (running or paused), if any."""
    if workshop.status not in ("running", "paused"):
        return None
    return next((p.title for p in workshop.phases if p.position == workshop.phase_index), None)


@bp.get("/stories/<int:story_id>/history")
def story_history(story_id: int) -> Any:
    story, facilitator = _viewer(story_id)
    found = history.story_history(story)
    replay = {
        "seekUrl": url_for("stories.history_seek", story_id=story.id),
        "first": max(0, found.span.first - 1),
        "last": found.span.last,
        "boundaries": [
            {"seq": p.row.seq, "label": p.row.phase_title} for p in found.checkpoints if p.row.seq is not None
        ],
        "current": _running_phase(story.workshop),  # what updates after the last phase end belong to
        "members": _legend(found.members),
    }
    return render_template(
        "stories/history.html",
        story=story,
        workshop=story.workshop,
        found=found,
        facilitator=facilitator,
        replay=replay,
        shares=history.shares(found.total),
        boards=history_boards.boards(
            found, counts_hidden=not facilitator and history_boards.dots_hidden(story.workshop)
        ),
        catalogue=browser_strings.history(),
    )


@bp.get("/stories/<int:story_id>/history/seek.json")
def history_seek(story_id: int) -> Any:
    story, _facilitator = _viewer(story_id)
    seq = request.args.get("seq", type=int)
    if seq is None or not 0 <= seq <= MAX_ID:
        abort(400)
    replay = history.seek_frozen(story.id, seq, "history seek")
    return jsonify(history.moment(replay, history.members_of(story, set(replay.owners))))


@bp.get("/stories/<int:story_id>/writers.json")
def story_writers(story_id: int) -> Any:
    """Who wrote with each Yjs client id of the story, for the live editor's authorship colours: its group's
    members and its workshop's facilitators only (docs/protocol.md)."""
    story, _facilitator = _viewer(story_id)
    clients = writers.writers(story.id)
    members = history.members_of(story, set(clients.values()))
    return jsonify(
        {
            "clients": {str(c): (a if a in members else None) for c, a in clients.items()},
            "members": _legend(members),
            "unknown": _("Facilitator or restored text"),
        }
    )


@bp.get("/stories/<int:story_id>/history/balance.json")
def history_balance(story_id: int) -> Any:
    story, _facilitator = _viewer(story_id)
    figures = history.shares(history.balance(story))
    return jsonify(
        {
            "members": [
                {
                    "name": c.member.name,
                    "color": author_color(c.member.color),
                    "written": c.written,
                    "present": c.present,
                    "percent": percent,
                }
                for c, percent in figures
            ],
            "history_url": url_for("stories.story_history", story_id=story.id),
        }
    )


@bp.route("/stories/<int:story_id>/history/<int:checkpoint_id>/restore", methods=["GET", "POST"])
def restore_checkpoint(story_id: int, checkpoint_id: int) -> Any:
    """GET asks to confirm (showing what would change); POST restores."""
    story = _facilitated(story_id)
    checkpoint = _row(StoryCheckpoint, checkpoint_id)
    if checkpoint is None or checkpoint.story_id != story.id:
        abort(404)
    if request.method == "GET":
        return render_template(
            "stories/history_restore.html",
            story=story,
            checkpoint=checkpoint,
            diff=restore.confirmation_diff(checkpoint),
        )
    try:
        changed = restore.restore(checkpoint, Identity("facilitator", current_user.id))
    except restore.RestoreError as refused:
        if refused.code == "too_large":  # PLUME_MAX_STORY_BYTES or PLUME_MAX_DOCUMENT_BYTES
            flash(_("This version cannot be restored: the story has reached its size limit."), "error")
        else:
            flash(_("The story could not be restored. Please try again."), "error")
        return redirect(url_for("stories.story_history", story_id=story.id), code=303)
    if changed:
        flash(_("The story is back as it was after “%(phase)s”.", phase=checkpoint.phase_title), "success")
    else:
        flash(_("The story already reads as it did after “%(phase)s”.", phase=checkpoint.phase_title), "info")
    return redirect(url_for("stories.story_history", story_id=story.id), code=303)


def _workshop(workshop_id: int) -> Workshop:
    workshop = _row(Workshop, workshop_id)
    if workshop is None or not current_user.is_authenticated or not facilitates(current_user.id, workshop.id):
        abort(404)
    return workshop


def _exported(workshop: Workshop) -> Workshop:
    """Tell who listens (the audit log) that the workshop's history is downloaded, before it is made."""
    signals.exported(workshop.id, current_user.id, "history")
    return workshop


@bp.get("/workshops/<int:workshop_id>/history.json")
def history_archive_json(workshop_id: int) -> Any:
    data = history_export.archive(_exported(_workshop(workshop_id)))
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return attachment(
        body, "application/json; charset=utf-8", f"workshop-{workshop_id}-history.json", private=True
    )


@bp.get("/workshops/<int:workshop_id>/history.csv")
def history_archive_csv(workshop_id: int) -> Any:
    body = history_export.archive_csv(history_export.archive(_exported(_workshop(workshop_id))))
    return attachment(body, CSV, f"workshop-{workshop_id}-history.csv", private=True)


@bp.get("/stories/<int:story_id>/how-it-was-written")
def how_written(story_id: int) -> Any:
    story = published_story(story_id) if 0 < story_id <= MAX_ID else None
    if story is None or not story.show_history or not story.history_summary:
        abort(404)
    return render_template(
        "stories/how_written.html",
        story=story,
        workshop=story.workshop,
        summary=json.loads(story.history_summary),
    )
