"""The one catalogue of the strings handed to the browser's scripts, translated, grouped by component.

Each function returns the keys one component of static/src reads; a page puts its components' strings in
its `<script type="application/json" id="plume-i18n">` island (`templates/workshops/_live_macros.html`,
`i18n`), flat or under a key, as the `*_page` functions below assemble them. The English of static/src is
only a fallback for a key missing here. Views pass these to `render_template(..., catalogue=...)`; see
docs/architecture.md for where each page lives.
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

#: Numbers tried to find one that each plural rule of a locale covers (CLDR rules need no more).
PLURAL_SAMPLES = range(0, 1001)


def plural(wording: Callable[[int], str]) -> dict[str, str]:
    """A plural-aware entry: each plural rule of the page's locale ("one", "other"; "few", "many"... where
    the language has them: what the script's Intl.PluralRules answers) → the wording gettext gives a number
    of that rule. `wording` is `lambda n: ngettext("{count} new", "{count} new", n)`, so that the strings
    are extracted; static/src/strings.js's `plural` reads the entry."""
    rule = (get_locale() or Locale("en")).plural_form
    forms: dict[str, str] = {}
    for n in PLURAL_SAMPLES:
        forms.setdefault(rule(n), wording(n))
        if len(forms) == len(rule.tags) + 1:  # its tags, and "other"
            break
    return forms


# --- Components -------------------------------------------------------------------------------------


def editor() -> dict[str, str]:
    """The co-writing editor (static/src/strings.js, static/src/editor.js, static/src/status.js)."""
    return {
        "editorLabel": _("Story text"),
        "placeholder": _("Write your story here…"),
        "statusConnecting": _("Connecting…"),
        "statusConnected": _("Connected"),
        "statusReconnecting": _("Connection lost — reconnecting… Your changes are kept on this device."),
        "statusOffline": _(
            "Offline — your changes are kept on this device and will be sent when you reconnect."
        ),
        "saveSaved": _("All changes saved"),
        "saveSaving": _("Saving…"),
        "saveUnsaved": _("Changes not saved yet"),
        "readOnly": _("Read only"),
        "locked": _("The facilitator has paused writing."),
        "errorLocked": _("The editor is locked: your last change was not saved."),
        "errorForbidden": _("You cannot write in this story."),
        "errorTooLarge": _(
            "That change is too large to save. Try pasting less text at once; "
            "if the story is full, only deleting still works."
        ),
        "errorMalformed": _("A change could not be saved."),
        "errorTimeout": _("The server is slow to answer; trying again…"),
        "errorOpen": _("This story could not be opened."),
        "errorConnect": _("Could not connect. Reload the page to try again."),
        "previewError": _("The preview could not be updated."),
        "wordsOne": _("{count} word"),
        "wordsOther": _("{count} words"),
        "anonymous": _("Anonymous"),
        "notKept": _("The editor closed before these words were saved, so they were not kept: “{text}”"),
        "notKeptNothing": _("The editor closed before your last changes were saved, so they were not kept."),
        "notKeptDots": _(
            "Not all your dots were kept: you had placed some from another tab or device at the same time, "
            "more than you have in all. The board now shows the dots that were kept."
        ),
        "notKeptBoard": _(
            "Your last change to the board could not be saved, so it was not kept. "
            "The board now shows what was saved."
        ),
        "notKeptWordsToo": _("These words, typed just after, were not saved either: “{text}”"),
        "notKeptCopy": _("Copy these words"),
        "notKeptCopied": _("Copied."),
        "notKeptClose": _("Close"),
        "authorshipError": _("The colours of the writers could not be loaded. Try again later."),
    }


