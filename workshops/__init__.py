"""Workshops: agenda, groups, participants, join codes and live facilitation."""


def register() -> None:
    """Plug the workshop's rules into `core` (when the app is created): who may do what (`access.RULES`),
    the participants' directory (`people.DIRECTORY`), and the listeners that move access versions."""
    from core import access, identity
    from workshops import access_version  # noqa: F401  (imported: its listeners hook every session)
    from workshops.access import RULES
    from workshops.people import DIRECTORY

    access.register(RULES)
    identity.register_participants(DIRECTORY)
