"""Atom feeds of published stories: one per collection and one for the whole site (feedgen)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from core.dates import aware
from stories.models import Story
from stories.reading import catalog
from stories.reading.catalog import Collection
from stories.reading.links import public_url

FEED_SIZE = 50  # the newest stories of the site feed


def _feed(stories: Sequence[Story], *, title: str, subtitle: str, feed_url: str, page_url: str) -> bytes:
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.subtitle(subtitle or title)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.author(name="Plume")
    feed.generator("Plume")
    moments = [aware(s.revised_at or s.published_at) for s in stories if s.published_at]
    feed.updated(max(moments, default=datetime(2000, 1, 1, tzinfo=UTC)))
    for story in stories:
        if story.published_at is None:  # callers pass published stories; never leak another one
            continue
        url = public_url("stories.read", story_id=story.id)
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(story.title)
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(aware(story.published_at))
        entry.updated(aware(story.revised_at or story.published_at))
        for name in catalog.authors(story):
            entry.author(name=name)
        entry.summary(story.summary)
        entry.content(story.published_html, type="html")
        for theme in story.themes:
            entry.category(term=theme.slug, label=theme.label)
    return feed.atom_str(pretty=True)


def site_feed() -> bytes:
    """The newest published stories of every collection."""
    return _feed(
        catalog.latest(FEED_SIZE),
        title=_("Plume — stories of desirable futures"),
        subtitle=_("The newest stories written in Plume workshops."),
        feed_url=public_url("stories.site_feed"),
        page_url=public_url("stories.gallery"),
    )


def collection_feed(collection: Collection) -> bytes:
    """The published stories of one workshop, newest first."""
    stories = sorted(collection.stories, key=lambda s: (aware(s.published_at), s.id), reverse=True)
    workshop = collection.workshop
    return _feed(
        stories,
        title=workshop.title,
        subtitle=workshop.question,
        feed_url=public_url("stories.collection_feed", workshop_id=workshop.id),
        page_url=public_url("stories.collection", workshop_id=workshop.id),
    )


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
    return ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)