def live() -> dict[str, str]:
    """The timer, the phase and the banner (static/src/live/), shared by the participant view, the console
    and the wall."""
    return {
        "phaseOf": _("Phase {number} of {count}"),
        "notStarted": _("Not started yet"),
        "paused": _("Paused"),
        "finished": _("The workshop is over"),
        "left": _("left"),
        "overtime": _("Time is up"),
        "minutesLeftOne": _("{count} minute left"),
        "minutesLeftOther": _("{count} minutes left"),
        "phaseNow": _("Now: {title}. {time} left."),
        "pausedNow": _("The clock is paused."),
        "resumedNow": _("The clock is running again."),
        "finishedNow": _("The workshop is over. Thank you!"),
        "movedTo": _("You are now in {group}."),
        "writingOpen": _("You can write."),
        "writingClosed": _("The editor is closed for now."),
        "writingLocked": _("The facilitator has paused writing."),
        "writingOpened": _("The facilitator has opened the editor until the next phase."),
        "connectionLost": _("Connection lost — reconnecting…"),
        "reconnected": _("Connected again."),
        "hours": _("{hours} h {minutes} min"),
        "chimeOn": _("Chime on"),
        "chimeMuted": _("Chime muted"),
        "you": _("you"),
        "removed": _("The facilitator has removed you from this workshop."),
        "erased": _(
            "The facilitator has removed you from this workshop and erased your name and messages. "
            "This browser's copy of the drafts is deleted."
        ),
    }


def console() -> dict[str, str]:
    """The facilitator's console (static/src/console/)."""
    return {
        "connectedCount": _("{count} of {total} connected"),
        "connected": _("connected"),
        "away": _("not connected"),
        "noMembers": _("Nobody yet."),
        "noActivity": _("Nothing written yet"),
        "lastActivity": _("Last change {time}"),
        "characters": _("{count} characters"),
        "lock": _("Lock"),
        "unlock": _("Unlock"),
        "lockedState": _("Locked"),
        "openState": _("Open"),
        "done": _("Done."),
        "doneStart": _("The workshop has started."),
        "donePause": _("The clock is paused."),
        "doneResume": _("The clock is running again."),
        "doneExtend": _("{minutes} min added to this phase."),
        "donePhase": _("Phase changed: everyone sees it now."),
        "doneFinish": _("The workshop is over: everyone can still read every story."),
        "doneLockAll": _("Every editor is locked."),
        "doneUnlockAll": _("Every editor is open."),
        "doneLock": _("{group} is locked."),
        "doneUnlock": _("{group} is open again."),
        "doneUnlockIdle": _("Unlocked. Nobody writes until the workshop is running."),
        "openedState": _("Open until the next phase"),
        "closedState": _("Closed by this phase"),
        "notLiveState": _("Not running"),
        "failed": _("That did not work: {message}"),
        "noConnection": _("Not connected to the server: the command was not sent."),
        "joiningOpen": _("Joining is open"),
        "joiningClosed": _("Joining is closed"),
        "openJoining": _("Open joining"),
        "closeJoining": _("Close joining"),
        "dotsHidden": _("Counts hidden from the participants"),
        "dotsShown": _("Counts shown to everyone"),
        "revealDots": _("Reveal the dots"),
        "hideDots": _("Hide the dots until the reveal"),
        "dotsHiddenDone": _("The dot counts are hidden: each participant sees only their own dots."),
        "dotsRevealedDone": _("The dot counts are revealed to everyone."),
        "broadcastSent": _("Message sent to every participant."),
        "broadcastCleared": _("Message taken down."),
        "movedDone": _("{name} moved to {group}."),
        "removeConfirm": _(
            "Remove {name} from the workshop? Their link stops working at once; what they wrote stays."
        ),
        "removedDone": _("{name} is removed from the workshop."),
        "movedSmallest": _("{name} moved to the smallest group."),
        "memberInGroup": _("{name} — {group}"),
        "foundOne": _("{count} participant found"),
        "foundOther": _("{count} participants found"),
        "stale": _("Already done: the screen had not caught up yet. Nothing more was changed."),
        "confirmJump": _("Jump to phase {number}, “{title}”? Every participant moves there now."),
        "confirmJumpTitle": _("Jump to another phase?"),
        "confirmJumpGo": _("Go to this phase"),
        "confirmFinishTitle": _("End the workshop?"),
        "confirmFinish": _("“{title}” is the last phase: the workshop ends and every editor closes."),
        "confirmFinishGo": _("End the workshop"),
        "doneGroupExtend": _("{minutes} min more for {group} only."),
        "ownTimeUntil": _("Own time: writes until {time} ({minutes} min more than the others)."),
        "ownTimeMore": _("Own time: {minutes} min more than the others."),
        "groupExtendAdvances": _(
            "This phase moves everyone on at its deadline: give the whole room more time instead."
        ),
        "callSince": _("{group} is calling you, since {time}."),
        "callRaised": _("{group} is calling you."),
        "callAnswered": _("{group}: call answered."),
        "rejoinLink": _("Rejoin link"),
        "rejoinFor": _("Rejoin link for {name}"),
        "rejoinTitle": _("Rejoin link for {name}"),
        "rejoinHint": _(
            "Open it on {name}'s new device, or scan the QR code: it works once, within {minutes} min,"
            " and signs out the device they used before."
        ),
        "rejoinFailed": _("No rejoin link could be made: reload the page and try again."),
        "rejoinCopied": _("Link copied."),
        "rejoinCopyFailed": _("The link could not be copied: select it and copy it by hand."),
    }


