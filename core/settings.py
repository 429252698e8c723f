"""Plume's own settings: every `PLUME_*` key, its type, its one default and what it means, in one place.

`config.py` reads the environment (`PLUME_X` for the field `x`) and hands the strings to
`Settings.from_config`, which parses them by the field's type and refuses a bad value with a
`ConfigError` naming the key, so the app does not start on it. `create_app` builds the object once and
keeps it on the app (`install`); code reads `settings().x` under an app context, `of(app).x` with an app
at hand (docs/architecture.md, "Rules every module keeps"). `docs/settings.md` is this module's table
(`python -m core.settings > docs/settings.md`; `tests/test_config.py` checks it).

Variables read by the process rather than the app (gunicorn's `PLUME_WORKERS` and `PLUME_CONNECTIONS`,
`PLUME_REDIS_CONNECTIONS` of `core/redis_client.py`) are listed in `PROCESS`.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from flask import Flask, current_app

KEY = "plume.settings"  # in `app.extensions`
PREFIX = "PLUME_"
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"", "0", "false", "no", "off"})
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

Rate = tuple[int, float]  # COUNT/SECONDS: at most COUNT actions in SECONDS


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


def _rate(value: str) -> Rate:
    """ "10/30": at most 10 actions in 30 seconds."""
    count, sep, seconds = value.partition("/")
    try:
        if not sep:
            raise ValueError(value)
        return int(count), float(seconds)
    except ValueError as exc:
        raise ValueError("a rate is COUNT/SECONDS") from exc


def _log_level(value: str) -> str:
    level = value.strip().upper() or "INFO"
    if level not in LEVELS:
        raise ValueError("a level is " + ", ".join(LEVELS))
    return level


def _log_levels(value: str) -> dict[str, str]:
    """ "plume.compaction=INFO,plume.watchdog=WARNING": a level for some loggers, whatever the root's."""
    levels = {}
    for item in value.replace(";", ",").split(","):
        if item.strip():
            name, sep, level = item.partition("=")
            if not sep or not name.strip():
                raise ValueError("it is LOGGER=LEVEL,LOGGER=LEVEL")
            levels[name.strip()] = _log_level(level)
    return levels


def _flag(value: str) -> bool:
    word = value.strip().lower()
    if word not in TRUE | FALSE:
        raise ValueError("a flag is 1/0, true/false, yes/no or on/off")
    return word in TRUE


