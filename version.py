"""Plume's version, read once: `pyproject.toml`'s, the one place it is written (a checkout and the image both
have the file), else the installed distribution's (an installed wheel has no pyproject.toml beside it)."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).parent / "pyproject.toml"


def _read() -> str:
    if PYPROJECT.is_file():
        with PYPROJECT.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    return importlib.metadata.version("plume")


VERSION = _read()
