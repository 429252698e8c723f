"""Ids from outside (URLs, forms, socket payloads): a positive integer that a database column can hold.

Plume's id columns are `Integer`: 32 bits on PostgreSQL (64 on SQLite), and the drivers raise on a bigger
number (an HTTP 500, a socket event without an ack). Such a number is nobody's id: a 404 or an `invalid`.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # the largest PostgreSQL INTEGER


def parse_id(value: object, *, digits: bool = False) -> int | None:
    """`value` as an id, else None: a JSON integer, or with `digits` also its ASCII decimal string (a form
    field, a page's data attribute)."""
    if isinstance(value, bool):
        return None
    if digits and isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def id_arg(value: str) -> int:
    """`request.form.get(name, type=id_arg)`: the id, or ValueError (then the default) for anything else."""
    parsed = parse_id(value, digits=True)
    if parsed is None:
        raise ValueError(value)
    return parsed


class IdConverter(IntegerConverter):
    """Flask's `<int:...>`, registered in its place: a number above MAX_ID matches no route (a 404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)
        if self.signed and self.min is None:
            self.min = -MAX_ID - 1