def setting(
    default: Any,
    doc: str,
    *,
    parse: Callable[[str], Any] | None = None,
    choices: tuple[str, ...] = (),
    minimum: float | None = None,
) -> Any:
    """A field of `Settings`: its default, a one-line doc, and how a string becomes its value when the
    type alone does not say (`parse`), the values it may take (`choices`) or its least value (`minimum`)."""
    metadata = {"doc": doc, "parse": parse, "choices": choices, "minimum": minimum}
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Every `PLUME_*` setting of the app; the environment variable of `x` is `PLUME_X`."""

    env: str = setting(
        "development",
        "`production` refuses to start without `SECRET_KEY`, sends cookies over HTTPS only",
        choices=("development", "production"),
    )
    public_url: str | None = setting(
        None,
        "the public origin (e.g. `https://plume.example.org`) for links, QR codes and Socket.IO's origins",
        parse=lambda raw: raw.strip().rstrip("/") or None,
    )
    trusted_proxies: int = setting(
        0, "reverse proxies in front that set `X-Forwarded-For`/`-Proto`/`-Host` (nginx alone: 1)", minimum=0
    )
    login_rate: str = setting("10 per minute", "wrong passwords per client address and account")
    login_address_rate: str = setting("50 per minute", "wrong passwords per client address")
    join_rate: str = setting("120 per minute", "joins per client address and join code")
    join_guess_rate: str = setting("30 per minute", "wrong join codes per client address")
    export_rate: str = setting("60 per minute", "exports (PDF, EPUB, ...) per client address")
    reaction_rate: str = setting("30 per minute; 300 per day", "readers' reactions per client address")
    token_ttl_days: float = setting(
        30.0, "participants' tokens stop working this many days after their workshop ended", minimum=0
    )
    rejoin_link_seconds: float = setting(
        600.0, "how long a rejoin link that the console hands a participant works (once)", minimum=1
    )
    expiry_sweep_seconds: float = setting(
        30.0, "how often each worker closes the sockets whose tokens expired", minimum=0.01
    )
    retention_days: int = setting(
        365,
        "a workshop's participants, chat, comments and unpublished drafts are erased this many days after it "
        "ended (each workshop may set its own)",
        minimum=1,
    )
    retention_sweep_seconds: float = setting(
        3600.0, "how often each worker looks for workshops whose retention is over", minimum=0.01
    )
    max_update_bytes: int = setting(
        256 * 1024, "the largest co-writing update (beyond: `too_large`)", minimum=1
    )
    max_story_bytes: int = setting(2 * 1024 * 1024, "the most text a story may hold", minimum=1)
    max_document_bytes: int = setting(
        1024 * 1024,
        "the most a story's document may weigh beyond its text: the traces of its edits, which each first "
        "load applies on the event loop (beyond: `too_large` for what adds to it)",
        minimum=1,
    )
    max_message_bytes: int = setting(
        4 * 1024 * 1024, "the largest Socket.IO message; beyond it the connection is closed", minimum=1
    )
    compact_after_rows: int = setting(500, "a story's log rows before it is compacted", minimum=1)
    story_idle_seconds: float = setting(120.0, "an unwatched story leaves memory after this", minimum=0)
    ack_timeout_seconds: float = setting(
        10.0, "an update waits this long to be stored, then is refused `unavailable`", minimum=0
    )
    write_budget_seconds: float = setting(10.0, "the story writer's time for one batch", minimum=0)
    write_linger_seconds: float = setting(
        0.002, "the story writer waits this long for more updates to share its transaction", minimum=0
    )
    restore_wait_seconds: float = setting(
        20.0, "how long restoring a version waits for the writer", minimum=0
    )
    history_snapshot_every: int = setting(250, "log rows between two replay snapshots of a story", minimum=10)
    sockets_per_address: int = setting(
        300, "Engine.IO connections one address may hold per worker", minimum=0
    )
    sockets_per_participant: int = setting(6, "sockets one participant may hold, all workers", minimum=0)
    socket_auth_seconds: float = setting(
        10.0, "a connection that has not identified itself by then is closed", minimum=0
    )
    socket_burst: Rate = setting(
        (200, 50.0), "`yjs` messages and story openings a socket may send at once, then per second"
    )
    log_format: str = setting(
        "keyvalue",
        "logs as `key=value` lines or JSON lines",
        parse=lambda raw: raw.strip().lower() or "keyvalue",
        choices=("keyvalue", "json"),
    )
    log_level: str = setting("INFO", "the root logger's level", parse=_log_level, choices=LEVELS)
    log_levels: dict[str, str] = setting(
        {}, "some loggers' own levels, over `PLUME_LOG_LEVEL`", parse=_log_levels
    )
    stall_ms: float = setting(
        50.0, "a stall of the event loop longer than this is logged (0: not watched)", minimum=0
    )
    debug_hold_loop: bool = setting(
        False, "`POST /debug/hold-loop?ms=N` stalls the loop on purpose (ignored in production)"
    )
    comment_rate: Rate = setting((10, 30.0), "comments and replies per author (COUNT/SECONDS)")
    comment_change_rate: Rate = setting((20, 30.0), "edits, deletions, resolutions of comments per person")
    chat_rate: Rate = setting((10, 20.0), "chat messages per author (COUNT/SECONDS)")
    call_rate: Rate = setting((6, 60.0), "calls to the facilitator per participant (COUNT/SECONDS)")
    work_budget_s: float = setting(10.0, "CPU seconds one heavy job (history, export) may spend", minimum=0)
    work_slots: int = setting(2, "heavy jobs at once per worker", minimum=0)
    work_wait_s: float = setting(5.0, "a heavy job waits this long for a slot, then gets `busy`", minimum=0)
    transaction_guard: bool = setting(False, "fail a commit whose write stayed open across a greenlet switch")
    db_pool_size: int = setting(5, "database connections each worker keeps open", minimum=1)
    db_max_overflow: int = setting(10, "connections a worker may open beyond those in a rush", minimum=0)
    db_pool_timeout_s: float = setting(
        30.0, "how long a request or socket waits for a free connection before it is refused", minimum=0.1
    )
    metrics: bool = setting(True, "count and serve `/metrics` (off: nothing counted; `make bench` runs both)")
    metrics_allow: str = setting("", "CIDRs `/metrics` answers, comma-separated (empty: loopback)")
    metrics_token: str = setting("", "a bearer token `/metrics` admits from anywhere")
    pdf_font_dir: str | None = setting(None, "the DejaVu fonts of PDF exports (default: Debian's)")
    deadline_loop: bool = setting(True, "whether each worker runs the workshops' deadlines (never in tests)")
    privacy_contact: str = setting(
        "", "who to ask about personal data (an address, an email), on the privacy page `/privacy`"
    )
    privacy_text_dir: str | None = setting(
        None, "a folder whose `en.md`, `fr.md` (Markdown) replace the privacy page's text in that language"
    )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """The settings in `config` (Flask's, keyed `PLUME_X`), strings parsed, every value checked."""
        values = {f.name: _value(f, config[key_of(f)]) for f in fields() if key_of(f) in config}
        made = cls(**values)
        if made.env == "production" and made.debug_hold_loop:
            made = dataclasses.replace(made, debug_hold_loop=False)
        return made

    def replaced(self, **values: Any) -> Settings:
        """These settings with some fields changed (by name), checked as at startup."""
        unknown = set(values) - {f.name for f in fields()}
        if unknown:
            raise TypeError(f"no such settings: {', '.join(sorted(unknown))}")
        return Settings.from_config(self.as_config() | {PREFIX + k.upper(): v for k, v in values.items()})

    def as_config(self) -> dict[str, Any]:
        """{`PLUME_X`: value} for Flask's config."""
        return {key_of(f): getattr(self, f.name) for f in fields()}


PROCESS = {
    "PLUME_WORKERS": ("1", "gunicorn (gevent) workers; more than one needs Redis and sticky sessions"),
    "PLUME_CONNECTIONS": ("2000", "connections one worker holds at once (gunicorn's `worker_connections`)"),
    "PLUME_REDIS_CONNECTIONS": ("50", "Redis connections one worker holds for presence and sign-in sessions"),
    "PLUME_SECURE_COOKIES": ("off", "cookies over HTTPS only outside production too"),
}
"""Variables that the process reads, not the app's settings: {name: (default, meaning)}."""


def fields() -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(Settings)


def key_of(f: dataclasses.Field[Any]) -> str:
    return PREFIX + f.name.upper()


@cache
def _hints() -> dict[str, Any]:
    return get_type_hints(Settings)


def _fits(value: Any, hint: Any) -> bool:
    """Whether `value` is of the (simple) type `hint`: a class, `X | None`, `tuple[...]`, `dict[K, V]`."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(value, arg) for arg in get_args(hint))
    if origin is tuple:
        args = get_args(hint)
        return isinstance(value, tuple) and len(value) == len(args) and all(map(_fits, value, args))
    if origin is dict:
        key, item = get_args(hint)
        return isinstance(value, dict) and all(_fits(k, key) and _fits(v, item) for k, v in value.items())
    if hint is type(None):
        return value is None
    if hint in (int, float) and isinstance(value, bool):
        return False
    if hint is float:
        return isinstance(value, int | float)
    return isinstance(value, hint)


def _parse(f: dataclasses.Field[Any], raw: str) -> Any:
    """A string (from the environment) as the value of `f`."""
    hint = _hints()[f.name]
    if f.metadata["parse"] is not None:
        return f.metadata["parse"](raw)
    if hint == Rate:
        return _rate(raw)
    if hint is bool:
        return _flag(raw)
    if hint in (int, float):
        return hint(raw.strip())
    if hint == str | None:
        return raw or None
    return raw


def _value(f: dataclasses.Field[Any], given: Any) -> Any:
    """`given` checked (and parsed, when a string stands for another type), or a `ConfigError`."""
    key, hint = key_of(f), _hints()[f.name]
    value = given
    try:
        if isinstance(given, str) and (hint is not str or f.metadata["parse"] is not None):
            value = _parse(f, given)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}; not {given!r}") from exc
    if not _fits(value, hint):
        raise ConfigError(f"{key} is a {_name(hint)}, not {given!r}")
    if hint is float:
        value = float(value)
    if f.metadata["choices"] and value not in f.metadata["choices"]:
        raise ConfigError(f"{key} is one of {', '.join(f.metadata['choices'])}, not {given!r}")
    minimum = f.metadata["minimum"]
    if minimum is not None and value < minimum:
        raise ConfigError(f"{key} is at least {minimum}, not {given!r}")
    return value


def _name(hint: Any) -> str:
    """The type as the docs and errors say it: `int`, `str or None`, `COUNT/SECONDS`."""
    if hint == Rate:
        return "COUNT/SECONDS"
    if get_origin(hint) is dict:
        return "LOGGER=LEVEL,..."
    if get_origin(hint) in (Union, types.UnionType):
        return " or ".join("None" if a is type(None) else _name(a) for a in get_args(hint))
    return getattr(hint, "__name__", None) or str(hint)


def install(app: Flask) -> Settings:
    """Build the app's settings from its config (already read by `config.load`) and keep them on it."""
    made = Settings.from_config(app.config)
    app.extensions[KEY] = made
    return made


def of(app: Flask) -> Settings:
    """The settings of `app`."""
    found: Settings = app.extensions[KEY]
    return found


def settings() -> Settings:
    """The settings of the current app (under an app context)."""
    return of(current_app)


def table() -> str:
    """docs/settings.md: every setting, its variable, type, default and meaning."""
    lines = [
        "# Settings",
        "",
        "Generated from `core/settings.py` (`python -m core.settings > docs/settings.md`); `config.py` reads",
        "every variable from the environment. A bad value stops the app at startup with an error naming it.",
        "",
        "| variable | type | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    defaults = Settings()
    for f in fields():
        default = getattr(defaults, f.name)
        shown = f"`{_shown(default)}`" if default not in (None, "", {}) else "none"
        lines.append(f"| `{key_of(f)}` | {_name(_hints()[f.name])} | {shown} | {f.metadata['doc']} |")
    lines += [
        "",
        "Read elsewhere (gunicorn, the Redis pool, Flask's cookie settings), not settings of their own:",
        "",
        "| variable | default | meaning |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{name}` | `{default}` | {doc} |" for name, (default, doc) in PROCESS.items()]
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "/".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


if __name__ == "__main__":  # pragma: no cover - `python -m core.settings > docs/settings.md`
    print(table(), end="")
