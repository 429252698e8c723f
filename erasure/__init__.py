"""Erasure (issue 26): deleting a workshop with everything it holds, and deleting a facilitator account.

It sits above the features it erases (workshops, stories, feedback, accounts) and nothing imports it but
`features.register`, which plugs in its pages and commands.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Its routes and its CLI commands (`flask workshop delete`, `flask facilitator delete`)."""
    from erasure import cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
