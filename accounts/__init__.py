"""Facilitator accounts: first-run setup, sign in and out, passwords."""


def register() -> None:
    """Plug the facilitators' directory into `core.identity` (when the app is created)."""
    from accounts.people import DIRECTORY
    from core import identity

    identity.register_facilitators(DIRECTORY)
