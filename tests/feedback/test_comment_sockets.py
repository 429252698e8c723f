"""Comments over the wire: real python-socketio clients against the real server (gunicorn), per phase."""

from __future__ import annotations

import base64
import queue
from typing import Any

import pytest
from pycrdt import Doc, Text

from extensions import db
from feedback import anchors
from feedback.models import Comment
from tests import factories
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import WIRE_MAX, Client
from workshops.models import Group, Workshop

pytestmark = pytest.mark.slow

STORY = "The river glowed at night. Children swam in the light."
PHASES = [
    {"title": "Write", "editors_open": True, "comments": "off"},
    {"title": "Cross-reading", "editors_open": False, "visibility": "next", "comments": "readers"},
    {"title": "Revise", "editors_open": True, "comments": "group"},
    {"title": "Publish", "editors_open": False, "visibility": "all", "comments": "off"},
]


class Setting:
    """Three groups; in cross-reading group 3 reads group 1's story (the ring of `visibility="next"`)."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.owner = factories.facilitator()
        self.workshop = factories.workshop(self.owner, groups=3, phases=PHASES)
        self.workshop_id = self.workshop.id
        self.groups = list(self.workshop.groups)
        self.story = factories.story_of(self.groups[0])
        self.story_id = self.story.id
        self.other_story_id = factories.story_of(self.groups[1]).id
        update = factories.story_text(self.story, STORY)
        self.doc = Doc()
        self.text = self.doc.get("body", type=Text)
        self.doc.apply_update(update)
        self.tokens = {
            name: factories.participant(self.groups[g], name)[1]
            for name, g in (("ana", 0), ("abel", 0), ("bea", 1), ("cyd", 2), ("cleo", 2))
        }
        self.clients: list[Client] = []

    def client(self, name: str) -> Client:
        client = Client(self.server.url, auth={"token": self.tokens[name]})
        self.clients.append(client)
        return client

    def facilitator(self, email: str | None = None, workshop_id: int | None = 0) -> Client:
        """A facilitator's socket, connected to `workshop_id` (0: this workshop; None: to none)."""
        email = email or self.owner.email
        headers = facilitator_cookie(self.server.url, email, factories.PASSWORD)
        auth: dict[str, Any] = {"role": "facilitator"}
        if workshop_id is not None:
            auth["workshop_id"] = workshop_id or self.workshop_id
        client = Client(self.server.url, auth=auth, headers=headers)
        self.clients.append(client)
        return client

    def phase(self, index: int) -> None:
        workshop = db.session.get(Workshop, self.workshop_id)
        workshop.phase_index = index
        db.session.commit()

    def passage(self, word: str) -> dict[str, str]:
        start = STORY.index(word)
        a, b = anchors.anchor(self.text, start, start + len(word))
        return {"start": base64.b64encode(a).decode(), "end": base64.b64encode(b).decode(), "quote": word}

    def comment(self, client: Client, word: str, body: str, story_id: int | None = None) -> dict[str, Any]:
        return client.call(
            "comment:create", {"story_id": story_id or self.story_id, "body": body, **self.passage(word)}
        )


def no_event(client: Client, event: str, wait: float = 0.6) -> bool:
    """True when `event` does not arrive within `wait` seconds."""
    try:
        client.wait_for(event, timeout=wait)
    except queue.Empty:
        return True
    return False


def code(ack: dict[str, Any]) -> str | None:
    assert set(ack) >= {"ok"}
    if ack["ok"]:
        return None
    assert set(ack["error"]) == {"code", "message"}
    assert ack["error"]["message"]
    return ack["error"]["code"]


