"""A throw-away workshop for the bench: the schema by migration, one running workshop, groups and tokens."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACILITATOR_EMAIL = "bench@example.org"
FACILITATOR_PASSWORD = "bench password long enough"  # noqa: S105 (a throw-away database)


@dataclass
class Plan:
    """What the load generator needs: each group's story and its writers' tokens."""

    workshop_id: int
    groups: list[dict] = field(default_factory=list)
    facilitator: dict[str, str] = field(default_factory=dict)

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self)))
        return path


def migrate(database_url: str) -> None:
    """Bring the database to the latest schema, as `make run` does (`flask db upgrade`)."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench", "FLASK_APP": "app"}
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def seed(database_url: str, writers: int, group_size: int = 5) -> Plan:
    """One running workshop, editors open, with enough groups of `group_size` for `writers`."""
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
        workshop.phases = [Phase(position=0, title="Write", duration_seconds=3600, editors_open=True)]
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
        db.session.commit()
        db.engine.dispose()
    return plan


def in_subprocess(database_url: str, writers: int, plan: Path) -> Path:
    """Migrate and seed in a child process (the app's globals stay out of the driver), return the plan."""
    command = [sys.executable, "-m", "bench.seed", database_url, str(writers), str(plan)]
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
    args = parser.parse_args(argv)
    migrate(args.database_url)
    seed(args.database_url, args.writers).write(args.plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
