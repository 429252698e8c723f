"""A consultation's workshops from a CSV file: one row per workshop, with its title, its facilitator's email,
its number of groups and its start time. All or nothing: `read` checks every row and returns a `Report`;
only a report without a refusal gives the `batch.Spec`s that `batch.create` then makes.

What a spreadsheet writes is accepted: `;` or `,` between cells (French Excel writes `;`), UTF-8 with or
without a byte-order mark, else Windows-1252; column names in English or French, in any order, case and
accents aside. The input is bounded before it is read: at most `MAX_BYTES` of the upload and `MAX_ROWS`
rows (10,000 rows are refused after reading the first `MAX_BYTES`, never all of them), and the checks are
a few statements whatever the number of rows (the facilitators in one query, the titles in another).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Facilitator
from accounts.operations import normalise_email
from consultations import batch
from consultations import operations as ops
from consultations.models import Consultation
from core.text import TextError, clean_line
from errors import RefusedError
from extensions import db

MAX_ROWS = 500  # workshops in one file (a consultation holds at most ops.MAX_WORKSHOPS)
MAX_BYTES = 256 * 1024  # of the file: 500 rows of about 500 bytes
MAX_EMAIL = 254
MIN_YEAR, MAX_YEAR = 2000, 2100
EXAMPLE = "2027-03-01 09:30, 01/03/2027 09:30"

# The columns, and the names a spreadsheet may give them (compared without case, accents or punctuation).
COLUMNS = {
    "title": ("title", "workshop", "workshop title", "titre", "atelier", "titre de l'atelier"),
    "email": (
        "facilitator email",
        "facilitator e-mail",
        "email",
        "e-mail",
        "facilitator",
        "email de l'animateur",
        "e-mail de l'animateur",
        "email animateur",
        "animateur",
        "animatrice",
        "courriel",
    ),
    "groups": ("number of groups", "groups", "groupes", "nombre de groupes", "nb groupes"),
    "start": (
        "start time",
        "start",
        "starts at",
        "début",
        "heure de début",
        "date de début",
        "date et heure",
    ),
}
LABELS = {
    "title": _l("title"),
    "email": _l("facilitator e-mail"),
    "groups": _l("number of groups"),
    "start": _l("start time"),
}
DAY_FIRST = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M", "%d/%m/%Y %Hh")


@dataclass(frozen=True)
class RowRefusal:
    """Why one row of the file was refused; `row` counts as a spreadsheet does (the header is row 1)."""

    row: int
    title: str
    reasons: tuple[str, ...]


@dataclass
class Report:
    """What reading a file found: the problems of the whole file, each refused row, or the workshops."""

    rows: int = 0  # rows of workshops read
    problems: list[str] = field(default_factory=list)  # the file's own (its size, its columns)
    refused: list[RowRefusal] = field(default_factory=list)
    specs: list[batch.Spec] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems and not self.refused and bool(self.specs)


class _FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "", bare)


ALIASES = {_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def _text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # an older Excel's "CSV (séparateur: point-virgule)"


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") and ";" in header else ","


def _columns(header: list[str]) -> dict[str, int]:
    """Where each column is; raises `_FileError` naming a wrong, repeated or missing column."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name.strip():
            continue
        column = ALIASES.get(_key(name))
        if column is None:
            raise _FileError(_("Unknown column “%(name)s”.", name=name.strip()[:80]))
        if column in found:
            raise _FileError(_("The column “%(name)s” appears twice.", name=str(LABELS[column])))
        found[column] = index
    missing = [str(LABELS[c]) for c in COLUMNS if c not in found]
    if missing:
        raise _FileError(_("Some columns are missing: %(names)s.", names=", ".join(missing)))
    return found


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    except csv.Error as error:
        message = _("This file is not a readable CSV file (%(error)s).", error=str(error)[:120])
        raise _FileError(message) from None


def parse_start(value: str) -> datetime:
    """A start time as a spreadsheet writes it: ISO ("2027-03-01 09:30", with or without an offset) or
    day first ("01/03/2027 09:30"); without an offset, in UTC. Raises ValueError."""
    value = value.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        for pattern in DAY_FIRST:
            try:
                moment = datetime.strptime(value, pattern)  # naive: in UTC, below
                break
            except ValueError:
                continue
    if moment is None or (len(value) <= 10 and ":" not in value):
        raise ValueError(value)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class _Row:
    row: int
    title: str
    email: str
    groups: int | None
    start: datetime | None
    reasons: list[str]


