"""The archive of a workshop's writing for facilitators and researchers: every story with every checkpoint,
its text, authorship, contribution figures and board, as JSON, and as CSV the figures (one row per member
and checkpoint)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from core.dates import aware
from stories.cowriting import history
from stories.reading import history_boards, publishing
from workshops.models import Workshop

CSV_COLUMNS = [
    "story_id", "group", "checkpoint", "phase_position", "phase_title", "ended_at", "seq",
    "participant_id", "participant", "written", "present", "characters",
]  # fmt: skip


def _contributions(items: list[history.Contribution]) -> list[dict[str, Any]]:
    return [
        {"participant_id": c.member.id, "name": c.member.name, "written": c.written, "present": c.present}
        for c in items
    ]


def archive(workshop: Workshop) -> dict[str, Any]:
    """Everything the history view shows, for every story of the workshop, as plain data."""
    stories = []
    for story in publishing.stories_of(workshop):
        found = history.story_history(story)
        boards = history_boards.boards(found)
        stories.append(
            {
                "id": story.id,
                "group": story.group.name,
                "title": story.title,
                "published_at": aware(story.published_at).isoformat() if story.published_at else None,
                "log": {
                    "first_seq": found.span.first,
                    "last_seq": found.span.last,
                    "updates": found.span.count,
                },
                "checkpoints": [
                    {
                        "id": point.row.id,
                        "phase_position": point.row.phase_position,
                        "phase_title": point.row.phase_title,
                        "ended_at": aware(point.row.created_at).isoformat() if point.row.created_at else None,
                        "seq": point.row.seq,
                        "exact": point.exact,
                        "text": point.text,
                        "authorship": json.loads(point.row.authorship or "{}"),
                        "added": point.added,
                        "removed": point.removed,
                        "contributions": _contributions(point.contributions),
                        "board": history_boards.as_data(boards, boards.after.get(point.row.id, [])),
                    }
                    for point in found.checkpoints
                ],
                "text": found.now.text(),
                "contributions": _contributions(found.total),
                "board": history_boards.as_data(boards, boards.now),
            }
        )
    return {"workshop": {"id": workshop.id, "title": workshop.title}, "stories": stories}


def _cell(value: Any) -> Any:
    """A value as a spreadsheet will not run it: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def archive_csv(data: dict[str, Any]) -> str:
    """The contribution figures of `archive(...)`: a row per member per checkpoint, then their totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for story in data["stories"]:
        points = [*story["checkpoints"], {"id": "total", "contributions": story["contributions"]}]
        for point in points:
            for c in point["contributions"]:
                writer.writerow(
                    map(_cell, [
                        story["id"], story["group"], point["id"], point.get("phase_position", ""),
                        point.get("phase_title", ""), point.get("ended_at") or "", point.get("seq", ""),
                        c["participant_id"], c["name"], c["written"], c["present"],
                        len(point.get("text", story["text"])),
                    ])
                )  # fmt: skip
    return out.getvalue()
