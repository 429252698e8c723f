"""Readers' reactions: once per browser and kind, no account, rate-limited, hidden by facilitators."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from stories.models import Reaction, Story
from stories.reading import reactions
from tests import factories
from tests.overrides import changed_settings
from tests.signin import sign_in
from tests.stories import samples


@pytest.fixture
def story(app_ctx: Any) -> Story:
    workshop = samples.build_collection(samples=[samples.MAISON])
    return samples.publish(factories.story_of(workshop.groups[0]), samples.MAISON)


def key(name: str) -> str:
    return reactions.browser_key(name.ljust(32, "x")) or ""


def test_a_browser_counts_once_per_kind_and_can_take_it_back(story: Story) -> None:
    assert reactions.toggle(story, "inspiring", key("a")) is True
    assert reactions.toggle(story, "live_there", key("a")) is True
    assert reactions.toggle(story, "inspiring", key("b")) is True
    assert reactions.counts([story.id])[story.id] == {"inspiring": 2, "live_there": 1}
    assert reactions.chosen(story.id, key("a")) == {"inspiring", "live_there"}

    assert reactions.toggle(story, "inspiring", key("a")) is False  # pressed again: taken back
    assert reactions.counts([story.id])[story.id] == {"inspiring": 1, "live_there": 1}
    assert reactions.chosen(story.id, key("a")) == {"live_there"}


def test_only_the_offered_kinds_on_published_stories(story: Story) -> None:
    with pytest.raises(reactions.ReactionError) as caught:
        reactions.toggle(story, "<script>", key("a"))
    assert caught.value.code == "invalid_kind"

    draft = factories.story_of(factories.workshop(groups=1).groups[0])
    with pytest.raises(reactions.ReactionError) as caught:
        reactions.toggle(draft, "inspiring", key("a"))
    assert caught.value.code == "not_found"
    assert db.session.query(Reaction).count() == 0


def test_a_hidden_reaction_stops_counting_and_cannot_be_added_again(story: Story) -> None:
    reactions.toggle(story, "made_me_think", key("troll"))
    reaction = db.session.query(Reaction).one()

    reactions.set_hidden(reaction, True)
    assert reactions.counts([story.id])[story.id] == {}
    assert reactions.toggle(story, "made_me_think", key("troll")) is True  # still stands, for that browser
    assert db.session.query(Reaction).count() == 1
    assert reactions.counts([story.id])[story.id] == {}

    reactions.set_hidden(reaction, False)
    assert reactions.counts([story.id])[story.id] == {"made_me_think": 1}


def test_browser_keys_are_keyed_hashes_of_well_formed_ids(app_ctx: Flask) -> None:
    browser = reactions.new_browser_id()
    stored = reactions.browser_key(browser)
    assert stored is not None
    assert len(stored) == 64
    assert browser not in stored
    assert stored == reactions.browser_key(browser)
    app_ctx.config["SECRET_KEY"], old = "another-secret", app_ctx.config["SECRET_KEY"]
    try:
        assert reactions.browser_key(browser) != stored  # not a plain hash: the table alone says nothing
    finally:
        app_ctx.config["SECRET_KEY"] = old
    for bad in (None, "", "short", "x" * 33, "é" * 32, "a b".ljust(32, "c"), 42):
        assert reactions.browser_key(bad) is None


# --- Over HTTP -------------------------------------------------------------------------------------------


def react(client: FlaskClient, story: Story, kind: str) -> Any:
    return client.post(f"/stories/{story.id}/reactions", data={"kind": kind})


def test_reacting_over_http_sets_a_13_month_cookie(csrf_client: FlaskClient, story: Story) -> None:
    response = react(csrf_client, story, "inspiring")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/stories/{story.id}#reactions")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{reactions.COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/stories" in cookie
    assert f"Max-Age={395 * 86400}" in cookie  # 13 months (CNIL), not 2 years
    browser = csrf_client.get_cookie(reactions.COOKIE, path="/stories").value
    assert db.session.query(Reaction).one().browser == reactions.browser_key(browser) != browser

    page = csrf_client.get(f"/stories/{story.id}").get_data(as_text=True)
    assert 'value="inspiring" class="reaction reaction--inspiring" aria-pressed="true"' in page

    react(csrf_client, story, "inspiring")  # the same browser: taken back, not counted twice
    assert db.session.query(Reaction).count() == 0


def test_another_browser_counts_separately(app: Flask, csrf_client: FlaskClient, story: Story) -> None:
    react(csrf_client, story, "live_there")
    react(app.test_client(), story, "live_there")
    assert reactions.counts([story.id])[story.id]["live_there"] == 2


def test_a_forged_cookie_gets_a_fresh_id(csrf_client: FlaskClient, story: Story) -> None:
    csrf_client.set_cookie(reactions.COOKIE, "<script>", path="/stories")
    response = react(csrf_client, story, "inspiring")
    assert response.status_code == 303
    assert "<script>" not in response.headers["Set-Cookie"]
    assert db.session.query(Reaction).count() == 1


@pytest.mark.parametrize("kind", ["", "nope", "x" * 500])
def test_a_bad_kind_is_refused_without_a_row(csrf_client: FlaskClient, story: Story, kind: str) -> None:
    response = react(csrf_client, story, kind)
    assert response.status_code == 303
    page = csrf_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose one of the offered reactions." in page
    assert db.session.query(Reaction).count() == 0


def test_reacting_to_an_unpublished_story_is_a_404(csrf_client: FlaskClient, app_ctx: Any) -> None:
    draft = factories.story_of(factories.workshop(groups=1).groups[0])
    assert react(csrf_client, draft, "inspiring").status_code == 404


def test_reactions_need_the_csrf_token(client: FlaskClient, story: Story) -> None:
    assert react(client, story, "inspiring").status_code == 400
    assert db.session.query(Reaction).count() == 0


def test_reactions_are_rate_limited(app: Flask, csrf_client: FlaskClient, story: Story) -> None:
    with changed_settings(app, reaction_rate="3 per minute"):
        codes = [react(csrf_client, story, "inspiring").status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]


def test_facilitators_hide_and_show_a_reaction(csrf_client: FlaskClient, story: Story) -> None:
    react(csrf_client, story, "made_me_think")
    reaction = db.session.query(Reaction).one()
    owner = story.workshop.owner
    url = f"/workshops/{story.workshop_id}/reactions/{reaction.id}"

    assert csrf_client.post(url, data={"hidden": "1"}).status_code in (302, 303)  # to the login page
    factories.facilitator("someone@example.org")
    sign_in(csrf_client, "someone@example.org")
    assert csrf_client.post(url, data={"hidden": "1"}).status_code == 404
    csrf_client.post("/logout")

    sign_in(csrf_client, owner)
    review = csrf_client.get(f"/workshops/{story.workshop_id}/publish").get_data(as_text=True)
    assert f'action="{url}"' in review
    assert csrf_client.post(url, data={"hidden": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Reaction, reaction.id).hidden
    assert reactions.counts([story.id])[story.id] == {}
    csrf_client.post(url, data={"hidden": "0"})
    db.session.expire_all()
    assert not db.session.get(Reaction, reaction.id).hidden

    other = samples.build_collection(owner=owner, samples=[samples.CAR])
    assert (
        csrf_client.post(f"/workshops/{other.id}/reactions/{reaction.id}", data={"hidden": "1"}).status_code
        == 404
    )
