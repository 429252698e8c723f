"""Plume's version, read once: the installed distribution's, else `pyproject.toml`'s (a source checkout)."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).parent / "pyproject.toml"


def _read() -> str:
    try:
        return importlib.metadata.version("plume")
    except importlib.metadata.PackageNotFoundError:
        with PYPROJECT.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])


VERSION = _read()
