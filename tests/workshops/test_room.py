"""Joining from the room: loopback links are spotted, `make run` says which addresses phones can use."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.overrides import changed_settings
from tests.signin import sign_in
from workshops import room


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:5000/join/ABC", True),
        ("http://127.8.9.10/join", True),
        ("http://localhost:5000/", True),
        ("http://plume.localhost/", True),
        ("http://[::1]:5000/", True),
        ("http://192.168.1.20:5000/join/ABC", False),
        ("https://plume.example.org/join", False),
        ("http://10.0.0.5/", False),
    ],
)
def test_is_loopback(url: str, loopback: bool) -> None:
    assert room.is_loopback(url) is loopback


def test_lan_addresses_are_never_loopback() -> None:
    assert all(not room.is_loopback(f"http://{a}/") for a in room.lan_addresses())


def test_make_run_says_how_to_serve_on_the_local_network() -> None:
    local = room.advice("127.0.0.1", 5000)
    assert "Only this computer can open it" in local
    assert "make run HOST=0.0.0.0 PLUME_PUBLIC_URL=http://" in local
    everywhere = room.advice(room.ANY_ADDRESS, 8000)
    if room.lan_addresses():
        assert "Phones on the same network can use:" in everywhere
        assert f"http://{room.lan_addresses()[0]}:8000" in everywhere


def test_the_share_screen_warns_about_a_loopback_link(csrf_client: FlaskClient, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    sign_in(csrf_client, owner)
    page = csrf_client.get(f"/workshops/{workshop.id}/share", base_url="http://127.0.0.1:5000").get_data(
        as_text=True
    )
    assert "Phones in the room cannot open this link" in page
    assert "make run HOST=0.0.0.0 PLUME_PUBLIC_URL=http://" in page


def test_the_share_screen_is_quiet_with_a_public_url(app: Flask, csrf_client: FlaskClient, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    sign_in(csrf_client, owner)
    with changed_settings(app, public_url="http://192.168.1.20:5000"):
        page = csrf_client.get(f"/workshops/{workshop.id}/share").get_data(as_text=True)
    assert "Phones in the room cannot open this link" not in page
    assert "http://192.168.1.20:5000/join/" in page
