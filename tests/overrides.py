"""The app's settings (core/settings.py) changed for a test: `with changed_settings(app, x=...)` for a block,
or the `change_settings` fixture (tests/conftest.py) until the end of the test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from core import settings
from core.settings import Settings


def change(app: Flask, **values: Any) -> Settings:
    """Give `app` its settings with `values` (field names), checked as at startup; returns the new ones."""
    made = app.extensions[settings.KEY] = settings.of(app).replaced(**values)
    return made


@contextmanager
def changed_settings(app: Flask, **values: Any) -> Iterator[Settings]:
    """`app`'s settings with `values` inside the block, as they were after it."""
    before = settings.of(app)
    try:
        yield change(app, **values)
    finally:
        app.extensions[settings.KEY] = before
