"""A file to save: the one way a route answers with a download (exports, archives, feedback)."""

from __future__ import annotations

from flask import Response

CSV = "text/csv; charset=utf-8"


def attachment(body: bytes | str, content_type: str, name: str, *, private: bool = False) -> Response:
    """`body` as a download called `name`, with `content_type` as its whole Content-Type (charset included:
    Flask's `mimetype=` would add a second one to a type that has it). `name` is ASCII (callers build it so),
    so it needs no encoding. `private`: drafts, feedback and the like, which no cache may keep."""
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response
