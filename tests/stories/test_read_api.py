"""The read API (README, "Running a workshop"): published stories only, JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from core.unit_of_work import committed
from stories.reading import publishing
from tests import factories
from tests.stories import samples


@pytest.fixture
def workshop(app_ctx: Any) -> Any:
    workshop = samples.build_collection()
    maison, jardin, _car = (factories.story_of(g) for g in workshop.groups)
    with committed():
        samples.publish(maison, samples.MAISON)
    with committed():
        samples.publish(jardin, samples.JARDIN)
    return workshop


def test_one_story(client: FlaskClient, workshop: Any) -> None:
    story = factories.story_of(workshop.groups[0])
    response = client.get(f"/api/v1/stories/{story.id}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == story.id
    assert data["title"] == "La Maison des communs"
    assert data["authors"] == ["Awa Diop", "Julien Marchand", "Inès Benali"]
    assert data["anonymous"] is False
    assert data["markdown"].startswith("Le mardi, à Nantes")
    assert "<h2>Ce qui a changé</h2>" in data["html"]
    assert data["published_at"].endswith("+00:00")
    assert data["themes"] == [
        {"slug": "lien-social", "label": "Lien social"},
        {"slug": "prevention", "label": "Prévention"},
        {"slug": "quartier", "label": "Quartier"},
    ]
    assert data["workshop"] == {"id": workshop.id, "title": "La santé en 2040", "question": samples.QUESTION}
    assert data["language"] == "fr"
    assert data["url"] == f"http://localhost/stories/{story.id}"


def test_the_stories_of_a_workshop_in_group_order(client: FlaskClient, workshop: Any) -> None:
    data = client.get(f"/api/v1/stories?workshop={workshop.id}").get_json()
    assert [s["title"] for s in data["stories"]] == ["La Maison des communs", "L’ordonnance verte"]
    assert data["next"] is None


def test_all_stories_newest_first_with_pages(client: FlaskClient, workshop: Any) -> None:
    first = client.get("/api/v1/stories?limit=1").get_json()
    assert [s["title"] for s in first["stories"]] == ["L’ordonnance verte"]
    assert first["next"] == "http://localhost/api/v1/stories?page=2&limit=1"
    second = client.get(first["next"]).get_json()
    assert [s["title"] for s in second["stories"]] == ["La Maison des communs"]
    assert second["next"] is None
    assert len(client.get("/api/v1/stories?limit=1000").get_json()["stories"]) == 2  # capped, not refused


def test_anonymous_stories_have_no_authors(client: FlaskClient, workshop: Any) -> None:
    story = factories.story_of(workshop.groups[1])
    draft = publishing.draft_of(story)
    draft.anonymous = True
    with committed():
        publishing.publish(story, draft)
    data = client.get(f"/api/v1/stories/{story.id}").get_json()
    assert data["authors"] == []
    assert data["anonymous"] is True


def test_unpublished_and_missing_stories_are_404_json(client: FlaskClient, workshop: Any) -> None:
    car = factories.story_of(workshop.groups[2])
    for url in (f"/api/v1/stories/{car.id}", "/api/v1/stories/999999", "/api/v1/stories?workshop=999999"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    listed = client.get("/api/v1/stories").get_json()["stories"]
    assert car.id not in [s["id"] for s in listed]


@pytest.mark.parametrize(
    "query", ["workshop=abc", "workshop=-1", "workshop=0", "page=0", "page=1e3", "workshop=١", "limit=0"]
)
def test_bad_arguments_are_400_json(client: FlaskClient, workshop: Any, query: str) -> None:
    response = client.get(f"/api/v1/stories?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
