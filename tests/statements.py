"""The SQL the app sends its database during a block, for the tests that count statements or check where a
commit falls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from extensions import db

COMMIT = "COMMIT"  # what `recorded(commits=True)` notes for each commit


@contextmanager
def recorded(commits: bool = False, parameters: bool = False) -> Iterator[list[Any]]:
    """Yields the list of the statements sent meanwhile, in order (and `COMMIT` for each commit when
    `commits`), on the app's engine; each as `(sql, parameters)` when `parameters`. Call within an app
    context."""
    seen: list[Any] = []

    def statement(_conn: Any, _cursor: Any, sql: str, values: Any, *_: Any) -> None:
        seen.append((sql, values) if parameters else sql)

    def commit(_conn: Any) -> None:
        seen.append(COMMIT)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    if commits:
        event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        if commits:
            event.remove(engine, "commit", commit)
