"""A workshop's retention period: how many days after it ended its participants, chat, comments and
unpublished drafts are kept (its own, set on its edit page, or the instance's `PLUME_RETENTION_DAYS`), and
so when they are erased. The erasing is `erasure.retention`'s."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.settings import settings
from workshops.models import Workshop
from workshops.people import ended_at


def days_of(workshop: Workshop) -> int:
    """The workshop's retention period in days: its own, or the instance's."""
    return workshop.retention_days or settings().retention_days


def due_at(workshop: Workshop) -> datetime | None:
    """When the workshop's data is to be erased; None while it goes on."""
    ended = ended_at(workshop)
    return None if ended is None else ended + timedelta(days=days_of(workshop))
