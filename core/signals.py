"""What happened, for whoever listens: blinker signals (as Flask's own), each sent after its transaction
commits, with the app as sender, so that a feature connects its receivers to the apps it is registered with.
"""

from __future__ import annotations

from blinker import Namespace
from flask import current_app

_signals = Namespace()

phase_ended = _signals.signal(
    "phase-ended",
    doc="A phase of a workshop ended (next, previous, goto or its deadline); keyword arguments "
    "`workshop_id`, `position` and `title` (of the phase that ended). Receivers must return at once.",
)

data_exported = _signals.signal(
    "data-exported",
    doc="A facilitator downloaded a workshop's private data (sent before the download is made, outside any "
    "transaction); keyword arguments `workshop_id`, `facilitator_id` and `what` (`feedback`, `history`). "
    "Receivers may write in a transaction of their own (the audit log, `workshops.audit`).",
)


def exported(workshop_id: int, facilitator_id: int, what: str) -> None:
    """Send `data_exported` from the current app: `facilitator_id` downloads the workshop's `what`."""
    data_exported.send(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        workshop_id=workshop_id,
        facilitator_id=facilitator_id,
        what=what,
    )
