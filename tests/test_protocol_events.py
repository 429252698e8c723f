"""docs/protocol.md and core/events.py name the same server events with the same fields, both ways.

The table "Events the server sends" is parsed: every row must have its structure (same event, same form,
exactly the same fields), every structure its row; and the event tables of the other sections must agree
with it.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from core import events

DOC = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"
NAME = re.compile(r"`([a-z_]+)`")  # a field: one backticked word
EVENT = re.compile(r"`([a-z]+(?::[a-z]+)?)`(?: \(([a-z]+)\))?")  # `comment:counts` or `comment` (hidden)


def section(heading: str) -> str:
    text = DOC.read_text()
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    return text[start : end if end != -1 else len(text)]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every table row of `text`, header and separator rows left out."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("| ---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return [row for row in rows if row[0] not in ("event", "field", "first varuint", "bytes", "what")]


def every_receivers_fields() -> set[str]:
    """The fields that the `workshop:state` section says every receiver gets (its first table)."""
    text = section("### `workshop:state` (server → client)")
    common = text[text.index("Every receiver gets:") : text.index("A **participant**")]
    return {name for row in table_rows(common) for name in NAME.findall(row[0])}


def documented() -> dict[tuple[str, str], set[str]]:
    """{(event, form): fields} from the table "Events the server sends"."""
    found: dict[tuple[str, str], set[str]] = {}
    for cells in table_rows(section("## Events the server sends")):
        match = EVENT.fullmatch(cells[0])
        assert match, cells[0]
        names = {name for name in NAME.findall(cells[2])}
        if "every receiver's fields" in cells[2]:
            names |= every_receivers_fields()
        key = (match.group(1), match.group(2) or "")
        assert key not in found, f"{key} has two rows"
        found[key] = names
    return found


def declared() -> dict[tuple[str, str], set[str]]:
    return {(event.name, event.variant): {f.name for f in fields(event)} for event in events.EVENTS}


def test_every_documented_event_has_a_structure_with_exactly_its_fields_and_back() -> None:
    doc, code = documented(), declared()
    assert sorted(doc) == sorted(code)
    for key in doc:
        assert doc[key] == code[key], (key, doc[key] ^ code[key])


def test_the_workshop_state_tables_list_what_every_receiver_gets() -> None:
    common = {f.name for f in fields(events.WorkshopState)}
    assert every_receivers_fields() == common


def test_the_other_sections_agree_with_the_table() -> None:
    """Each server event of the sections' event tables is in the table, with the same fields where the
    section writes its object out (`{"story_id": int, ...}`)."""
    doc = documented()
    before = DOC.read_text().split("## Events the server sends")[0]
    rows = [
        row
        for row in table_rows(before)
        if len(row) >= 3 and row[1].startswith(("server", "s→")) and EVENT.fullmatch(row[0])
    ]
    assert {EVENT.fullmatch(row[0]).group(1) for row in rows} == {
        "story:access", "story:revoked", "workshop:revoked", "story:activity",
        "comment", "comment:counts", "chat:message",
    }  # fmt: skip
    for event, _direction, arguments, *_ in rows:
        name = EVENT.fullmatch(event).group(1)
        assert (name, "") in doc, name
        if arguments.startswith("`{"):
            assert set(re.findall(r'"([a-z_]+)"', arguments)) == doc[(name, "")], name
