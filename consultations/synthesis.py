"""The synthesis of a consultation for its sponsor: its figures, charts, themes and distinctive words.

Two steps, so that nothing that grows with the consultation runs on the event loop:

1. `gather(consultation)` (on the loop, in the request): a few aggregate statements (counts and sums per
   workshop, the writing activity bucketed in the database) and a plain copy of the published stories
   (`StoryCopy`): the rows are not needed after it.
2. `analyse(inputs)` (pure: no database, request or translation): distinctive words (`text_stats`), themes
   and how often they go together, the charts (`charts`). `build(consultation)` runs it off the loop
   within the work budget (`core.budget`: `OverBudgetError` when over, a 503).

What readers could not see stays out of the text: only published stories are read (their title, summary,
words and themes); the participation figures count every workshop, group, participant and comment.

Its figures as JSON and CSV: `synthesis_data`; as a PDF: `synthesis_pdf`.

Votes: `vote_results` reads the consultation's dot-vote (`consultations.vote`), and every figure, CSV,
JSON, page and PDF shows its totals; without a vote the synthesis says that none was held.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

import lxml.html
from sqlalchemy import Integer, case, cast, func, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from consultations import charts, collection, text_stats
from consultations import vote as votes
from consultations.models import Consultation
from core import budget
from core.dates import aware
from extensions import db
from feedback.models import Comment
from stories.models import Reaction, Story, StoryLogEntry, StoryTheme, StoryUpdate
from stories.reading import catalog
from stories.reading.links import public_url
from workshops.models import Group, Participant, Workshop

MAX_BUCKETS = 48  # columns of the timeline
#: Bucket widths tried for the timeline, in seconds: the smallest that fits the day in MAX_BUCKETS.
BUCKET_WIDTHS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000)
MAX_CHART_WORKSHOPS = 40  # bars of a per-workshop chart (every workshop is in the CSV and JSON)
MAX_MATRIX_THEMES = 12  # rows of the themes' heat map
DISTINCTIVE = 8  # distinctive words per theme and per story
CHUNK = 200  # published stories read at once


# --- What the synthesis holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopFigures:
    id: int
    title: str
    status: str
    groups: int = 0
    participants: int = 0
    stories_published: int = 0
    words_published: int = 0
    characters_written: int = 0
    comments: int = 0
    reactions: int = 0
    votes: int | None = None


@dataclass(frozen=True)
class Totals:
    workshops: int
    groups: int
    participants: int
    stories_published: int
    words_published: int
    characters_written: int
    comments: int
    reactions: int
    updates: int
    votes: int | None


@dataclass(frozen=True)
class Bucket:
    start: datetime  # UTC
    updates: int


@dataclass(frozen=True)
class StoryCopy:
    """What the synthesis reads of a published story (plain values, read on the loop)."""

    id: int
    title: str
    workshop_id: int
    workshop: str
    group: str
    summary: str
    html: str
    words: int
    themes: tuple[tuple[str, str], ...]  # (slug, label)
    authors: tuple[str, ...]
    published_at: datetime
    url: str


@dataclass(frozen=True)
class Votes:
    """The vote's results, once a vote exists: dots per story id, and how many voted."""

    dots: dict[int, int]
    voters: int
    closed: bool


@dataclass(frozen=True)
class Inputs:
    """Everything `analyse` needs, read from the database by `gather`."""

    title: str
    question: str
    language: str
    slug: str
    url: str
    starts_on: str | None
    ends_on: str | None
    workshops: list[WorkshopFigures]
    buckets: list[Bucket]
    bucket_seconds: int
    stories: list[StoryCopy]
    votes: Votes | None
    made_at: datetime


@dataclass(frozen=True)
class ThemeFigures:
    slug: str
    label: str
    stories: int
    words: list[text_stats.Term]


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    stories: int


@dataclass(frozen=True)
class StorySynthesis:
    story: StoryCopy
    words: list[text_stats.Term]
    dots: int | None


@dataclass(frozen=True)
class Synthesis:
    inputs: Inputs
    totals: Totals
    themes: list[ThemeFigures]
    pairs: list[Pair]
    matrix_labels: list[str]
    matrix: list[list[int]]
    stories: list[StorySynthesis]
    top_words: list[text_stats.Term]
    charts: dict[str, str] = field(default_factory=dict)  # name → SVG

    @property
    def language(self) -> str:
        return self.inputs.language


# --- The vote's hook ---------------------------------------------------------------------------------


def vote_results(consultation: Consultation) -> Votes | None:
    """The consultation's vote (`consultations.vote`), when one was opened: its dots per published story
    and how many voted; None when no vote was held."""
    vote = votes.vote_of(consultation)
    if vote is None:
        return None
    found = votes.results(consultation, vote)
    return Votes(
        dots={line.story_id: line.dots for line in found.lines},
        voters=found.voters,
        closed=vote.closed_at is not None,
    )


