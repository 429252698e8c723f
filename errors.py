"""The one shape of a refused action, for every feature: a stable `code` for programs (the API and the
socket acks, see docs/protocol.md) and a translated `message` that is safe to show to people."""

from __future__ import annotations

from flask_babel import LazyString


class RefusedError(ValueError):
    """Base of the domain errors (JoinError, CommandError, SyncError, …).

    `message` may be lazy (`lazy_gettext`): it is then worded in the language of wherever it is read.
    """

    def __init__(self, code: str, message: str | LazyString) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The `{"code", "message"}` body of an error ack or API response."""
        return {"code": self.code, "message": str(self.message)}
