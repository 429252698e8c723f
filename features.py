"""The one place where feature packages plug their blueprints, socket handlers and commands in."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every feature package with the app (each owns its routes and events).

    Route modules are imported first (they add routes to their blueprint), then the blueprints are
    registered. Socket.IO handlers register themselves on import, but for the per-keystroke `yjs` event,
    which `stories.cowriting.sockets.register` puts on the Socket.IO server itself.
    """
    import accounts

    # Route and socket modules: importing one adds its routes to its blueprint, or its event handlers.
    import consultations.anthology_views
    import consultations.api_views
    import consultations.import_views
    import consultations.manage_views
    import consultations.overview
    import consultations.overview_sockets
    import consultations.overview_views
    import consultations.public_views
    import consultations.synthesis_views
    import consultations.vote
    import consultations.vote_live
    import consultations.vote_views
    import erasure
    import erasure.participant_views
    import feedback.sockets
    import feedback.views  # noqa: F401
    import stories.cowriting.history_retention
    import stories.cowriting.sockets
    import stories.reading.api
    import stories.reading.history_views
    import stories.reading.read_aloud
    import stories.reading.review_views
    import stories.reading.views
    import workshops
    import workshops.api_views
    import workshops.audit_views
    import workshops.deadlines
    import workshops.expiry
    import workshops.live_views
    import workshops.manage_views
    import workshops.own_data
    import workshops.rejoin_views
    import workshops.sockets
    from api import bp as api_bp
    from consultations.blueprint import bp as consultations_bp
    from consultations.demo import command as demo_command
    from feedback.blueprint import bp as feedback_bp
    from stories.blueprint import bp as stories_bp
    from workshops.blueprint import bp as workshops_bp

    # What core asks and the features answer: access rules, participants, facilitators (before any route).
    accounts.register()
    workshops.register()
    app.register_blueprint(workshops_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(stories_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(consultations_bp)
    erasure.register(app)
    app.cli.add_command(demo_command)
    stories.cowriting.history_retention.register(app)
    stories.cowriting.sockets.register(app)
    workshops.deadlines.register(app)  # periodic tasks, run by the app's runtime (core/runtime.py)
    workshops.expiry.register(app)
    consultations.overview.register(app)  # follows the consoles' events, pushes to the organisers
    consultations.vote_live.register(app)  # the vote's results, pushed on the overview's tick
    workshops.own_data.add_section("votes", consultations.vote.ballots_of)  # a participant's own data
