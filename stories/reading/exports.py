"""Downloads of published stories: one story as Markdown or standalone HTML; a workshop's anthology as EPUB.

(PDFs are in `stories.reading.pdf`.) Everything is made from the published form only (the Markdown source and
the sanitised HTML stored at publish time), through autoescaping templates; the HTML is only ever reshaped by
a parser (`offline_html`), never rebuilt from user text.
"""

from __future__ import annotations

import io
import textwrap
from datetime import UTC, datetime

import lxml.html
from ebooklib import epub
from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import escape

from core.dates import aware
from stories.models import Story
from stories.reading import catalog
from stories.reading.catalog import Collection
from stories.reading.links import public_url
from stories.reading.search import fold

EPUB_MEDIA_TYPE = "application/epub+zip"


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


def story_markdown(story: Story) -> str:
    """The story as a Markdown file: title, byline, the text as written, and where it comes from."""
    source = _("From “%(workshop)s”, published on %(date)s: %(url)s",
               workshop=story.workshop.title, date=published_on(story),
               url=public_url("stories.read", story_id=story.id))  # fmt: skip
    parts = [f"# {story.title}", f"*{byline(story)}*", story.published_markdown.strip(), "---", source]
    return "\n\n".join(parts) + "\n"


def story_html(story: Story) -> str:
    """The story as one standalone HTML file (styles inside, no script, no external resource)."""
    return render_template(
        "stories/export_story.html",
        story=story,
        byline=byline(story),
        published_on=published_on(story),
        url=public_url("stories.read", story_id=story.id),
        body=offline_html(story.published_html),
    )


def offline_html(html: str, *, under_title: bool = False, flat_tables: bool = False) -> str:
    """Sanitised HTML reshaped for a file read offline: images become their alt text (nothing is fetched);
    with `under_title`, a story that uses level-one headings has all its headings moved down a level (the
    story's title is the level one); with `flat_tables`, table cells keep only their text."""
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
    if flat_tables:
        for cell in list(root.iter("td", "th")):
            text = " ".join(cell.text_content().split())
            for child in list(cell):
                cell.remove(child)
            cell.text = text
    inner = [lxml.html.tostring(child, encoding="unicode") for child in root]
    return str(escape(root.text or "")) + "".join(inner)


# --- EPUB ---------------------------------------------------------------------------------------------


def _cover_lines(text: str, width: int, limit: int) -> list[str]:
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > limit:
        lines = [
            *lines[: limit - 1],
            textwrap.shorten(" ".join(lines[limit - 1 :]), width=width, placeholder="…"),
        ]
    return lines


def cover_svg(collection: Collection) -> str:
    """The anthology's cover as an SVG image: title, question, number of stories, date."""
    workshop = collection.workshop
    return render_template(
        "stories/epub/cover.svg",
        title_lines=_cover_lines(workshop.title, 17, 5),
        question_lines=_cover_lines(workshop.question, 34, 6),
        count=len(collection.stories),
        date=format_date(aware(collection.published_at), "long"),
    )


def anthology_epub(collection: Collection) -> bytes:
    """The collection as an EPUB 3 book: a cover, a title page, a table of contents, one chapter per story."""
    workshop = collection.workshop
    book = epub.EpubBook()
    book.set_identifier(public_url("stories.collection", workshop_id=workshop.id))
    book.set_title(workshop.title)
    book.set_language(workshop.language or "en")
    book.add_metadata("DC", "description", workshop.question or workshop.title)
    book.add_metadata("DC", "publisher", "Plume")
    book.add_metadata("DC", "date", aware(collection.published_at).date().isoformat())
    authors = list(dict.fromkeys(name for s in collection.stories for name in catalog.authors(s)))
    for number, name in enumerate(authors or ["Plume"]):
        book.add_author(name, uid=f"creator-{number}")
    book.set_cover("cover.svg", cover_svg(collection).encode(), create_page=True)

    style = epub.EpubItem(
        uid="style", file_name="style/book.css", media_type="text/css",
        content=render_template("stories/epub/book.css").encode(),
    )  # fmt: skip
    book.add_item(style)

    title_page = epub.EpubHtml(title=workshop.title, file_name="title.xhtml", lang=workshop.language)
    title_page.content = render_template(
        "stories/epub/title.html", collection=collection, workshop=workshop,
        date=format_date(aware(collection.published_at), "long"),
        url=public_url("stories.collection", workshop_id=workshop.id),
    )  # fmt: skip
    title_page.add_item(style)
    book.add_item(title_page)

    chapters = []
    for number, story in enumerate(collection.stories, start=1):
        chapter = epub.EpubHtml(
            title=story.title, file_name=f"story-{number:02d}.xhtml", lang=workshop.language
        )
        chapter.content = render_template(
            "stories/epub/chapter.html", story=story, byline=byline(story), number=number,
            body=offline_html(story.published_html, under_title=True),
        )  # fmt: skip
        chapter.add_item(style)
        book.add_item(chapter)
        chapters.append(chapter)

    book.toc = [epub.Link("title.xhtml", workshop.title, "title"), *chapters]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav(title=_("Contents")))
    book.spine = ["cover", title_page, "nav", *chapters]
    buffer = io.BytesIO()
    epub.write_epub(buffer, book)
    return buffer.getvalue()