def test_cross_reading_comment_reaches_the_authors_live_and_nobody_else(setting: Setting) -> None:
    ana, abel, bea, cyd, cleo = (setting.client(n) for n in ("ana", "abel", "bea", "cyd", "cleo"))
    # Before cross-reading: the reading group may not even read the story; the authors have comments off.
    assert code(setting.comment(cyd, "glowed", "Lovely")) == "forbidden"
    assert code(setting.comment(ana, "glowed", "Note to self")) == "comments_off"
    assert code(cyd.call("comment:list", {"story_id": setting.story_id})) == "forbidden"

    setting.phase(1)
    for reader in (ana, abel, cyd, cleo):
        assert reader.call("story:open", {"story_id": setting.story_id})["ok"]
    assert code(bea.call("story:open", {"story_id": setting.story_id})) == "forbidden"
    listed = cyd.call("comment:list", {"story_id": setting.story_id})
    assert listed == {
        "ok": True,
        "comments": [],
        "can_comment": True,
        "can_resolve": False,
        "can_moderate": False,
    }

    ack = setting.comment(cyd, "glowed", "Why does it *glow*? <script>alert(1)</script>")
    assert ack["ok"], ack
    made = ack["comment"]
    assert made["quote"] == "glowed"
    assert made["author"]["name"] == "cyd"
    assert made["author"]["group_name"] == "Group 3"
    assert made["author"]["color"] == "#9a3412"
    assert "<script>" not in made["html"]
    assert "<em>glow</em>" in made["html"]
    for member in (ana, abel, cleo):
        (event,) = member.wait_for("comment")
        assert event["id"] == made["id"]
        assert event["quote"] == "glowed"
    assert no_event(bea, "comment")  # group 2 may not read group 1's story: nothing reaches it
    # It was committed before the ack.
    db.session.expire_all()
    assert db.session.get(Comment, made["id"]).body.startswith("Why does it")

    # The authors see it and may resolve; the readers may not.
    assert ana.call("comment:list", {"story_id": setting.story_id})["can_resolve"] is True
    assert code(cyd.call("comment:resolve", {"comment_id": made["id"], "resolved": True})) == "not_allowed"
    reply = cleo.call("comment:reply", {"comment_id": made["id"], "body": "Agreed, tell us more"})
    assert reply["ok"]
    assert reply["comment"]["parent_id"] == made["id"]
    assert ana.wait_for("comment")[0]["id"] == reply["comment"]["id"]
    assert abel.wait_for("comment")[0]["id"] == reply["comment"]["id"]  # not left to race the drain below

    # Revise: the authors reply and resolve; the reading group is refused and hears nothing any more.
    for member in (abel, cyd, cleo):
        member.events("comment")  # what they heard so far
    setting.phase(2)
    assert code(setting.comment(cyd, "Children", "Another one")) == "forbidden"
    assert code(cyd.call("comment:reply", {"comment_id": made["id"], "body": "hello?"})) == "forbidden"
    assert code(cyd.call("comment:list", {"story_id": setting.story_id})) == "forbidden"
    answer = ana.call("comment:reply", {"comment_id": made["id"], "body": "It is bioluminescent algae."})
    assert answer["ok"], answer
    resolved = ana.call("comment:resolve", {"comment_id": made["id"], "resolved": True})
    assert resolved["ok"]
    assert resolved["comment"]["resolved"]
    assert resolved["comment"]["resolved_by"] == "ana"
    assert [e[0]["id"] for e in (abel.wait_for("comment"), abel.wait_for("comment"))] == [
        answer["comment"]["id"],
        made["id"],
    ]
    # cyd and cleo still sit in the story's room (they opened it during cross-reading): nothing reaches them.
    assert no_event(cyd, "comment")
    assert no_event(cleo, "comment")
    reopened = abel.call("comment:resolve", {"comment_id": made["id"], "resolved": False})
    assert reopened["ok"]
    assert not reopened["comment"]["resolved"]

    # Publish: comments are off for everyone (facilitators still see them).
    setting.phase(3)
    assert code(ana.call("comment:reply", {"comment_id": made["id"], "body": "late"})) == "comments_off"
    assert code(setting.comment(ana, "glowed", "late")) == "comments_off"


def test_a_locked_editor_makes_comments_read_only(setting: Setting) -> None:
    setting.phase(1)
    cyd = setting.client("cyd")
    group = db.session.get(Group, setting.groups[2].id)
    group.locked = True
    db.session.commit()
    assert code(setting.comment(cyd, "glowed", "Locked?")) == "locked"
    listed = cyd.call("comment:list", {"story_id": setting.story_id})
    assert listed["ok"]
    assert listed["can_comment"] is False
    group.locked = False
    db.session.get(Workshop, setting.workshop_id).all_locked = True
    db.session.commit()
    assert code(setting.comment(cyd, "glowed", "Locked?")) == "locked"
    db.session.get(Workshop, setting.workshop_id).all_locked = False
    db.session.commit()
    assert setting.comment(cyd, "glowed", "Open again")["ok"]


