"""On SQLite, a worker's commits never copy the write-ahead log into the database file: a thread of
gevent's pool does, off the event loop (core/sqlite_checkpoints.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from app import create_app
from core import runtime, sqlite_checkpoints
from extensions import db

ROOT = Path(__file__).resolve().parent.parent
PAGE = 4096


def _app_on(url: str) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})


def _logged(path: Path, megabytes: int) -> sqlite3.Connection:
    """A database in WAL mode whose log holds `megabytes` (250 pages each) that nobody has copied yet."""
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE filler (data BLOB)")
    for _ in range(megabytes):
        writer.execute("INSERT INTO filler VALUES (randomblob(1000000))")
    return writer


def test_a_pass_copies_the_log_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "plume.db"
    writer = _logged(path, 4)  # about 1,000 pages, in the log only
    assert path.stat().st_size < 100 * PAGE

    done = sqlite_checkpoints.Checkpoints(str(path)).checkpoint()

    assert not done.busy
    assert done.log_pages >= 950
    assert done.copied_pages == done.log_pages
    assert path.stat().st_size >= 950 * PAGE
    writer.close()


def test_a_pass_while_another_checkpoint_runs_answers_busy_and_the_next_copies(tmp_path: Path) -> None:
    """Two workers on one SQLite file: one checkpoints, the other's pass finds it busy, without an error."""
    import threading

    path = tmp_path / "plume.db"
    writer = _logged(path, 32)
    first, second = sqlite_checkpoints.Checkpoints(str(path)), sqlite_checkpoints.Checkpoints(str(path))
    running = threading.Thread(target=first.checkpoint)
    running.start()
    threading.Event().wait(0.01)
    assert second.checkpoint() == sqlite_checkpoints.Checkpoint(True, -1, -1)
    running.join()
    after = second.checkpoint()
    assert not after.busy
    assert after.copied_pages == after.log_pages >= 7800
    writer.close()


def test_an_sqlite_file_gets_its_checkpoints_and_another_database_none(tmp_path: Path) -> None:
    on_file = _app_on(f"sqlite:///{tmp_path / 'plume.db'}")
    checkpoints = sqlite_checkpoints.of(on_file)
    assert checkpoints is not None
    assert checkpoints.path == str(tmp_path / "plume.db")
    assert "sqlite-checkpoints" in runtime.of(on_file).tasks
    assert "sqlite-checkpoints" in runtime.of(on_file).services
    in_memory = _app_on("sqlite://")
    assert sqlite_checkpoints.of(in_memory) is None
    assert "sqlite-checkpoints" not in runtime.of(in_memory).tasks


def test_without_gevent_sqlite_keeps_checkpointing_on_its_commits(tmp_path: Path) -> None:
    """The CLI and the in-process tests start nothing: no thread would copy the log for them."""
    app = _app_on(f"sqlite:///{tmp_path / 'plume.db'}")
    checkpoints = sqlite_checkpoints.of(app)
    assert checkpoints is not None
    checkpoints.start()
    checkpoints.run_pass()
    assert not sqlite_checkpoints.off_the_commits()
    assert checkpoints.last is None
    with app.app_context():
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        db.session.remove()
        db.engine.dispose()


WORKER = """
from gevent import monkey; monkey.patch_all()
import os, time
import gevent
from sqlalchemy import text
from app import create_app
from core import runtime, sqlite_checkpoints
from extensions import db

app = create_app()
with app.app_context():
    db.session.execute(text("CREATE TABLE filler (data BLOB)"))  # a connection before the worker starts
    db.session.commit()
checkpoints = sqlite_checkpoints.of(app)
runtime.of(app).services["sqlite-checkpoints"].start()  # what the worker's runtime starts first
with app.app_context():
    autocheckpoint = db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar()
    for _ in range(32):  # 8,000 pages: what a busy phase writes in a minute, here in 32 commits
        db.session.execute(text("INSERT INTO filler VALUES (randomblob(1000000))"))
        db.session.commit()
    db.session.remove()
ticks = [0]

def tick():  # the loop's other work: it runs while the checkpoint copies, or it does not
    while True:
        gevent.sleep(0.001)
        ticks[0] += 1

ticker = gevent.spawn(tick)
gevent.sleep(0.01)
before, started = ticks[0], time.perf_counter()
gevent.spawn(checkpoints.run_pass).join()
took, during = time.perf_counter() - started, ticks[0] - before
ticker.kill()
done = checkpoints.last
print(autocheckpoint, done.busy, done.log_pages, done.copied_pages, during, round(took * 1000))
"""


def test_a_workers_commits_leave_the_log_to_a_thread_and_the_loop_runs_meanwhile(
    tmp_path: Path,
) -> None:
    """In a worker (gevent), a connection opened before the runtime started is replaced by one that never
    checkpoints; 8,000 pages wait in the log for the pass, and the loop ticks while that pass copies them
    (SQLite's own checkpoints would have copied them on the loop, 1,000 pages at a time, in the commits)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'plume.db'}", "SECRET_KEY": "test"}
    done = subprocess.run(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    autocheckpoint, busy, log_pages, copied, ticks, took_ms = done.stdout.split()
    assert autocheckpoint == "0"
    assert busy == "False"
    assert int(log_pages) >= 7800
    assert copied == log_pages
    assert int(ticks) >= 2, f"the loop did not run while the checkpoint took {took_ms} ms"


def test_an_erasures_checkpoint_waits_for_the_workers_own_to_end(tmp_path: Path) -> None:
    """An erasure truncates the log once its delete is committed (`erasure.sqlite.checkpoint`); a checkpoint
    of the worker's already running would make SQLite answer busy at once: the erasure's waits for it to
    end (one lock), and the log is emptied all the same."""
    import threading

    from erasure import sqlite as erasure_sqlite

    path = tmp_path / "plume.db"
    app = _app_on(f"sqlite:///{path}")
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            connection.exec_driver_sql("CREATE TABLE filler (data BLOB)")
            for _ in range(32):  # 8,000 pages for the worker's checkpoint to copy
                connection.exec_driver_sql("INSERT INTO filler VALUES (randomblob(1000000))")
        checkpoints = sqlite_checkpoints.of(app)
        assert checkpoints is not None
        running = threading.Thread(target=checkpoints.checkpoint)
        running.start()
        threading.Event().wait(0.02)  # it copies 8,000 pages from now on
        erasure_sqlite.checkpoint()
        running.join()
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size == 0
        db.engine.dispose()
