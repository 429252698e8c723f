"""Retention (issue 26): a workshop ended longer ago than its retention period loses its participants' names,
its chat, its comments and its unpublished drafts, exactly once, however many workers sweep at the same
time; one ended more recently keeps everything; a dry run changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import format_date
from sqlalchemy import func, select

from core.identity import Identity
from core.unit_of_work import committed
from erasure import participants, retention
from extensions import db
from feedback.models import ChatMessage, Comment
from stories.models import Story, StoryCheckpoint, StoryLogEntry, StorySnapshot, StoryUpdate
from stories.reading import publishing
from tests import factories
from tests.erasure.test_erase import database_bytes, found_in
from tests.server import ServerProcess
from tests.signin import sign_in
from tests.sockets import Client
from tests.stories.clients import wait_until
from workshops.access import story_access_of
from workshops.management import MAX_RETENTION_DAYS
from workshops.models import AuditEntry, Participant, Workshop

ROOT = Path(__file__).resolve().parents[2]
DAYS = 30
# Searched for in the database's bytes once the old workshop is swept (`test_erase.MARKS`).
ERASED_NAMES = ("Zephyrine Quillfeather", "Quillfeather Zephyrine")
KEPT_NAMES = ("Barnaby Inkwell", "Inkwell Barnaby")


@dataclass
class Ended:
    """A workshop that ended some days ago, with what retention erases in it."""

    id: int
    people: list[int]
    draft: int  # the unpublished story
    published: int
    token: str  # the first participant's


def ended_workshop(days_ago: float, names: tuple[str, str], kept: int | None = None) -> Ended:
    """A finished workshop (kept `kept` days, default: the instance's): two participants who wrote, chatted
    and commented; group 1's story is a draft (log, checkpoint, replay snapshot, title, credits), group
    2's is published, crediting its writer."""
    ended = datetime.now(UTC) - timedelta(days=days_ago)
    workshop = factories.workshop(groups=2, status="finished", finished_at=ended, retention_days=kept)
    first, token = factories.participant(workshop.groups[0], names[0])
    second, _ = factories.participant(workshop.groups[1], names[1])
    draft, published = (factories.story_of(group) for group in workshop.groups)
    factories.story_text(draft, f"{names[0]} wrote this draft by the river.", first)
    factories.story_text(published, "The published story, by the sea.", second)
    factories.checkpoint(draft, 0, "Write")
    draft.title, draft.credits, published.credits = "A draft", names[0], names[1]
    db.session.add_all(
        [
            StoryLogEntry(story_id=draft.id, seq=1, data=b"\0", author_id=first.id, created_at=ended),
            StorySnapshot(story_id=draft.id, seq=1, state=b"\0", authors="[]"),
            Comment(story_id=draft.id, author_id=first.id, author_name=names[0], body=f"{names[0]} asks"),
            Comment(story_id=published.id, author_id=second.id, author_name=names[1], body="Which sea?"),
        ]
    )
    for person in (first, second):
        db.session.add(
            ChatMessage(
                workshop_id=workshop.id,
                group_id=person.group_id,
                author_id=person.id,
                author_name=person.display_name,
                body=f"{person.display_name} here",
            )
        )
    db.session.commit()
    with committed():
        publishing.publish(published)
    return Ended(workshop.id, [first.id, second.id], draft.id, published.id, token)


def count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def held(workshop: Ended) -> tuple[int, ...]:
    """What a workshop holds that retention erases: names, chat, comments, draft rows."""
    db.session.expire_all()
    return (
        count(Participant, Participant.workshop_id == workshop.id, Participant.erased_at.is_(None)),
        count(ChatMessage, ChatMessage.workshop_id == workshop.id),
        count(Comment, Comment.story_id.in_([workshop.draft, workshop.published])),
        *(
            count(model, model.story_id == workshop.draft)
            for model in (StoryUpdate, StoryCheckpoint, StoryLogEntry, StorySnapshot)
        ),
    )


@pytest.fixture
def two_workshops(app_ctx: Flask, change_settings: Any) -> tuple[Ended, Ended]:
    """One ended DAYS + 1 days ago (due), one DAYS - 1 days ago (not yet), with PLUME_RETENTION_DAYS=DAYS."""
    change_settings(retention_days=DAYS)
    return ended_workshop(DAYS + 1, ERASED_NAMES), ended_workshop(DAYS - 1, KEPT_NAMES)


def assert_swept(old: Ended, recent: Ended) -> None:
    assert held(old) == (0, 0, 0, 0, 0, 0, 0)
    assert held(recent) == (2, 2, 2, 1, 1, 1, 1)
    swept = db.session.get(Workshop, old.id)
    assert swept is not None
    assert swept.retention_swept_at is not None
    assert db.session.get(Workshop, recent.id).retention_swept_at is None  # type: ignore[union-attr]
    names = db.session.scalars(select(Participant.display_name).where(Participant.workshop_id == old.id))
    assert list(names) == ["a participant", "a participant"]
    draft = db.session.get(Story, old.draft)
    assert draft is not None
    assert (draft.title, draft.credits, draft.length) == ("", "", 0)
    published = db.session.get(Story, old.published)
    assert published is not None
    assert published.published_at is not None
    assert "by the sea" in published.published_html  # the published story stays, its writer anonymous
    assert published.credits == "a participant"
    # Exactly once: one erase per participant and one retention entry in the audit log.
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.workshop_id == old.id).order_by(AuditEntry.id)
    )
    assert list(actions) == ["retention_erase", "retention_erase", "retention"]
    assert count(AuditEntry, AuditEntry.workshop_id == recent.id) == 0
    db.session.commit()
    stored = database_bytes()
    assert not [where for where, data in stored.items() if found_in(data)]
    assert any(b"inkwell" in data.lower() for data in stored.values())  # the recent one's names stay


