"""Group chat over the wire, durability of comments and chat across `kill -9`, and the XSS corpus through
both: real python-socketio clients against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from extensions import db
from feedback.models import ChatMessage
from tests import factories
from tests.feedback.test_comment_sockets import Setting, code, no_event
from tests.server import ServerProcess
from tests.sockets import WIRE_MAX, Client
from tests.stories.test_rendering import problems_in
from tests.stories.xss_corpus import XSS_CORPUS
from workshops.models import Workshop

pytestmark = pytest.mark.slow


def test_a_group_chats_live_and_only_the_group_hears_it(setting: Setting) -> None:
    cyd, cleo, ana = setting.client("cyd"), setting.client("cleo"), setting.client("ana")
    assert cyd.call("chat:history", {}) == {"ok": True, "messages": []}
    sent = cyd.call("chat:send", {"body": "Shall we start with the river? https://example.org/map"})
    assert sent["ok"], sent
    message = sent["message"]
    assert message["author"] == {"participant_id": message["author"]["participant_id"], "name": "cyd",
                                 "color": "#9a3412", "facilitator": False}  # fmt: skip
    assert '<a href="https://example.org/map" rel="nofollow noopener noreferrer">' in message["html"]
    (heard,) = cleo.wait_for("chat:message")
    assert heard["id"] == message["id"]
    assert heard["body"].startswith("Shall we")
    assert no_event(ana, "chat:message")  # another group
    db.session.expire_all()
    assert db.session.get(ChatMessage, message["id"]).group_id == setting.groups[2].id

    # History on join, for a member who comes later.
    late = setting.client("cleo")
    assert [m["id"] for m in late.call("chat:history", {})["messages"]] == [message["id"]]
    assert ana.call("chat:history", {})["messages"] == []


def test_the_facilitator_posts_to_one_group_or_to_all_and_hides(setting: Setting) -> None:
    cyd, ana, bea = setting.client("cyd"), setting.client("ana"), setting.client("bea")
    runner = setting.facilitator()
    one = runner.call("chat:send", {"body": "Group 3: five minutes left", "group_id": setting.groups[2].id})
    assert one["ok"]
    assert one["message"]["author"]["facilitator"] is True
    assert cyd.wait_for("chat:message")[0]["id"] == one["message"]["id"]
    assert no_event(ana, "chat:message")
    everyone = runner.call("chat:send", {"body": "Break in 5", "group_id": None})
    assert everyone["ok"]
    assert everyone["message"]["group_id"] is None
    for member in (cyd, ana, bea):
        assert member.wait_for("chat:message")[0]["id"] == everyone["message"]["id"]
    assert [m["id"] for m in ana.call("chat:history", {})["messages"]] == [everyone["message"]["id"]]

    rude = cyd.call("chat:send", {"body": "something rude"})["message"]
    runner.wait_for("chat:message")
    assert code(cyd.call("chat:hide", {"message_id": rude["id"], "hidden": True})) == "forbidden"
    hidden = runner.call("chat:hide", {"message_id": rude["id"], "hidden": True})
    assert hidden["ok"]
    assert hidden["message"]["hidden"]
    stub = next(e[0] for e in (cyd.wait_for("chat:message"),))
    while stub["id"] != rude["id"] or not stub["hidden"]:
        stub = cyd.wait_for("chat:message")[0]
    assert stub == {"id": rude["id"], "group_id": setting.groups[2].id, "hidden": True}
    assert rude["id"] not in [m["id"] for m in cyd.call("chat:history", {})["messages"]]
    full = runner.call("chat:history", {"group_id": setting.groups[2].id})["messages"]
    assert [m["hidden"] for m in full if m["id"] == rude["id"]] == [True]

    # A facilitator of another workshop reaches none of it.
    stranger = factories.facilitator()
    theirs = factories.workshop(stranger)
    other = setting.facilitator(stranger.email, workshop_id=theirs.id)
    assert code(other.call("chat:send", {"body": "hi", "group_id": setting.groups[0].id})) == "not_found"
    assert code(
        other.call("chat:send", {"body": "hi", "group_id": None, "workshop_id": setting.workshop_id})
    ) == ("forbidden")
    assert code(other.call("chat:hide", {"message_id": rude["id"], "hidden": False})) == "not_found"
    assert code(other.call("chat:history", {"workshop_id": setting.workshop_id})) == "forbidden"


def test_chat_refuses_hostile_payloads_and_floods(setting: Setting) -> None:
    cyd = setting.client("cyd")
    for payload in (None, [], "hi", {}, {"body": 3}, {"body": "x", "group_id": 1}, {"body": ["x"]}):
        assert code(cyd.call("chat:send", payload)) == "invalid", payload
    assert code(cyd.call("chat:send", {"body": " \n\t"})) == "empty"
    assert code(cyd.call("chat:send", {"body": "x" * 1001})) == "too_large"
    assert code(cyd.call("chat:history", {"group_id": 1})) == "invalid"
    runner = setting.facilitator()
    for payload in ({"body": "x"}, {"body": "x", "group_id": WIRE_MAX}, {"body": "x", "group_id": "all"}):
        assert code(runner.call("chat:send", payload)) == "invalid", payload
    assert code(runner.call("chat:send", {"body": "x", "group_id": 2**62})) == "invalid"  # no column holds it
    assert code(runner.call("chat:send", {"body": "x", "group_id": 2**31 - 1})) == "not_found"
    assert code(runner.call("chat:hide", {"message_id": WIRE_MAX, "hidden": True})) == "invalid"
    results = [code(cyd.call("chat:send", {"body": f"m{i}"})) for i in range(11)]
    assert results == [None] * 10 + ["rate_limited"]
    # A finished workshop's chat is closed to its participants.
    db.session.get(Workshop, setting.workshop_id).status = "finished"
    db.session.commit()
    assert code(setting.client("ana").call("chat:send", {"body": "after"})) == "forbidden"


def test_readers_never_reach_the_chat(setting: Setting) -> None:
    setting.client("cyd").call("chat:send", {"body": "private to group 3"})
    with pytest.raises(Exception):  # noqa: B017, PT011 (python-socketio raises its ConnectionError)
        Client(setting.server.url)  # no identity: the connection is refused
    page = requests.get(f"{setting.server.url}/stories", timeout=10).text
    assert "private to group 3" not in page


@pytest.fixture
def relaxed_server(database: str) -> Iterator[ServerProcess]:
    """A server of its own (it gets killed), without rate limits in the way of a whole corpus."""
    server = ServerProcess(database, env={"PLUME_COMMENT_RATE": "100000/1", "PLUME_CHAT_RATE": "100000/1"})
    server.start()
    yield server
    server.stop()


def test_the_corpus_through_comments_and_chat_stays_inert(
    relaxed_server: ServerProcess, app_ctx: Any
) -> None:
    setting = Setting(relaxed_server)
    setting.phase(1)
    cyd, ana, cleo = setting.client("cyd"), setting.client("ana"), setting.client("cleo")
    assert ana.call("story:open", {"story_id": setting.story_id})["ok"]
    try:
        for source in XSS_CORPUS:
            ack = setting.comment(cyd, "glowed", source)
            assert ack["ok"], (source, ack)
            assert not problems_in(ack["comment"]["html"]), (source, ack["comment"]["html"])
            heard = ana.wait_for("comment")[0]
            assert heard["body"] == ack["comment"]["body"]
            assert heard["html"] == ack["comment"]["html"]
            sent = cyd.call("chat:send", {"body": source})
            assert sent["ok"], (source, sent)
            assert not problems_in(sent["message"]["html"]), (source, sent["message"]["html"])
            assert cleo.wait_for("chat:message")[0]["html"] == sent["message"]["html"]
        listed = ana.call("comment:list", {"story_id": setting.story_id})["comments"]
        assert len(listed) == len(XSS_CORPUS)
        assert all(not problems_in(c["html"]) for c in listed)
    finally:
        for client in setting.clients:
            client.close()


def test_a_comment_and_a_message_acknowledged_before_kill_9_are_there_after(
    relaxed_server: ServerProcess, app_ctx: Any
) -> None:
    server = relaxed_server
    setting = Setting(server)
    try:
        setting.phase(1)
        cyd = setting.client("cyd")
        comment = setting.comment(cyd, "glowed", "Kept across a crash")
        message = cyd.call("chat:send", {"body": "Kept too"})
        assert comment["ok"]
        assert message["ok"]
        server.kill()  # SIGKILL right after the acks: nothing flushed, no clean shutdown
        cyd.close()
        server.start()
        again = setting.client("cleo")
        listed = again.call("comment:list", {"story_id": setting.story_id})
        assert [c["body"] for c in listed["comments"]] == ["Kept across a crash"]
        assert [m["body"] for m in again.call("chat:history", {})["messages"]] == ["Kept too"]
    finally:
        for client in setting.clients:
            client.close()