def test_authors_edit_and_delete_only_their_own(setting: Setting) -> None:
    setting.phase(1)
    cyd, cleo, ana = setting.client("cyd"), setting.client("cleo"), setting.client("ana")
    made = setting.comment(cyd, "river", "First")["comment"]
    assert code(cleo.call("comment:edit", {"comment_id": made["id"], "body": "Mine now"})) == "not_yours"
    assert code(ana.call("comment:delete", {"comment_id": made["id"]})) == "not_yours"
    edited = cyd.call("comment:edit", {"comment_id": made["id"], "body": "First, **edited**"})
    assert edited["ok"]
    assert edited["comment"]["edited_at"]
    assert "<strong>edited</strong>" in edited["comment"]["html"]
    deleted = cyd.call("comment:delete", {"comment_id": made["id"]})
    assert deleted["ok"]
    assert deleted["comment"]["deleted"]
    assert deleted["comment"]["body"] == ""
    assert deleted["comment"]["quote"] == "river"  # the thread keeps its place and its quote
    assert code(cyd.call("comment:edit", {"comment_id": made["id"], "body": "back"})) == "not_yours"


def test_facilitators_see_and_hide_every_comment_and_nobody_else_can(setting: Setting) -> None:
    setting.phase(1)
    cyd, ana = setting.client("cyd"), setting.client("ana")
    assert ana.call("story:open", {"story_id": setting.story_id})["ok"]
    made = setting.comment(cyd, "night", "Rude words here")["comment"]
    ana.wait_for("comment")
    runner = setting.facilitator()
    listed = runner.call("comment:list", {"story_id": setting.story_id})
    assert listed["ok"]
    assert listed["can_moderate"]
    assert [c["id"] for c in listed["comments"]] == [made["id"]]
    assert code(cyd.call("comment:hide", {"comment_id": made["id"], "hidden": True})) == "forbidden"
    hidden = runner.call("comment:hide", {"comment_id": made["id"], "hidden": True})
    assert hidden["ok"]
    assert hidden["comment"]["hidden"]
    assert hidden["comment"]["body"] == "Rude words here"
    (stub,) = ana.wait_for("comment")
    assert stub == {"id": made["id"], "story_id": setting.story_id, "parent_id": None, "hidden": True}
    tally = runner.wait_for("comment:counts")[0]
    assert tally == {"story_id": setting.story_id, "group_id": setting.groups[0].id, "total": 0, "open": 0}
    assert ana.call("comment:list", {"story_id": setting.story_id})["comments"] == []
    assert code(cyd.call("comment:reply", {"comment_id": made["id"], "body": "x"})) == "not_found"
    # A facilitator of another workshop sees nothing of it.
    stranger = factories.facilitator()
    factories.workshop(stranger)
    other = setting.facilitator(stranger.email, workshop_id=None)
    assert code(other.call("comment:list", {"story_id": setting.story_id})) == "forbidden"
    assert code(other.call("comment:hide", {"comment_id": made["id"], "hidden": False})) == "forbidden"
    # Facilitators moderate; they do not write in the groups' threads.
    assert code(runner.call("comment:reply", {"comment_id": made["id"], "body": "x"})) == "forbidden"


HOSTILE_PAYLOADS = [
    None,
    [],
    "comment",
    {},
    {"story_id": "1"},
    {"story_id": True, "start": "AA==", "end": "AA==", "body": "x"},
    {"story_id": 2**63, "start": "AA==", "end": "AA==", "body": "x"},
    {"story_id": WIRE_MAX, "start": "AA==", "end": "AA==", "body": "x"},
    {"story_id": -1, "start": "AA==", "end": "AA==", "body": "x"},
    {"story_id": 1.5, "start": "AA==", "end": "AA==", "body": "x"},
]


