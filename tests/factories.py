"""Factories: valid rows with sensible defaults, overridable per test. They commit what they build."""

from __future__ import annotations

import itertools
from typing import Any

from accounts import operations as accounts
from accounts.models import Facilitator
from core.identity import new_token
from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def facilitator(email: str | None = None, password: str = PASSWORD, **kwargs: Any) -> Facilitator:
    email = email or f"facilitator{next(_counter)}@example.org"
    with committed():
        return accounts.create_facilitator(email, password, **kwargs)


def workshop(
    owner: Facilitator | None = None,
    *,
    groups: int = 2,
    phases: list[dict[str, Any]] | None = None,
    status: str = "running",
    **kwargs: Any,
) -> Workshop:
    """A workshop with groups (each with its story) and an agenda; running on phase 0 by default."""
    owner = owner or facilitator()
    n = next(_counter)
    kwargs.setdefault("title", f"Workshop {n}")
    kwargs.setdefault("join_code", f"TEST{n:04d}")
    # The tests read the participants' screens in English; a workshop's language now sets them.
    kwargs.setdefault("language", "en")
    item = Workshop(owner_id=owner.id, status=status, **kwargs)
    if status == "running":
        from datetime import UTC, datetime, timedelta

        item.deadline = datetime.now(UTC) + timedelta(minutes=15)
    phases = phases or [
        {"title": "Write", "duration_seconds": 900, "editors_open": True},
        {"title": "Cross-reading", "duration_seconds": 600, "editors_open": False, "visibility": "next"},
    ]
    item.phases = [Phase(position=i, **spec) for i, spec in enumerate(phases)]
    item.groups = [Group(position=i, name=f"Group {i + 1}") for i in range(groups)]
    db.session.add(item)
    db.session.flush()
    db.session.add(WorkshopFacilitator(workshop_id=item.id, facilitator_id=owner.id))
    for group in item.groups:
        db.session.add(Story(workshop_id=item.id, group_id=group.id))
    db.session.commit()
    return item


def participant(group: Group, name: str | None = None) -> tuple[Participant, str]:
    """A participant in `group` and the secret token that identifies them."""
    token, token_hash = new_token()
    item = Participant(
        workshop_id=group.workshop_id,
        group_id=group.id,
        display_name=name or f"Writer {next(_counter)}",
        token_hash=token_hash,
        color="#9a3412",
    )
    db.session.add(item)
    db.session.commit()
    return item, token


def story_of(group: Group) -> Story:
    return db.session.query(Story).filter_by(group_id=group.id).one()


def story_text(story: Story, text: str, author: Participant | None = None) -> bytes:
    """Write `text` into the story's CRDT log as one Yjs update (what a client typing it would send)."""
    from pycrdt import Doc, Text

    from stories.models import StoryUpdate

    doc = Doc()
    body = doc.get("body", type=Text)
    body += text
    update = doc.get_update()
    last = db.session.query(db.func.max(StoryUpdate.seq)).filter_by(story_id=story.id).scalar() or 0
    db.session.add(
        StoryUpdate(story_id=story.id, seq=last + 1, data=update, author_id=author.id if author else None)
    )
    db.session.commit()
    return update


def bright_mirror_workshop(owner: Facilitator | None = None, **kwargs: Any) -> Workshop:
    """A workshop made the way a facilitator makes one: `create_workshop` on the Bright Mirror template."""
    from workshops.management import create_workshop

    kwargs.setdefault("language", "en")
    owner = owner or facilitator()
    with committed():
        return create_workshop(owner, kwargs.pop("title", f"Workshop {next(_counter)}"), **kwargs)


def story_updates(story: Story, updates: list[tuple[bytes, Participant | None]]) -> int:
    """Append (update, author) rows to the story's live log as the writer does; the last seq."""
    from sqlalchemy import insert

    from stories.models import StoryUpdate

    last = db.session.query(db.func.max(StoryUpdate.seq)).filter_by(story_id=story.id).scalar() or 0
    rows = [
        {"story_id": story.id, "seq": last + i + 1, "data": data, "author_id": author.id if author else None}
        for i, (data, author) in enumerate(updates)
    ]
    if rows:
        db.session.execute(insert(StoryUpdate.__table__), rows)
    db.session.commit()
    return last + len(rows)


def checkpoint(story: Story, phase_position: int, phase_title: str = "Phase") -> Any:
    """A phase-end checkpoint of one story, taken the way `checkpoints.checkpoint_workshop` takes them."""
    from stories.cowriting import crdt, persistence
    from stories.models import StoryCheckpoint

    rows = persistence.rows_after(story.id)
    item = StoryCheckpoint(
        story_id=story.id,
        phase_position=phase_position,
        phase_title=phase_title,
        seq=rows[-1][0] if rows else 0,
        text=crdt.text_of(data for _, data in rows),
        authorship="{}",
    )
    db.session.add(item)
    db.session.commit()
    return item
