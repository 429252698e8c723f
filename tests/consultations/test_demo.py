"""`flask demo --consultation`: a consultation of three running workshops, its JSON as the last line; the
plain `flask demo` as before."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from consultations import operations as ops
from consultations.models import Consultation
from extensions import db
from workshops import live
from workshops.models import Workshop

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.usefixtures("app_ctx")
def test_the_consultation_demo_runs_three_workshops(app: Flask, client: FlaskClient) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--consultation", "--url", "http://plume.local:5000"])
    assert first.exit_code == 0, first.output
    printed = json.loads(first.output.strip().splitlines()[-1])
    assert {"consultation_id", "public_url", "workshops"} <= set(printed)
    assert printed["public_url"] == "http://plume.local:5000/c/demo-2040"
    consultation = db.session.get(Consultation, printed["consultation_id"])
    assert consultation is not None
    assert len(printed["workshops"]) == 3
    for entry in printed["workshops"]:
        assert set(entry) == {"id", "join_code"}
        workshop = db.session.get(Workshop, entry["id"])
        assert workshop.consultation_id == consultation.id
        assert workshop.join_code == entry["join_code"]
        assert (workshop.status, workshop.joining_open) == ("running", True)
        assert workshop.phases[workshop.phase_index].editors_open
    assert client.get("/c/demo-2040").status_code == 200
    joined = client.post("/api/v1/join", json={"code": printed["workshops"][0]["join_code"], "name": "Ada"})
    assert joined.status_code in (200, 201), joined.get_data(as_text=True)

    # Paused, then the demo again: the same consultation and workshops, running again.
    live.run_command(printed["workshops"][1]["id"], {"action": "pause"})
    again = runner.invoke(args=["demo", "--consultation", "--url", "http://plume.local:5000"])
    assert json.loads(again.output.strip().splitlines()[-1]) == printed
    db.session.expire_all()
    assert db.session.get(Workshop, printed["workshops"][1]["id"]).status == "running"
    assert db.session.scalar(select(func.count(Workshop.id))) == 3

    # The plain demo stays as it was: its own facilitator and workshop, outside the consultation.
    plain = json.loads(runner.invoke(args=["demo", "--url", "http://plume.local:5000"]).output)
    assert set(plain) == {"join_code", "workshop_id", "facilitator", "url"}
    assert plain["workshop_id"] not in {w["id"] for w in printed["workshops"]}
    assert db.session.get(Workshop, plain["workshop_id"]).consultation_id is None
    assert not ops.organises(db.session.get(Workshop, plain["workshop_id"]).owner_id, consultation.id)


def test_the_command_line_prints_its_json_last(tmp_path: Path) -> None:
    """The command as a person types it, on a fresh database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": "test-secret-key"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    done = subprocess.run(
        [*flask, "demo", "--consultation"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )
    printed = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert printed["public_url"].endswith("/c/demo-2040")
    assert len(printed["workshops"]) == 3
    with sqlite3.connect(tmp_path / "demo.db") as database:
        rows = database.execute(
            "select id, join_code, status, consultation_id from workshops order by id"
        ).fetchall()
    assert rows == [
        (w["id"], w["join_code"], "running", printed["consultation_id"]) for w in printed["workshops"]
    ]
