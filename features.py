"""The one place where feature packages plug their blueprints, socket handlers and commands in."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every feature package with the app (each owns its routes and events).

    Route modules are imported first (they add routes to their blueprint), then the blueprints are
    registered. Socket.IO handlers register themselves on import.
    """
    import workshops.sockets  # noqa: F401
    from api import bp as api_bp
    from workshops.blueprint import bp as workshops_bp

    # Feature route modules (each adds its routes to a blueprint above) are imported here:

    app.register_blueprint(workshops_bp)
    app.register_blueprint(api_bp)
