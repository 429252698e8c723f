"""The facilitators' directory: how a facilitator appears to the others (`core.identity.Facilitators`)."""

from __future__ import annotations

from accounts.models import Facilitator
from extensions import db


class Directory:
    def display_name(self, facilitator_id: int) -> str | None:
        facilitator = db.session.get(Facilitator, facilitator_id)
        return facilitator.display_name if facilitator is not None else None


DIRECTORY = Directory()
