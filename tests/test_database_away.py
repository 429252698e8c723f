"""The database away (restarted, locked, out of connections): pages and the API answer 503 with
`Retry-After`, never 500 (issue 22, "Faults"; the fault runs are in tests/test_faults.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError, PendingRollbackError

from workshops import joining


def _away(*_args: Any, **_kwargs: Any) -> Any:
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_lost_database_answers_503_with_retry_after(client: Any, monkeypatch: Any, accept: str) -> None:
    monkeypatch.setattr(joining, "join", _away)
    answer = client.post(
        "/api/v1/join", json={"code": "ABCD-EFGH", "name": "Ada"}, headers={"Accept": accept}
    )
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0  # (Flask-Limiter sets its own on a limited route)
    assert answer.get_json()["error"]["code"] == "unavailable"  # an API path answers JSON


def test_a_page_answers_503_when_the_database_is_locked(client: Any, monkeypatch: Any) -> None:
    from flask_login import utils

    monkeypatch.setattr(utils, "_get_user", _away)  # every page asks who is signed in
    answer = client.get("/", headers={"Accept": "text/html"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "briefly unavailable" in answer.get_data(as_text=True)


def test_a_transaction_the_lost_database_invalidated_answers_503(client: Any, monkeypatch: Any) -> None:
    """A query failed (and was logged) earlier in the request, then the commit finds the transaction invalid:
    still the database away, not a 500 (CI's fault run: a join while PostgreSQL's connections were killed)."""

    def invalidated(*_args: Any, **_kwargs: Any) -> Any:
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back.")

    monkeypatch.setattr(joining, "join", invalidated)
    answer = client.post("/api/v1/join", json={"code": "ABCD-EFGH", "name": "Ada"})
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable"
