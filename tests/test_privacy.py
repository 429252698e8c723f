"""The privacy page: Plume's default text in English and French with this instance's figures, the
administrator's replacement per language (through the one sanitising renderer), every cookie Plume sets with
its purpose and lifetime, the link from every page's footer, and the join page's line of consent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient


def page(client: FlaskClient, lang: str = "en") -> str:
    response = client.get("/privacy", headers={"Accept-Language": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_default_page_says_what_is_kept_why_how_long_and_who_to_ask(
    client: FlaskClient, change_settings: Any
) -> None:
    change_settings(privacy_contact="dpo@mutuelle.example", token_ttl_days=45, retention_days=90)
    html = page(client)
    for said in (
        "Privacy: what Plume keeps about you",
        "<strong>Facilitators&rsquo; accounts</strong>",
        "<strong>Participants</strong>",
        "<strong>The stories</strong>",
        "<strong>Chat messages and comments</strong>",
        "<strong>Readers&rsquo; reactions</strong>",
        "<strong>Logs</strong>",
        "stops working 45 days after their workshop ended",
        "90 days after that end",  # retention (PLUME_RETENTION_DAYS)
        "erase a participant at once on request",
        "a sign-in lasts 14 days at most",
        "Write to dpo@mutuelle.example.",
        "<h2>Who to ask</h2>",
    ):
        assert said in html, said
    assert "has not given a contact" not in html


def test_without_a_contact_the_page_says_whom_to_ask_instead(client: FlaskClient) -> None:
    html = page(client)
    assert "has not given a contact yet: ask the facilitator of your workshop" in html


def test_the_page_is_in_french(client: FlaskClient, change_settings: Any) -> None:
    change_settings(privacy_contact="dpo@mutuelle.example")
    html = page(client, "fr")
    assert '<html lang="fr">' in html
    for said in (
        "Confidentialité\u00a0: ce que Plume garde de vous",
        "<h2>Ce qui est gardé, et pourquoi</h2>",
        "<h2>Combien de temps</h2>",
        "<h2>Vos droits</h2>",
        "<h2>À qui s’adresser</h2>",
        "Écrivez à dpo@mutuelle.example.",
        "30 jours",
        "13 mois",
    ):
        assert said in html, said
    assert "What is kept" not in html


def test_every_cookie_is_listed_with_its_purpose_and_lifetime(client: FlaskClient) -> None:
    html = page(client)
    stored = html[html.index("data-stored") :]
    for name in ("<code>session</code>", "<code>plume_reader</code>", "<code>plume-story-…</code>",
                 "<code>plume:chime-muted</code>"):  # fmt: skip
        assert name in stored, name
    assert "14 days after their last visit" in stored
    assert "13 months after your last reaction." in stored


def test_the_administrator_replaces_the_text_per_language(
    client: FlaskClient, change_settings: Any, tmp_path: Path
) -> None:
    (tmp_path / "fr.md").write_text(
        "# Notre charte\n\nLa **Mutuelle** garde vos données en France. <script>alert(1)</script>\n\n"
        "[Nous écrire](javascript:alert(2))",
        encoding="utf-8",
    )
    change_settings(privacy_text_dir=str(tmp_path))
    french = page(client, "fr")
    assert "<h1>Notre charte</h1>" in french
    assert "La <strong>Mutuelle</strong> garde vos données en France." in french
    assert "<script>alert(1)" not in french
    assert "&lt;script&gt;" in french
    assert "javascript:" not in french
    assert "Ce qui est gardé, et pourquoi" not in french
    assert "<code>plume_reader</code>" in french  # the cookies stay listed, whatever the text says
    english = page(client, "en")  # no en.md: Plume's own text
    assert "What is kept, and why" in english
    assert "Notre charte" not in english


@pytest.mark.parametrize("path", ["/", "/join", "/stories", "/no-such-page", "/privacy"])
def test_every_page_footer_links_to_the_privacy_page(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    assert re.search(r'<a href="/privacy" data-privacy-link>Privacy</a>', footer)


@pytest.mark.parametrize(
    ("lang", "line", "link"),
    [
        ("en", "By joining, you agree that Plume keeps your name and what you write", "the privacy page"),
        (
            "fr",
            "En rejoignant l’atelier, vous acceptez que Plume garde votre nom",
            "la page de confidentialité",
        ),
    ],
)
def test_the_join_page_asks_for_consent_with_the_link(
    client: FlaskClient, lang: str, line: str, link: str
) -> None:
    html = client.get("/join", headers={"Accept-Language": lang}).get_data(as_text=True)
    consent = html[html.index("data-consent") : html.index("</p>", html.index("data-consent"))]
    assert line in consent
    assert f'<a href="/privacy">{link}</a>' in consent
    assert html.index("data-consent") < html.index("join-card__submit")
