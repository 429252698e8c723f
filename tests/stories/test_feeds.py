"""Atom feeds: the whole site's newest stories and each collection's, published stories only."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient

from core.unit_of_work import committed
from stories.reading import publishing
from tests import factories
from tests.stories import samples

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def parse(client: FlaskClient, url: str) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ElementTree.fromstring(response.get_data())  # noqa: S314 - our own server's output


@pytest.fixture
def workshop(app_ctx: Any) -> Any:
    workshop = samples.build_collection()
    maison, jardin, car = (factories.story_of(g) for g in workshop.groups)
    with committed():
        samples.publish(maison, samples.MAISON)
    with committed():
        samples.publish(jardin, samples.JARDIN)
    with committed():
        publishing.save(car, publishing.Draft(title="Pas encore public"))
    return workshop


def test_collection_feed(client: FlaskClient, workshop: Any) -> None:
    feed = parse(client, f"/stories/c/{workshop.id}/feed.atom")
    assert feed.findtext("a:title", namespaces=ATOM) == "La santé en 2040"
    assert feed.findtext("a:subtitle", namespaces=ATOM) == samples.QUESTION
    assert feed.findtext("a:id", namespaces=ATOM) == f"http://localhost/stories/c/{workshop.id}/feed.atom"
    assert feed.find("a:link[@rel='self']", ATOM) is not None
    assert feed.findtext("a:updated", namespaces=ATOM)
    entries = feed.findall("a:entry", ATOM)
    assert {e.findtext("a:title", namespaces=ATOM) for e in entries} == {
        "La Maison des communs",
        "L’ordonnance verte",
    }
    maison = next(e for e in entries if e.findtext("a:title", namespaces=ATOM) == "La Maison des communs")
    assert [a.findtext("a:name", namespaces=ATOM) for a in maison.findall("a:author", ATOM)] == [
        "Awa Diop",
        "Julien Marchand",
        "Inès Benali",
    ]
    assert "<h2>Ce qui a changé</h2>" in maison.findtext("a:content", namespaces=ATOM)
    assert maison.find("a:content", ATOM).get("type") == "html"
    assert maison.findtext("a:published", namespaces=ATOM)
    assert {c.get("term") for c in maison.findall("a:category", ATOM)} == {
        "lien-social",
        "prevention",
        "quartier",
    }
    assert maison.find("a:link", ATOM).get("href").startswith("http://localhost/stories/")


def test_site_feed_has_the_newest_stories_of_every_collection(client: FlaskClient, workshop: Any) -> None:
    other = samples.build_collection(title="Vieillir chez soi", samples=[samples.CAR])
    with committed():
        publishing.publish(factories.story_of(other.groups[0]))

    feed = parse(client, "/stories/feed.atom")

    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles[0] == "Le car de santé du plateau"  # the newest first
    assert set(titles) == {"Le car de santé du plateau", "La Maison des communs", "L’ordonnance verte"}
    assert "Pas encore public" not in titles


def test_empty_site_feed_is_still_valid(client: FlaskClient, app_ctx: Any) -> None:
    feed = parse(client, "/stories/feed.atom")
    assert feed.findall("a:entry", ATOM) == []


def test_anonymous_entries_name_no_author(client: FlaskClient, app_ctx: Any) -> None:
    workshop = samples.build_collection(samples=[samples.CAR])
    story = factories.story_of(workshop.groups[0])
    draft = publishing.draft_of(story)
    draft.anonymous = True
    with committed():
        publishing.publish(story, draft)

    feed = parse(client, f"/stories/c/{workshop.id}/feed.atom")

    assert feed.find("a:entry/a:author", ATOM) is None
    assert feed.findtext("a:author/a:name", namespaces=ATOM) == "Plume"  # the feed's own author
    assert b"Nadia" not in client.get(f"/stories/c/{workshop.id}/feed.atom").get_data()