def _groups(raw: str, reasons: list[str]) -> int | None:
    if not re.fullmatch(r"\d{1,6}", raw):
        reasons.append(_("“%(value)s” is not a number of groups.", value=raw[:40]))
        return None
    try:
        return ops.clean_batch_groups(int(raw))
    except RefusedError:
        reasons.append(_("A workshop has from 1 to %(high)d groups.", high=ops.MAX_BATCH_GROUPS))
        return None


def _start(raw: str, reasons: list[str]) -> datetime | None:
    if not raw:
        return None
    try:
        return parse_start(raw)
    except ValueError:
        reasons.append(
            _(
                "“%(value)s” is not a start time: write it as %(example)s.",
                value=raw[:40],
                example=EXAMPLE,
            )
        )
        return None


def _read_row(number: int, cells: list[str], where: dict[str, int], width: int) -> _Row:
    reasons: list[str] = []
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        reasons.append(_("This row has more cells than the header has columns."))

    def cell(column: str) -> str:
        index = where[column]
        return cells[index].strip() if index < len(cells) else ""

    raw_title = cell("title")
    title = ""
    if not raw_title:
        reasons.append(_("The title is missing."))
    else:
        try:
            title = clean_line(raw_title, limit=ops.MAX_TITLE)
        except TextError as error:
            reasons.append(str(error.message))
    email = cell("email")
    if not email:
        reasons.append(_("The facilitator's e-mail is missing."))
    elif len(email) > MAX_EMAIL or "@" not in email:
        reasons.append(_("“%(email)s” is not an e-mail address.", email=email[:80]))
    groups = _groups(cell("groups"), reasons)
    start = _start(cell("start"), reasons)
    return _Row(number, title or raw_title[:80], email, groups, start, reasons)


def read(upload: IO[bytes], consultation: Consultation) -> Report:
    """Check the uploaded file against the consultation; a report without refusals carries its specs."""
    report = Report()
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        report.problems.append(
            _(
                "This file is too large (over %(size)d KB): a file imports at most %(rows)d workshops.",
                size=MAX_BYTES // 1024,
                rows=MAX_ROWS,
            )
        )
        return report
    text = _text(data)
    if "\x00" in text:
        report.problems.append(_("This file is not a CSV file."))
        return report
    try:
        rows = _rows(text, report)
    except _FileError as error:
        report.problems.append(error.message)
        return report
    if not rows:
        report.problems.append(_("This file has no workshop in it."))
        return report
    _check_against(consultation, rows, report)
    return report


def _rows(text: str, report: Report) -> list[_Row]:
    records = _records(text, _delimiter(text))
    header = next(records, None)
    if header is None:
        raise _FileError(_("This file is empty."))
    where = _columns(header)
    rows: list[_Row] = []
    for number, cells in enumerate(records, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _FileError(
                _("This file has more than %(rows)d workshops: import them in several files.", rows=MAX_ROWS)
            )
        rows.append(_read_row(number, cells, where, len(header)))
    report.rows = len(rows)
    return rows


def _check_against(consultation: Consultation, rows: list[_Row], report: Report) -> None:
    """The checks that read the database: facilitators, titles already used, room left."""
    emails = {normalise_email(r.email) for r in rows if r.email and "@" in r.email}
    statement = select(Facilitator.email, Facilitator.id).where(Facilitator.email.in_(sorted(emails)))
    accounts: dict[str, int] = {email: id_ for email, id_ in db.session.execute(statement)}
    taken = batch.titles_taken(consultation.id)
    first_row: dict[str, int] = {}
    for row in rows:
        if row.email and "@" in row.email and normalise_email(row.email) not in accounts:
            row.reasons.append(_("No facilitator account uses the e-mail “%(email)s”.", email=row.email[:80]))
        key = batch.title_key(row.title)
        if row.title and key in taken:
            row.reasons.append(_("The consultation already has a workshop with this title."))
        elif row.title and key in first_row:
            row.reasons.append(_("Same title as row %(row)d.", row=first_row[key]))
        else:
            first_row.setdefault(key, row.row)
    try:
        batch.check_room(consultation.id, len(rows))
    except RefusedError as error:
        report.problems.append(str(error.message))
    report.refused = [RowRefusal(r.row, r.title, tuple(r.reasons)) for r in rows if r.reasons]
    if report.problems or report.refused:
        return
    report.specs = [
        batch.Spec(
            title=r.title,
            groups=r.groups or 1,
            facilitator_id=accounts[normalise_email(r.email)],
            scheduled_at=r.start,
        )
        for r in rows
    ]
