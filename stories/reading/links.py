"""Absolute links for what leaves the site (feeds, sitemap, exports, OpenGraph)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from core.settings import settings


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of a page: on PLUME_PUBLIC_URL when it is set, else on the request's host."""
    base = settings().public_url
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