def feedback() -> dict[str, str | dict[str, str]]:
    """The comments panel and the group chat (static/src/comments/, static/src/chat.js)."""
    return {
        "commentsTitle": _("Comments"),
        "commentsOn": _("Comments on {group}'s story"),
        "commentsToggle": _("Comments ({count})"),
        "commentAdd": _("Comment"),
        "commentAddHint": _("Select a passage, then press Comment (or Ctrl+Alt+M)."),
        "commentSelectFirst": _("Select a passage of the story first."),
        "commentLabel": _("Your comment on “{quote}”"),
        "commentSubmit": _("Post the comment"),
        "cancel": _("Cancel"),
        "close": _("Close"),
        "back": _("All comments"),
        "replyLabel": _("Your reply"),
        "replySubmit": _("Reply"),
        "resolve": _("Resolve"),
        "reopen": _("Reopen"),
        "resolvedBy": _("Resolved by {name}"),
        "edit": _("Edit"),
        "editLabel": _("Edit your comment"),
        "save": _("Save"),
        "delete": _("Delete"),
        "deleteConfirm": _("Delete this comment?"),
        "deleted": _("Comment deleted."),
        "edited": _("edited"),
        "passageDeleted": _("The passage was deleted from the story."),
        "hide": _("Hide"),
        "show": _("Show again"),
        "hiddenNote": _("Hidden from participants"),
        "noComments": _("No comments yet."),
        "repliesOne": _("{count} reply"),
        "repliesOther": _("{count} replies"),
        "open": _("Open the thread"),
        "readOnly": _("Comments are read-only now."),
        "posted": _("Comment posted."),
        "newComment": _("New comment from {name}."),
        "chatTitle": _("Group chat"),
        "chatLabel": _("Message to your group"),
        "chatLabelFacilitator": _("Chat message"),
        "chatSend": _("Send"),
        "chatEmpty": _("No messages yet. Write to your group here."),
        "chatUnread": plural(lambda n: ngettext("{count} new", "{count} new", n)),
        "chatFacilitator": _("Facilitator"),
        "chatEveryone": _("to every group"),
        "chatTo": _("Send to"),
        "chatAll": _("Every group"),
        "chatHidden": _("Message hidden"),
        "chatNew": _("New message from {name}."),
        "countLine": _("Comment threads: {total}, open: {open}"),
    }


def history() -> dict[str, str]:
    """The timeslider (static/src/entries/history.js)."""
    return {
        "play": _("Play"),
        "pause": _("Pause"),
        "position": _("Update {seq} of {last}"),
        "at": _("at {time}"),
        "empty": _("The story is empty at this point."),
        "error": _("This moment could not be loaded."),
        "unknown": _("Facilitator or restored text"),
    }


def read_aloud() -> dict[str, str]:
    """The reading mode (static/src/entries/read-aloud.js)."""
    return {
        "position": _("Story {number} of {count}"),
    }


