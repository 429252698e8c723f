"""The audit log: the console's removals and moves and the erases are recorded with who did them, and the
workshop's facilitators (only) read them, without the name of anyone erased since."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from extensions import db
from ids import MAX_ID
from tests import factories
from tests.http import cookie_header
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client
from workshops.models import AuditEntry

pytestmark = pytest.mark.slow


def test_the_log_records_who_moved_removed_and_erased_whom(live_server: ServerProcess, app_ctx: Any) -> None:
    owner = factories.facilitator(name="Olive")
    workshop = factories.workshop(owner)
    workshop_id, owner_id = workshop.id, owner.id
    target_group = workshop.groups[1]
    group_id, group_name = target_group.id, target_group.name
    moved_id = factories.participant(workshop.groups[0], "Maxence")[0].id
    removed_id = factories.participant(workshop.groups[0], "Rosalind")[0].id
    erased_id = factories.participant(workshop.groups[0], "Eustache")[0].id
    session, token = signed_in(live_server, owner.email)
    console = Client(
        live_server.url,
        auth={"role": "facilitator", "workshop_id": workshop_id},
        headers={"Cookie": cookie_header(session)},
    )
    try:
        move = {"action": "move", "participant_id": moved_id, "group_id": group_id}
        assert console.call("facilitator:command", move) == {"ok": True}
        assert console.call("facilitator:command", {"action": "remove", "participant_id": removed_id}) == {
            "ok": True
        }
    finally:
        console.close()
    page = session.get(f"{live_server.url}/workshops/{workshop_id}/audit", timeout=15).text
    assert "Eustache" not in page
    erased = session.post(
        f"{live_server.url}/workshops/{workshop_id}/participants/erase",
        data={"csrf_token": token, "participant_id": str(erased_id)},
        timeout=30,
        allow_redirects=False,
    )
    assert erased.status_code == 302
    for download in ("feedback.csv", "history.json"):
        assert (
            session.get(f"{live_server.url}/workshops/{workshop_id}/{download}", timeout=30).status_code
            == 200
        )
    db.session.expire_all()
    entries = [
        (e.action, e.facilitator_id, e.participant_id, e.group_id) for e in db.session.query(AuditEntry)
    ]
    assert entries == [
        ("move", owner_id, moved_id, group_id),
        ("remove", owner_id, removed_id, None),
        ("erase", owner_id, erased_id, None),
        ("export_feedback", owner_id, None, None),
        ("export_history", owner_id, None, None),
    ]
    page = session.get(f"{live_server.url}/workshops/{workshop_id}/audit", timeout=15).text
    assert "Eustache" not in page
    assert "Olive" in page
    assert f"moved Maxence to {group_name}" in page
    assert "removed Rosalind from the workshop" in page
    assert "erased a participant" in page
    assert "downloaded the workshop&#39;s feedback (comments and chats)" in page
    assert "downloaded the stories&#39; history" in page
    assert page.index("erased a participant") < page.index("removed Rosalind") < page.index("moved Maxence")
    # The management page links to it.
    edit = session.get(f"{live_server.url}/workshops/{workshop_id}", timeout=15).text
    assert f'href="/workshops/{workshop_id}/audit"' in edit


def test_only_the_workshops_facilitators_read_the_log(live_server: ServerProcess, app_ctx: Any) -> None:
    workshop = factories.workshop()
    other = factories.workshop()
    path = f"{live_server.url}/workshops/{workshop.id}/audit"
    anonymous = requests.get(path, timeout=15, allow_redirects=False)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    stranger, _ = signed_in(live_server, other.owner.email)
    assert stranger.get(path, timeout=15).status_code == 404
    for download in ("feedback.csv", "feedback.json", "history.csv", "history.json"):
        assert (
            stranger.get(f"{live_server.url}/workshops/{workshop.id}/{download}", timeout=15).status_code
            == 404
        )
        anonymous_download = requests.get(
            f"{live_server.url}/workshops/{workshop.id}/{download}", timeout=15, allow_redirects=False
        )
        assert anonymous_download.status_code in (302, 404)
    db.session.expire_all()
    assert db.session.query(AuditEntry).count() == 0
    owner, _ = signed_in(live_server, workshop.owner.email)
    for bad in (MAX_ID, MAX_ID + 1, "9" * 30, "x"):
        assert owner.get(f"{live_server.url}/workshops/{bad}/audit", timeout=15).status_code == 404
