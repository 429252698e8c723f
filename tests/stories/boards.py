"""A group that used its board through three phases (Signals, Imagine the world, Write), as the history and
export tests and the history's screenshots need it: cards added, voted on, moved, one hostile, one a
spreadsheet formula, one marked used in the story; a checkpoint at each phase end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Map

from extensions import db
from stories.cowriting import checkpoints
from stories.models import Story
from tests import factories
from tests.stories.ydocs import BoardWriter
from workshops.models import Participant, Workshop

PHASES = [
    {"title": "Signals", "duration_seconds": 900, "editors_open": True, "tool": "board",
     "board_columns": "Signals\nTrends", "dots": 3},
    {"title": "Imagine the world", "duration_seconds": 900, "editors_open": True, "tool": "both",
     "board_columns": "Signals\nTrends\nWorld", "dots": 3},
    {"title": "Write", "duration_seconds": 900, "editors_open": True, "tool": "story",
     "board_readonly": True},
]  # fmt: skip
ROOFTOP = "Rooftop gardens feed the street"
BUSES = "Night buses run on hydrogen"
HOSTILE = '<img src=x onerror="alert(1)"> & <b>bold</b>'
FORMULA = '=HYPERLINK("http://evil.example","click")'
TEXT = "In 2040 the street is a garden. Buses hum at night."


@dataclass
class BoardStory:
    workshop: Workshop
    story: Story
    ana: Participant
    ben: Participant
    zoe: Participant  # a member of the other group
    tokens: dict[str, str]  # "ana", "ben", "zoe" (a member of the other group)


def board_story(owner: Any = None) -> BoardStory:
    """The workshop (two groups, on its last phase), the first group's story and its members."""
    workshop = factories.workshop(owner, groups=2, phases=PHASES)
    group, other = workshop.groups
    story = factories.story_of(group)
    ana, ana_token = factories.participant(group, "Ana")
    ben, ben_token = factories.participant(group, "Ben")
    zoe, zoe_token = factories.participant(other, "Zoé")
    w = BoardWriter()

    def by(who: Participant, *updates: bytes) -> None:
        factories.story_updates(story, [(update, who) for update in updates])

    by(ana, w.add_card(ROOFTOP, "Signals", ana.id, color="#1d4ed8", votes=Map(), used=False))
    by(ben, w.add_card(HOSTILE, "Trends", ben.id, color="#166534", votes=Map(), used=False))
    by(ben, w.add_card(BUSES, "Signals", ben.id, color="#166534", votes=Map(), used=False))
    by(ana, w.vote(2, ana.id, 2))
    by(ben, w.vote(0, ben.id, 1), w.vote(2, ben.id, 2))
    _phase_ends(workshop, 0)

    by(ana, w.set_card(0, "column", "World"), w.write("In 2040 the street is a garden."))
    by(ben, w.add_card(FORMULA, "World", ben.id, color="#166534", votes=Map(), used=False))
    _phase_ends(workshop, 1)

    by(ben, w.write(" Buses hum at night."), w.set_card(2, "used", True))
    _phase_ends(workshop, 2)
    return BoardStory(workshop, story, ana, ben, zoe, {"ana": ana_token, "ben": ben_token, "zoe": zoe_token})


def _phase_ends(workshop: Workshop, position: int) -> None:
    """The facilitator moves on: the phase's checkpoint is taken, the workshop is on the next phase."""
    checkpoints.checkpoint_workshop(workshop.id, position, PHASES[position]["title"])
    workshop.phase_index = min(position + 1, len(PHASES) - 1)
    db.session.commit()