def test_two_workers_sweeping_at_once_erase_a_due_workshop_once(
    app: Flask, two_workshops: tuple[Ended, Ended]
) -> None:
    old, recent = two_workshops
    start = threading.Barrier(2)
    results: list[list[int]] = []
    failures: list[BaseException] = []

    def worker() -> None:
        with app.app_context():
            start.wait()
            try:
                results.append([sweep.workshop_id for sweep in retention.run()])
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert sorted(results) == [[], [old.id]]
    assert_swept(old, recent)
    assert retention.run() == []  # swept once: not again


def test_two_processes_running_the_command_at_once_erase_once(
    database: str, two_workshops: tuple[Ended, Ended]
) -> None:
    old, recent = two_workshops
    env = {**os.environ, "DATABASE_URL": database, "PLUME_RETENTION_DAYS": str(DAYS)}
    command = [sys.executable, "-m", "flask", "--app", "app", "retention", "run"]
    runs = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = sorted(out.strip() for out, _ in outputs)
    title = db.session.get(Workshop, old.id).title  # type: ignore[union-attr]
    ended = datetime.now(UTC) - timedelta(days=DAYS + 1)
    assert said[0] == (
        f"Erased workshop {old.id} “{title}” (ended {ended:%Y-%m-%d}, kept {DAYS} days): participants: 2, "
        "chat messages: 2, comments: 2, unpublished drafts: 1."
    )
    assert said[1] == "Nothing to erase."
    assert_swept(old, recent)


def test_the_dry_run_says_what_would_go_and_changes_nothing(
    app: Flask, two_workshops: tuple[Ended, Ended]
) -> None:
    old, recent = two_workshops
    before = (held(old), held(recent))
    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"Would erase workshop {old.id} " in result.output
    assert "participants: 2, chat messages: 2, comments: 2, unpublished drafts: 1" in result.output
    assert f"workshop {recent.id} " not in result.output
    assert (held(old), held(recent)) == before
    assert db.session.get(Workshop, old.id).retention_swept_at is None  # type: ignore[union-attr]
    assert count(AuditEntry) == 0
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert f"Erased workshop {old.id} " in result.output
    assert_swept(old, recent)
    again = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert again.output.strip() == "No workshop is past its retention period."


def test_the_facilitators_pages_say_when_and_who_erased(
    csrf_client: FlaskClient, two_workshops: tuple[Ended, Ended]
) -> None:
    old, recent = two_workshops
    for ended in (old, recent):
        workshop = db.session.get(Workshop, ended.id)
        assert workshop is not None
        sign_in(csrf_client, workshop.owner)
        due = (workshop.finished_at or datetime.now(UTC)) + timedelta(days=DAYS)
        page = csrf_client.get(f"/workshops/{ended.id}").get_data(as_text=True)
        assert f"To be erased on {format_date(due)}." in page
    assert [sweep.workshop_id for sweep in retention.run()] == [old.id]
    sign_in(csrf_client, db.session.get(Workshop, old.id).owner)  # type: ignore[union-attr]
    page = csrf_client.get(f"/workshops/{old.id}").get_data(as_text=True)
    assert f"Erased on {format_date(datetime.now(UTC))}." in page
    log = csrf_client.get(f"/workshops/{old.id}/audit").get_data(as_text=True)
    assert log.count("erased a participant: the workshop&#39;s retention period was over") == 2
    assert "erased the chats, the comments and the drafts of unpublished stories" in log
    assert log.count("Plume, automatically") == 3
    assert not found_in(log.encode())


