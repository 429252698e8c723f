"""Accent-insensitive search over published stories. Run on SQLite by default and on PostgreSQL with
DATABASE_URL set: the same queries must give the same answers on both."""

from __future__ import annotations

import pytest

from core.unit_of_work import committed
from stories.reading import publishing, search
from stories.reading.publishing import Draft
from tests import factories

pytestmark = pytest.mark.usefixtures("app_ctx")


def published(text: str, title: str = "Titre", themes: list[str] | None = None, publish: bool = True) -> int:
    workshop = factories.workshop(groups=1, language="fr")
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, text)
    if publish:
        with committed():
            publishing.publish(story, Draft(title=title, themes=themes or []))
    else:
        with committed():
            publishing.save(story, Draft(title=title, themes=themes or []))
    return story.id


def ids(query: str, theme: str | None = None) -> list[int]:
    return [s.id for s in search.search(query, theme)]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("La Santé en 2040", "la sante en 2040"),
        ("L’Œuvre, l'été… ÇA VA !", "l oeuvre l ete ca va"),
        ("Straße", "strasse"),
        ("  ", ""),
        ("naïve façade — crème brûlée", "naive facade creme brulee"),
        ("ﬁn", "fin"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert search.fold(text) == folded


def test_terms_are_folded_distinct_and_bounded() -> None:
    assert search.terms("Santé SANTE santé, soins!") == ["sante", "soins"]
    assert search.terms("%_' OR 1=1 --") == ["or", "1"]
    assert len(search.terms(" ".join(f"mot{i}" for i in range(50)))) == search.MAX_TERMS
    assert search.terms("a" * 500) == ["a" * search.MAX_TERM]
    assert search.terms("") == []


def test_a_word_without_its_accents_finds_the_story() -> None:
    story = published("En 2040, la santé se fabrique dans le quartier.")
    published("Une histoire de trains et de gares.")

    assert ids("sante") == [story]
    assert ids("SANTÉ") == [story]
    assert ids("Santé quartier") == [story]


def test_every_term_must_match_and_terms_match_the_start_of_words() -> None:
    garden = published("Le jardin partagé des Tilleuls, ses jardiniers et ses tomates.")
    nursery = published("Le jardin d'enfants.")

    assert ids("jardin tomates") == [garden]
    assert set(ids("jardin")) == {garden, nursery}
    assert ids("jardinier") == [garden]  # a prefix of "jardiniers"
    assert ids("ardin") == []  # not inside a word
    assert ids("jardin licorne") == []


def test_results_are_ranked_by_how_often_the_terms_occur() -> None:
    once = published("Le soin, une fois.")
    thrice = published("Le soin, le soin, encore le soin.")
    twice = published("Le soin, puis le soin.")

    assert ids("soin") == [thrice, twice, once]


def test_title_themes_and_credits_are_searched_too() -> None:
    story = published("Une histoire.", title="Le car de santé du plateau", themes=["Ruralité"])

    assert ids("plateau") == [story]
    assert ids("ruralite") == [story]


def test_unpublished_stories_are_never_found() -> None:
    published("Un secret bien gardé : la licorne.", publish=False)
    public = published("Une histoire publique.")
    assert ids("licorne") == []

    story = factories.story_of(factories.workshop(groups=1).groups[0])
    factories.story_text(story, "Encore la licorne.")
    with committed():
        publishing.publish(story, Draft(title="Licorne"))
    assert ids("licorne") == [story.id]
    with committed():
        publishing.unpublish(story)
    assert ids("licorne") == []
    assert ids("publique") == [public]


def test_theme_filter_alone_or_with_words() -> None:
    nature = published("Le jardin et la santé.", themes=["Nature"])
    other = published("La ville et la santé.", themes=["Ville"])

    assert ids("", theme="nature") == [nature]
    assert ids("sante", theme="ville") == [other]
    assert ids("jardin", theme="ville") == []
    assert ids("", theme="inconnu") == []


@pytest.mark.parametrize("query", ["%", "_", "%sante%", "' OR 1=1 --", "\x00", "   ", "é" * 1000, "santé\\"])
def test_odd_queries_are_harmless(query: str) -> None:
    published("La santé en 2040, 100 % solidaire.")
    result = ids(query)
    assert isinstance(result, list)
    if not search.terms(query):
        assert result == []


def test_no_terms_and_no_theme_gives_nothing() -> None:
    published("La santé.")
    assert ids("") == []
    assert ids("   ,;") == []
