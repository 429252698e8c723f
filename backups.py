"""`flask backup FILE` and `flask restore FILE`: a consistent copy of the database while people write, and
its restoration into a new, empty database.

SQLite: the online backup API copies every page in one step, holding a read transaction, so the copy is
the database as of one commit (in WAL mode writers go on meanwhile). PostgreSQL: `pg_dump` in its custom
format (one snapshot, compressed), restored with `pg_restore` in one transaction. The secret key is not in
the database: keep SECRET_KEY (or `instance/secret_key`) beside the backups (docs/deploy.md, "Backups").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _pg_environment(url: URL) -> dict[str, str]:
    """libpq's variables for `url`: the password stays out of the command line (and of `ps`)."""
    variables = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {**os.environ, **{name: value for name, value in variables.items() if value}}


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install PostgreSQL's client tools (postgresql-client).")
    return path


def _run(command: list[str], url: URL) -> None:
    result = subprocess.run(command, env=_pg_environment(url), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("This SQLite database is in memory: there is nothing to back up or restore into.")
    return Path(url.database)


def backup(destination: Path) -> str:
    """Write a consistent copy of the app's database to `destination`; returns its format."""
    url = _database_url()
    if not destination.parent.is_dir():
        raise BackupError(f"No directory {destination.parent} to write the backup in.")
    if url.get_backend_name() == "sqlite" and destination.resolve() == _sqlite_path(url).resolve():
        raise BackupError("The backup would overwrite the database itself: choose another file.")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not path.is_file():
            raise BackupError(f"No SQLite database at {path}.")
        source = sqlite3.connect(path)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # every page in one step: the database as of one commit
        finally:
            target.close()
            source.close()
        kind = "SQLite"
    elif url.get_backend_name() == "postgresql":
        options = ["--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
        _run([_pg_tool("pg_dump"), *options], url)
        kind = "pg_dump custom format"
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")
    partial.replace(destination)  # a backup file is whole or absent
    return kind


def _tables(url: URL) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _refuse_unless_empty(url: URL) -> None:
    tables = _tables(url)
    if tables:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise BackupError(
            f"The database {url.render_as_string(hide_password=True)} already has {len(tables)} tables "
            f"({shown}). Restore into a new, empty database (e.g. `createdb plume_restored`, or a new "
            "SQLite path in DATABASE_URL), then point DATABASE_URL at it."
        )


def restore(source: Path) -> None:
    """Restore the backup `source` into the app's database, which must have no tables."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    with source.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    url = _database_url()
    backend = url.get_backend_name()
    expected = {"sqlite": SQLITE_HEADER, "postgresql": PG_DUMP_HEADER}.get(backend)
    if expected is None:
        raise BackupError(f"Restoring into {backend} databases is not supported.")
    if not header.startswith(expected):
        made_by = {SQLITE_HEADER[:5]: "an SQLite backup", PG_DUMP_HEADER: "a pg_dump backup"}.get(header[:5])
        raise BackupError(
            f"{source} is not a backup of a {backend} database"
            + (f" ({made_by}: restore it into that kind of database)." if made_by else ".")
        )
    _refuse_unless_empty(url)
    if backend == "sqlite":
        backup_db = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            backup_db.backup(target)
        finally:
            target.close()
            backup_db.close()
    else:
        _run(
            [
                _pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
                "--exit-on-error", f"--dbname={url.database}", str(source),
            ],
            url,
        )  # fmt: skip


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE (safe while people write)."""
    kind = backup(file)
    click.echo(f"Backed up the database to {file} ({kind}).")
    click.echo("Keep SECRET_KEY (or instance/secret_key) with it: the database does not hold it.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore FILE (from `flask backup`) into the database of DATABASE_URL, which must have no tables."""
    restore(file)
    click.echo(f"Restored {file}. If this release is newer than the backup's: flask --app app db upgrade")
    click.echo("Start Plume with the SECRET_KEY of the site that was backed up.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