def test_hostile_payloads_get_error_acks(setting: Setting) -> None:
    setting.phase(1)
    cyd = setting.client("cyd")
    good = {"story_id": setting.story_id, "body": "fine", **setting.passage("glowed")}
    for payload in HOSTILE_PAYLOADS:
        assert code(cyd.call("comment:create", payload)) == "invalid", payload
    for changes in (
        {"start": "not base64!"},
        {"start": base64.b64encode(b"\xff" * 10).decode()},
        {"end": base64.b64encode(b"\x02\x01\x01").decode()},  # a nested type
        {"end": base64.b64encode(b"\x01\x03abc").decode()},  # another root type
        {"start": "A" * 5000},
        {"body": 12},
        {"body": ["x"]},
        {"quote": 3},
        {"extra": 1},
    ):
        assert code(cyd.call("comment:create", {**good, **changes})) == "invalid", changes
    assert code(cyd.call("comment:create", {**good, "body": "   \n "})) == "empty"
    assert code(cyd.call("comment:create", {**good, "body": "x" * 2001})) == "too_large"
    assert code(cyd.call("comment:create", {**good, "body": "x" * 100_000})) == "too_large"
    assert code(cyd.call("comment:create", {**good, "story_id": 2**62})) == "invalid"  # no column holds it
    assert code(cyd.call("comment:create", {**good, "story_id": 2**31 - 1})) == "forbidden"
    for event in ("comment:reply", "comment:edit", "comment:delete", "comment:resolve", "comment:hide"):
        assert code(cyd.call(event, {"comment_id": WIRE_MAX, "body": "x"})) == "invalid", event
        assert code(cyd.call(event, None)) == "invalid", event
    assert code(cyd.call("comment:reply", {"comment_id": 2**31 - 1, "body": "x"})) == "not_found"
    made = cyd.call("comment:create", good)["comment"]
    assert code(cyd.call("comment:resolve", {"comment_id": made["id"], "resolved": "yes"})) == "invalid"
    assert code(cyd.call("comment:list", {"story_id": "abc"})) == "invalid"
    # The quote comes from the story when the server knows the passage, whatever the client says.
    lie = cyd.call("comment:create", {**good, "quote": "something else"})
    assert lie["ok"]
    assert lie["comment"]["quote"] == "glowed"


def test_anchors_the_server_does_not_know_yet_keep_the_clients_quote(setting: Setting) -> None:
    setting.phase(1)
    cyd = setting.client("cyd")
    ahead = Doc()
    text = ahead.get("body", type=Text)
    ahead.apply_update(setting.doc.get_update())
    text.insert(0, "New words. ")  # typed but not yet stored on the server
    a, b = anchors.anchor(text, 0, 9)
    ack = cyd.call(
        "comment:create",
        {
            "story_id": setting.story_id,
            "start": base64.b64encode(a).decode(),
            "end": base64.b64encode(b).decode(),
            "quote": "New words <b>",
            "body": "Early",
        },
    )
    assert ack["ok"]
    assert ack["comment"]["quote"] == "New words <b>"
    assert (
        code(cyd.call("comment:create", {**setting.passage("glowed"), "quote": "", "story_id": 0}))
        == "invalid"
    )


def test_comments_are_rate_limited(setting: Setting, app: Any) -> None:
    setting.phase(1)
    cyd = setting.client("cyd")
    results = [code(setting.comment(cyd, "glowed", f"n{i}")) for i in range(11)]
    assert results[:10] == [None] * 10
    assert results[10] == "rate_limited"


def test_a_participant_of_another_workshop_reaches_nothing(setting: Setting) -> None:
    setting.phase(1)
    made = setting.comment(setting.client("cyd"), "glowed", "Ours")["comment"]
    elsewhere = factories.workshop(groups=2, phases=PHASES)
    elsewhere.phase_index = 1
    db.session.commit()
    _, token = factories.participant(elsewhere.groups[0], "intruder")
    intruder = Client(setting.server.url, auth={"token": token})
    setting.clients.append(intruder)
    assert code(intruder.call("story:open", {"story_id": setting.story_id})) == "forbidden"
    assert code(intruder.call("comment:list", {"story_id": setting.story_id})) == "forbidden"
    assert code(setting.comment(intruder, "glowed", "Theirs")) == "forbidden"
    for event, payload in (
        ("comment:reply", {"comment_id": made["id"], "body": "x"}),
        ("comment:edit", {"comment_id": made["id"], "body": "x"}),
        ("comment:delete", {"comment_id": made["id"]}),
        ("comment:resolve", {"comment_id": made["id"], "resolved": True}),
        ("comment:hide", {"comment_id": made["id"], "hidden": True}),
    ):
        assert code(intruder.call(event, payload)) == "forbidden", event
    assert setting.client("cyd").call("chat:send", {"body": "group 3 only"})["ok"]
    assert intruder.call("chat:history", {}) == {"ok": True, "messages": []}
    assert no_event(intruder, "chat:message")
    assert no_event(intruder, "comment")
