"""Real Yjs clients (Node `yjs`, through the load generator's link) on a group's board against the real
server (docs/protocol.md, "The board"): members writing at once converge with the server's stored copy, a
card added offline merges on reconnect, another group neither reads nor writes the board, and every update
that breaks the board's shape is refused and stored nowhere (tests/stories/board_clients.mjs)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from flask import Flask

from tests import factories
from tests.server import ServerProcess
from tests.stories.clients import ROOT
from tests.stories.ydocs import BoardWriter as Writer
from tests.stories.ydocs import stored_board

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("node") is None, reason="needs node (and node_modules: yjs, socket.io-client)"
    ),
]
SCRIPT = ROOT / "tests" / "stories" / "board_clients.mjs"
COLUMNS = ["Signals", "Promising", "Doubtful"]
DOTS = 3
SIGNALS = {
    "title": "Signals",
    "duration_seconds": 900,
    "editors_open": True,
    "tool": "board",
    "dots": DOTS,
    "board_columns": "\n".join(COLUMNS),
}


def run(
    scenario: str, server: ServerProcess, story_id: int, members: list[tuple[Any, str]], **extra: Any
) -> Any:
    """Run one scenario of the Node clients; its JSON result."""
    config = {
        "url": server.url,
        "storyId": story_id,
        "members": [{"token": token, "id": member.id} for member, token in members],
        "columns": COLUMNS,
        "dots": DOTS,
        **extra,
    }
    done = subprocess.run(
        ["node", str(SCRIPT), scenario, json.dumps(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def same(*boards: list[dict[str, Any]]) -> bool:
    """Boards equal as values (key order aside; pycrdt reads a number as a float, Yjs as an int)."""
    return all(board == boards[0] for board in boards)


def dots_of(board: list[dict[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for card in board:
        for member, dots in card.get("votes", {}).items():
            totals[member] = totals.get(member, 0) + int(dots)
    return totals


def a_group(names: int, groups: int = 1, phase: dict[str, Any] = SIGNALS) -> tuple[Any, int, list[Any]]:
    workshop = factories.workshop(groups=groups, phases=[phase])
    group = workshop.groups[0]
    members = [factories.participant(group, f"Member {n}") for n in range(names)]
    return workshop, factories.story_of(group).id, members


@pytest.mark.parametrize("workers", ["one", pytest.param("two", marks=pytest.mark.redis)])
def test_five_members_add_move_and_vote_at_once_and_converge(
    request: pytest.FixtureRequest, app_ctx: Flask, workers: str
) -> None:
    server = request.getfixturevalue("live_server" if workers == "one" else "two_workers")
    _, story_id, members = a_group(5)
    result = run("together", server, story_id, members, cardsEach=4)
    assert result["refused"] == []
    assert result["sent"] >= 5 * (4 + 6)  # four cards, six moves and some votes each
    assert result["converged"], result["boards"]
    stored = stored_board(story_id)
    assert same(stored, *result["boards"])  # the five clients and the server hold one board
    assert len(stored) == 20
    assert {card["column"] for card in stored} <= set(COLUMNS)
    assert dots_of(stored) == {str(member.id): DOTS for member, _ in members}


def test_a_card_added_offline_merges_on_reconnect(live_server: ServerProcess, app_ctx: Flask) -> None:
    _, story_id, members = a_group(3)
    away = members[0][0]
    result = run("offline", live_server, story_id, members)
    assert result["sentWhileAway"] == 0  # nothing went out while offline
    assert result["step2"] == {"ok": True}  # the reconnect's step 2 carried it, stored
    assert result["refused"] == []
    assert result["converged"], result["boards"]
    stored = stored_board(story_id)
    assert same(stored, *result["boards"])
    by_text = {card["text"]: card for card in stored}
    assert set(by_text) == {"Before the train", "Written in the tunnel", "Meanwhile, online"}
    offline = by_text["Written in the tunnel"]
    assert offline["id"] == result["offlineId"]
    assert offline["author"] == away.id
    assert offline["votes"] == {str(away.id): 1}
    assert by_text["Before the train"]["column"] == COLUMNS[1]  # moved offline
    assert by_text["Before the train"]["votes"] == {str(members[2][0].id): 1}  # voted online meanwhile


CARD = "Community gardens on every roof"
WRITE = {**SIGNALS, "title": "Write", "tool": "story", "board_readonly": True}
CLOSED = {"code": "forbidden", "ok": False}


@pytest.mark.parametrize(
    ("phase", "reads"),
    [
        (SIGNALS, False),  # the board phase: the group's board is the group's
        (WRITE, False),  # the story, with the board read-only beside it
        ({**SIGNALS, "title": "Between phases", "tool": "story", "editors_open": False}, False),
        # Cross-reading opens the story, the board with it, read-only ("readable by who may read the story").
        ({**SIGNALS, "title": "Cross-reading", "editors_open": False, "visibility": "next"}, True),
    ],
    ids=["signals", "write", "closed", "cross-reading"],
)
def test_another_groups_member_neither_reads_nor_writes_the_board(
    live_server: ServerProcess, app_ctx: Flask, phase: dict[str, Any], reads: bool
) -> None:
    workshop = factories.workshop(groups=2, phases=[phase])
    outsiders, owners = workshop.groups  # "next": the first group reads the second's story
    story = factories.story_of(owners)
    factories.story_updates(story, [(Writer().add_card(CARD), None)])
    before = stored_board(story.id)
    outsider = factories.participant(outsiders, "Outsider")
    result = run("outsider", live_server, story.id, [outsider])
    if reads:
        assert result["open"]["ok"] is True
        assert result["again"] == {"ok": True, "writable": False}
        assert result["read"] == {"ok": True}
        assert [card["text"] for card in result["boards"][0]] == [CARD]
        assert result["write"] == {"ok": False, "code": "locked"}
    else:
        assert result["open"] == result["again"] == result["read"] == result["write"] == CLOSED
        assert result["received"] == 0  # not a sync step 1, not a relay
        assert result["boards"] == [[]]
    assert stored_board(story.id) == before  # the forged card is stored nowhere


HOSTILE = {
    "a card without text": "malformed",
    "a card whose text is a number": "malformed",
    "a card whose column is not a string": "malformed",
    "a card's text turned into a number": "malformed",
    "more dots than allowed": "forbidden",
    "a vote in another member's name": "forbidden",
    "a card over 500 characters": "malformed",
    "a 501st card": "malformed",
}


def test_each_shape_breaking_update_is_refused_and_not_stored(
    live_server: ServerProcess, app_ctx: Flask
) -> None:
    _, story_id, members = a_group(2)
    ada = members[0][0]
    result = run("hostile", live_server, story_id, members)
    assert result["results"].pop("filled") == {"ok": True}  # 499 cards in one update: a full board is legal
    for name, code in HOSTILE.items():
        outcome = result["results"][name]
        assert outcome["refused"] == {"ok": False, "code": code}, name
        assert outcome["resent"] == {"ok": False, "code": code}, name  # the re-sync's step 2: refused again
        assert outcome["reloaded"], name  # the server's copy, as the observer has it
    assert result["after"] == []  # a legal move still passes
    assert result["converged"]
    stored = stored_board(story_id)
    assert same(stored, *result["boards"])  # the observer got nothing refused
    assert len(stored) == 500
    assert {card["text"] for card in stored} >= {"A fair card", "🌱" * 500}
    assert not {"one too many", "x" * 501} & {card["text"] for card in stored}
    assert all(isinstance(card["text"], str) and isinstance(card["column"], str) for card in stored)
    assert dots_of(stored) == {str(ada.id): 1}
    assert stored[0]["column"] == COLUMNS[1]


def test_dots_placed_from_two_devices_at_once_stop_at_the_count(
    live_server: ServerProcess, app_ctx: Flask
) -> None:
    """docs/protocol.md: the server keeps the dots that reached it first, refuses the rest, and the refused
    copy writes again only once dropped for the server's."""
    _, story_id, members = a_group(1)
    result = run("twoDevices", live_server, story_id, members)
    assert sorted(result["acks"]["phone"] + result["acks"]["laptop"]) == ["forbidden"]  # 4 dots > 3
    assert result["later"] == {"ok": False, "code": "out_of_sync"}  # it builds on the refused vote
    assert result["resent"] == {"ok": False, "code": "forbidden"}  # the re-sync carries it again
    assert result["afterReload"] == {"ok": True}
    stored = stored_board(story_id)
    assert same(stored, *result["boards"])
    assert dots_of(stored) == {str(members[0][0].id): DOTS}
    assert [card["column"] for card in stored] == [COLUMNS[0], COLUMNS[2]]
