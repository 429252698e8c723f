"""Erasure (issue 26): erasing a participant (`participants`), deleting a workshop with everything it holds
(`workshops`), and deleting a facilitator account (`accounts`).

It sits above the features it erases (workshops, stories, feedback, accounts) and nothing imports it but
`features.register`, which plugs in its pages and commands.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Its routes and its CLI commands (`flask workshop delete`, `flask facilitator delete`,
    `flask participant erase`). The erase's route is on the workshops' blueprint: `features.register`
    imports it first."""
    from erasure import cli, participant_cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
    participant_cli.register(app)
