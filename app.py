"""Plume's application factory: `python app.py`, `flask --app app` and gunicorn all use `create_app`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

import concurrency
import config as plume_config
import ids
import logs
import socket_frames
import socket_packets
import version
from core import (
    commands,
    elision,
    pool_ping,
    realtime,
    room_queue,
    runtime,
    settings,
    sqlite_checkpoints,
    watchdog,
)
from extensions import babel, csrf, db, limiter, login_manager, migrate, socketio

HERE = Path(__file__).parent


def select_locale() -> str | None:
    """The reader's chosen language, else the best match from Accept-Language."""
    from flask import current_app

    if not has_request_context():  # operations run from the CLI or tests: the default locale
        return None
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, foreign keys on, and a short wait instead of 'database is locked'."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across a process kill in WAL mode
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted content is zeroed: an erased name stays nowhere
        # Under gevent a wait for another process's lock holds the whole worker: keep it short there.
        cursor.execute(f"PRAGMA busy_timeout={2000 if concurrency.gevent_active() else 10000}")
        if sqlite_checkpoints.off_the_commits():  # a native thread copies the log (see that module)
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # CodeMirror injects its own style rules
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _security_headers(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config from the environment (plus `config` overrides), extensions, blueprints."""
    app = Flask(__name__, instance_path=str(HERE / "instance"), instance_relative_config=True)
    app.config.update(plume_config.load(Path(app.instance_path), config))
    own = settings.install(app)  # the PLUME_* settings, typed and checked (core/settings.py)
    app.url_map.converters["int"] = ids.IdConverter  # before any route: no id above what a column holds
    logs.configure(app)

    pool_ping.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    elision.install_in_templates(app.jinja_env)  # French templates say « d’Alice », not « de Alice »
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    redis_url = app.config["REDIS_URL"]
    socketio.init_app(
        app,
        client_manager=room_queue.RoomAwareRedisManager(redis_url) if redis_url else None,  # several workers
        async_mode=concurrency.async_mode(),  # gevent under gunicorn (gunicorn.conf.py), else threads
        cors_allowed_origins=own.public_url,  # None: same origin only
        max_http_buffer_size=own.max_message_bytes,
        manage_session=False,
        serializer=socket_packets.PlumePacket,  # MessagePack: a binary event in one frame (docs/protocol.md)
        async_handlers=False,  # each socket's events in order, in its own greenlet (not one per event)
        **logs.socket_loggers(app),  # through Plume's one log handler, malformed packets in one line
    )
    socket_frames.install(socketio.server.eio)  # a relay framed once, a socket's frames in one send
    realtime.route_socket_path(app)  # a socket event's request context leaves no garbage cycle

    if own.transaction_guard and concurrency.gevent_active():
        from core import transactions

        transactions.install()

    background_work = runtime.of(app)  # features register their loops with it; started once per worker
    import backups
    import features
    import metrics
    import models  # noqa: F401  (registers every table with SQLAlchemy)
    import socket_guard
    from accounts import cli as accounts_cli
    from accounts.views import bp as accounts_bp
    from pages import bp as pages_bp
    from pages import register_error_handlers

    app.register_blueprint(pages_bp)
    app.register_blueprint(accounts_bp)
    accounts_cli.register(app)
    backups.register(app)
    register_error_handlers(app)
    features.register(app)
    commands.install()  # on this app's server, also when the feature modules were imported for another app
    metrics.register(app)
    socket_guard.install(app)

    app.after_request(_security_headers)
    if own.debug_hold_loop:
        watchdog.install_debug_route(app)
    background_work.service("watchdog", lambda: watchdog.start(app))  # gevent only: a line per loop stall
    sqlite_checkpoints.install(app)  # a worker on SQLite copies its write-ahead log in a native thread
    proxies = own.trusted_proxies
    if proxies:  # outermost, so HTTP and Socket.IO alike see the client's address and scheme (docs/deploy.md)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "plume_version": version.VERSION,
        }

    @app.before_request
    def _request_start() -> None:
        g.locale = str(get_locale())

    return app


if __name__ == "__main__":  # pragma: no cover - `make run` uses gunicorn; this is for debugging
    from gevent import monkey

    monkey.patch_all()
    application = create_app()
    runtime.of(application).start()
    socketio.run(application, host="127.0.0.1", port=5000, debug=True)
