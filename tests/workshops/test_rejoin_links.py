"""Rejoin links (issue 28, item 10): the console hands a participant a link back in as themselves, which
works once, for a while, for them only; nobody else may ask for one. Through the Flask test client."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
import socketio
from flask import g
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from core.identity import SESSION_KEY
from extensions import db
from ids import MAX_ID
from tests import factories
from tests.http import cookie_header, csrf_of
from tests.server import ServerProcess
from tests.signin import as_participant, sign_in
from tests.sockets import Client
from tests.workshops.test_removal import until
from workshops import joining, rejoin_links
from workshops.models import Participant
from workshops.people import participant_by_token


def ask(client: FlaskClient, workshop_id: int, participant_id: int) -> tuple[int, dict]:
    """POST the console's request for a rejoin link (with the page's CSRF token): status and body."""
    g.pop("csrf_token", None)
    token = csrf_of(client.get(f"/workshops/{workshop_id}/console").get_data(as_text=True))
    response = client.post(
        f"/workshops/{workshop_id}/participants/{participant_id}/rejoin-link", headers={"X-CSRFToken": token}
    )
    return response.status_code, (response.get_json(silent=True) or {})


def use(client: FlaskClient, url: str) -> tuple[int, str]:
    """Open a rejoin link on a device, then continue: the answer's status and where it leads."""
    path = urlsplit(url).path
    g.pop("csrf_token", None)  # Flask-WTF keeps the last token in `g`, which the test's app context shares
    page = client.get(path)
    if page.status_code != 200:
        return page.status_code, ""
    response = client.post(path, data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    return response.status_code, response.headers.get("Location", "")


def test_a_rejoin_link_logs_the_participant_in_on_another_device_once(app, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    ada, old_token = factories.participant(workshop.groups[1], "Ada")
    status, body = ask(sign_in(app.test_client(), owner), workshop.id, ada.id)
    assert status == 200
    assert body["name"] == "Ada"
    assert body["minutes"] == 10
    assert body["qr_svg"].startswith("<svg")
    assert "Ada" in body["qr_svg"]

    tablet = app.test_client()
    page = tablet.get(urlsplit(body["url"]).path)
    assert page.status_code == 200
    assert "Continue as Ada" in page.get_data(as_text=True)
    assert participant_by_token(old_token) is not None  # opening it changes nothing
    assert use(tablet, body["url"]) == (302, f"/w/{workshop.id}")
    with tablet.session_transaction() as session:
        new_token = session[SESSION_KEY]
    assert participant_by_token(new_token).id == ada.id  # the same participant, in the same group
    assert tablet.get(f"/w/{workshop.id}").status_code == 200
    db.session.expire_all()
    assert participant_by_token(old_token) is None  # the dead phone's token is ended
    # Once used, the link lets nobody else in.
    assert use(app.test_client(), body["url"])[0] == 410


def signed_before(secret: str, seconds: int) -> URLSafeTimedSerializer:
    """A serializer whose links were signed `seconds` back (itsdangerous dates them by its signer's clock)."""

    class Before(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    return URLSafeTimedSerializer(secret, salt=rejoin_links.SALT, signer=Before)


def test_a_rejoin_link_expires(app, app_ctx, change_settings) -> None:
    workshop = factories.workshop()
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    change_settings(rejoin_link_seconds=60)
    data = {"p": ada.id, "k": ada.token_hash[: rejoin_links.FINGERPRINT]}
    assert rejoin_links.holder(signed_before(app.secret_key, 30).dumps(data)).id == ada.id
    with pytest.raises(joining.JoinError) as refused:
        rejoin_links.holder(signed_before(app.secret_key, 90).dumps(data))
    assert refused.value.code == "unknown_link"


@pytest.mark.parametrize(
    "link",
    ["", "x" * 400, "not-a-link", 12, None],
)
def test_what_is_not_a_link_is_refused(app_ctx, link: object) -> None:
    with pytest.raises(joining.JoinError):
        rejoin_links.redeem(link)


def test_a_link_is_for_its_participant_only_and_ends_with_them(app, app_ctx) -> None:
    workshop = factories.workshop()
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    bob, _ = factories.participant(workshop.groups[0], "Bob")
    link = rejoin_links.link_token(ada)
    payload = rejoin_links._serializer().loads(link)
    forged = rejoin_links._serializer().dumps({"p": bob.id, "k": payload["k"]})  # Ada's fingerprint, Bob
    with pytest.raises(joining.JoinError):
        rejoin_links.holder(forged)
    other_secret = URLSafeTimedSerializer("another secret", salt=rejoin_links.SALT)
    with pytest.raises(joining.JoinError):
        rejoin_links.holder(other_secret.dumps({"p": ada.id, "k": payload["k"]}))
    ada.removed_at = datetime.now(UTC)
    db.session.commit()
    with pytest.raises(joining.JoinError):
        rejoin_links.holder(link)
    assert app.test_client().get(f"/rejoin/{link}").status_code == 410


def test_only_the_workshops_facilitators_get_a_link(app, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    elsewhere = factories.workshop()
    ada, ada_token = factories.participant(workshop.groups[0], "Ada")
    stranger, _ = factories.participant(elsewhere.groups[0], "Stranger")
    path = f"/workshops/{workshop.id}/participants/{ada.id}/rejoin-link"
    # Anonymous, or a participant: to the sign-in page; another workshop's facilitator: 404.
    for visitor in (app.test_client(), as_participant(app.test_client(), ada_token)):
        g.pop("csrf_token", None)
        token = csrf_of(visitor.get("/join").get_data(as_text=True))
        refused = visitor.post(path, headers={"X-CSRFToken": token})
        assert refused.status_code == 302
        assert "/login" in refused.headers["Location"]
    other = sign_in(app.test_client(), factories.facilitator())
    g.pop("csrf_token", None)
    token = csrf_of(other.get("/workshops/new").get_data(as_text=True))
    assert other.post(path, headers={"X-CSRFToken": token}).status_code == 404
    owner_client = sign_in(app.test_client(), owner)
    # Another workshop's participant, an unknown one, a huge id, a removed one: 404.
    for participant_id in (stranger.id, 999_999, MAX_ID, MAX_ID + 1):
        assert ask(owner_client, workshop.id, participant_id)[0] == 404
    db.session.get(Participant, ada.id).removed_at = datetime.now(UTC)
    db.session.commit()
    assert ask(owner_client, workshop.id, ada.id)[0] == 404
    # Without the CSRF token: refused.
    assert owner_client.post(path).status_code == 400


@pytest.mark.slow
def test_using_a_link_closes_the_old_devices_sockets(live_server: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    ada, old_token = factories.participant(workshop.groups[0], "Ada")
    phone = Client(live_server.url, auth={"token": old_token})
    try:
        tablet = requests.Session()
        url = f"{live_server.url}/rejoin/{rejoin_links.link_token(ada)}"
        page = tablet.get(url, timeout=15)
        assert phone.sio.connected  # opening the link changes nothing
        used = tablet.post(url, data={"csrf_token": csrf_of(page.text)}, timeout=15, allow_redirects=False)
        assert used.status_code == 302
        until(lambda: not phone.sio.connected)
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(live_server.url, auth={"token": old_token})
        assert tablet.get(f"{live_server.url}/w/{workshop.id}", timeout=15).status_code == 200
        new = Client(live_server.url, headers={"Cookie": cookie_header(tablet)})
        state = new.wait_for("workshop:state")[0]
        assert state["group"]["members"][0]["name"] == "Ada"
        new.close()
    finally:
        phone.close()
