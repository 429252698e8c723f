"""Access follows the workshop on every worker: with two workers sharing a Redis message queue, removing a
participant or signing out closes their sockets wherever they are, and the rate limits are shared.

A private redis-server on a free port (pub/sub channels are global to a Redis server, so a shared one would
mix these emits with other test runs'), SQLite for the rows, gunicorn with two workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import requests

from tests import factories
from tests.http import cookie_header, csrf_of
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SOCKETS = 8  # enough that both workers hold some


@pytest.fixture(scope="module")
def two_workers(app, database: str, redis_url: str) -> Iterator[ServerProcess]:
    server = ServerProcess(
        database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "2", "PLUME_SOCKETS_PER_PARTICIPANT": "50"}
    )
    server.env.pop("PLUME_LOGIN_RATE", None)  # the default limits
    server.start()
    yield server
    server.stop()


def all_closed(clients: list[Client], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(c.sio.connected for c in clients):
            return True
        time.sleep(0.05)
    return False


def test_a_removed_participant_is_disconnected_on_every_worker(two_workers: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    victim, token = factories.participant(workshop.groups[0])
    session, _ = signed_in(two_workers, owner.email)
    with ExitStack() as stack:
        sockets = [Client(two_workers.url, auth={"token": token}) for _ in range(SOCKETS)]
        for client in sockets:
            stack.callback(client.close)
        time.sleep(0.3)  # every worker has added its sockets to the shared presence
        console = Client(
            two_workers.url,
            auth={"role": "facilitator", "workshop_id": workshop.id},
            headers={"Cookie": cookie_header(session)},
        )
        stack.callback(console.close)
        ack = console.call("facilitator:command", {"action": "remove", "participant_id": victim.id})
        assert ack == {"ok": True}
        assert all_closed(sockets)


def test_signing_out_disconnects_the_sessions_sockets_on_every_worker(
    two_workers: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    session, _ = signed_in(two_workers, owner.email)
    cookie = cookie_header(session)
    with ExitStack() as stack:
        sockets = [
            Client(
                two_workers.url,
                auth={"role": "facilitator", "workshop_id": workshop.id},
                headers={"Cookie": cookie},
            )
            for _ in range(SOCKETS)
        ]
        for client in sockets:
            stack.callback(client.close)
        token = csrf_of(session.get(f"{two_workers.url}/workshops", timeout=15).text)
        response = session.post(
            f"{two_workers.url}/logout", data={"csrf_token": token}, timeout=15, allow_redirects=False
        )
        assert response.status_code == 302
        assert all_closed(sockets)


def test_wrong_passwords_count_on_every_worker(two_workers: ServerProcess, app_ctx) -> None:
    ada = factories.facilitator()

    def attempt(password: str) -> int:
        browser = requests.Session()  # a new connection each time: either worker
        token = csrf_of(browser.get(f"{two_workers.url}/login", timeout=15).text)
        return browser.post(
            f"{two_workers.url}/login",
            data={"csrf_token": token, "email": ada.email, "password": password},
            timeout=15,
            allow_redirects=False,
        ).status_code

    statuses = [attempt("wrong password") for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def test_deleting_a_workshop_disconnects_its_participants_on_every_worker(
    two_workers: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    tokens = [factories.participant(group)[1] for group in workshop.groups]
    session, _ = signed_in(two_workers, owner.email)
    with ExitStack() as stack:
        sockets = [Client(two_workers.url, auth={"token": tokens[n % 2]}) for n in range(SOCKETS)]
        for client in sockets:
            stack.callback(client.close)
        time.sleep(0.3)  # every worker has added its sockets to the shared presence
        page = session.get(f"{two_workers.url}/workshops/{workshop.id}/delete", timeout=15)
        response = session.post(
            f"{two_workers.url}/workshops/{workshop.id}/delete",
            data={"csrf_token": csrf_of(page.text)},
            allow_redirects=False,
            timeout=15,
        )
        assert response.status_code == 303
        assert all_closed(sockets)
    # Told at once by the delete itself (the access watcher would only revoke them, a moment later).
    assert all(client.events("participant:removed") for client in sockets)
