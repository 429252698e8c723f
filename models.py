"""Imports every model so that SQLAlchemy and Alembic see the whole schema."""

from accounts.models import Facilitator, FacilitatorSession
from consultations.models import Consultation, ConsultationOrganiser
from feedback.models import ChatMessage, Comment
from stories.models import Reaction, Story, StoryCheckpoint, StoryClient, StoryTheme, StoryUpdate
from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

__all__ = [
    "ChatMessage",
    "Comment",
    "Consultation",
    "ConsultationOrganiser",
    "Facilitator",
    "FacilitatorSession",
    "Group",
    "Participant",
    "Phase",
    "Reaction",
    "Story",
    "StoryCheckpoint",
    "StoryClient",
    "StoryTheme",
    "StoryUpdate",
    "Workshop",
    "WorkshopFacilitator",
]
