"""Typed incoming commands: every Socket.IO event's payload is declared as a frozen dataclass and parsed
into it, or refused with the code of the catalogue (`core.refusals`); no handler reads a payload by hand.

A command declares its fields with their types, in the order they are checked::

    @command("comment", extra="refuse")
    class Reply:
        body: Annotated[str, Check(clean_body)]  # a function that cleans the value (or refuses it)
        comment_id: Id  # a JSON integer in 1..ids.MAX_ID, never a bool

A field without a default is required; `X | None` also takes null; `int` never takes a bool;
`Annotated[int, Range(lo, hi)]` and `Annotated[str, Range(hi=n)]` bound a number or a length. A payload that
is not an object, lacks a field, has a key the command does not declare (with `extra="refuse"`) or a value
of the wrong type is refused `invalid`. `Union` picks the command by a discriminator (the console's
`action`). `on(event, *commands)` registers a handler and records what it parses: `tests/test_commands.py`
fails on a socket event without a declared command. See docs/architecture.md, "Where a new event goes".
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

import ids
from core import refusals
from errors import RefusedError
from extensions import socketio

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Range:
    """Bounds of a number, or of a string's length (both included)."""

    lo: int | None = None
    hi: int | None = None

    def holds(self, value: int) -> bool:
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


@dataclass(frozen=True)
class Check:
    """A function that turns the raw value into the field's value, or raises a `RefusedError` (its own
    code); any other `ValueError` or `TypeError` is refused `invalid`."""

    clean: Callable[[Any], Any]


@dataclass(frozen=True)
class NotNull:
    """An `X | None = None` field that may be left out but not sent as null."""


Id = Annotated[int, Range(1, ids.MAX_ID)]  # the ids of docs/protocol.md (see `ids.parse_id`)


@dataclass(frozen=True)
class _Field:
    name: str
    kinds: tuple[type, ...]  # the accepted types (NoneType among them for `X | None`)
    rules: tuple[Any, ...]  # Range, Check
    default: Any  # dataclasses.MISSING when required


@dataclass(frozen=True)
class Spec:
    """How a command class reads a payload: its scope of refusals, its fields, what extra keys do."""

    scope: str
    error: type[RefusedError]
    fields: tuple[_Field, ...]
    extra: Literal["refuse", "ignore"]
    absent: bool  # a missing payload (None) reads as {}
    invalid: str  # the catalogue's key for a payload that does not read

    def refused(self, key: str | None = None) -> RefusedError:
        return refusals.refusal(self.error, self.scope, key or self.invalid)


def _unfold(hint: Any, kinds: list[type], rules: list[Any]) -> None:
    """Collect the types and the rules of `hint`, through `Annotated` and `X | Y` at any depth."""
    origin = typing.get_origin(hint)
    if origin is Annotated:
        inner, *extras = typing.get_args(hint)
        rules.extend(extras)
        _unfold(inner, kinds, rules)
    elif origin in (typing.Union, types.UnionType):
        for member in typing.get_args(hint):
            _unfold(member, kinds, rules)
    else:
        kinds.append(origin or hint)


def _field(name: str, hint: Any, default: Any) -> _Field:
    """The field `name` of type `hint`."""
    kinds: list[type] = []
    rules: list[Any] = []
    _unfold(hint, kinds, rules)
    return _Field(name, tuple(kinds), tuple(rules), default)


