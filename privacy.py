"""The privacy page's content: what Plume keeps, why, for how long and who to ask; the cookies it sets.

The text is Markdown, rendered by `core.rendering` like any user text. By default it is Plume's own,
translated with the rest of the interface and filled with this instance's figures (`PLUME_TOKEN_TTL_DAYS`,
the session's lifetime, `PLUME_PRIVACY_CONTACT`). An administrator replaces it, per language, with the
files `en.md` and `fr.md` of `PLUME_PRIVACY_TEXT_DIR` (a language without its file keeps the default text).
The cookies and what the browser keeps are facts of the code: they are listed whatever the text says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from core.settings import settings
from stories.reading import reactions

log = logging.getLogger(__name__)

#: The largest replacement text read (a bigger file is cut there).
MAX_TEXT_BYTES = 200_000


@dataclass(frozen=True)
class Stored:
    """Something Plume keeps in the browser: its name, what it is for, how long it stays."""

    name: str
    kind: str
    purpose: str
    lifetime: str


def _days(seconds: float) -> str:
    days = round(seconds / 86400)
    return ngettext("%(num)d day", "%(num)d days", days)


def in_browser() -> list[Stored]:
    """Every cookie Plume sets, then what its pages keep in the browser's own storage."""
    cookie, storage = _("Cookie"), _("Browser storage")
    return [
        Stored(
            current_app.config.get("SESSION_COOKIE_NAME", "session"),
            cookie,
            _(
                "Your language, the protection of forms against forgery and, once you joined a workshop or "
                "signed in, the secret that makes you yourself again after a reload. Signed, not readable by "
                "scripts."
            ),
            _(
                "A participant's: %(days)s after their last visit. Otherwise: until the browser is closed.",
                days=_days(current_app.config["PERMANENT_SESSION_LIFETIME"]),
            ),
        ),
        Stored(
            reactions.COOKIE,
            cookie,
            _(
                "Set only when you react to a published story: a random number, so that your browser "
                "counts once per kind of reaction and can take it back. Plume keeps only a keyed hash of it, "
                "never a name. Sent only to the stories' pages."
            ),
            ngettext(
                "%(num)d month after your last reaction.",
                "%(num)d months after your last reaction.",
                round(reactions.COOKIE_MAX_AGE / 86400 / 30.44),
            ),
        ),
        Stored(
            "plume-story-…",
            storage,
            _("A participant's copy of their group's draft (IndexedDB), for writing offline."),
            _("Deleted when the workshop ends, the next time the participant's page is open."),
        ),
        Stored(
            "plume:chime-muted",
            storage,
            _("Whether you muted the chime at the end of a phase."),
            _("Until you clear your browser's data."),
        ),
        Stored(
            "plume:…",
            storage,
            _("Which instructions you folded, and a notice after a move to another group (sessionStorage)."),
            _("Until the tab is closed."),
        ),
    ]


def default_text() -> str:
    """Plume's own privacy text, in the current language, with this instance's figures."""
    contact = settings().privacy_contact.strip()
    ask = (
        _("Write to %(contact)s.", contact=contact)
        if contact
        else _(
            "The administrator of this site has not given a contact yet: ask the facilitator of your "
            "workshop, who will pass your request on."
        )
    )
    days = _days(settings().token_ttl_days * 86400)
    session = _days(current_app.config["PERMANENT_SESSION_LIFETIME"])
    sections: list[str | list[str]] = [
        _(
            "This site runs Bright Mirror co-writing workshops with Plume. Here is what it keeps, why, "
            "for how long, and who to ask."
        ),
        "## " + _("What is kept, and why"),
        [
            _(
                "- **Facilitators' accounts**: email address, name, a hash of the password, and each "
                "signed-in browser (a hash of its secret, when it signed in), to create and run workshops."
            ),
            _(
                "- **Participants**: the display name chosen when joining, the group and its colour, when "
                "they joined and were last seen, and a hash of the secret kept in their browser (the secret "
                "itself is never stored). No email address, no account."
            ),
            _(
                "- **The stories**: their text and every change made to it, with who made it (who wrote "
                "each part, the history of the writing, the version at the end of each phase), so that a "
                "group can write together, go back to an earlier version and see each one's share."
            ),
            _(
                "- **Chat messages and comments**, with their author's name and group, to discuss the "
                "stories and review them."
            ),
            _(
                "- **Readers' reactions** to published stories: a keyed hash of a random number kept in the "
                "reader's browser, never a name."
            ),
            _(
                "- **Votes** on a consultation's stories: each voter's dots, under their participant record "
                "(or, for a reader, a keyed hash of a random number kept in their browser), so that each "
                "voter counts once and may move their dots until the vote closes. A participant erased "
                "while the vote is open loses their ballot; once it is closed, their dots stay counted in "
                "the public results, no longer tied to them."
            ),
            _(
                "- **Logs** of the service: errors and events with technical identifiers (a request's, a "
                "connection's), and each request with its address when the administrator turns the debug "
                "level on. To slow abuse down, attempts are counted per address, for a minute to a day. The "
                "web server in front of Plume may log addresses, as its host decides."
            ),
        ],
        "## " + _("For how long"),
        [
            _(
                "- A participant's secret stops working %(days)s after their workshop ended. %(kept)s after "
                "that end (or when the period its facilitators chose is over), their name, chat messages "
                "and comments are erased, and so are the drafts of the stories that were not published; "
                "what they wrote in published stories stays, signed “a participant”.",
                days=days,
                kept=_days(settings().retention_days * 86400),
            ),
            _(
                "- Published stories stay public until their facilitators take them back; their credits show "
                "the names their group chose."
            ),
            _(
                "- A facilitator's account lasts until it is deleted; a sign-in lasts %(session)s at most.",
                session=session,
            ),
        ],
        "## " + _("Your rights"),
        _(
            "You may ask to see, correct or erase what concerns you, or object to its use (GDPR, articles 15 "
            "to 21). A participant downloads what Plume keeps about them from their workshop's page "
            "(**Download my data**). A workshop's facilitators erase a participant at once on request (their "
            "name, chat messages and comments go), or delete the whole workshop; a facilitator deletes "
            "their own account from its page."
        ),
        "## " + _("Who to ask"),
        ask,
    ]
    return "\n\n".join(part if isinstance(part, str) else "\n".join(part) for part in sections)


def replacement(language: str) -> str | None:
    """The administrator's text for `language` (`PLUME_PRIVACY_TEXT_DIR/<language>.md`), if there is one."""
    folder = settings().privacy_text_dir
    if not folder or language not in current_app.config["LANGUAGES"]:
        return None
    path = Path(folder) / f"{language}.md"
    try:
        with path.open("rb") as file:
            return file.read(MAX_TEXT_BYTES).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        log.exception("the privacy text %s cannot be read; the default text is shown", path)
        return None


def text(language: str) -> str:
    """The privacy page's Markdown in `language`: the administrator's, else Plume's own."""
    replaced = replacement(language)
    return replaced if replaced is not None else default_text()
