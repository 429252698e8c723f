"""The figures of a consultation's synthesis as data: every one as JSON (`as_json`), and as CSV tables
(`as_csv`: workshops, timeline, themes, pairs of themes, stories), text that a spreadsheet could run as a
formula defused."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, fields
from typing import Any

from consultations import text_stats
from consultations.synthesis import Synthesis, WorkshopFigures


def _term(term: text_stats.Term) -> dict[str, Any]:
    return {"word": term.word, "count": term.count, "score": round(term.score, 4)}


def as_json(synthesis: Synthesis) -> dict[str, Any]:
    """Every figure of the synthesis as JSON-ready values."""
    i = synthesis.inputs
    return {
        "consultation": {
            "title": i.title,
            "question": i.question,
            "language": i.language,
            "url": i.url,
            "starts_on": i.starts_on,
            "ends_on": i.ends_on,
        },
        "made_at": i.made_at.isoformat(),
        "totals": asdict(synthesis.totals),
        "workshops": [asdict(w) for w in i.workshops],
        "timeline": {
            "bucket_seconds": i.bucket_seconds,
            "buckets": [{"start": b.start.isoformat(), "updates": b.updates} for b in i.buckets],
        },
        "themes": [
            {
                "slug": t.slug,
                "label": t.label,
                "stories": t.stories,
                "distinctive_words": [_term(w) for w in t.words],
            }
            for t in synthesis.themes
        ],
        "theme_pairs": [{"themes": [p.first, p.second], "stories": p.stories} for p in synthesis.pairs],
        "top_words": [_term(w) for w in synthesis.top_words],
        "votes": None
        if i.votes is None
        else {"voters": i.votes.voters, "closed": i.votes.closed, "dots": sum(i.votes.dots.values())},
        "stories": [
            {
                "id": s.story.id,
                "title": s.story.title,
                "workshop": s.story.workshop,
                "group": s.story.group,
                "summary": s.story.summary,
                "url": s.story.url,
                "words": s.story.words,
                "themes": [label for _slug, label in s.story.themes],
                "authors": list(s.story.authors),
                "published_at": s.story.published_at.isoformat(),
                "dots": s.dots,
                "distinctive_words": [_term(w) for w in s.words],
            }
            for s in synthesis.stories
        ],
    }


CSV_TABLES = ("workshops", "timeline", "themes", "pairs", "stories")


def _cell(value: Any) -> Any:
    """A value as a spreadsheet will not run it: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def as_csv(synthesis: Synthesis, name: str) -> str:
    """The table `name` (one of CSV_TABLES) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table(synthesis, name):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def table(synthesis: Synthesis, name: str) -> list[list[Any]]:
    """One table of the synthesis for a CSV file: a header row, then the rows."""
    if name == "workshops":
        header = [f.name for f in fields(WorkshopFigures)]
        return [header, *([getattr(w, f) for f in header] for w in synthesis.inputs.workshops)]
    if name == "timeline":
        return [["start", "updates"], *([b.start.isoformat(), b.updates] for b in synthesis.inputs.buckets)]
    if name == "themes":
        return [
            ["slug", "label", "stories", "distinctive_words"],
            *([t.slug, t.label, t.stories, " ".join(w.word for w in t.words)] for t in synthesis.themes),
        ]
    if name == "pairs":
        return [
            ["theme", "other_theme", "stories"],
            *([p.first, p.second, p.stories] for p in synthesis.pairs),
        ]
    if name == "stories":
        header = [
            "id",
            "title",
            "workshop",
            "group",
            "url",
            "words",
            "themes",
            "dots",
            "summary",
            "distinctive_words",
        ]
        rows = [
            [
                s.story.id, s.story.title, s.story.workshop, s.story.group, s.story.url, s.story.words,
                "; ".join(label for _slug, label in s.story.themes), "" if s.dots is None else s.dots,
                s.story.summary, " ".join(w.word for w in s.words),
            ]
            for s in synthesis.stories
        ]  # fmt: skip
        return [header, *rows]
    raise KeyError(name)
