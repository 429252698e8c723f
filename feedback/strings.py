"""The translated UI strings of the comments and chat widgets (static/src/comments/, static/src/chat.js)."""

from __future__ import annotations

from flask_babel import gettext as _


def catalogue() -> dict[str, str]:
    """Keys of static/src/comments/strings.js, translated; the page passes them under "feedback"."""
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
        "chatUnread": _("{count} new"),
        "chatFacilitator": _("Facilitator"),
        "chatEveryone": _("to every group"),
        "chatTo": _("Send to"),
        "chatAll": _("Every group"),
        "chatHidden": _("Message hidden"),
        "chatNew": _("New message from {name}."),
        "countLine": _("Comment threads: {total}, open: {open}"),
    }