# --- Step 1: reading the database (on the loop) ------------------------------------------------------


def _per_workshop(statement: Any) -> dict[int, Any]:
    return {row[0]: row[1:] for row in db.session.execute(statement)}


def _workshop_figures(ids: list[int], votes: Votes | None, stories: list[StoryCopy]) -> list[WorkshopFigures]:
    rows = db.session.execute(
        select(Workshop.id, Workshop.title, Workshop.status).where(Workshop.id.in_(ids)).order_by(Workshop.id)
    )
    groups = _per_workshop(
        select(Group.workshop_id, func.count(Group.id))
        .where(Group.workshop_id.in_(ids))
        .group_by(Group.workshop_id)
    )
    people = _per_workshop(
        select(Participant.workshop_id, func.count(Participant.id))
        .where(Participant.workshop_id.in_(ids), Participant.removed_at.is_(None))
        .group_by(Participant.workshop_id)
    )
    published = catalog.is_published()
    written = _per_workshop(
        select(
            Story.workshop_id,
            func.count(Story.id).filter(published),
            func.coalesce(func.sum(case((published, Story.published_words), else_=0)), 0),
            func.coalesce(func.sum(Story.length), 0),
        )
        .where(Story.workshop_id.in_(ids))
        .group_by(Story.workshop_id)
    )
    comments = _per_workshop(
        select(Story.workshop_id, func.count(Comment.id))
        .join(Story, Story.id == Comment.story_id)
        .where(Story.workshop_id.in_(ids), Comment.deleted.is_(False))
        .group_by(Story.workshop_id)
    )
    reactions = _per_workshop(
        select(Story.workshop_id, func.count(Reaction.id))
        .join(Story, Story.id == Reaction.story_id)
        .where(Story.workshop_id.in_(ids), Reaction.hidden.is_(False), published)
        .group_by(Story.workshop_id)
    )
    dots: Counter[int] = Counter()
    if votes is not None:
        for story in stories:
            dots[story.workshop_id] += votes.dots.get(story.id, 0)
    found = []
    for workshop_id, title, status in rows:
        made = written.get(workshop_id, (0, 0, 0))
        found.append(
            WorkshopFigures(
                id=workshop_id,
                title=title,
                status=status,
                groups=groups.get(workshop_id, (0,))[0],
                participants=people.get(workshop_id, (0,))[0],
                stories_published=int(made[0] or 0),
                words_published=int(made[1] or 0),
                characters_written=int(made[2] or 0),
                comments=comments.get(workshop_id, (0,))[0],
                reactions=reactions.get(workshop_id, (0,))[0],
                votes=None if votes is None else dots[workshop_id],
            )
        )
    return found


def _log_times(ids: list[int]) -> Any:
    """The moment of every update of the stories of these workshops: the rows kept for history, then the
    live rows past the last kept one (compaction copies rows to `story_log` before it folds them)."""
    stories = select(Story.id).where(Story.workshop_id.in_(ids))
    kept = (
        select(func.max(StoryLogEntry.seq))
        .where(StoryLogEntry.story_id == StoryUpdate.story_id)
        .scalar_subquery()
    )
    return union_all(
        select(StoryLogEntry.created_at.label("at")).where(StoryLogEntry.story_id.in_(stories)),
        select(StoryUpdate.created_at.label("at")).where(
            StoryUpdate.story_id.in_(stories), StoryUpdate.seq > func.coalesce(kept, 0)
        ),
    ).subquery()


