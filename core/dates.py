"""Moments as the database gives them back: SQLite drops their time zone (UTC), PostgreSQL keeps it."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(moment: datetime) -> datetime:
    """A stored moment in UTC with its time zone (SQLite gives them back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
