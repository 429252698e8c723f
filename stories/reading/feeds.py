"""Atom feeds of published stories: one per collection and one for the whole site (feedgen).

A feed holds the whole text of its stories (a collection's all of them, the site's the newest `FEED_SIZE`),
so it is written off the event loop within the work budget (`core.budget`, which may raise
`OverBudgetError`), from plain values read on the loop first (`Feed`, `Entry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from core import budget
from core.dates import aware
from stories.models import Story
from stories.reading import catalog
from stories.reading.catalog import Collection
from stories.reading.links import public_url

FEED_SIZE = 50  # the newest stories of the site feed


@dataclass(frozen=True)
class Entry:
    """One published story of a feed, as plain values."""

    url: str
    title: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    summary: str
    html: str
    themes: tuple[tuple[str, str], ...]  # (slug, label)


@dataclass(frozen=True)
class Feed:
    """A feed as plain values, read on the loop (`_read`), written elsewhere (`atom_of`)."""

    title: str
    subtitle: str
    feed_url: str
    page_url: str
    entries: tuple[Entry, ...]


def _entry(story: Story) -> Entry:
    published = aware(story.published_at)
    return Entry(
        url=public_url("stories.read", story_id=story.id),
        title=story.title,
        published=published,
        updated=aware(story.revised_at) if story.revised_at else published,
        authors=tuple(catalog.authors(story)),
        summary=story.summary,
        html=story.published_html,
        themes=tuple((theme.slug, theme.label) for theme in story.themes),
    )


def _read(stories: Sequence[Story], *, title: str, subtitle: str, feed_url: str, page_url: str) -> Feed:
    """The feed of these stories (callers pass published stories; another one is never leaked)."""
    entries = tuple(_entry(story) for story in stories if story.published_at is not None)
    return Feed(title, subtitle, feed_url, page_url, entries)


def atom_of(found: Feed) -> bytes:
    """The Atom document of a feed (no database, no request: it may run off the loop)."""
    feed = FeedGenerator()
    feed.id(found.feed_url)
    feed.title(found.title)
    feed.subtitle(found.subtitle or found.title)
    feed.link(href=found.page_url, rel="alternate", type="text/html")
    feed.link(href=found.feed_url, rel="self", type="application/atom+xml")
    feed.author(name="Plume")
    feed.generator("Plume")
    moments = [entry.updated for entry in found.entries]
    feed.updated(max(moments, default=datetime(2000, 1, 1, tzinfo=UTC)))
    for item in found.entries:
        entry = feed.add_entry(order="append")
        entry.id(item.url)
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.published(item.published)
        entry.updated(item.updated)
        for name in item.authors:
            entry.author(name=name)
        entry.summary(item.summary)
        entry.content(item.html, type="html")
        for slug, label in item.themes:
            entry.category(term=slug, label=label)
    return feed.atom_str(pretty=True)


def _written(found: Feed) -> bytes:
    return budget.run(lambda: atom_of(found), "Atom feed")


def site_feed() -> bytes:
    """The newest published stories of every collection."""
    found = _read(
        catalog.latest(FEED_SIZE),
        title=_("Plume — stories of desirable futures"),
        subtitle=_("The newest stories written in Plume workshops."),
        feed_url=public_url("stories.site_feed"),
        page_url=public_url("stories.gallery"),
    )
    return _written(found)


def collection_feed(collection: Collection) -> bytes:
    """The published stories of one workshop, newest first."""
    workshop = collection.workshop
    return stories_feed(
        collection.stories,
        title=workshop.title,
        subtitle=workshop.question,
        feed_url=public_url("stories.collection_feed", workshop_id=workshop.id),
        page_url=public_url("stories.collection", workshop_id=workshop.id),
    )


def stories_feed(
    stories: Sequence[Story], *, title: str, subtitle: str, feed_url: str, page_url: str
) -> bytes:
    """The feed of these published stories (a collection's, a consultation's), newest first."""
    newest = sorted(stories, key=lambda s: (aware(s.published_at), s.id), reverse=True)
    return _written(_read(newest, title=title, subtitle=subtitle, feed_url=feed_url, page_url=page_url))


def sitemap() -> bytes:
    """The sitemap of the public pages: the gallery, each collection and each published story."""
    urlset = ElementTree.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")

    def add(url: str, modified: datetime | None = None) -> None:
        entry = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(entry, "loc").text = url
        if modified is not None:
            ElementTree.SubElement(entry, "lastmod").text = aware(modified).date().isoformat()

    found = catalog.collections()
    add(public_url("stories.gallery"), max((c.updated_at for c in found), default=None))
    for collection in found:
        add(public_url("stories.collection", workshop_id=collection.workshop.id), collection.updated_at)
        for story in collection.stories:
            add(public_url("stories.read", story_id=story.id), story.revised_at or story.published_at)
    for story in catalog.kept():
        add(public_url("stories.read", story_id=story.id), story.revised_at or story.published_at)
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)