def board() -> dict[str, object]:
    """The group's board of cards (static/src/board/board.js)."""
    return {
        "firstColumn": _("Cards"),
        "other": _("Cards of other columns"),
        "empty": _("No card yet."),
        "someone": _("Someone"),
        "used": _("In the story"),
        "readOnly": _("Read only in this phase: draw on the cards as you write."),
        "closed": _("The board is closed for now."),
        "dotsGroup": _("Dots"),
        "dotsLeft": plural(lambda n: ngettext("{count} dot left", "{count} dots left", n)),
        "votes": plural(lambda n: ngettext("{count} dot", "{count} dots", n)),
        "mine": plural(lambda n: ngettext("{count} of yours", "{count} of yours", n)),
        "vote": _("Place a dot on “{text}”"),
        "unvote": _("Take a dot back from “{text}”"),
        "moveTo": _("Move to the column “{column}”"),
        "edit": _("Edit"),
        "editCard": _("Edit “{text}”"),
        "cardText": _("Text of the card"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "delete": _("Delete"),
        "deleteCard": _("Delete “{text}”"),
        "insert": _("Insert into the story"),
        "insertCard": _("Insert into the story, at the cursor: “{text}”"),
        "more": plural(lambda n: ngettext("and {count} more", "and {count} more", n)),
    }


# --- Pages: which components each page's island holds ------------------------------------------------


def group() -> dict[str, str]:
    """The participant's group: "Call the facilitator" (static/src/participant/call.js) and its own time."""
    return {
        "ownTime": _("Your group has {minutes} min more than the others in this phase."),
        "called": _("The facilitator is called (since {time}): they will come to your group."),
        "answered": _("The facilitator has answered your group's call."),
        "failed": _("The call did not go through: {message}"),
        "noConnection": _("Not connected to the server: the call was not sent."),
    }


def participant_page() -> dict[str, object]:
    """The participant view: the editor's strings flat, the live view's, the feedback's and the group's under
    a key."""
    return {**editor(), "live": live(), "feedback": feedback(), "group": group(), "board": board()}


def console_page() -> dict[str, object]:
    """The facilitator's console: the participant view's components and the console's own."""
    return {**participant_page(), "console": console()}


def wall_page() -> dict[str, object]:
    """The wall view for the projector: the live view, and a group's board when one is projected."""
    return {"live": live(), "board": board()}


def overview() -> dict[str, object]:
    """The organiser's live overview of a consultation (static/src/overview/)."""
    return {
        "connected": _("{count} of {total} connected"),
        "connectedShort": _("{count}/{total} connected"),
        "phaseOf": _("Phase {number} of {count}"),
        "notStarted": _("Not started yet"),
        "paused": _("Paused"),
        "finished": _("The workshop is over"),
        "left": _("{time} left"),
        "overtime": _("Time is up"),
        "late": _("{minutes} min behind the agenda"),
        "words": plural(lambda n: ngettext("~{count} word", "~{count} words", n)),
        "comments": plural(lambda n: ngettext("{count} comment", "{count} comments", n)),
        "writing": _("writing"),
        "idle": _("idle for {minutes} min"),
        "quiet": _("nothing written yet"),
        "empty": _("nobody connected"),
        "calling": _("calls the facilitator"),
        "alertLate": _("{minutes} min behind the agenda"),
        "alertEmpty": _("{group}: nobody connected"),
        "alertCalling": _("{group} calls the facilitator"),
        "noAlerts": _("No alert: every workshop is on time and every group has someone connected."),
        "alertCount": plural(lambda n: ngettext("{count} alert", "{count} alerts", n)),
        "notYours": _("You do not run this workshop: its console is its facilitators'."),
        "live": _("Live"),
        "offline": _("Connection lost — reconnecting…"),
        "refused": _("The overview could not be followed: {message}"),
    }


def overview_page() -> dict[str, object]:
    """The organiser's overview: its own strings."""
    return {"overview": overview()}
