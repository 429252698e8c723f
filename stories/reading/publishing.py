"""Publishing: a group's story becomes a public page, rendered once, with its title, summary, themes and
credits as the facilitator reviewed them.

Plain functions, callable without a request. The Markdown is read from the story's update log
(`persistence.load_text`), rendered by `rendering.render_markdown` (the only Markdown → HTML path) and stored
with its source, a folded copy for search and a word count; the reader side never touches the CRDT again.
Each operation reads and renders everything before its first change (rendering gives way to other
greenlets: no write may stay open meanwhile, see `core.transactions`), then flushes; the caller commits
(`core.unit_of_work.committed`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from core import rendering
from core.text import TextError, clean_line, clean_text
from errors import RefusedError
from extensions import db
from stories.cowriting import history, persistence
from stories.models import Story, StoryTheme
from stories.reading.catalog import is_published
from stories.reading.search import fold
from workshops.models import Group, Workshop

MAX_TITLE = 200  # Story.title column
MAX_SUMMARY = 600
SUMMARY_LENGTH = 240  # the automatic summary: the story's opening, cut between words
MAX_THEMES = 8
MAX_THEME = 40
MAX_NAMES = 30
MAX_NAME = 60  # Participant.display_name column
MAX_SLUG = 60  # StoryTheme.slug column

_LEADING_TITLE = re.compile(r"\A\s*#[ \t]+(?P<title>[^\n]+?)[ \t]*#*[ \t]*(?:\n|\Z)")
_SPACES = re.compile(r"\s+")
_ANY_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<title>[^\n]*?[^\s#][^\n]*?)[ \t]*#*[ \t]*$", re.MULTILINE)


class PublishError(RefusedError):
    """A publishing rule was broken; `message` is translated and safe to show to the facilitator."""


# --- Checking what the facilitator chose -------------------------------------------------------------


def _line(value: object, limit: int, *, required: bool = True) -> str:
    """One line of text, stripped, without control characters (`core.text`'s rule)."""
    try:
        return _SPACES.sub(" ", clean_line(value, limit=limit, required=required))
    except TextError as error:
        raise PublishError(error.code, error.message) from None


def clean_title(value: object) -> str:
    return _line(value, MAX_TITLE)


def clean_summary(value: object) -> str:
    """A plain-text summary (line breaks become spaces); empty means "the story's opening lines"."""
    try:
        text = clean_text(value, limit=MAX_SUMMARY)
    except TextError as error:
        raise PublishError(error.code, error.message) from None
    return _SPACES.sub(" ", text).strip()


def _items(value: object) -> list[str]:
    """A list from a list, or from text separated by commas or line breaks."""
    if isinstance(value, str):
        return [item for item in re.split(r"[,\n;]", value) if item.strip()]
    if isinstance(value, list | tuple):
        return [item for item in value if not isinstance(item, str) or item.strip()]
    raise PublishError("invalid", _("Enter a list of names separated by commas."))


def slugify(label: str) -> str:
    """The URL form of a theme: "Santé mentale" → "sante-mentale"."""
    return "-".join(fold(label).split())[:MAX_SLUG].strip("-")


def clean_themes(value: object) -> list[str]:
    """Theme labels, each with letters or digits, without duplicates (by slug), at most MAX_THEMES."""
    labels: list[str] = []
    slugs: set[str] = set()
    for item in _items(value):
        label = _line(item, MAX_THEME)
        slug = slugify(label)
        if not slug:
            raise PublishError(
                "invalid_theme", _("A theme needs letters or digits: “%(theme)s”.", theme=label)
            )
        if slug not in slugs:
            slugs.add(slug)
            labels.append(label)
    if len(labels) > MAX_THEMES:
        raise PublishError("too_many_themes", _("At most %(limit)d themes, please.", limit=MAX_THEMES))
    return labels


def clean_credits(value: object) -> list[str]:
    """Authors' names as they want to be credited, without duplicates, at most MAX_NAMES."""
    names: list[str] = []
    for item in _items(value):
        name = _line(item, MAX_NAME)
        if name not in names:
            names.append(name)
    if len(names) > MAX_NAMES:
        raise PublishError("too_many_names", _("At most %(limit)d names, please.", limit=MAX_NAMES))
    return names


@dataclass
class Draft:
    """What the facilitator chooses for a story's publication (checked by `Draft.clean`)."""

    title: str
    summary: str = ""
    themes: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    anonymous: bool = False
    show_history: bool = False  # readers may see "how this story was written"

    @classmethod
    def clean(
        cls,
        title: object,
        summary: object,
        themes: object,
        credits: object,
        anonymous: object,
        show_history: object = False,
    ) -> Draft:
        """A checked draft from raw input; raises PublishError for the first rule broken."""
        if not isinstance(anonymous, bool) or not isinstance(show_history, bool):
            raise PublishError("invalid", _("Expected true or false."))
        return cls(
            title=clean_title(title),
            summary=clean_summary(summary),
            themes=clean_themes(themes),
            credits=clean_credits(credits),
            anonymous=anonymous,
            show_history=show_history,
        )


# --- The story as readers will see it ----------------------------------------------------------------


def split_title(markdown: str) -> tuple[str | None, str]:
    """(the text of a leading `# Heading`, the rest); (None, markdown) when the story starts otherwise."""
    match = _LEADING_TITLE.match(markdown or "")
    if match is None:
        return None, markdown or ""
    return rendering.plain_text(match.group("title")) or None, markdown[match.end() :].lstrip("\n")


def first_heading(markdown: str) -> str | None:
    """The text of the story's first heading, at whatever level and wherever it is (notes may come first)."""
    match = _ANY_HEADING.search(markdown or "")
    return (rendering.plain_text(match.group("title")) or None) if match else None


def body_of(markdown: str, title: str) -> str:
    """The Markdown readers see under the title: a leading heading that repeats the title is dropped."""
    heading, rest = split_title(markdown)
    return rest if heading is not None and fold(heading) == fold(title) else (markdown or "").strip("\n")


def default_credits(story: Story) -> list[str]:
    """The group's participants' display names, in the order they joined."""
    return [p.display_name for p in story.group.participants if p.removed_at is None][:MAX_NAMES]


def draft_of(story: Story, markdown: str | None = None) -> Draft:
    """The draft saved for the story, with defaults where nothing was chosen yet: the story's own first
    heading (else the group's name) as title, the group's participants as authors."""
    markdown = persistence.load_text(story.id) if markdown is None else markdown
    heading = split_title(markdown)[0] or first_heading(markdown)
    credits = [n for n in (story.credits or "").split("\n") if n.strip()]
    return Draft(
        title=story.title or (heading or story.group.name)[:MAX_TITLE],
        summary=story.summary or "",
        themes=[t.label for t in story.themes],
        credits=credits or default_credits(story),
        anonymous=bool(story.credit_anonymous),
        show_history=bool(story.show_history),
    )


@dataclass(frozen=True)
class Rendition:
    """A story rendered for readers: what publishing stores and what the review page previews."""

    title: str
    summary: str
    markdown: str
    html: Markup
    words: int
    themes: list[tuple[str, str]]  # (slug, label)
    authors: list[str]  # empty when anonymous
    search_text: str

    @property
    def is_blank(self) -> bool:
        return not self.markdown.strip()


def render(draft: Draft, markdown: str) -> Rendition:
    """Render a draft of the story: the one place its HTML, summary, word count and search text are made."""
    # Stored as the source readers download: without the control characters the HTML drops too (and that
    # PostgreSQL cannot store, such as NUL), with lone surrogates replaced.
    body = body_of(rendering.clean_source(markdown), draft.title)
    html = rendering.render_markdown(body)
    plain = rendering.plain_text(body)
    summary = draft.summary or rendering.summary(body, SUMMARY_LENGTH)
    authors = [] if draft.anonymous else list(draft.credits)
    themes = [(slugify(label), label) for label in draft.themes]
    words = rendering.word_count(body)
    search_text = fold(" ".join([draft.title, *authors, *draft.themes, summary, plain]))
    return Rendition(draft.title, summary, body, html, words, themes, authors, search_text)


# --- Writing -----------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _store_choices(story: Story, draft: Draft) -> None:
    story.title = draft.title
    story.summary = draft.summary
    story.credits = "\n".join(draft.credits)
    story.credit_anonymous = draft.anonymous
    story.show_history = draft.show_history
    wanted = {slugify(label): label for label in draft.themes}
    story.themes = [t for t in story.themes if t.slug in wanted]
    kept = {t.slug for t in story.themes}
    for theme in story.themes:
        theme.label = wanted[theme.slug]
    story.themes.extend(
        StoryTheme(slug=slug, label=label) for slug, label in wanted.items() if slug not in kept
    )


def save(story: Story, draft: Draft) -> None:
    """Keep the facilitator's choices without publishing (a published story keeps its published text)."""
    _store_choices(story, draft)
    db.session.flush()


@dataclass(frozen=True)
class _Prepared:
    """A story ready to publish: everything computed, nothing changed yet."""

    story: Story
    draft: Draft
    rendition: Rendition
    history_summary: str


def _prepare(story: Story, draft: Draft, markdown: str) -> _Prepared:
    """Render the story and its history summary (both run off the loop), or refuse an empty story."""
    rendition = render(draft, markdown)
    if rendition.is_blank:
        raise PublishError(
            "empty", _("“%(title)s” is empty: there is nothing to publish.", title=draft.title)
        )
    history_summary = (
        json.dumps(history.public_summary(story, draft.credits, draft.anonymous), ensure_ascii=False)
        if draft.show_history
        else ""
    )
    return _Prepared(story, draft, rendition, history_summary)


def _publish(prepared: _Prepared, now: datetime) -> None:
    """Store what `_prepare` made (no work that gives way from here)."""
    story, draft, rendition = prepared.story, prepared.draft, prepared.rendition
    _store_choices(story, draft)
    story.summary = rendition.summary
    story.published_markdown = rendition.markdown
    story.published_html = str(rendition.html)
    story.published_words = rendition.words
    story.search_text = rendition.search_text
    story.published_at = story.published_at or now
    story.revised_at = now
    story.history_summary = prepared.history_summary
    workshop = story.workshop
    workshop.published_at = workshop.published_at or now


def publish(story: Story, draft: Draft | None = None, *, now: datetime | None = None) -> Story:
    """Publish the story's current text (or update the published version), with `draft`'s choices
    (the saved ones by default). Raises PublishError when the story is empty."""
    markdown = persistence.load_text(story.id)
    _publish(_prepare(story, draft or draft_of(story, markdown), markdown), _now(now))
    db.session.flush()
    return story


def prepare_again(story: Story, draft: Draft) -> _Prepared:
    """A published story rendered again from its published text with `draft`'s choices (an erase changes
    its credits: `erasure.participants`); work that gives way, done before the write opens."""
    return _prepare(story, draft, story.published_markdown)


def store_again(prepared: _Prepared) -> None:
    """Store what `prepare_again` made, keeping the story's dates."""
    _publish(prepared, prepared.story.revised_at or _now(None))
    db.session.flush()


def unpublish(story: Story) -> None:
    """Take the story off the public site; its title, summary, themes and credits stay for next time."""
    story.published_at = None
    story.revised_at = None
    story.published_markdown = ""
    story.published_html = ""
    story.search_text = ""
    story.published_words = 0
    story.history_summary = ""
    db.session.flush()
    still_public = db.session.scalar(
        select(Story.id).where(Story.workshop_id == story.workshop_id, is_published()).limit(1)
    )
    if still_public is None:
        story.workshop.published_at = None
    db.session.flush()


@dataclass(frozen=True)
class WorkshopPublication:
    """What `publish_workshop` did: the stories it published or updated, the empty ones it left out."""

    published: list[Story]
    empty: list[Story]


def stories_of(workshop: Workshop) -> list[Story]:
    """The workshop's stories in the order of its groups."""
    return list(
        db.session.scalars(
            select(Story)
            .join(Group, Group.id == Story.group_id)
            .where(Story.workshop_id == workshop.id)
            .order_by(Group.position)
        )
    )


def publish_workshop(workshop: Workshop, *, now: datetime | None = None) -> WorkshopPublication:
    """Publish (or update) every story of the workshop that has text, with its saved choices: every story is
    read and rendered first, then all are stored at once (flushed)."""
    now = _now(now)
    ready: list[_Prepared] = []
    empty: list[Story] = []
    for story in stories_of(workshop):
        markdown = persistence.load_text(story.id)
        draft = draft_of(story, markdown)
        if not body_of(markdown, draft.title).strip():
            empty.append(story)
            continue
        ready.append(_prepare(story, draft, markdown))
    for prepared in ready:
        _publish(prepared, now)
    db.session.flush()
    return WorkshopPublication([prepared.story for prepared in ready], empty)
