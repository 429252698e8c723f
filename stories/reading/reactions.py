"""Readers' reactions to a published story: no account, once per browser and kind, hidden by facilitators.

A browser is known by a random id in a long-lived cookie; only an HMAC of it (keyed with the app's secret)
is stored, so the table cannot be joined back to a cookie. Reacting again with the same kind takes the
reaction back. A reaction a facilitator hid stays in the table (so that the same browser cannot simply
add it again) and is no longer counted. The operations flush; the caller commits
(`core.unit_of_work.committed`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from errors import RefusedError
from extensions import db
from stories.models import Reaction, Story

KINDS = {
    "inspiring": _l("Inspiring"),
    "live_there": _l("I want to live there"),
    "made_me_think": _l("Made me think"),
}
COOKIE = "plume_reader"
#: 13 months, renewed by each reaction: the most that the CNIL allows a tracker exempt from consent (its
#: guidelines of 17 September 2020), and long enough for a reader to take a reaction back.
COOKIE_MAX_AGE = 395 * 24 * 3600
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{32}")


class ReactionError(RefusedError):
    """A reaction that cannot be recorded; `message` is translated and safe to show."""


def new_browser_id() -> str:
    """A fresh random id for a reader's browser (what the cookie holds)."""
    return secrets.token_urlsafe(24)


def browser_key(browser_id: object) -> str | None:
    """What is stored for a browser id: its HMAC-SHA256 under the app's secret; None for a malformed id."""
    if not isinstance(browser_id, str) or not _BROWSER_ID.fullmatch(browser_id):
        return None
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"reaction:" + browser_id.encode(), hashlib.sha256).hexdigest()


def toggle(story: Story, kind: object, browser: str) -> bool:
    """Add the browser's reaction of `kind` to a published story, or take it back; True when it now stands.

    A reaction a facilitator hid cannot be taken back nor added again: it stands, uncounted.
    """
    if story.published_at is None:
        raise ReactionError("not_found", _("This story is not published."))
    if kind not in KINDS:
        raise ReactionError("invalid_kind", _("Choose one of the offered reactions."))
    existing = db.session.scalar(
        select(Reaction).where(
            Reaction.story_id == story.id, Reaction.kind == kind, Reaction.browser == browser
        )
    )
    if existing is not None:
        if existing.hidden:
            return True
        db.session.delete(existing)
        db.session.flush()
        return False
    db.session.add(Reaction(story_id=story.id, kind=kind, browser=browser))
    try:
        db.session.flush()
    except IntegrityError:  # the same browser's other request won the race: it stands
        db.session.rollback()
    return True


def counts(story_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """Visible reactions per story and kind."""
    ids = list(story_ids)
    found: dict[int, Counter[str]] = {story_id: Counter() for story_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(Reaction.story_id, Reaction.kind, func.count())
        .where(Reaction.story_id.in_(ids), Reaction.hidden.is_(False))
        .group_by(Reaction.story_id, Reaction.kind)
    )
    for story_id, kind, count in rows:
        found[story_id][kind] = count
    return found


def chosen(story_id: int, browser: str | None) -> set[str]:
    """The kinds this browser reacted with (hidden ones included: to the reader they still stand)."""
    if browser is None:
        return set()
    return set(
        db.session.scalars(
            select(Reaction.kind).where(Reaction.story_id == story_id, Reaction.browser == browser)
        )
    )


def recent(story_ids: Iterable[int], limit: int = 50) -> dict[int, list[Reaction]]:
    """The latest reactions of each story, hidden ones included, for facilitators to review."""
    return {
        story_id: list(
            db.session.scalars(
                select(Reaction)
                .where(Reaction.story_id == story_id)
                .order_by(Reaction.created_at.desc(), Reaction.id.desc())
                .limit(limit)
            )
        )
        for story_id in story_ids
    }


def set_hidden(reaction: Reaction, hidden: bool) -> None:
    """Hide an abusive reaction from the counts, or show it again."""
    reaction.hidden = hidden
    db.session.flush()
