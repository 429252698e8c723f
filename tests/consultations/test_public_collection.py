"""The public collection `/c/<slug>` over HTTP: the question and description (sanitised), the published
stories of the consultation's workshops and nothing else, its themes, search within it, its figures, its
Atom feed; bad slugs are 404s."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from consultations import operations as ops
from consultations.models import Consultation
from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from stories.reading import publishing
from tests import factories
from tests.consultations import collection_world
from tests.stories import samples

pytestmark = pytest.mark.usefixtures("app_ctx")

ATOM = {"a": "http://www.w3.org/2005/Atom"}
DESCRIPTION = """Une consultation **régionale** sur le soin.

<script>alert(1)</script> [lien piégé](javascript:alert(2))"""


@pytest.fixture
def consultation() -> Consultation:
    """Two workshops in the consultation (three stories published, one draft) and one outside it."""
    owner = factories.facilitator()
    with committed():
        made = ops.create_consultation(
            owner,
            ops.Details(
                title="Santé 2040",
                question=samples.QUESTION,
                description=DESCRIPTION,
                language="fr",
                slug="sante-2040",
                themes=["soin", "logement"],
            ),
        )
    collection_world.populate(made.id)
    return made


def page_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_collection_shows_the_published_stories_of_its_workshops_only(
    client: FlaskClient, consultation: Consultation
) -> None:
    page = page_of(client, "/c/sante-2040")
    assert "Santé 2040" in page
    assert "comment prenons-nous soin les uns des autres" in page
    for title in ("La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau"):
        assert title in page
    assert "La colocation des Glycines" not in page  # not published
    assert "Brouillon secret" not in page
    assert "Le banc qui écoute" not in page  # published, but outside the consultation


def test_the_description_goes_through_the_sanitiser(client: FlaskClient, consultation: Consultation) -> None:
    page = page_of(client, "/c/sante-2040")
    assert "<strong>régionale</strong>" in page
    assert "<script>alert(1)" not in page
    assert "javascript:alert(2)" not in page


def test_its_figures(client: FlaskClient, consultation: Consultation) -> None:
    page = " ".join(page_of(client, "/c/sante-2040").split())
    joined = sum(len(s.authors) for s in (samples.MAISON, samples.JARDIN, samples.CAR, samples.GLYCINES))
    assert "<dt>Workshops</dt><dd>2</dd>" in page.replace("> <", "><")
    assert f"<dt>Participants</dt><dd>{joined}</dd>" in page.replace("> <", "><")
    assert "<dt>Stories published</dt><dd>3</dd>" in page.replace("> <", "><")


def test_its_themes_and_a_theme_filter(client: FlaskClient, consultation: Consultation) -> None:
    page = page_of(client, "/c/sante-2040")
    assert ">soin<" in page  # the consultation's own themes
    assert "?theme=prevention" in page  # the themes of its published stories, with their counts
    assert "Santé mentale" in page
    filtered = page_of(client, "/c/sante-2040?theme=prevention")
    assert "La Maison des communs" in filtered
    assert "L’ordonnance verte" in filtered
    assert "Le car de santé du plateau" not in filtered
    assert "2 stories found" in filtered


def test_search_within_the_consultation(client: FlaskClient, consultation: Consultation) -> None:
    found = page_of(client, "/c/sante-2040?q=ordonnance")
    assert "L’ordonnance verte" in found
    assert "La Maison des communs" not in found
    assert "1 story found" in found
    # The story outside the consultation is found by the site's search, never by the consultation's.
    assert "Le banc qui écoute" in page_of(client, "/stories/search?q=banc")
    assert "No story found." in page_of(client, "/c/sante-2040?q=banc")
    assert "No story found." in page_of(client, "/c/sante-2040?q=glycines")  # a draft


def test_an_empty_consultation_has_a_page(client: FlaskClient) -> None:
    with committed():
        ops.create_consultation(
            factories.facilitator(),
            ops.Details(title="Vide", question="", description="", language="en", slug="vide"),
        )
    page = page_of(client, "/c/vide")
    assert "No story published yet." in page
    feed = ElementTree.fromstring(client.get("/c/vide/feed.atom").get_data())  # noqa: S314 - our output
    assert feed.findall("a:entry", ATOM) == []


def test_the_atom_feed(client: FlaskClient, consultation: Consultation) -> None:
    response = client.get("/c/sante-2040/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.get_data())  # noqa: S314 - our own server's output
    assert feed.findtext("a:title", namespaces=ATOM) == "Santé 2040"
    assert feed.findtext("a:id", namespaces=ATOM) == "http://localhost/c/sante-2040/feed.atom"
    titles = {e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)}
    assert titles == {"La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau"}


@pytest.mark.parametrize(
    "slug",
    ["nope", "SANTE-2040", "sante--2040", "ab", "a" * 61, "sante-2040-", "%00", "sant%C3%A9", "x" * 5000],
)
def test_bad_slugs_are_404(client: FlaskClient, consultation: Consultation, slug: str) -> None:
    assert client.get(f"/c/{slug}").status_code == 404
    assert client.get(f"/c/{slug}/feed.atom").status_code == 404


def test_unpublishing_takes_a_story_off_the_collection(
    client: FlaskClient, consultation: Consultation
) -> None:
    story = db.session.scalar(select(Story).where(Story.title == "La Maison des communs"))
    with committed():
        publishing.unpublish(story)
    assert "La Maison des communs" not in page_of(client, "/c/sante-2040")
    assert "La Maison des communs" not in client.get("/c/sante-2040/feed.atom").get_data(as_text=True)


def test_the_collection_speaks_french(client: FlaskClient, consultation: Consultation) -> None:
    page = client.get("/c/sante-2040", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Récits publiés" in page
    assert "Ses thèmes" in page
    assert "Chercher dans les récits de cette consultation" in page


def test_the_api_gives_the_consultation_and_its_published_stories(
    client: FlaskClient, consultation: Consultation
) -> None:
    body = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    assert body["title"] == "Santé 2040"
    assert body["themes"] == ["soin", "logement"]
    assert body["figures"]["workshops"] == 2
    assert body["figures"]["stories"] == 3
    assert "<strong>régionale</strong>" in body["description_html"]
    assert "<script>" not in body["description_html"]
    assert body["url"] == "http://localhost/c/sante-2040"

    listed = client.get(f"/api/v1/stories?consultation={consultation.id}").get_json()
    titles = {s["title"] for s in listed["stories"]}
    assert titles == {"La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau"}
    every = client.get("/api/v1/stories").get_json()
    assert set(listed) == set(every)  # the same shape as every story list
    assert {tuple(sorted(s)) for s in listed["stories"]} == {tuple(sorted(every["stories"][0]))}
    page = client.get(f"/api/v1/stories?consultation={consultation.id}&limit=2").get_json()
    assert len(page["stories"]) == 2
    following = client.get(page["next"]).get_json()
    assert [s["title"] for s in following["stories"]] == [
        t for t in titles if t not in {s["title"] for s in page["stories"]}
    ]
    assert following["next"] is None


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/consultations/999999", 404),
        ("/api/v1/consultations/2147483648", 404),
        ("/api/v1/consultations/abc", 404),
        ("/api/v1/stories?consultation=999999", 404),
        ("/api/v1/stories?consultation=999999999999", 404),
        ("/api/v1/stories?workshop=999999999999", 404),
        ("/api/v1/stories?consultation=abc", 400),
        ("/api/v1/stories?consultation=-1", 400),
    ],
)
def test_the_api_refuses_bad_and_unknown_ids(
    client: FlaskClient, consultation: Consultation, url: str, status: int
) -> None:
    assert client.get(url).status_code == status
