"""One version, pyproject.toml's, in `/healthz` and in every page's footer."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent


def declared_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def test_healthz_says_which_release_runs(client: FlaskClient) -> None:
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "version": declared_version()}


def test_the_footer_shows_the_version_in_the_readers_language(client: FlaskClient) -> None:
    version = declared_version()
    assert f"Version {version}" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert f"Version {version}" in french
    assert "imaginer" in french.lower() or 'lang="fr"' in french  # the French catalogue served this page


def test_the_licence_pyproject_declares_is_there() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert "GNU AFFERO GENERAL PUBLIC LICENSE" in licence
    assert "Version 3, 19 November 2007" in licence
    assert len(licence.splitlines()) == 661  # the FSF's text, whole