def command(
    scope: str,
    *,
    error: type[RefusedError] = RefusedError,
    extra: Literal["refuse", "ignore"] = "refuse",
    absent: bool = False,
    invalid: str = "invalid",
) -> Callable[[type[T]], type[T]]:
    """Make `cls` a frozen dataclass whose payloads `parse` reads; refusals are `error`s of `scope`, the
    `invalid` key of the catalogue for a payload that does not read."""

    def declare(cls: type[T]) -> type[T]:
        cls = dataclass(frozen=True, kw_only=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = tuple(
            _field(
                f.name,
                hints[f.name],
                f.default if f.default_factory is dataclasses.MISSING else f.default_factory(),
            )
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        )
        cls.__command__ = Spec(scope, error, fields, extra, absent, invalid)  # type: ignore[attr-defined]
        return cls

    return declare


def spec_of(cls: type) -> Spec:
    spec = getattr(cls, "__command__", None)
    if not isinstance(spec, Spec):
        raise TypeError(f"{cls.__name__} is not declared with @command")
    return spec


def _has_type(value: object, kinds: tuple[type, ...]) -> bool:
    if object in kinds:
        return True
    if isinstance(value, bool):  # a bool is an int to Python, never to a payload
        return bool in kinds
    return any(isinstance(value, kind) for kind in kinds if kind is not bool)


def _value(spec: Spec, field: _Field, value: object) -> object:
    invalid = spec.refused
    if value is None:
        if type(None) in field.kinds and not any(isinstance(r, NotNull) for r in field.rules):
            return None
        raise invalid()
    checks = [rule for rule in field.rules if isinstance(rule, Check)]
    if not checks and not _has_type(value, field.kinds):
        raise invalid()
    for rule in field.rules:
        if isinstance(rule, Range):
            measure = len(value) if isinstance(value, str) else value
            if not rule.holds(measure):  # type: ignore[arg-type]
                raise invalid()
        elif isinstance(rule, Check):
            try:
                value = rule.clean(value)
            except RefusedError:
                raise
            except (ValueError, TypeError) as exc:
                raise invalid() from exc
    return value


def parse(cls: type[T], payload: object) -> T:
    """The command `cls` that `payload` says, or the refusal of the first field (in declaration order)
    that is missing or wrong."""
    spec = spec_of(cls)
    if payload is None and spec.absent:
        payload = {}
    if not isinstance(payload, Mapping):
        raise spec.refused()
    if spec.extra == "refuse" and set(payload) - {f.name for f in spec.fields}:
        raise spec.refused()
    values: dict[str, object] = {}
    for field in spec.fields:
        if field.name not in payload:
            if field.default is dataclasses.MISSING:
                raise spec.refused()
            values[field.name] = field.default
        else:
            values[field.name] = _value(spec, field, payload[field.name])
    return cls(**values)


@dataclass(frozen=True)
class Union:
    """Several commands under one event, told apart by the string `key` (the console's `action`): a value
    outside `choices` is refused `unknown`, a payload without it `invalid`."""

    scope: str
    error: type[RefusedError]
    key: str
    choices: Mapping[str, type]
    unknown: str = "unknown_action"

    def parse(self, payload: object) -> Any:
        if not isinstance(payload, Mapping) or not isinstance(payload.get(self.key), str):
            raise refusals.refusal(self.error, self.scope, "invalid")
        chosen = self.choices.get(payload[self.key])
        if chosen is None:
            raise refusals.refusal(self.error, self.scope, self.unknown)
        return parse(chosen, payload)


@dataclass(frozen=True)
class Raw:
    """An event that is read by hand on purpose (the `yjs` hot path: no per-keystroke parsing), with
    where: `reader` names the function that checks it."""

    shape: str
    reader: str


Declared = type | Union | Raw
EVENTS: dict[str, tuple[Declared, ...]] = {}  # every incoming event: what its handler parses


def declare(event: str, *commands: Declared) -> None:
    """Record what `event`'s payload is parsed into (several commands: one per role of the sender)."""
    if not commands:
        raise ValueError(f"{event}: declare at least one command")
    for declared in commands:
        if isinstance(declared, type):
            spec_of(declared)
    EVENTS[event] = commands


_HANDLERS: dict[str, Callable[..., Any]] = {}  # every declared event's handler, for each app's server


def on(event: str, *commands: Declared) -> Callable[[F], F]:
    """`socketio.on(event)` that also declares the commands its handler parses."""
    declare(event, *commands)

    def register(handler: F) -> F:
        _HANDLERS[event] = handler
        socketio.on(event)(handler)
        return handler

    return register


def install() -> None:
    """Put every declared handler on the current Socket.IO server. Modules register their handlers once,
    when first imported, on the server of that moment only (Flask-SocketIO): an app created later in the
    same process (tests, the CLI) gets a new server, which needs them too."""
    for event, handler in _HANDLERS.items():
        socketio.on(event)(handler)