def test_a_workshops_own_period_overrides_the_default(app_ctx: Flask, change_settings: Any) -> None:
    change_settings(retention_days=DAYS)
    longer, shorter = ended_workshop(DAYS + 1, KEPT_NAMES), ended_workshop(3, ERASED_NAMES)
    db.session.get(Workshop, longer.id).retention_days = DAYS + 5  # type: ignore[union-attr]
    db.session.get(Workshop, shorter.id).retention_days = 2  # type: ignore[union-attr]
    db.session.commit()
    assert [sweep.workshop_id for sweep in retention.run()] == [shorter.id]
    assert held(longer) == (2, 2, 2, 1, 1, 1, 1)
    assert held(shorter)[:3] == (0, 0, 0)


def test_a_workshop_that_goes_on_is_never_swept(app_ctx: Flask, change_settings: Any) -> None:
    change_settings(retention_days=1)
    workshop = factories.workshop(created_at=datetime.now(UTC) - timedelta(days=400))
    factories.participant(workshop.groups[0], "Still Here")
    assert retention.run() == []
    assert count(Participant, Participant.erased_at.is_(None)) == 1


@pytest.fixture
def two_workers(app: Flask, database: str, redis_url: str) -> Iterator[ServerProcess]:
    """Two gunicorn workers sharing Redis, each running the retention task five times a second."""
    server = ServerProcess(
        database,
        env={
            "REDIS_URL": redis_url,
            "PLUME_WORKERS": "2",
            "PLUME_RETENTION_DAYS": str(DAYS),
            "PLUME_RETENTION_SWEEP_SECONDS": "0.2",
            "PLUME_TOKEN_TTL_DAYS": "1000",  # the participant's sockets still connect
        },
    )
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.redis
def test_the_workers_own_task_sweeps_once_and_closes_the_erased_sockets(
    two_workers: ServerProcess, app_ctx: Flask, change_settings: Any
) -> None:
    change_settings(retention_days=DAYS)
    old = ended_workshop(DAYS + 1, ERASED_NAMES, kept=MAX_RETENTION_DAYS)  # not due until it is let go
    recent = ended_workshop(DAYS - 1, KEPT_NAMES)
    sockets = [Client(two_workers.url, auth={"token": old.token}) for _ in range(4)]
    try:
        assert all(client.sio.connected for client in sockets)
        db.session.get(Workshop, old.id).retention_days = None  # type: ignore[union-attr]
        db.session.commit()  # now due, with the workers' default period
        assert wait_until(lambda: not any(client.sio.connected for client in sockets), timeout=30)
        assert wait_until(lambda: count(AuditEntry, AuditEntry.action == "retention") == 1, timeout=30)
    finally:
        for client in sockets:
            client.close()
    assert any(client.events("participant:removed") for client in sockets)
    assert_swept(old, recent)
    assert "background task retention failed" not in two_workers.log.read_text()


def test_a_participant_erased_before_is_not_erased_again_and_a_reopened_workshop_stays(
    app_ctx: Flask, change_settings: Any
) -> None:
    change_settings(retention_days=DAYS)
    old = ended_workshop(DAYS + 1, ERASED_NAMES)
    participants.erase(old.id, old.people[0], datetime.now(UTC), by=None)
    assert [sweep.participants for sweep in retention.run()] == [1]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
    assert list(actions) == ["erase", "retention_erase", "retention"]
    workshop = db.session.get(Workshop, old.id)
    assert workshop is not None
    workshop.finished_at = None  # reopened, then finished again long ago: swept once is enough
    db.session.commit()
    workshop.finished_at = datetime.now(UTC) - timedelta(days=DAYS * 2)
    db.session.commit()
    assert retention.run() == []
    assert count(AuditEntry) == 3


def test_a_swept_workshops_stories_can_no_longer_be_written(two_workshops: tuple[Ended, Ended]) -> None:
    """A facilitator's editor left open on a draft must not bring it back once retention erased it."""
    old, _ = two_workshops
    workshop = db.session.get(Workshop, old.id)
    facilitator = Identity("facilitator", workshop.owner_id)
    group_id = db.session.get(Story, old.draft).group_id
    assert story_access_of(facilitator, group_id, facilitator_writes=True).write
    retention.run()
    db.session.expire_all()
    refused = story_access_of(facilitator, group_id, facilitator_writes=True)
    assert (refused.read, refused.write, refused.reason) == (True, False, "locked")
