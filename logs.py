"""Structured logs: one line per record, `key=value` fields or JSON (`PLUME_LOG_FORMAT=json`).

`configure(app)` (called by `create_app`) puts one handler on the root logger, at `PLUME_LOG_LEVEL`, so every
module's `logging.getLogger(__name__)` records go through it; `PLUME_LOG_LEVELS` sets some loggers' own
level (`plume.compaction=INFO` lets its lines through under a root at WARNING). A record made while a request
is handled carries `request_id` (the client's or proxy's `X-Request-ID` when it is sane, else a new one, sent
back in the response); one made in a Socket.IO handler carries the socket's `sid`. Both come from Flask's
request context (itself held in context variables, so each greenlet and thread sees its own), read by a
`logging.Filter`: callers pass nothing. gunicorn's own loggers keep their handlers (docs/deploy.md).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_app_context, has_request_context, request

from core import settings

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
FORMATS = ("keyvalue", "json")
# What every LogRecord has: anything else on a record came from `extra=` and is logged as a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "sid"}


class ContextFilter(logging.Filter):
    """Adds `request_id` and `sid` (None outside a request or a socket event) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_app_context() else None
        record.sid = getattr(request, "sid", None) if has_request_context() else None
        return True


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The record as ordered fields: time, level, logger, ids, message, extras, exception."""
    out: dict[str, Any] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
    }
    for key in ("request_id", "sid"):
        if getattr(record, key, None) is not None:
            out[key] = getattr(record, key)
    out["msg"] = record.getMessage()
    out.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD)
    if record.exc_info:
        out["exc"] = logging.Formatter().formatException(record.exc_info)
    return out


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if text and not any(char in text for char in ' ="\\') and text.isprintable():
        return text
    return json.dumps(text, ensure_ascii=False)  # quoted, with newlines escaped: still one line


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_value(value)}" for key, value in fields(record).items())


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(fields(record), ensure_ascii=False, default=str)


class PlumeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler `configure` installs (found again by its class, so a second app replaces it)."""


def handler() -> PlumeHandler | None:
    return next((h for h in logging.getLogger().handlers if isinstance(h, PlumeHandler)), None)


def configure(app: Flask) -> None:
    """Install the root handler for the app's format and level, and the request id on every request."""
    root = logging.getLogger()
    previous = handler()
    installed = PlumeHandler(sys.stderr)
    own = settings.of(app)
    json_lines = own.log_format == "json"
    installed.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    installed.addFilter(ContextFilter())
    if previous is not None:
        root.removeHandler(previous)
    root.addHandler(installed)
    root.setLevel(own.log_level)
    for name, level in own.log_levels.items():  # e.g. plume.compaction=INFO
        logging.getLogger(name).setLevel(level)
    # gevent-websocket logs a line per request at INFO (its own access log, unseen before the root had a
    # handler): kept out unless DEBUG is asked for.
    if own.log_level != "DEBUG":
        logging.getLogger("geventwebsocket.handler").setLevel(logging.WARNING)
    app.before_request(_take_request_id)
    app.after_request(_send_request_id)


SOCKET_LOGGERS = ("socketio.server", "engineio.server")
_PACKET_CODE = ("/socketio/packet.py", "/socketio/msgpack_packet.py")


class MalformedPacketFilter(logging.Filter):
    """A packet python-socketio cannot read is the client's fault: one warning line, not a traceback.

    engine.io logs any exception of the Socket.IO layer as `message handler error` with its traceback, so a
    client sending junk could fill the logs with them. Only exceptions raised while a packet is decoded
    (or refused by `_handle_eio_message` itself) are shortened; a failure in a handler keeps its traceback.
    It knows them by python-socketio's file and function names: seam `socketio-log-records` of
    docs/private-seams.md.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and _from_a_packet(record.exc_info[2]):
            record.msg, record.args = "refused a malformed Socket.IO packet: %r", (record.exc_info[1],)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


class LeftoverEventFilter(logging.Filter):
    """Events still queued for a socket that left: one warning per `WINDOW` seconds, not one per event.

    python-socketio warns "%s is not connected to namespace %s" for each event that arrives after its socket
    left the namespace: a client flooding 10,000 updates logged 3,500 such lines once it was dropped.
    """

    WINDOW = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.last = float("-inf")
        self.skipped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).endswith("is not connected to namespace %s"):
            return True
        now = time.monotonic()
        if now - self.last < self.WINDOW:
            self.skipped += 1
            return False
        if self.skipped:
            record.msg = f"{record.msg} (and {self.skipped} more such events in the last minute)"
        self.last, self.skipped = now, 0
        return True


def _from_a_packet(tb: Any) -> bool:
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code
        if last.co_filename.endswith(_PACKET_CODE):
            return True
        tb = tb.tb_next
    return last is not None and last.co_name == "_handle_eio_message"


def socket_loggers(app: Flask) -> dict[str, logging.Logger]:
    """The loggers to hand Flask-SocketIO (`logger`, `engineio_logger`), set up for Plume's one handler.

    Left to themselves, python-socketio and python-engineio each add a handler of their own, so every
    error came out twice, once unstructured; and engine.io logs every packet at INFO. Given a logger, they
    add nothing: records go to the root handler, from WARNING up (DEBUG if asked).
    """
    level = logging.DEBUG if settings.of(app).log_level == "DEBUG" else logging.WARNING
    loggers = {}
    for name in SOCKET_LOGGERS:
        logger = loggers[name] = logging.getLogger(name)
        logger.setLevel(level)
        for kind in (MalformedPacketFilter, LeftoverEventFilter):
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())
    return {"logger": loggers["socketio.server"], "engineio_logger": loggers["engineio.server"]}


def _take_request_id() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)


def _send_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response
