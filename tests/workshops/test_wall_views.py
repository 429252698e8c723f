"""The wall view and the reading mode: who may open them, and what they show."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from core.unit_of_work import committed
from stories.reading import publishing
from tests import factories
from tests.signin import sign_in

HUGE = 2**64


def test_the_wall_view_is_for_the_workshops_facilitators(csrf_client: FlaskClient, app_ctx) -> None:
    owner, stranger = factories.facilitator(), factories.facilitator()
    workshop = factories.workshop(owner, language="en", broadcast="Back at 11:00")
    path = f"/workshops/{workshop.id}/wall"
    assert csrf_client.get(path).status_code == 302  # sign in first
    sign_in(csrf_client, stranger)
    assert csrf_client.get(path).status_code == 404
    assert csrf_client.get(f"/workshops/{HUGE}/wall").status_code == 404
    csrf_client.post("/logout")
    sign_in(csrf_client, owner)
    page = csrf_client.get(path).get_data(as_text=True)
    assert 'class="wall__title" data-phase-title>Write</h1>' in page
    assert "Back at 11:00" in page
    assert workshop.join_code[:3] in page
    assert "dist/wall.js" in page


@pytest.mark.parametrize("route", ["/workshops/{id}/read-aloud"])
def test_the_drafts_reading_mode_is_for_the_facilitators(
    csrf_client: FlaskClient, app_ctx, route: str
) -> None:
    owner, stranger = factories.facilitator(), factories.facilitator()
    workshop = factories.workshop(owner, groups=3, language="en")
    factories.story_text(
        factories.story_of(workshop.groups[0]), "# The night shift\n\nNurses <script>x</script>"
    )
    factories.story_text(factories.story_of(workshop.groups[2]), "Bikes everywhere.")
    path = route.format(id=workshop.id)
    assert csrf_client.get(path).status_code == 302
    sign_in(csrf_client, stranger)
    assert csrf_client.get(path).status_code == 404
    assert csrf_client.get(route.format(id=HUGE)).status_code == 404
    csrf_client.post("/logout")
    sign_in(csrf_client, owner)
    page = csrf_client.get(path).get_data(as_text=True)
    assert page.count("data-slide") == 2  # the blank draft of group 2 is left out
    assert ">The night shift</h1>" in page  # the story's own first heading is its title
    assert "<script>x" not in page
    assert "Story 1 of 2" in page


def test_the_published_reading_mode_is_public_and_shows_only_published_stories(
    client: FlaskClient, app_ctx
) -> None:
    workshop = factories.workshop(groups=2, language="en")
    first = factories.story_of(workshop.groups[0])
    factories.story_text(first, "# Harbour\n\nThe tide came in.")
    factories.story_text(factories.story_of(workshop.groups[1]), "Not published.")
    with committed():
        publishing.publish(first)
    page = client.get(f"/stories/c/{workshop.id}/read-aloud").get_data(as_text=True)
    assert "The tide came in." in page
    assert "Not published." not in page
    assert client.get(f"/stories/c/{HUGE}/read-aloud").status_code == 404
    other = factories.workshop()
    assert client.get(f"/stories/c/{other.id}/read-aloud").status_code == 404