def _epoch(column: Any) -> ColumnElement[Any]:
    """Seconds since 1970 of a stored moment, in the database's own words."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), Integer)
    return cast(func.strftime("%s", column), Integer)  # SQLite stores UTC text


def bucket_width(first: datetime, last: datetime) -> int:
    """The smallest width of BUCKET_WIDTHS that cuts first…last into at most MAX_BUCKETS buckets."""
    span = (last - first).total_seconds()
    for width in BUCKET_WIDTHS:
        if span < width * MAX_BUCKETS:
            return width
    return BUCKET_WIDTHS[-1]


def _timeline(ids: list[int]) -> tuple[list[Bucket], int]:
    """Updates written per bucket, from the first to the last (empty buckets included), and the width."""
    times = _log_times(ids)
    first, last = db.session.execute(select(func.min(times.c.at), func.max(times.c.at))).one()
    if first is None:
        return [], BUCKET_WIDTHS[0]
    first, last = aware(first), aware(last)
    width = bucket_width(first, last)
    origin = int(first.timestamp()) // width * width
    index = (_epoch(times.c.at) - origin) // width  # integers: floor division (times are past `origin`)
    counted = dict(db.session.execute(select(index.label("b"), func.count()).group_by("b")).all())
    count = int(last.timestamp() - origin) // width + 1
    buckets = [
        Bucket(datetime.fromtimestamp(origin + n * width, UTC), int(counted.get(n, 0))) for n in range(count)
    ]
    return buckets, width


def _text_of(html: str) -> str:
    if not html.strip():
        return ""
    return " ".join(str(lxml.html.fragment_fromstring(html, create_parent="div").text_content()).split())


def _themes_of(story_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    labels = catalog.spellings()
    found: dict[int, list[tuple[str, str]]] = {}
    statement = (
        select(StoryTheme.story_id, StoryTheme.slug, StoryTheme.label)
        .where(StoryTheme.story_id.in_(story_ids))
        .order_by(StoryTheme.story_id, StoryTheme.label)
    )
    for story_id, slug, label in db.session.execute(statement):
        found.setdefault(story_id, []).append((slug, labels.get(slug, label)))
    return found


def _story_copies(ids: list[int]) -> list[StoryCopy]:
    """The published stories of these workshops as plain values, in the order of their workshops and
    groups: plain columns (no ORM objects), read CHUNK stories at a time with a pause between, so that a
    large consultation does not hold the event loop while its stories are read."""
    statement = (
        select(
            Story.id, Story.title, Story.workshop_id, Workshop.title, Group.name, Story.summary,
            Story.published_html, Story.published_words, Story.credits, Story.credit_anonymous,
            Story.published_at,
        )
        .join(Workshop, Workshop.id == Story.workshop_id)
        .join(Group, Group.id == Story.group_id)
        .where(Story.workshop_id.in_(ids), catalog.is_published())
        .order_by(Story.workshop_id, Group.position, Story.id)
    )  # fmt: skip
    copies: list[StoryCopy] = []
    offset = 0
    while True:
        rows = db.session.execute(statement.limit(CHUNK).offset(offset)).all()
        themes = _themes_of([row[0] for row in rows]) if rows else {}
        for row in rows:
            story_id, title, workshop_id, workshop, group, summary = row[:6]
            html, words, credits, anonymous, at = row[6:]
            copies.append(
                StoryCopy(
                    id=story_id,
                    title=title,
                    workshop_id=workshop_id,
                    workshop=workshop,
                    group=group,
                    summary=summary,
                    html=html,
                    words=words,
                    themes=tuple(themes.get(story_id, [])),
                    authors=() if anonymous else tuple(n for n in (credits or "").split("\n") if n.strip()),
                    published_at=aware(at),
                    url=public_url("stories.read", story_id=story_id),
                )
            )
        if len(rows) < CHUNK:
            return copies
        offset += CHUNK
        time.sleep(0)  # let the other greenlets run between two chunks


def gather(consultation: Consultation, now: datetime | None = None) -> Inputs:
    """Read what the synthesis needs (aggregates and the published stories' copies)."""
    ids = collection.workshop_ids(consultation)
    votes = vote_results(consultation)
    stories = _story_copies(ids) if ids else []
    buckets, width = _timeline(ids) if ids else ([], BUCKET_WIDTHS[0])
    return Inputs(
        title=consultation.title,
        question=consultation.question,
        language=text_stats.language_of(consultation.language),
        slug=consultation.slug,
        url=public_url("consultations.public", slug=consultation.slug),
        starts_on=consultation.starts_on.isoformat() if consultation.starts_on else None,
        ends_on=consultation.ends_on.isoformat() if consultation.ends_on else None,
        workshops=_workshop_figures(ids, votes, stories) if ids else [],
        buckets=buckets,
        bucket_seconds=width,
        stories=stories,
        votes=votes,
        made_at=now or datetime.now(UTC),
    )


# --- Step 2: the analysis (pure, off the loop) -------------------------------------------------------


def _totals(inputs: Inputs) -> Totals:
    w = inputs.workshops
    return Totals(
        workshops=len(w),
        groups=sum(x.groups for x in w),
        participants=sum(x.participants for x in w),
        stories_published=sum(x.stories_published for x in w),
        words_published=sum(x.words_published for x in w),
        characters_written=sum(x.characters_written for x in w),
        comments=sum(x.comments for x in w),
        reactions=sum(x.reactions for x in w),
        updates=sum(b.updates for b in inputs.buckets),
        votes=None if inputs.votes is None else sum(inputs.votes.dots.values()),
    )


def _themes(stories: Sequence[StoryCopy], texts: dict[int, str], language: str) -> list[ThemeFigures]:
    labels: dict[str, str] = {}
    members: dict[str, list[int]] = {}
    for story in stories:
        for slug, label in story.themes:
            labels[slug] = label
            members.setdefault(slug, []).append(story.id)
    words = text_stats.distinctive(
        {slug: " ".join(texts[i] for i in ids) for slug, ids in members.items()}, language, DISTINCTIVE
    )
    found = [ThemeFigures(slug, labels[slug], len(ids), words[slug]) for slug, ids in members.items()]
    return sorted(found, key=lambda t: (-t.stories, t.label.casefold()))


def _pairs(stories: Sequence[StoryCopy]) -> list[Pair]:
    """Every two themes that some story carries together, with how many stories do, most first."""
    labels = {slug: label for s in stories for slug, label in s.themes}
    together: Counter[tuple[str, str]] = Counter()
    for story in stories:
        slugs = sorted({slug for slug, _label in story.themes})
        together.update(combinations(slugs, 2))
    pairs = [Pair(labels[a], labels[b], n) for (a, b), n in together.items()]
    return sorted(pairs, key=lambda p: (-p.stories, p.first.casefold(), p.second.casefold()))


def _matrix(
    themes: Sequence[ThemeFigures], stories: Sequence[StoryCopy]
) -> tuple[list[str], list[list[int]]]:
    """The co-occurrence table of the most used themes: the diagonal holds each theme's stories."""
    chosen = [t.slug for t in themes[:MAX_MATRIX_THEMES]]
    index = {slug: i for i, slug in enumerate(chosen)}
    table = [[0] * len(chosen) for _ in chosen]
    for story in stories:
        present = sorted({index[slug] for slug, _label in story.themes if slug in index})
        for i in present:
            for j in present:
                table[i][j] += 1
    return [t.label for t in themes[:MAX_MATRIX_THEMES]], table


@dataclass(frozen=True)
class ChartWords:
    """The words the charts show (translated on the loop, in the consultation's language)."""

    participants: str
    words: str
    comments: str
    timeline: str
    themes: str


def time_format(inputs: Inputs) -> str:
    """How the timeline's buckets are labelled: hours within a day, days past it (UTC)."""
    buckets = inputs.buckets
    if inputs.bucket_seconds >= 86400:
        return "%Y-%m-%d"
    if buckets and buckets[0].start.date() != buckets[-1].start.date():
        return "%d/%m %H:%M"
    return "%H:%M"


def make_charts(synthesis: Synthesis, words: ChartWords, font: str) -> dict[str, str]:
    """The synthesis's charts as SVG, their texts in `font` (the page's, or the PDF's family)."""
    shown = synthesis.inputs.workshops[:MAX_CHART_WORKSHOPS]

    def bars(value: Any) -> list[charts.Bar]:
        return [charts.Bar(w.title, value(w)) for w in shown]

    buckets = synthesis.inputs.buckets
    labels = time_format(synthesis.inputs)
    columns = [charts.Bar(b.start.strftime(labels), b.updates) for b in buckets]
    made = {
        "participants": charts.bar_chart(bars(lambda w: w.participants), words.participants, font=font),
        "words": charts.bar_chart(bars(lambda w: w.words_published), words.words, font=font),
        "comments": charts.bar_chart(bars(lambda w: w.comments), words.comments, font=font),
    }
    if buckets:
        every = max(1, len(columns) // 8)
        made["timeline"] = charts.column_chart(columns, words.timeline, label_every=every, font=font)
    if synthesis.matrix_labels:
        made["themes"] = charts.heat_map(synthesis.matrix_labels, synthesis.matrix, words.themes, font=font)
    return made


def analyse(inputs: Inputs, words: ChartWords | None = None, font: str = charts.HTML_FONT) -> Synthesis:
    """The synthesis of what `gather` read (pure: runs off the loop); with `words`, its charts too, their
    texts in `font` (the page's, or `charts.PDF_FONT` for the PDF)."""
    language = inputs.language
    texts = {s.id: " ".join([s.title, _text_of(s.html)]) for s in inputs.stories}
    themes = _themes(inputs.stories, texts, language)
    per_story = text_stats.distinctive(texts, language, DISTINCTIVE)
    labels, matrix = _matrix(themes, inputs.stories)
    votes = inputs.votes
    synthesis = Synthesis(
        inputs=inputs,
        totals=_totals(inputs),
        themes=themes,
        pairs=_pairs(inputs.stories),
        matrix_labels=labels,
        matrix=matrix,
        stories=[
            StorySynthesis(s, per_story[s.id], None if votes is None else votes.dots.get(s.id, 0))
            for s in inputs.stories
        ],
        top_words=text_stats.top_words(list(texts.values()), language, 20),
    )
    if words is not None:
        synthesis.charts.update(make_charts(synthesis, words, font))
    return synthesis


def build(consultation: Consultation, words: ChartWords | None = None) -> Synthesis:
    """The consultation's synthesis (with its charts when `words` are given): read on the loop, analysed
    off it within the work budget."""
    inputs = gather(consultation)
    return budget.run(lambda: analyse(inputs, words), "consultation synthesis")
