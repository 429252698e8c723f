"""A throw-away workshop for the bench: the schema by migration, one running workshop, groups and tokens.

With a `LongLogs`, each story is as a long writing phase leaves it: the earlier text folded into one
snapshot row (as a compaction leaves it) followed by real Yjs updates typed by the group's writers
(`bench.writing`), just short of the compaction threshold (`PLUME_COMPACT_AFTER_ROWS`) by a number of rows
that differs from story to story, so that each story compacts at its own moment inside the measured window.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench import writing
from core import settings

ROOT = Path(__file__).resolve().parent.parent
FACILITATOR_EMAIL = "bench@example.org"
FACILITATOR_PASSWORD = "bench password long enough"  # noqa: S105 (a throw-away database)
BOARD_COLUMNS = ["Signals", "Promising", "Set aside"]  # the phase's board (typing alone leaves it empty)


@dataclass
class Plan:
    """What the load generator needs: each group's story and its writers' tokens."""

    workshop_id: int
    groups: list[dict] = field(default_factory=list)
    facilitator: dict[str, str] = field(default_factory=dict)
    board_columns: list[str] = field(default_factory=lambda: list(BOARD_COLUMNS))

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self)))
        return path


@dataclass(frozen=True)
class LongLogs:
    """Stories seeded with long logs: `history` keystrokes folded into a snapshot row, then live rows.

    Typing at `rows_per_second` into a story (its group's keystrokes), story i of n crosses the threshold
    `compact_from + (compact_to - compact_from) * i / n` seconds after typing starts.
    """

    rows_per_second: float
    compact_from: float
    compact_to: float
    history: int = 4000

    def live_rows(self, threshold: int, index: int, stories: int) -> int:
        """Rows to seed after the snapshot row for story `index` of `stories`."""
        share = index / (stories - 1) if stories > 1 else 0.0
        short_by = round(
            self.rows_per_second * (self.compact_from + (self.compact_to - self.compact_from) * share)
        )
        return max(0, min(threshold, threshold - short_by))


def migrate(database_url: str) -> None:
    """Bring the database to the latest schema, as `make run` does (`flask db upgrade`)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench", "FLASK_APP": "app"}
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def seed(database_url: str, writers: int, group_size: int = 5, logs: LongLogs | None = None) -> Plan:
    """One running workshop, editors open, with enough groups of `group_size` for `writers` (and their
    stories' long logs, if `logs`). Its phase shows the story and the board side by side (tool `both`,
    `BOARD_COLUMNS`, no dots), so that the writers may also move cards (`loadgen.mjs --board-moves`), and
    every update, typing alone too, goes through the board's rules as in such a phase."""
    from accounts.operations import create_facilitator
    from app import create_app
    from core.identity import new_token
    from extensions import db
    from stories.models import Story
    from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    groups = math.ceil(writers / group_size)
    with app.app_context():
        owner = create_facilitator(FACILITATOR_EMAIL, FACILITATOR_PASSWORD)
        workshop = Workshop(title="Bench", join_code="BENCH001", owner_id=owner.id, status="running")
        workshop.phases = [
            Phase(
                position=0,
                title="Write",
                duration_seconds=3600,
                editors_open=True,
                tool="both",
                board_columns="\n".join(BOARD_COLUMNS),
            )
        ]
        workshop.groups = [Group(position=i, name=f"Group {i + 1}") for i in range(groups)]
        db.session.add(workshop)
        db.session.flush()
        db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=owner.id))
        plan = Plan(workshop.id, facilitator={"email": FACILITATOR_EMAIL, "password": FACILITATOR_PASSWORD})
        for index, group in enumerate(workshop.groups):
            story = Story(workshop_id=workshop.id, group_id=group.id)
            db.session.add(story)
            tokens = []
            for n in range(min(group_size, writers - index * group_size)):
                token, token_hash = new_token()
                db.session.add(
                    Participant(
                        workshop_id=workshop.id,
                        group_id=group.id,
                        display_name=f"Writer {index}.{n}",
                        token_hash=token_hash,
                        color="#9a3412",
                    )
                )
                tokens.append(token)
            db.session.flush()
            plan.groups.append({"story_id": story.id, "group_id": group.id, "tokens": tokens})
        if logs is not None:
            _fill_logs(plan.groups, logs, settings.of(app).compact_after_rows)
        db.session.commit()
        db.engine.dispose()
    return plan


def _fill_logs(groups: list[dict[str, Any]], logs: LongLogs, threshold: int) -> None:
    """Seed every story's log: a snapshot row of `logs.history` keystrokes at that seq, then live rows."""
    from extensions import db
    from stories.cowriting import persistence
    from stories.models import StoryUpdate
    from workshops.models import Participant

    counts = [logs.live_rows(threshold, i, len(groups)) for i in range(len(groups))]
    typed = writing.session(logs.history + max(counts, default=0), writers=5)  # one text for every story
    start = max(1, logs.history)
    folded = persistence.snapshot([update for _, update in typed[: logs.history]]) or b""
    for group, count in zip(groups, counts, strict=True):
        authors = db.session.scalars(
            select(Participant.id).where(Participant.group_id == group["group_id"]).order_by(Participant.id)
        ).all()
        rows = [{"story_id": group["story_id"], "seq": start, "data": folded, "author_id": None}]
        for n, (writer, update) in enumerate(typed[logs.history : logs.history + count], start=1):
            author = authors[writer % len(authors)] if authors else None
            rows.append(
                {"story_id": group["story_id"], "seq": start + n, "data": update, "author_id": author}
            )
        db.session.execute(insert(StoryUpdate.__table__), rows)


def in_subprocess(database_url: str, writers: int, plan: Path, logs: LongLogs | None = None) -> Path:
    """Migrate and seed in a child process (the app's globals stay out of the driver), return the plan."""
    command = [sys.executable, "-m", "bench.seed", database_url, str(writers), str(plan)]
    if logs is not None:
        command += ["--logs", json.dumps(asdict(logs))]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"seeding failed: {done.stderr[-2000:]}")
    return plan


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.seed DATABASE_URL WRITERS PLAN.json`: migrate, seed, write the plan."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=main.__doc__)
    parser.add_argument("database_url")
    parser.add_argument("writers", type=int)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--logs", type=json.loads, default=None, help="LongLogs as JSON")
    args = parser.parse_args(argv)
    migrate(args.database_url)
    logs = LongLogs(**args.logs) if args.logs else None
    seed(args.database_url, args.writers, logs=logs).write(args.plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
