"""Slots where a feature plugs its answers into `core` when the app is created (`features.register`).

`core` defines an interface (a `typing.Protocol`) and a `Slot` for it; the feature implements the
interface and plugs an instance in; `core` asks whatever is plugged (docs/architecture.md, "The engine
asks, workshops answer"). One slot per process: the last plug wins.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    """One pluggable answer of `core`, named for the error an unplugged app gets."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.value: T | None = None

    def plug(self, value: T) -> None:
        self.value = value

    def get(self) -> T:
        """The plugged value; an app created without it is a setup error, not a refusal."""
        if self.value is None:
            raise RuntimeError(f"no {self.what} registered: create the app (features.register) first")
        return self.value
