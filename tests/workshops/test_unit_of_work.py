"""`core.unit_of_work.committed`: a commit on success, a rollback on error; a management page commits once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event

from core import outbox
from core.unit_of_work import committed
from errors import RefusedError
from extensions import db
from tests import factories
from tests.signin import sign_in
from workshops import state
from workshops.models import Group, Workshop

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def commits() -> Iterator[list[str]]:
    """Every COMMIT the engine sends while the test runs."""
    seen: list[str] = []

    def count(_conn: Any) -> None:
        seen.append("commit")

    event.listen(db.engine, "commit", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "commit", count)


def stored_title(workshop_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Workshop, workshop_id).title


def test_a_block_that_ends_well_is_committed_and_its_events_run_after() -> None:
    workshop = factories.workshop(groups=1)
    ran: list[str] = []
    with committed():
        db.session.get(Workshop, workshop.id).title = "Kept"
        db.session.flush()
        outbox.on_commit(lambda: ran.append("sent"))
        assert ran == []
    assert ran == ["sent"]
    db.session.rollback()  # nothing of the block is left to roll back
    assert stored_title(workshop.id) == "Kept"


def test_a_block_that_raises_is_rolled_back_and_its_events_dropped() -> None:
    workshop = factories.workshop(groups=1, title="Before")
    ran: list[str] = []

    def refused() -> None:
        db.session.get(Workshop, workshop.id).title = "Lost"
        db.session.flush()
        outbox.on_commit(lambda: ran.append("sent"))
        raise RefusedError("refused", "No.")

    with pytest.raises(RefusedError), committed():
        refused()
    assert ran == []
    assert outbox.pending() == 0
    assert stored_title(workshop.id) == "Before"


def test_it_decorates_a_function_too() -> None:
    workshop = factories.workshop(groups=1)

    @committed()
    def rename() -> None:
        db.session.get(Workshop, workshop.id).title = "Decorated"

    rename()
    db.session.rollback()
    assert stored_title(workshop.id) == "Decorated"


def test_a_management_change_and_its_state_share_one_commit(
    csrf_client: FlaskClient, commits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = factories.facilitator()
    workshop = factories.bright_mirror_workshop(owner, groups=2)
    group_id = workshop.groups[0].id
    client = sign_in(csrf_client, owner)
    sent: list[str] = []
    monkeypatch.setattr(state, "_send_states", lambda *_args: sent.append("state"))
    commits.clear()
    response = client.post(
        f"/workshops/{workshop.id}/groups/{group_id}", data={f"group-{group_id}-name": "Oaks"}
    )
    assert response.status_code == 302
    assert commits == ["commit"]  # the rename and the state it announces: one transaction
    assert sent == ["state"]
    db.session.expire_all()
    assert db.session.get(Group, group_id).name == "Oaks"


def test_a_refused_management_change_commits_nothing(
    csrf_client: FlaskClient, commits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = factories.facilitator()
    workshop = factories.bright_mirror_workshop(owner, groups=1)
    client = sign_in(csrf_client, owner)
    sent: list[str] = []
    monkeypatch.setattr(state, "_send_states", lambda *_args: sent.append("state"))
    commits.clear()
    client.post(f"/workshops/{workshop.id}/groups/{workshop.groups[0].id}/delete")  # the last group stays
    assert commits == []
    assert sent == []
