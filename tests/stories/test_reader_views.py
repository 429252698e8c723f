"""The reader's pages (gallery, collection, story, search, sitemap) and the facilitator's review page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient

from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from stories.reading import publishing
from tests import factories
from tests.signin import sign_in
from tests.stories import samples
from workshops.models import Workshop

SECRET = "licornesecrete"  # a word only the unpublished stories contain


@dataclass
class World:
    workshop: Workshop
    public: list[Story]
    hidden: Story  # a story of the same workshop, not published
    private_workshop: Workshop  # a workshop with no published story
    private_story: Story


@pytest.fixture
def world(app_ctx: Any) -> World:
    workshop = samples.build_collection(samples=[samples.MAISON, samples.JARDIN, samples.CAR])
    stories = [factories.story_of(g) for g in workshop.groups]
    for story, sample in zip(stories[:2], samples.SAMPLES, strict=False):
        with committed():
            samples.publish(story, sample)
    hidden = stories[2]
    factories.story_text(hidden, f"\n\n{SECRET}")
    with committed():
        publishing.save(hidden, publishing.Draft(title="Brouillon secret"))
    private = factories.workshop(groups=1, title="Atelier privé", question="Question privée ?")
    private_story = factories.story_of(private.groups[0])
    factories.story_text(private_story, f"Un brouillon : {SECRET}.")
    with committed():
        publishing.save(private_story, publishing.Draft(title="Brouillon privé"))
    return World(workshop, stories[:2], hidden, private, private_story)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# --- Unpublished stories are never reachable ----------------------------------------------------------

STORY_URLS = [
    "/stories/{id}",
    "/stories/{id}.md",
    "/stories/{id}.html",
    "/stories/{id}.pdf",
    "/api/v1/stories/{id}",
]
COLLECTION_URLS = [
    "/stories/c/{id}",
    "/stories/c/{id}/feed.atom",
    "/stories/c/{id}/anthology.epub",
    "/stories/c/{id}/anthology.pdf",
    "/api/v1/stories?workshop={id}",
]


@pytest.mark.parametrize("url", STORY_URLS)
def test_an_unpublished_story_is_a_404_everywhere(client: FlaskClient, world: World, url: str) -> None:
    for story in (world.hidden, world.private_story):
        response = client.get(url.format(id=story.id))
        assert response.status_code == 404, url
        assert SECRET not in text(response)
    assert client.get(url.format(id=world.public[0].id)).status_code == 200  # the same URL works when public


@pytest.mark.parametrize("url", COLLECTION_URLS)
def test_a_workshop_without_published_stories_is_a_404(client: FlaskClient, world: World, url: str) -> None:
    assert client.get(url.format(id=world.private_workshop.id)).status_code == 404
    assert client.get(url.format(id=world.workshop.id)).status_code == 200
    assert client.get(url.format(id=999_999)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/stories",
        "/stories/c/{workshop}",
        "/stories/search?q=" + SECRET,
        "/stories/search?q=brouillon",
        "/stories/feed.atom",
        "/stories/c/{workshop}/feed.atom",
        "/stories/c/{workshop}/anthology.epub",
        "/sitemap.xml",
        "/api/v1/stories",
        "/api/v1/stories?workshop={workshop}",
    ],
)
def test_unpublished_stories_are_absent_from_every_list(client: FlaskClient, world: World, url: str) -> None:
    response = client.get(url.format(workshop=world.workshop.id))
    assert response.status_code == 200
    body = response.get_data()
    if url.endswith(".epub"):  # a zip: read its documents
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as book:
            body = b"".join(book.read(name) for name in book.namelist())
    if "search" in url:
        assert b"No story found." in body
        body = body.replace(SECRET.encode(), b"")  # the query itself is shown back
    for marker in (SECRET, "Brouillon secret", "Brouillon privé", "Atelier privé", "Question privée"):
        assert marker.encode() not in body, (url, marker)
    for story in (world.hidden, world.private_story):
        assert f'/stories/{story.id}"'.encode() not in body
        assert f"/stories/{story.id}<".encode() not in body


# --- Reader pages --------------------------------------------------------------------------------------


def test_gallery_shows_collections_latest_stories_search_and_themes(
    client: FlaskClient, world: World
) -> None:
    page = text(client.get("/stories"))
    assert "La santé en 2040" in page
    assert "En 2040, comment prenons-nous soin les uns des autres ?" in page
    assert "2 stories" in page
    assert "La Maison des communs" in page
    assert "L’ordonnance verte" in page
    assert 'role="search"' in page
    assert 'name="q"' in page
    assert "/stories/search?theme=prevention" in page  # the themes, as filters


def test_empty_gallery_says_so(client: FlaskClient, app_ctx: Any) -> None:
    response = client.get("/stories")
    assert response.status_code == 200
    assert "No story is published yet." in text(response)


def test_collection_lists_its_published_stories_in_group_order_and_filters_by_theme(
    client: FlaskClient, world: World
) -> None:
    page = text(client.get(f"/stories/c/{world.workshop.id}"))
    assert page.index("La Maison des communs") < page.index("L’ordonnance verte")
    assert "anthology.epub" in page
    assert "anthology.pdf" in page
    assert "feed.atom" in page

    filtered = text(client.get(f"/stories/c/{world.workshop.id}?theme=nature"))
    assert "L’ordonnance verte" in filtered
    assert "La Maison des communs" not in filtered
    assert 'aria-current="page"' in filtered


def test_story_page_has_the_story_its_metadata_and_neighbours(client: FlaskClient, world: World) -> None:
    first, second = world.public
    page = text(client.get(f"/stories/{first.id}"))
    assert "<h2>Ce qui a changé</h2>" in page  # the published HTML
    assert 'lang="fr"' in page
    assert "By Awa Diop, Julien Marchand and Inès Benali" in page
    assert '<meta property="og:title" content="La Maison des communs">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert re.search(r'<link rel="canonical" href="http://localhost/stories/\d+">', page)
    assert 'media="print"' in page  # the print stylesheet
    assert f'href="/stories/{second.id}" rel="next"' in page
    assert 'rel="prev"' not in page

    last = text(client.get(f"/stories/{second.id}"))
    assert f'href="/stories/{first.id}" rel="prev"' in last
    assert 'rel="next"' not in last


def test_theme_cards_spell_a_theme_as_the_cloud_does(client: FlaskClient, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=3)
    for group, spelling in zip(workshop.groups, ["sante", "Santé", "santé"], strict=True):
        story = factories.story_of(group)
        factories.story_text(story, "Texte.")
        with committed():
            publishing.publish(story, publishing.Draft(title=f"Récit {spelling}", themes=[spelling]))

    for url in (f"/stories/c/{workshop.id}", "/stories", "/stories/search?theme=sante"):
        page = text(client.get(url))
        chips = re.findall(r'<span class="chip chip--quiet">([^<]*)</span>', page)
        assert chips, url
        assert set(chips) == {"santé"}, url  # every card: the accented, lower-case spelling
    cloud = text(client.get(f"/stories/c/{workshop.id}"))
    assert re.search(r'theme=sante"[^>]*>santé <span class="chip__count">3</span>', cloud)


def test_story_title_and_summary_are_escaped(client: FlaskClient, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "Texte.")
    hostile = '"><script>window.__xss=1</script><img src=x onerror=alert(1)>'
    with committed():
        publishing.publish(story, publishing.Draft(title=hostile, summary=hostile, themes=[hostile[:40]]))

    for url in (f"/stories/{story.id}", f"/stories/c/{workshop.id}", "/stories", "/stories/search?q=script"):
        page = text(client.get(url))
        assert "<script>window.__xss" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page, url


def test_search_page(client: FlaskClient, world: World) -> None:
    page = text(client.get("/stories/search?q=sante"))
    assert "2 stories found" in page
    assert "La Maison des communs" in page

    assert "No story found." in text(client.get("/stories/search?q=zzzz"))
    themed = text(client.get("/stories/search?theme=ruralite"))
    assert "No story found." in themed  # the only rural story is not published
    assert client.get("/stories/search?q=" + "x" * 5000).status_code == 200
    assert "story found" not in text(client.get("/stories/search"))  # no query: the form only


@pytest.mark.parametrize("theme", ["%00", "Pr%C3%A9vention", "%25", "'--", "x" * 300])
def test_odd_theme_filters_are_harmless(client: FlaskClient, world: World, theme: str) -> None:
    for url in (f"/stories/search?theme={theme}", f"/stories/c/{world.workshop.id}?theme={theme}"):
        assert client.get(url).status_code == 200, url
    if theme.startswith("Pr"):  # a label instead of its slug still filters
        assert "La Maison des communs" in text(client.get(f"/stories/search?theme={theme}"))


def test_sitemap_lists_public_pages(client: FlaskClient, world: World) -> None:
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())  # noqa: S314 - our own server's output
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert "http://localhost/stories" in locs
    assert f"http://localhost/stories/c/{world.workshop.id}" in locs
    assert {f"http://localhost/stories/{s.id}" for s in world.public} <= set(locs)
    assert len(locs) == 4


# --- The review page ------------------------------------------------------------------------------------


@pytest.fixture
def owner(app_ctx: Any) -> Any:
    return factories.facilitator("owner@example.org")


def review_url(workshop: Workshop) -> str:
    return f"/workshops/{workshop.id}/publish"


def test_only_the_workshops_facilitators_see_the_review_page(csrf_client: FlaskClient, owner: Any) -> None:
    workshop = samples.build_collection(owner=owner)
    factories.facilitator("other@example.org")

    assert csrf_client.get(review_url(workshop)).status_code in (302, 303)  # to the login page
    sign_in(csrf_client, "other@example.org")
    assert csrf_client.get(review_url(workshop)).status_code == 404
    assert csrf_client.post(review_url(workshop), data={"action": "publish_all"}).status_code == 404
    assert factories.story_of(workshop.groups[0]).published_at is None

    csrf_client.post("/logout")
    sign_in(csrf_client, "owner@example.org")
    page = text(csrf_client.get(review_url(workshop)))
    assert "Review and publish" in page
    assert "<h2>Ce qui a changé</h2>" in page  # the preview, rendered as readers will see it
    assert 'value="La Maison des communs"' in page
    assert 'value="Awa Diop, Julien Marchand, Inès Benali"' in page


def test_publish_update_and_unpublish_from_the_review_page(csrf_client: FlaskClient, owner: Any) -> None:
    workshop = samples.build_collection(owner=owner, samples=[samples.JARDIN])
    story = factories.story_of(workshop.groups[0])
    sign_in(csrf_client, "owner@example.org")
    prefix = f"story-{story.id}-"
    form = {
        "story": story.id,
        f"{prefix}title": "L'ordonnance verte",
        f"{prefix}summary": "",
        f"{prefix}themes": "Nature, Santé mentale",
        f"{prefix}credits": "Théo Lefèvre, Camille Roux",
    }

    response = csrf_client.post(review_url(workshop), data={**form, "action": "publish"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#story-{story.id}")
    db.session.expire_all()
    story = db.session.get(Story, story.id)
    assert story.published_at is not None
    assert [t.slug for t in story.themes] == ["nature", "sante-mentale"]
    assert csrf_client.get(f"/stories/{story.id}").status_code == 200

    page = text(csrf_client.get(review_url(workshop)))
    assert "Update the public story" in page
    assert "Unpublish" in page

    csrf_client.post(review_url(workshop), data={**form, f"{prefix}anonymous": "y", "action": "publish"})
    assert "Anonymous authors" in text(csrf_client.get(f"/stories/{story.id}"))

    csrf_client.post(review_url(workshop), data={"story": story.id, "action": "unpublish"})
    assert csrf_client.get(f"/stories/{story.id}").status_code == 404


def test_a_bad_field_is_shown_next_to_it_and_nothing_is_written(csrf_client: FlaskClient, owner: Any) -> None:
    workshop = samples.build_collection(owner=owner, samples=[samples.JARDIN])
    story = factories.story_of(workshop.groups[0])
    sign_in(csrf_client, "owner@example.org")
    prefix = f"story-{story.id}-"

    response = csrf_client.post(
        review_url(workshop),
        data={"story": story.id, "action": "publish", f"{prefix}title": "", f"{prefix}themes": "!!!"},
    )

    assert response.status_code == 422
    page = text(response)
    assert "This field is required." in page
    assert "A theme needs letters or digits" in page
    assert f'id="{prefix}title-error"' in page
    assert 'aria-invalid="true"' in page
    db.session.expire_all()
    assert db.session.get(Story, story.id).published_at is None


@pytest.mark.parametrize(
    "data",
    [{"action": "explode", "story": "1"}, {"action": "publish", "story": "abc"}, {"action": "publish"}],
)
def test_malformed_review_posts_are_400(csrf_client: FlaskClient, owner: Any, data: dict[str, str]) -> None:
    workshop = samples.build_collection(owner=owner, samples=[samples.JARDIN])
    sign_in(csrf_client, "owner@example.org")
    assert csrf_client.post(review_url(workshop), data=data).status_code == 400


def test_a_story_of_another_workshop_cannot_be_published_from_this_page(
    csrf_client: FlaskClient, owner: Any
) -> None:
    mine = samples.build_collection(owner=owner, samples=[samples.JARDIN])
    theirs = samples.build_collection(samples=[samples.CAR])
    story = factories.story_of(theirs.groups[0])
    sign_in(csrf_client, "owner@example.org")

    response = csrf_client.post(review_url(mine), data={"story": story.id, "action": "unpublish"})

    assert response.status_code == 400


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_publish_all_needs_the_csrf_token(client: FlaskClient, owner: Any) -> None:
    workshop = samples.build_collection(owner=owner, samples=[samples.MAISON, samples.CAR])
    sign_in(client, "owner@example.org")

    assert client.post(review_url(workshop), data={"action": "publish_all"}).status_code == 400
    assert factories.story_of(workshop.groups[0]).published_at is None

    token = csrf_token(text(client.get(review_url(workshop))))
    response = client.post(
        review_url(workshop), data={"action": "publish_all", "csrf_token": token}, follow_redirects=True
    )
    assert "2 stories are published." in text(response)
    assert client.get(f"/stories/c/{workshop.id}").status_code == 200
