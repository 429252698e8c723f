"""Downloads of published stories: one story as Markdown or standalone HTML; a workshop's anthology as EPUB.

(PDFs are in `stories.reading.pdf`.) Everything is made from the published form only (the Markdown source and
the sanitised HTML stored at publish time), through autoescaping templates; the HTML is only ever reshaped by
a parser (`offline_html`), never rebuilt from user text.

Making a file grows with its stories (a story holds up to `PLUME_MAX_STORY_BYTES`, an anthology up to
`MAX_GROUPS` stories), so it runs off the event loop within the work budget (`core.budget`, which may raise
`OverBudgetError`): what it needs is read on the loop first into plain values (`StoryCopy`, `AnthologyCopy`,
every word already translated into the workshop's language), then the file is made from them alone, with no
database, request or translation lookup.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import lxml.html
from ebooklib import epub
from flask import current_app, render_template
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from jinja2 import Template
from markupsafe import escape

from core import budget, language
from core.dates import aware
from stories.models import Story
from stories.reading import catalog
from stories.reading.catalog import Collection
from stories.reading.links import public_url
from stories.reading.search import fold
from workshops.models import Workshop

EPUB_MEDIA_TYPE = "application/epub+zip"
T = TypeVar("T")


def filename(title: str, suffix: str, fallback: str = "story") -> str:
    """An ASCII file name from a title: "La santé en 2040" + "pdf" → "la-sante-en-2040.pdf"."""
    stem = "-".join(fold(title).encode("ascii", "ignore").decode().split())[:80].strip("-") or fallback
    return f"{stem}.{suffix}"


def byline(story: Story) -> str:
    """The credit line of a published story."""
    return credit_line(catalog.authors(story))


def credit_line(names: list[str]) -> str:
    """'By A, B and C' for these names, or the anonymous credit when there are none."""
    if not names:
        return _("Anonymous authors")
    if len(names) == 1:
        return _("By %(name)s", name=names[0])
    return _("By %(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def published_on(story: Story) -> str:
    return format_date(aware(story.published_at or datetime.now(UTC)), "long")


def in_language(workshop: Workshop, read: Callable[[], T]) -> T:
    """`read()` in the workshop's language (its title page, credits, dates), when the site has it."""
    return language.in_language(workshop.language, read)


# --- What a download is made of, read on the loop -----------------------------------------------------


@dataclass(frozen=True)
class StoryCopy:
    """A published story as plain values, its words in its workshop's language."""

    id: int
    title: str
    summary: str
    language: str | None
    workshop_title: str
    kicker: str  # above the title: the workshop's title, or "Story 3" in an anthology
    authors: tuple[str, ...]
    byline: str
    published_on: str
    url: str
    source: str  # where it comes from, at the end of a Markdown file or a PDF
    footer: str  # the standalone HTML file's footer
    themes: tuple[str, ...]  # labels
    markdown: str
    html: str


@dataclass(frozen=True)
class AnthologyCopy:
    """A workshop's published stories as plain values, with the words of its cover and title page."""

    title: str
    question: str
    language: str | None
    url: str
    date: str  # when the collection opened, in words
    day: str  # the same, ISO
    count: str  # "3 stories"
    kicker: str  # "An anthology of stories from the future"
    credit: str  # on the title page
    contents: str
    stories: tuple[StoryCopy, ...]

    @property
    def authors(self) -> list[str]:
        """Everyone credited, once each, in order of appearance."""
        return list(dict.fromkeys(name for story in self.stories for name in story.authors))


