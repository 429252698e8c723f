"""Erasure (issue 26): erasing a participant (`participants`), deleting a workshop with everything it holds
(`workshops`), deleting a facilitator account (`accounts`), and erasing what a workshop keeps past its
retention period (`retention`).

It sits above the features it erases (workshops, stories, feedback, accounts) and nothing imports it but
`features.register`, which plugs in its pages and commands.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Its routes, its CLI commands (`flask workshop delete`, `flask facilitator delete`,
    `flask participant erase`, `flask retention run`) and the retention job. The erase's route is on the
    workshops' blueprint: `features.register` imports it first."""
    from erasure import cli, participant_cli, retention, retention_cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
    participant_cli.register(app)
    retention_cli.register(app)
    retention.register(app)
