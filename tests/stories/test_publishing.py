"""Publishing operations: render once from the CRDT log, store what readers see, update, unpublish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from extensions import db
from stories.models import Story
from stories.reading import publishing
from stories.reading.publishing import Draft, PublishError
from tests import factories
from tests.stories import samples
from workshops.models import Workshop

pytestmark = pytest.mark.usefixtures("app_ctx")

T0 = datetime(2040, 3, 14, 9, 30, tzinfo=UTC)


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of the HTML with its attributes, as a browser's tokenizer reads them."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def fresh(story: Story) -> Story:
    db.session.expire_all()
    return db.session.get(Story, story.id)


def test_publish_renders_the_log_once_and_stores_what_readers_see() -> None:
    workshop = samples.build_collection()
    story = factories.story_of(workshop.groups[0])

    publishing.publish(story, now=T0)

    story = fresh(story)
    assert story.published_at is not None
    assert story.published_at.replace(tzinfo=UTC) == T0
    assert story.title == "La Maison des communs"  # the leading heading
    assert not story.published_markdown.startswith("# ")  # … is not repeated under the title
    assert story.published_markdown.startswith("Le mardi, à Nantes")
    assert "<h2>Ce qui a changé</h2>" in story.published_html
    assert "<blockquote>" in story.published_html
    assert "<em>veilleurs de\nsanté</em>" in story.published_html
    assert story.summary.startswith("Le mardi, à Nantes, la Maison des communs sent le café")
    assert len(story.summary) <= publishing.SUMMARY_LENGTH
    assert story.credits.split("\n") == ["Awa Diop", "Julien Marchand", "Inès Benali"]
    assert "sante" in story.search_text.split()
    assert "é" not in story.search_text
    assert "la maison des communs" in story.search_text
    assert story.published_words > 300
    assert db.session.get(Workshop, workshop.id).published_at.replace(tzinfo=UTC) == T0


def test_the_facilitators_choices_are_checked_and_kept() -> None:
    workshop = samples.build_collection(samples=[samples.JARDIN])
    story = factories.story_of(workshop.groups[0])
    draft = Draft.clean(
        "  Une ordonnance   pas comme les autres ",
        "Fatima reçoit une ordonnance\r\npour le jardin.",
        "Nature, santé mentale, Santé Mentale, ",
        "Théo, Camille R.\nThéo",
        False,
    )
    assert draft.title == "Une ordonnance pas comme les autres"
    assert draft.summary == "Fatima reçoit une ordonnance pour le jardin."
    assert draft.themes == ["Nature", "santé mentale"]  # the same slug once
    assert draft.credits == ["Théo", "Camille R."]

    publishing.publish(story, draft, now=T0)

    story = fresh(story)
    assert story.title == "Une ordonnance pas comme les autres"
    assert story.published_markdown.startswith("# L'ordonnance verte")  # not the title: the heading stays
    assert story.summary == "Fatima reçoit une ordonnance pour le jardin."
    assert [(t.slug, t.label) for t in story.themes] == [
        ("nature", "Nature"),
        ("sante-mentale", "santé mentale"),
    ]
    assert story.credits == "Théo\nCamille R."


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": "  "}, "required"),
        ({"title": "x" * 201}, "too_long"),
        ({"title": "bad\x07title"}, "control_characters"),
        ({"summary": "s" * 601}, "too_long"),
        ({"themes": "a, b, c, d, e, f, g, h, i"}, "too_many_themes"),
        ({"themes": "!!!, nature"}, "invalid_theme"),
        ({"themes": "t" * 41}, "too_long"),
        ({"credits": ", ".join(f"Name {i}" for i in range(31))}, "too_many_names"),
        ({"credits": "n" * 61}, "too_long"),
        ({"credits": 42}, "invalid"),
        ({"anonymous": "yes"}, "invalid"),
    ],
)
def test_bad_choices_are_refused_with_a_code(fields: dict[str, Any], code: str) -> None:
    values = {"title": "Titre", "summary": "", "themes": "", "credits": "", "anonymous": False, **fields}
    with pytest.raises(PublishError) as caught:
        Draft.clean(**values)
    assert caught.value.code == code
    assert caught.value.message


def test_anonymous_stories_credit_nobody_but_keep_the_names_for_later() -> None:
    workshop = samples.build_collection(samples=[samples.CAR])
    story = factories.story_of(workshop.groups[0])
    draft = publishing.draft_of(story)
    draft.anonymous = True

    publishing.publish(story, draft)

    story = fresh(story)
    assert story.credit_anonymous
    assert "Nadia Haddad" in story.credits  # kept, so that un-ticking restores them
    assert "nadia" not in story.search_text  # but nobody finds the story by their names


def test_an_empty_story_is_not_published_and_nothing_is_written() -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "   \n\n  ")

    with pytest.raises(PublishError) as caught:
        publishing.publish(story, Draft(title="Rien"))
    assert caught.value.code == "empty"
    db.session.rollback()

    story = fresh(story)
    assert story.published_at is None
    assert story.published_html == ""
    assert story.title == ""
    assert db.session.get(Workshop, workshop.id).published_at is None


def test_updating_keeps_the_publication_date_and_renders_the_new_text() -> None:
    workshop = samples.build_collection(samples=[samples.CAR])
    story = factories.story_of(workshop.groups[0])
    publishing.publish(story, now=T0)
    factories.story_text(story, "\n\nÉpilogue : le car a désormais un petit frère.")

    publishing.publish(fresh(story), now=T0 + timedelta(days=2))

    story = fresh(story)
    assert story.published_at.replace(tzinfo=UTC) == T0
    assert story.revised_at.replace(tzinfo=UTC) == T0 + timedelta(days=2)
    assert "petit frère" in story.published_html
    assert "epilogue" in story.search_text


def test_unpublishing_clears_the_public_form_and_closes_an_empty_collection() -> None:
    workshop = samples.build_collection(samples=[samples.MAISON, samples.JARDIN])
    first, second = (factories.story_of(g) for g in workshop.groups)
    publishing.publish(first)
    publishing.publish(second)

    publishing.unpublish(fresh(first))
    first = fresh(first)
    assert first.published_at is None
    assert first.revised_at is None
    assert (first.published_html, first.published_markdown, first.search_text) == ("", "", "")
    assert first.title == "La Maison des communs"  # the choices stay for next time
    assert db.session.get(Workshop, workshop.id).published_at is not None  # the other story is still public

    publishing.unpublish(fresh(second))
    assert db.session.get(Workshop, workshop.id).published_at is None


def test_save_keeps_choices_without_publishing() -> None:
    workshop = samples.build_collection(samples=[samples.JARDIN])
    story = factories.story_of(workshop.groups[0])

    publishing.save(story, Draft(title="Brouillon", themes=["Nature"], credits=["Théo"]))

    story = fresh(story)
    assert story.published_at is None
    assert story.published_html == ""
    assert (story.title, story.credits, [t.slug for t in story.themes]) == ("Brouillon", "Théo", ["nature"])
    assert publishing.draft_of(story).title == "Brouillon"


def test_draft_defaults_come_from_the_text_and_the_group() -> None:
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    factories.participant(group, "Zoé")
    factories.participant(group, "Yann")
    story = factories.story_of(group)
    factories.story_text(story, "Pas de titre ici, juste une histoire.")

    draft = publishing.draft_of(story)

    assert draft.title == group.name  # no leading heading: the group's name
    assert draft.credits == ["Zoé", "Yann"]
    assert (draft.summary, draft.themes, draft.anonymous) == ("", [], False)


def test_publishing_a_workshop_publishes_every_story_with_text_at_once() -> None:
    workshop = samples.build_collection(samples=[samples.MAISON, samples.JARDIN])
    extra = factories.workshop(groups=1)  # another workshop, left alone
    factories.story_text(factories.story_of(extra.groups[0]), "Autre atelier.")
    # a third, empty group in the same workshop
    from workshops.management import add_group

    add_group(db.session.get(Workshop, workshop.id), "Groupe vide")

    result = publishing.publish_workshop(db.session.get(Workshop, workshop.id), now=T0)

    assert [s.title for s in result.published] == ["La Maison des communs", "L’ordonnance verte"]
    assert [s.group.name for s in result.empty] == ["Groupe vide"]
    assert factories.story_of(extra.groups[0]).published_at is None


def test_hostile_markdown_is_published_sanitised() -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_text(
        story, "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )

    publishing.publish(story, Draft(title="<b onmouseover=alert(1)>Titre</b>"))

    story = fresh(story)
    tags = elements(story.published_html)
    assert "script" not in [tag for tag, _ in tags]
    assert "img" not in [tag for tag, _ in tags]
    assert not [name for _, attrs in tags for name, _value in attrs if name.startswith("on")]
    assert all("javascript" not in (value or "") for _, attrs in tags for _name, value in attrs)
    assert "&lt;script&gt;" in story.published_html  # shown as text
    assert story.title == "<b onmouseover=alert(1)>Titre</b>"  # plain text: templates escape it


def test_control_characters_are_not_published() -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "Une\x00 histoire\r\navec\x07 des\x1b contrôles.")

    publishing.publish(story, Draft(title="Contrôles"))  # PostgreSQL refuses NUL in text: it must not get any

    story = fresh(story)
    assert story.published_markdown == "Une histoire\navec des contrôles."
    assert "\x00" not in story.published_html


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("Santé mentale", "sante-mentale"),
        ("  Œuvres  d'art ", "oeuvres-d-art"),
        ("Ruralité", "ruralite"),
        ("🙂", ""),
    ],
)
def test_slugify(label: str, slug: str) -> None:
    assert publishing.slugify(label) == slug


def test_split_title() -> None:
    assert publishing.split_title("# *Le* titre #\n\nTexte") == ("Le titre", "Texte")
    assert publishing.split_title("Texte\n# Pas un titre") == (None, "Texte\n# Pas un titre")
    assert publishing.split_title("## Sous-titre\n\nTexte")[0] is None


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# The night shift\n\nNurses.", "The night shift"),
        ("Our signals: clinics, bikes.\n\n## The night shift ##\n\nNurses.", "The night shift"),
        ("Notes\n\n### *Ninety* and dancing\n\n# Later heading", "Ninety and dancing"),
        ("No heading at all, #hashtag.", "Group 1"),
    ],
)
def test_a_storys_default_title_is_its_own_first_heading(app_ctx, text: str, title: str) -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    assert publishing.draft_of(story, text).title == title
