"""The `stories` blueprint (the reader's pages, the facilitator's review, the history), and what stories plug
into an app that registers it: the phase-end checkpoints."""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from core.signals import phase_ended
from stories.cowriting.checkpoints import on_phase_ended

bp = Blueprint("stories", __name__)


@bp.record_once
def _connect_checkpoints(state: BlueprintSetupState) -> None:
    """Every phase that ends in this app checkpoints its workshop's stories."""
    phase_ended.connect(on_phase_ended, sender=state.app)
