"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from extensions import db


def test_upgrade_from_empty_matches_the_models(tmp_path: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == [], f"models and migrations differ; add a migration (flask db migrate): {diff}"


def test_an_upgrade_in_process_leaves_plumes_loggers_on(tmp_path: Path) -> None:
    """Alembic's `fileConfig` disables every logger that exists unless told not to: an upgrade run inside a
    process (tests, a deploy script) would silence the watchdog and the rest."""
    import logging

    watchdog = logging.getLogger("plume.watchdog")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'logged.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
    assert not watchdog.disabled


def test_names_that_differ_only_by_accents_keep_distinct_keys_after_the_upgrade(tmp_path: Path) -> None:
    """4d2e8a1c6f30: "Émilie" and "Emilie", both in a workshop before names compared without accents, keep
    apart (the later one gets `emilie#id`); a newcomer then cannot take "EMILIE"."""
    from flask_migrate import downgrade
    from sqlalchemy import text

    from tests import factories
    from workshops import joining

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'names.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        workshop = factories.workshop(groups=1, join_code="NAMES1")
        group_id, workshop_id = workshop.groups[0].id, workshop.id
        db.session.remove()
        downgrade(revision="3c1f5e7a9b2d")  # before: names compared by case and spacing only
        for n, name in enumerate(("Émilie", "Emilie", "Zoé"), start=1):
            db.session.execute(
                text(
                    "INSERT INTO participants (workshop_id, group_id, display_name, name_key, token_hash,"
                    " color) VALUES (:workshop, :group, :name, :key, :token, '#000000')"
                ),
                {
                    "workshop": workshop_id,
                    "group": group_id,
                    "name": name,
                    "key": name.casefold(),
                    "token": n,
                },
            )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text("SELECT id, display_name, name_key FROM participants ORDER BY id")
        ).all()
        assert [(name, key.split("#")[0]) for _, name, key in rows] == [
            ("Émilie", "emilie"),
            ("Emilie", "emilie"),
            ("Zoé", "zoe"),
        ]
        assert rows[1][2] == f"emilie#{rows[1][0]}"  # the later one: a unique key, its name unchanged
        with pytest.raises(joining.JoinError):
            joining.join("NAMES1", "EMILIE")
        db.session.rollback()
        downgrade(revision="3c1f5e7a9b2d")
        keys = [key for (key,) in db.session.execute(text("SELECT name_key FROM participants ORDER BY id"))]
        assert keys == ["émilie", "emilie", "zoé"]


def test_the_consultations_migration_keeps_every_workshop_and_its_rows(tmp_path: Path) -> None:
    """9c4d2b7e1f05 copies `workshops` on SQLite to add its `consultation_id` (foreign keys off): nothing
    of a workshop cascades away, up or down."""
    from flask_migrate import downgrade
    from sqlalchemy import text

    from tests import factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'consult.db'}", "SECRET_KEY": "x"})
    tables = ("workshops", "groups", "stories", "participants", "phases", "workshop_facilitators")

    def counts() -> list[int]:
        return [db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables]  # noqa: S608

    with app.app_context():
        upgrade()
        workshop = factories.workshop(groups=3, join_code="KEEP01")
        factories.participant(workshop.groups[0])
        before = counts()
        assert before[:3] == [1, 3, 3]
        db.session.remove()
        downgrade(revision="5e8b2f4a7c19")
        assert counts() == before
        upgrade()
        assert counts() == before
        assert db.session.execute(text("SELECT consultation_id FROM workshops")).scalar_one() is None
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
