"""Workshops: agenda, groups, participants, join codes and live facilitation."""


def register() -> None:
    """Plug the workshop's rules into `core` (when the app is created): who may do what (`access.RULES`),
    the participants' directory (`people.DIRECTORY`), the listeners that move access versions, and the
    audit log's receiver of downloads."""
    from core import access, identity
    from core.signals import data_exported
    from workshops import (
        access_version,  # noqa: F401  (imported: its listeners hook every session)
        audit,
    )
    from workshops.access import RULES
    from workshops.people import DIRECTORY

    access.register(RULES)
    identity.register_participants(DIRECTORY)
    data_exported.connect(audit.on_exported)  # the audit log hears every download of private data
