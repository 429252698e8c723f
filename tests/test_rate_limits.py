"""Rate limits that fit a room: behind a trusted proxy each client has its own bucket, a classroom behind one
address joins at once, wrong join codes and wrong passwords are limited per address (and per account).

The live server here runs with the default limits and one trusted proxy (what docs/deploy.md configures);
the requests carry the X-Forwarded-For header that nginx would set.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from app import create_app
from tests import factories
from tests.server import ServerProcess
from tests.signin import log_in
from tests.sockets import connected

pytestmark = pytest.mark.slow

_addresses = itertools.count(1)


def address() -> str:
    """A client address no other test used (the server's limits outlive each test)."""
    return f"198.51.100.{next(_addresses)}"


@pytest.fixture(scope="module")
def proxied(app: Flask, database: str) -> Iterator[ServerProcess]:
    """The app behind one trusted proxy, with its default rate limits."""
    server = ServerProcess(database, env={"PLUME_TRUSTED_PROXIES": "1"})
    for name in ("PLUME_JOIN_RATE", "PLUME_LOGIN_RATE"):
        server.env.pop(name, None)
    server.start()
    yield server
    server.stop()


def join(server: ServerProcess, code: str, name: str, client: str) -> int:
    response = requests.post(
        f"{server.url}/api/v1/join",
        json={"code": code, "name": name},
        headers={"X-Forwarded-For": client},
        timeout=15,
    )
    return response.status_code


def test_sixty_people_behind_one_address_join_one_workshop_in_a_minute(
    proxied: ServerProcess, app_ctx
) -> None:
    workshop = factories.workshop(groups=6)
    school = address()  # one classroom behind one NAT
    statuses = [join(proxied, workshop.join_code, f"Pupil {i}", school) for i in range(60)]
    assert statuses == [201] * 60


def test_wrong_codes_are_limited_per_client_address(proxied: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    guesser, neighbour = address(), address()
    statuses = [join(proxied, f"NOPE{i:02d}", "Eve", guesser) for i in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    # The guesser's address is held back for a while, even with a right code…
    assert join(proxied, workshop.join_code, "Eve", guesser) == 429
    # …but nobody else is: behind the proxy, every client address has its own bucket.
    assert join(proxied, workshop.join_code, "Ada", neighbour) == 201


def test_sockets_work_behind_the_proxy(proxied: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    _, token = factories.participant(workshop.groups[0])
    headers = {"X-Forwarded-For": address(), "X-Forwarded-Proto": "http"}
    with connected(proxied.url, auth={"token": token}, headers=headers) as client:
        assert client.wait_for("workshop:state")[0]["workshop_id"] == workshop.id


def test_a_forged_forwarded_for_does_not_give_a_fresh_bucket(proxied: ServerProcess, app_ctx) -> None:
    guesser = address()
    # nginx appends the real address to whatever the client sent: only that last entry is trusted.
    statuses = [join(proxied, f"NOPE{i:02d}", "Eve", f"10.0.0.{i}, {guesser}") for i in range(31)]
    assert statuses[30] == 429


def test_without_a_trusted_proxy_the_header_is_ignored() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(
        "/", environ_base={"REMOTE_ADDR": "192.0.2.1"}, headers={"X-Forwarded-For": "203.0.113.9"}
    ):
        from flask import request

        assert request.remote_addr == "192.0.2.1"


def login(server: ServerProcess, email: str, password: str, client: str) -> int:
    session = requests.Session()
    session.headers["X-Forwarded-For"] = client
    return log_in(session, server.url, email, password)[0].status_code


def test_logins_are_limited_per_address_and_account(proxied: ServerProcess, app_ctx) -> None:
    ada, grace = factories.facilitator(), factories.facilitator()
    attacker, colleague = address(), address()
    statuses = [login(proxied, ada.email, "wrong password", attacker) for _ in range(11)]
    assert statuses[:10] == [200] * 10  # the form again, with its error
    assert statuses[10] == 429
    assert login(proxied, ada.email, factories.PASSWORD, attacker) == 429  # that account, from there
    # Another facilitator behind the same address, and the same facilitator elsewhere, sign in.
    assert login(proxied, grace.email, factories.PASSWORD, attacker) == 302
    assert login(proxied, ada.email, factories.PASSWORD, colleague) == 302


def test_successful_logins_do_not_count(proxied: ServerProcess, app_ctx) -> None:
    ada = factories.facilitator()
    here = address()
    assert [login(proxied, ada.email, factories.PASSWORD, here) for _ in range(12)] == [302] * 12
