"""The blueprint of feedback's pages (its downloads and moderation), registered by `features.register`."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)