def _copy(story: Story, kicker: str | None = None) -> StoryCopy:
    workshop = story.workshop  # None for an anonymous story kept from a deleted workshop
    url = public_url("stories.read", story_id=story.id)
    collection = workshop.title if workshop is not None else _("Anonymous story")
    if workshop is not None:
        source = _(
            "From “%(workshop)s”, published on %(date)s: %(url)s",
            workshop=workshop.title,
            date=published_on(story),
            url=url,
        )
    else:
        source = _("Published on %(date)s: %(url)s", date=published_on(story), url=url)
    return StoryCopy(
        id=story.id,
        title=story.title,
        summary=story.summary,
        language=story.language,
        workshop_title=collection,
        kicker=kicker or collection,
        authors=tuple(catalog.authors(story)),
        byline=byline(story),
        published_on=published_on(story),
        url=url,
        source=source,
        footer=_("Written in a Plume workshop."),
        themes=tuple(theme.label for theme in story.themes),
        markdown=story.published_markdown,
        html=story.published_html,
    )


def chapter_copy(story: Story) -> StoryCopy:
    """The story as a chapter of an anthology of many workshops (a consultation's): its workshop's title
    above its own, in the current language (on the loop)."""
    return _copy(story)


def story_copy(story: Story) -> StoryCopy:
    """What a download of `story` is made of, in its workshop's language (on the loop: it reads rows)."""
    return language.in_language(story.language, lambda: _copy(story))


def anthology_copy(collection: Collection) -> AnthologyCopy:
    """What a download of the collection is made of, in its workshop's language (on the loop)."""
    workshop = collection.workshop

    def read() -> AnthologyCopy:
        return AnthologyCopy(
            title=workshop.title,
            question=workshop.question,
            language=workshop.language,
            url=public_url("stories.collection", workshop_id=workshop.id),
            date=format_date(aware(collection.published_at), "long"),
            day=aware(collection.published_at).date().isoformat(),
            count=ngettext("%(num)d story", "%(num)d stories", len(collection.stories)),
            kicker=_("An anthology of stories from the future"),
            credit=_("Written together in a Bright Mirror workshop run with Plume."),
            contents=_("Contents"),
            stories=tuple(
                _copy(story, _("Story %(number)d", number=number))
                for number, story in enumerate(collection.stories, start=1)
            ),
        )

    return in_language(workshop, read)


def template(name: str) -> Template:
    """A compiled template, fetched on the loop: rendering it elsewhere needs only the values it is given."""
    return current_app.jinja_env.get_template(name)


# --- Markdown and standalone HTML ---------------------------------------------------------------------


def markdown_of(story: StoryCopy) -> str:
    """The story as a Markdown file: title, byline, the text as written, and where it comes from."""
    parts = [f"# {story.title}", f"*{story.byline}*", story.markdown.strip(), "---", story.source]
    return "\n\n".join(parts) + "\n"


def html_of(story: StoryCopy, page: Template) -> str:
    """The story as one standalone HTML file (styles inside, no script, no external resource)."""
    return page.render(story=story, body=offline_html(story.html))


def story_markdown(story: Story) -> str:
    copy = story_copy(story)
    return budget.run(lambda: markdown_of(copy), "Markdown export")


def story_html(story: Story) -> str:
    copy, page = story_copy(story), template("stories/export_story.html")
    return budget.run(lambda: html_of(copy, page), "HTML export")


