"""Structured logs: each record of a request carries its request id, of a socket event its sid (logs.py)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import logs
from app import create_app
from tests import factories
from tests.sockets import connected
from tests.stories.clients import wait_until

BROKEN_DATABASE = "sqlite:////nonexistent-plume-dir/plume.db"  # /readyz logs why it fails


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the root handler of the next app writes (set back to stderr after the test)."""
    stream = io.StringIO()
    yield stream
    installed = logs.handler()
    if installed is not None:
        installed.setStream(sys.stderr)


def broken_app(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, **env: str) -> Flask:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": BROKEN_DATABASE})
    installed = logs.handler()
    assert installed is not None
    installed.setStream(stream)
    return app


def test_a_request_logs_key_value_lines_with_its_request_id(
    monkeypatch: pytest.MonkeyPatch, captured: io.StringIO
) -> None:
    app = broken_app(monkeypatch, captured)
    response = app.test_client().get("/readyz", headers={"X-Request-ID": "edge-7f3a.1"})
    assert response.headers["X-Request-ID"] == "edge-7f3a.1"
    lines = [line for line in captured.getvalue().splitlines() if "logger=health" in line]
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("time=")
    assert " level=warning logger=health request_id=edge-7f3a.1 " in line
    assert ' msg="readiness: database check failed" exc="Traceback' in line
    assert "sid=" not in line


def test_json_lines_parse_and_an_insane_request_id_is_replaced(
    monkeypatch: pytest.MonkeyPatch, captured: io.StringIO
) -> None:
    app = broken_app(monkeypatch, captured, PLUME_LOG_FORMAT="json")
    response = app.test_client().get("/readyz", headers={"X-Request-ID": "two words; " + "x" * 200})
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    assert int(request_id, 16) >= 0  # a new one, hex
    records = [json.loads(line) for line in captured.getvalue().splitlines()]
    (record,) = [r for r in records if r["logger"] == "health"]
    assert record["request_id"] == request_id
    assert record["level"] == "warning"
    assert record["msg"] == "readiness: database check failed"
    assert "OperationalError" in record["exc"]


def test_the_level_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, captured: io.StringIO) -> None:
    app = broken_app(monkeypatch, captured, PLUME_LOG_LEVEL="error")
    assert app.test_client().get("/readyz").status_code == 503
    assert "logger=health" not in captured.getvalue()  # a warning, below ERROR


def test_one_app_after_another_keeps_one_handler(monkeypatch: pytest.MonkeyPatch, captured: Any) -> None:
    broken_app(monkeypatch, captured)
    broken_app(monkeypatch, captured)
    import logging

    assert sum(isinstance(h, logs.PlumeHandler) for h in logging.getLogger().handlers) == 1


def test_a_socket_event_logs_with_its_sid(server_on: Any, database: str, app_ctx: Flask) -> None:
    server = server_on(database, PLUME_LOG_LEVEL="DEBUG", PLUME_LOG_FORMAT="json")
    _, token = factories.participant(factories.workshop(groups=1).groups[0])
    with connected(server.url, auth={"token": token}) as client:
        sid = client.sio.get_sid("/")
        assert wait_until(lambda: _records_with(server.log, sid), timeout=5)
    (record,) = _records_with(server.log, sid)
    assert record["logger"] == "workshops.sockets"
    assert record["msg"].startswith("socket connected: participant ")
    assert "request_id" not in record


def _records_with(log: Path, sid: str | None) -> list[dict[str, Any]]:
    records = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("sid") == sid and record["msg"].startswith("socket connected"):
                records.append(record)
    return records


def test_junk_packets_log_one_warning_each_and_nothing_twice(server_on: Any, database: str) -> None:
    """A client sending what python-socketio cannot read gets one line per packet, no traceback; and no
    library handler of its own prints anything a second time."""
    import engineio

    server = server_on(database, PLUME_LOG_FORMAT="json")
    client = engineio.Client()
    client.connect(server.url, transports=["websocket"], engineio_path="socket.io")
    try:
        for junk in (b"\xc1\xc1", b"\x93\x01\x02\x03", "text, not MessagePack"):
            client.send(junk)
        assert wait_until(lambda: len(_refusals(server.log)) == 3, timeout=5)
    finally:
        client.disconnect()
    assert all(r["level"] == "warning" and "exc" not in r for r in _refusals(server.log))
    assert not [line for line in server.log.read_text().splitlines() if line.startswith("Traceback")]


def _refusals(log: Path) -> list[dict[str, Any]]:
    lines = (json.loads(line) for line in log.read_text().splitlines() if line.startswith("{"))
    return [r for r in lines if r["msg"].startswith("refused a malformed Socket.IO packet")]


def test_a_handlers_own_failure_keeps_its_traceback() -> None:
    import logging

    def handler() -> None:
        raise KeyError("a bug of ours")

    try:
        handler()
    except KeyError:
        record = logging.LogRecord("engineio.server", logging.ERROR, __file__, 1, "message handler error",
                                   (), sys.exc_info())  # fmt: skip
    assert logs.MalformedPacketFilter().filter(record)
    assert record.exc_info is not None
    assert record.levelno == logging.ERROR


def test_some_loggers_can_have_a_level_of_their_own(
    monkeypatch: pytest.MonkeyPatch, captured: io.StringIO
) -> None:
    root_level = logging.getLogger().level
    broken_app(
        monkeypatch, captured, PLUME_LOG_LEVEL="WARNING", PLUME_LOG_LEVELS="plume.compaction=INFO, x.y=ERROR"
    )
    try:
        logging.getLogger("plume.compaction").info("compaction story=1 rows=600 ms=12.5")
        logging.getLogger("plume.other").info("not shown")
        logging.getLogger("x.y").warning("not shown either")
        lines = captured.getvalue().splitlines()
        assert [line for line in lines if "shown" in line] == []
        shown = 'logger=plume.compaction msg="compaction story=1 rows=600 ms=12.5"'
        assert any(shown in line for line in lines)
    finally:
        for name in ("plume.compaction", "x.y"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        logging.getLogger().setLevel(root_level)


def test_a_malformed_list_of_log_levels_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import ConfigError

    for value in ("plume.compaction", "=INFO", "plume.compaction=LOUD"):
        monkeypatch.setenv("PLUME_LOG_LEVELS", value)
        with pytest.raises(ConfigError):
            create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": BROKEN_DATABASE})
