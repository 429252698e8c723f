"""Typed incoming commands (`core.commands`) and the one catalogue of refusals (`core.refusals`).

Every socket event the app handles has a declared command, so that a new event is declared, not parsed by
hand; the parser refuses what does not read with the catalogue's `invalid` of the command's scope."""

from __future__ import annotations

from typing import Annotated

import pytest
from flask import Flask

from core import commands, refusals
from core.commands import Check, Id, NotNull, Range, command, parse
from errors import RefusedError
from extensions import socketio
from workshops import live, phases


class RefusedForTestError(RefusedError):
    pass


def twice(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    if value == "full":
        raise refusals.refusal(RefusedForTestError, "comment", "full")
    return value * 2


@command("comment", error=RefusedForTestError)
class Sample:
    body: Annotated[str, Check(twice)]
    item_id: Id
    flag: bool = False
    count: Annotated[int, Range(-3, 3)] = 0
    name: Annotated[str, Range(hi=5)] = ""
    group_id: Id | None = None
    workshop_id: Annotated[Id | None, NotNull()] = None


@command("chat", error=RefusedForTestError, extra="ignore", absent=True)
class Loose:
    group_id: Id | None = None


def code_of(payload: object, cls: type = Sample) -> str:
    with pytest.raises(RefusedForTestError) as refused:
        parse(cls, payload)
    return refused.value.code


def test_every_socket_event_has_a_declared_command(app: Flask) -> None:
    handled = set(socketio.server.handlers["/"])
    assert {"story:open", "yjs", "comment:create", "chat:send", "facilitator:command"} <= handled
    undeclared = handled - set(commands.EVENTS)
    assert not undeclared, f"socket events parsed by hand, declare them (core.commands.on): {undeclared}"
    for event, declared in commands.EVENTS.items():
        for one in declared:
            assert isinstance(one, (commands.Union, commands.Raw)) or commands.spec_of(one), event
    raw = {
        event
        for event, declared in commands.EVENTS.items()
        if any(isinstance(d, commands.Raw) for d in declared)
    }
    assert raw == {"connect", "disconnect", "yjs"}  # yjs: the keystroke's hot path, read by `sync.receive`


def test_a_payload_becomes_its_frozen_dataclass() -> None:
    parsed = parse(Sample, {"body": "ab", "item_id": 7, "flag": True, "count": -3, "name": "héllo"})
    assert parsed == Sample(body="abab", item_id=7, flag=True, count=-3, name="héllo")
    with pytest.raises(AttributeError):
        parsed.item_id = 8  # type: ignore[misc]
    assert parse(Sample, {"body": "", "item_id": 1, "group_id": None}).group_id is None


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "x",
        [1],
        {},
        {"body": "a"},  # a required field missing
        {"body": "a", "item_id": 1, "other": 1},  # an extra key
        {"body": "a", "item_id": "1"},  # a number as text
        {"body": "a", "item_id": 1.0},
        {"body": "a", "item_id": True},  # a bool is not an int
        {"body": "a", "item_id": 0},
        {"body": "a", "item_id": 2**31},  # no id column holds it
        {"body": "a", "item_id": 2**63},
        {"body": "a", "item_id": None},
        {"body": 5, "item_id": 1},  # the check's TypeError
        {"body": "a", "item_id": 1, "flag": 1},  # an int is not a bool
        {"body": "a", "item_id": 1, "flag": None},
        {"body": "a", "item_id": 1, "count": 4},
        {"body": "a", "item_id": 1, "count": False},
        {"body": "a", "item_id": 1, "name": "toolong"},
        {"body": "a", "item_id": 1, "group_id": "2"},
        {"body": "a", "item_id": 1, "workshop_id": None},  # may be left out, not sent as null
    ],
)
def test_what_does_not_read_is_invalid(app_ctx: Flask, payload: object) -> None:
    with pytest.raises(RefusedForTestError) as refused:
        parse(Sample, payload)
    assert refused.value.code == "invalid"
    assert str(refused.value.message) == "This request is not valid."


def test_fields_are_checked_in_their_order_and_a_check_keeps_its_own_code(app_ctx: Flask) -> None:
    assert code_of({"body": "full", "item_id": "x"}) == "full"  # the body comes first
    assert code_of({"body": 5, "item_id": 1}) == "invalid"


def test_extra_keys_may_be_ignored_and_no_payload_read_as_empty() -> None:
    assert parse(Loose, None) == Loose()
    assert parse(Loose, {"group_id": 3, "whatever": [1]}) == Loose(group_id=3)
    assert code_of("x", Loose) == "invalid"


def test_a_union_picks_its_command_by_the_discriminator(app_ctx: Flask) -> None:
    assert live.CONSOLE.parse({"action": "lock", "group_id": 4, "version": "ignored"}) == live.Lock(
        action="lock", group_id=4
    )
    assert live.CONSOLE.parse({"action": "extend", "seconds": -60}) == live.Extend(
        action="extend", seconds=-60
    )
    for payload, code in [
        ({"action": "dance"}, "unknown_action"),
        ({"action": 3}, "invalid"),
        ({}, "invalid"),
        (["start"], "invalid"),
        ({"action": "extend", "seconds": phases.MAX_EXTEND_SECONDS + 1}, "invalid"),
        ({"action": "goto", "index": True}, "invalid"),
        ({"action": "start", "version": -1}, "invalid"),
    ]:
        with pytest.raises(live.CommandError) as refused:
            live.CONSOLE.parse(payload)
        assert refused.value.code == code, payload
    assert set(live.ACTIONS) == set(live.CONSOLE.choices) >= set(phases.ACTIONS)


def test_the_catalogue_words_each_refusal_in_the_askers_language(app: Flask) -> None:
    for scope, table in refusals.CATALOGUE.items():
        for key, message in table.items():
            assert key.partition(".")[0].replace("_", "").isalpha(), (scope, key)
            assert str(message), (scope, key)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refused = refusals.refusal(RefusedForTestError, "console", "too_long", limit=500)
        assert refused.code == "too_long"
        assert str(refused.message) == "Pas plus de 500 caractères, s’il vous plaît."
        assert refusals.refusal(RefusedForTestError, "console", "not_found.group").code == "not_found"
    assert str(refusals.message("chat", "empty")) == str(refusals.message("comment", "empty"))


def test_every_code_the_operations_raise_is_in_the_catalogue() -> None:
    keys = {scope: {key.partition(".")[0] for key in table} for scope, table in refusals.CATALOGUE.items()}
    assert set(phases.ERROR_CODES) <= keys["console"]  # a clock command's refusal, worded for the console
    assert {"forbidden", "too_large", "locked", "out_of_sync"} <= keys["story"]  # cursors', the writer's
    assert {"forbidden", "comments_off", "locked"} <= keys["comment"] <= keys["chat"]  # core.access reasons


def test_a_facilitators_connect_names_a_workshop_or_none(app_ctx: Flask) -> None:
    from flask_socketio import ConnectionRefusedError

    from workshops import sockets

    assert sockets._console_of({"role": "facilitator", "workshop_id": 7}) == 7
    assert sockets._console_of({"role": "facilitator", "workshop_id": None}) is None
    assert sockets._console_of({"role": "facilitator"}) is None
    assert sockets._console_of(None) is None
    for wrong in ("7", True, 0, 2**31, 7.0):
        with pytest.raises(ConnectionRefusedError):
            sockets._console_of({"role": "facilitator", "workshop_id": wrong})