def offline_html(html: str, *, under_title: bool = False, flat_tables: bool = False) -> str:
    """Sanitised HTML reshaped for a file read offline: images become their alt text (nothing is fetched);
    with `under_title`, a story that uses level-one headings has all its headings moved down a level (the
    story's title is the level one); with `flat_tables`, table cells keep only their text. Cells aligned by
    the Markdown are aligned by a style instead of the obsolete `align` (EPUBCheck refuses it)."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for image in list(root.iter("img")):
        alt = (image.get("alt") or "").strip()
        replacement = lxml.html.Element("em")
        replacement.text = f"[{alt}]" if alt else ""
        replacement.tail = image.tail
        image.getparent().replace(image, replacement)
    if under_title and next(root.iter("h1"), None) is not None:
        for heading in list(root.iter("h1", "h2", "h3", "h4", "h5", "h6")):
            heading.tag = f"h{min(6, int(heading.tag[1]) + 1)}"
    for cell in root.iter("td", "th"):  # Markdown's column alignment: `align`, which XHTML 5 (EPUB) refuses
        if align := cell.attrib.pop("align", None):
            cell.set("style", f"text-align: {align}")
    if flat_tables:
        for cell in list(root.iter("td", "th")):
            text = " ".join(cell.text_content().split())
            for child in list(cell):
                cell.remove(child)
            cell.text = text
    inner = [lxml.html.tostring(child, encoding="unicode") for child in root]
    return str(escape(root.text or "")) + "".join(inner)


# --- EPUB ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpubTemplates:
    """The compiled templates of a book, fetched on the loop (`epub_templates`)."""

    cover: Template
    title: Template
    chapter: Template
    style: str


def epub_templates() -> EpubTemplates:
    return EpubTemplates(
        cover=template("stories/epub/cover.svg"),
        title=template("stories/epub/title.html"),
        chapter=template("stories/epub/chapter.html"),
        style=render_template("stories/epub/book.css"),
    )


def _cover_lines(text: str, width: int, limit: int) -> list[str]:
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > limit:
        lines = [
            *lines[: limit - 1],
            textwrap.shorten(" ".join(lines[limit - 1 :]), width=width, placeholder="…"),
        ]
    return lines


def cover_svg(book: AnthologyCopy, cover: Template) -> str:
    """The anthology's cover as an SVG image: title, question, number of stories, date."""
    title_lines, question_lines = _cover_lines(book.title, 17, 5), _cover_lines(book.question, 34, 6)
    return cover.render(book=book, title_lines=title_lines, question_lines=question_lines)


def epub_of(book: AnthologyCopy, templates: EpubTemplates) -> bytes:
    """The collection as an EPUB 3 book: a cover, a title page, a table of contents, one chapter per story."""
    out = epub.EpubBook()
    out.set_identifier(book.url)
    out.set_title(book.title)
    out.set_language(book.language or "en")
    out.add_metadata("DC", "description", book.question or book.title)
    out.add_metadata("DC", "publisher", "Plume")
    out.add_metadata("DC", "date", book.day)
    for number, name in enumerate(book.authors or ["Plume"]):
        out.add_author(name, uid=f"creator-{number}")
    out.set_cover("cover.svg", cover_svg(book, templates.cover).encode(), create_page=True)
    # ebooklib makes the cover page non-linear, and no link leads to it: EPUBCheck 5.3 refuses it (OPF-096).
    # It is the book's first page, in the reading order like the others.
    out.get_item_with_id("cover").is_linear = True

    style = epub.EpubItem(
        uid="style", file_name="style/book.css", media_type="text/css", content=templates.style.encode()
    )
    out.add_item(style)

    title_page = epub.EpubHtml(title=book.title, file_name="title.xhtml", lang=book.language)
    title_page.content = templates.title.render(book=book)
    title_page.add_item(style)
    out.add_item(title_page)

    chapters = []
    for number, story in enumerate(book.stories, start=1):
        chapter = epub.EpubHtml(title=story.title, file_name=f"story-{number:02d}.xhtml", lang=book.language)
        body = offline_html(story.html, under_title=True)
        chapter.content = templates.chapter.render(story=story, body=body)
        chapter.add_item(style)
        out.add_item(chapter)
        chapters.append(chapter)

    out.toc = [epub.Link("title.xhtml", book.title, "title"), *chapters]
    out.add_item(epub.EpubNcx())
    out.add_item(epub.EpubNav(title=book.contents))
    out.spine = ["cover", title_page, "nav", *chapters]
    buffer = io.BytesIO()
    epub.write_epub(buffer, out)
    return buffer.getvalue()


def anthology_epub(collection: Collection) -> bytes:
    return book_epub(anthology_copy(collection))


def book_epub(book: AnthologyCopy) -> bytes:
    """An anthology read on the loop (a workshop's, a consultation's) as an EPUB, made off the loop."""
    templates = epub_templates()
    return budget.run(lambda: epub_of(book, templates), "EPUB export")
