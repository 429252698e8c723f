"""Nobody can stall the room with a download (issue 22): while a workshop's anthology of long stories is
made as PDF and EPUB over and over, a typist in another workshop keeps getting its acks; a PDF over the work
budget answers 503 `over_budget` with the translated page (`core.budget`)."""

from __future__ import annotations

import json
import statistics
from typing import Any

import pytest

from core.unit_of_work import committed
from stories.reading import publishing
from stories.reading.publishing import Draft
from tests import factories, test_stalls
from tests.server import ServerProcess
from tests.test_stalls import ACK_BOUND, WRITE, Room, typing_while

pytestmark = pytest.mark.slow
tight = test_stalls.tight  # the fixture: a server of its own with some settings

STORIES = 6
PARAGRAPH = (
    "Le mardi, la *maison des communs* ouvrait ses portes à **tout le quartier** : on y réparait, on y "
    "cuisinait, on y parlait de l'avenir. "
) * 3
PART = "\n\n".join([PARAGRAPH] * 6) + "\n\n- un\n- deux\n\n> Une citation"
# About 15 KB of styled paragraphs, headings, lists and quotations: fpdf2 lays it out in pure Python.
LONG = "\n\n".join(f"## Partie {n}\n\n{PART}" for n in range(6))


class Anthology(Room):
    """A Room whose facilitator's other workshop published an anthology of long stories."""

    def __init__(self, server: ServerProcess) -> None:
        super().__init__(server)
        workshop = factories.workshop(self.owner, groups=STORIES, phases=WRITE)
        for number, group in enumerate(workshop.groups, start=1):
            story = factories.story_of(group)
            factories.story_text(story, LONG)
            with committed():  # the server reads what the test wrote: commit it
                publishing.publish(story, Draft(title=f"Histoire {number}"))
        self.anthology = workshop.id

    def downloads(self) -> dict[str, str]:
        return {
            "pdf": f"/stories/c/{self.anthology}/anthology.pdf",
            "epub": f"/stories/c/{self.anthology}/anthology.epub",
        }


def test_a_typist_elsewhere_keeps_its_acks_while_anthologies_are_made(
    live_server: ServerProcess, app_ctx: Any
) -> None:
    room = Anthology(live_server)
    statuses: dict[str, list[int]] = {"pdf": [], "epub": []}

    def hammer() -> None:  # one after the other: each route allows PLUME_EXPORT_RATE (60 a minute)
        for kind, url in room.downloads().items():
            statuses[kind].append(room.get(url, accept="*/*")[0])

    acks = typing_while(room, hammer)
    print(f"anthologies: {statuses}, acks median {statistics.median(acks) * 1000:.0f} ms, "
          f"max {max(acks) * 1000:.0f} ms over {len(acks)}")  # fmt: skip
    for kind in ("pdf", "epub"):
        assert set(statuses[kind]) <= {200, 503}, kind
        assert 200 in statuses[kind], kind
    assert max(acks) < ACK_BOUND


def test_an_anthology_pdf_over_the_budget_answers_503(tight: Any, app_ctx: Any) -> None:
    room = Anthology(tight(PLUME_WORK_BUDGET_S="0.02"))
    url = room.downloads()["pdf"]
    status, body = room.get(url)
    assert status == 503
    assert b"too long to compute" in body
    status, body = room.get(url, accept="application/json")
    assert (status, json.loads(body)["error"]["code"]) == (503, "over_budget")
    assert "PDF anthology export cut at its budget" in room.server.log.read_text()
