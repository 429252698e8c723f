"""The one shape of a refused action, for every feature: a stable `code` for programs (the API and the
socket acks, see docs/protocol.md) and a translated `message` that is safe to show to people."""

from __future__ import annotations


class RefusedError(ValueError):
    """Base of the domain errors (JoinError, CommandError, SyncError, …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        """The `{"code", "message"}` body of an error ack or API response."""
        return {"code": self.code, "message": self.message}
