"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

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
