"""The JSON API (`/api/v1`): feature packages add their routes to `bp`; errors are `{"error": {...}}`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def api_error(status: int, code: str, message: str) -> tuple[Any, int]:
    """The API's error body: `{"error": {"code", "message"}}` with an HTTP status."""
    return jsonify(error={"code": code, "message": message}), status
