"""The one catalogue of refusals: every code a socket event (or an operation behind one) may answer with, and
its message for people, lazy so that it is worded in the asker's language when the ack is written.

A refusal is found by its scope (who speaks: the story engine, comments, the chat, the facilitator's console,
the work budget) and its key: the error code of docs/protocol.md, or `code.variant` where one code has
several wordings in one scope (the code is the part before the dot). The chat speaks like comments but for
the refusals it words its own way. Each feature raises its own `errors.RefusedError` subclass through
`refusal`; incoming payloads are parsed by `core.commands` (docs/architecture.md, "Where a new event goes").
"""

from __future__ import annotations

from typing import TypeVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from errors import RefusedError

E = TypeVar("E", bound=RefusedError)

_COMMENT = {
    "invalid": _l("This request is not valid."),
    "forbidden": _l("You cannot see or write comments on this story now."),
    "not_found": _l("This comment does not exist, or you cannot see it."),
    "comments_off": _l("Comments are closed during this phase."),
    "locked": _l("The facilitator has paused writing; comments are read-only for now."),
    "too_large": _l("This text is too long."),
    "empty": _l("Write something first."),
    "rate_limited": _l("You are sending too fast; wait a few seconds."),
    "not_yours": _l("Only its author can change this comment."),
    "not_allowed": _l("Only the story's group can resolve or reopen a thread."),
    "full": _l("This story has too many comments already."),
    "unavailable": _l("Something went wrong on our side. Please try again."),
}

CATALOGUE: dict[str, dict[str, LazyString]] = {
    "story": {  # story:open, yjs, story:close (stories.cowriting.sync)
        "invalid": _l("This request is not valid."),
        "forbidden": _l("You do not have access to this story."),
        "not_open": _l("Open the story before sending changes to it."),
        "locked": _l("The editor is locked for now."),
        "too_large": _l("This change is too large."),
        "malformed": _l("This message could not be read; nothing was changed."),
        "out_of_sync": _l("This change builds on changes the story does not have; synchronise again."),
        "unavailable": _l("The change could not be saved; please try again."),
        "rate_limited": _l("You are sending too fast; wait a few seconds."),
    },
    "comment": _COMMENT,  # comment:* (feedback.comments)
    "chat": {  # chat:* (feedback.chat): comments' words, but for these
        **_COMMENT,
        "forbidden": _l("You cannot read or write in this chat now."),
        "not_found": _l("This message or group does not exist, or you cannot see it."),
    },
    "console": {  # facilitator:command (workshops.live, workshops.sockets)
        "unknown_action": _l("This command does not exist."),
        "invalid": _l("This command is missing a value, or a value is wrong."),
        "invalid.workshop": _l("Say which workshop this command is for."),
        "invalid.hidden_characters": _l("The message contains invisible control characters."),
        "too_long": _l("At most %(limit)d characters, please."),
        "forbidden": _l("Only the workshop's facilitators can do this."),
        "stale": _l("The workshop had already changed: nothing was done."),
        "already_started": _l("The workshop has already started."),
        "already_finished": _l("The workshop has already finished."),
        "not_running": _l("The clock is not running."),
        "not_paused": _l("The clock is not paused."),
        "no_next_phase": _l("This was the last phase."),
        "no_previous_phase": _l("There is no phase before this one."),
        "bad_index": _l("This phase is not in the agenda."),
        "empty_agenda": _l("The agenda has no phase yet."),
        "no_dots": _l("This phase has no dot-voting on a board."),
        "advances": _l(
            "This phase moves everyone on at its deadline: give the whole room more time instead."
        ),
        "not_found.workshop": _l("This workshop does not exist."),
        "not_found.group": _l("This group is not part of this workshop."),
        "not_found.no_group": _l("This workshop has no group yet."),
        "not_found.participant": _l("This participant is not part of this workshop."),
        "server_error": _l("Something went wrong on our side. Please try again."),
    },
    "call": {  # group:call (workshops.calls)
        "invalid": _l("This request is not valid."),
        "forbidden": _l("Only the participants of this group can call the facilitator for it."),
        "not_live": _l("The workshop is not running: there is nobody to call yet."),
        "rate_limited": _l("You are sending too fast; wait a few seconds."),
        "server_error": _l("Something went wrong on our side. Please try again."),
    },
    "overview": {  # overview:join (consultations.overview_sockets)
        "invalid": _l("This request is not valid."),
        "forbidden": _l("Only the organisers of this consultation can follow its overview."),
        "server_error": _l("Something went wrong on our side. Please try again."),
    },
    "vote_live": {  # vote:join (consultations.overview_sockets)
        "invalid": _l("This request is not valid."),
        "forbidden": _l("Only the organisers of this consultation can follow its vote."),
        "server_error": _l("Something went wrong on our side. Please try again."),
    },
    "work": {  # the work budget (core.budget)
        "over_budget": _l(
            "This is too long to compute right now. Please try again later, or ask a facilitator."
        ),
        "busy": _l("The server is busy computing for others. Please try again in a few seconds."),
    },
}


def _formatted(message: LazyString, params: dict[str, object]) -> str:
    return str(message) % params


def message(scope: str, key: str, **params: object) -> LazyString:
    """The lazy message of refusal `key` in `scope` (`params` fill its placeholders when it is read)."""
    found = CATALOGUE[scope][key]
    return LazyString(_formatted, found, params) if params else found


def refusal(error: type[E], scope: str, key: str, **params: object) -> E:
    """The refusal `key` of `scope` as an `error`: its code (the key up to a dot) and its lazy message."""
    return error(key.partition(".")[0], message(scope, key, **params))


def known(scope: str, key: str) -> bool:
    return key in CATALOGUE[scope]
