"""`flask backup` while real clients write, then `flask restore` into a new database, run as an
administrator runs them: every update acknowledged before the backup began is in the copy, and every story
reads the same from the restored database as a client syncing with a server on it reads it.

On SQLite always; on PostgreSQL too when DATABASE_URL points at it (in databases of their own, dep_*).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from stories.cowriting import crdt
from tests import factories
from tests.databases import new_postgres_databases
from tests.server import ServerProcess
from tests.stories.clients import ROOT, example_module, wait_until
from tests.stories.test_durability import Typist, stored_text

pytestmark = pytest.mark.slow

GROUPS, WRITERS_PER_GROUP = 3, 2


def seed(url: str) -> dict:
    """A running workshop with GROUPS groups of WRITERS_PER_GROUP participants (in a child process)."""
    from app import create_app
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret-key"})
    with app.app_context():
        db.create_all()
        workshop = factories.workshop(groups=GROUPS)
        return {
            str(factories.story_of(group).id): [
                factories.participant(group)[1] for _ in range(WRITERS_PER_GROUP)
            ]
            for group in workshop.groups
        }


def seed_elsewhere(url: str) -> dict[int, list[str]]:
    code = f"import json; from tests.test_backups import seed; print(json.dumps(seed({url!r})))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return {int(story): tokens for story, tokens in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def flask(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`flask --app app ARGS` as an administrator runs it, on `database_url`."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key"}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def log_rows(url: str, story_id: int) -> list[tuple[int, bytes]]:
    """The story's update log, (seq, update), read straight from the database."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            query = text("SELECT seq, data FROM story_updates WHERE story_id = :id ORDER BY seq")
            rows = connection.execute(query, {"id": story_id})
            return [(row.seq, bytes(row.data)) for row in rows]
    finally:
        engine.dispose()


def stories_of(url: str) -> list[int]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return [row.id for row in connection.execute(text("SELECT id FROM stories ORDER BY id"))]
    finally:
        engine.dispose()


def backup_while_writing(source: str, target: str, backup_file: Path) -> None:
    stories = seed_elsewhere(source)
    # No compaction: the source's log rows stay as written, to compare the copy's with.
    server = ServerProcess(source, env={"REDIS_URL": "", "PLUME_COMPACT_AFTER_ROWS": "1000000"}).start()
    try:
        typists = [
            Typist(server.url, token, story_id, f"s{story_id}w{i}-")
            for story_id, tokens in stories.items()
            for i, token in enumerate(tokens)
        ]
        for typist in typists:
            typist.start()
        assert wait_until(lambda: all(len(t.acknowledged) >= 10 for t in typists), timeout=30)
        acknowledged_before = [mark for typist in typists for mark in list(typist.acknowledged)]
        made = flask(source, "backup", str(backup_file))  # while every typist goes on writing
        assert made.returncode == 0, made.stderr
        assert "SECRET_KEY" in made.stdout
        still_writing = sum(len(t.acknowledged) for t in typists)
        went_on = wait_until(lambda: sum(len(t.acknowledged) for t in typists) > still_writing, timeout=10)
        assert went_on, [typist.stopped for typist in typists]
        for typist in typists:
            typist.client.sio.disconnect()
            typist.join(timeout=10)
    finally:
        server.stop()

    restored = flask(target, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert stories_of(target) == stories_of(source)
    copies = {story_id: stored_text(target, story_id) for story_id in stories}
    everything = "".join(copies.values())
    missing = [mark for mark in acknowledged_before if everything.count(mark) != 1]
    assert not missing, f"acknowledged before the backup began, missing from it: {missing[:10]}"
    for story_id in stories:  # each story as the source held it at one moment: a prefix of its log
        copied, written = log_rows(target, story_id), log_rows(source, story_id)
        assert copied == written[: len(copied)]
        assert copies[story_id] == crdt.text_of(data for _, data in written[: len(copied)])
        assert len(copied) < len(written)  # the typists went on after the backup

    # The restored database serves: a client syncing with a server on it reads every story as stored.
    server = ServerProcess(target, env={"REDIS_URL": ""}).start()
    try:
        for story_id, tokens in stories.items():
            reader = example_module().StoryClient(server.url, tokens[0], story_id)
            try:
                assert reader.synced.wait(10)
                expected = copies[story_id]
                assert wait_until(lambda reader=reader, expected=expected: reader.text_now() == expected)
                reader.append(" (after the restore)")
                assert stored_text(target, story_id) == reader.text_now()
            finally:
                reader.close()
    finally:
        server.stop()

    again = flask(target, "restore", str(backup_file))  # the restored database now has tables
    assert again.returncode != 0
    assert "already has" in again.stderr
    assert "new, empty database" in again.stderr


def test_backup_while_writing_then_restore_on_sqlite(tmp_path: Path) -> None:
    live, restored = f"sqlite:///{tmp_path / 'live.db'}", f"sqlite:///{tmp_path / 'restored.db'}"
    backup_while_writing(live, restored, tmp_path / "plume.backup")


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs PostgreSQL's client tools (pg_dump)")
def test_backup_while_writing_then_restore_on_postgresql(tmp_path: Path) -> None:
    with new_postgres_databases() as new_database:
        backup_while_writing(new_database(), new_database(), tmp_path / "plume.dump")


def test_restore_refuses_a_backup_of_another_kind_of_database(tmp_path: Path) -> None:
    dump = tmp_path / "plume.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
    refused = flask(f"sqlite:///{tmp_path / 'new.db'}", "restore", str(dump))
    assert refused.returncode != 0
    assert "a pg_dump backup" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_backup_of_a_missing_sqlite_database_says_so(tmp_path: Path) -> None:
    refused = flask(f"sqlite:///{tmp_path / 'nothing-here.db'}", "backup", str(tmp_path / "b"))
    assert refused.returncode != 0
    assert "No SQLite database" in refused.stderr
    assert not (tmp_path / "b").exists()


def test_backup_refuses_to_overwrite_the_database_or_write_nowhere(tmp_path: Path) -> None:
    database = tmp_path / "live.db"
    sqlite3.connect(database).execute("CREATE TABLE t (x)").connection.close()
    itself = flask(f"sqlite:///{database}", "backup", str(database))
    assert itself.returncode != 0
    assert "overwrite the database itself" in itself.stderr
    nowhere = flask(f"sqlite:///{database}", "backup", str(tmp_path / "missing" / "b"))
    assert nowhere.returncode != 0
    assert "No directory" in nowhere.stderr
    assert "Traceback" not in itself.stderr + nowhere.stderr
