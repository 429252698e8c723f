"""Rate limits of joining, shared by the join form and the API: they fit a room, not a lone browser.

- Per client address *and* join code (``PLUME_JOIN_RATE``): a classroom behind one NAT joins its workshop
  at once, and a busy workshop does not hold back the others.
- Wrong codes per client address (``PLUME_JOIN_GUESS_RATE``), counted only when a code opens nothing: join
  codes cannot be guessed by trying them all.

The client address is the socket's peer, or with ``PLUME_TRUSTED_PROXIES`` the one the proxy saw (ProxyFix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from core.settings import settings
from extensions import limiter
from workshops.join_codes import normalise_join_code

F = TypeVar("F", bound=Callable[..., Any])


def client_address() -> str:
    return request.remote_addr or "unknown"


def _code() -> str:
    """The join code this request is for, normalised ("" when it has none: a rejoin with a token)."""
    data = request.get_json(silent=True) if request.is_json else None
    raw: object = data.get("code") if isinstance(data, dict) else request.form.get("code")
    if raw is None and request.view_args:
        raw = request.view_args.get("code")
    if not isinstance(raw, str) or len(raw) > 64:
        return ""
    return normalise_join_code(raw) or ""


def join_key() -> str:
    return f"{client_address()}|{_code()}"


def wrong_code() -> None:
    """Mark this request as one whose join code opened nothing (it counts against the guessing limit)."""
    g.plume_wrong_join_code = True


def _counts_as_guess(_response: Any) -> bool:
    return bool(g.get("plume_wrong_join_code"))


def join_limits(view: F) -> F:
    """Apply the join limits to a view (POST only), in buckets shared by every join route."""
    per_room = limiter.shared_limit(
        lambda: settings().join_rate, scope="join", key_func=join_key, methods=["POST"]
    )
    guesses = limiter.shared_limit(
        lambda: settings().join_guess_rate,
        scope="join-guess",
        key_func=client_address,
        methods=["POST"],
        deduct_when=_counts_as_guess,
    )
    return guesses(per_room(view))
