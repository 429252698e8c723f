"""Workshop, its agenda of phases, its groups and its participants."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from accounts.models import Facilitator
from extensions import db

VISIBILITY = ("none", "next", "all")  # which other groups' drafts a phase lets a group read
# Who may see and leave comments on a story during a phase: nobody, the story's own group, or also the
# groups that the phase lets read it (see workshops.access.comment_access).
COMMENTS = ("off", "group", "readers")
AT_DEADLINE = ("signal", "lock", "advance")  # what happens when a phase's time is up
TOOLS = (
    "story",
    "board",
    "both",
)  # what a phase shows each group: its story, its board, or both side by side
MAX_COLUMNS = 6  # columns of a phase's board
MAX_COLUMN_NAME = 40
MAX_DOTS = 10  # dots each member may place on the board's cards in a phase (0: no voting)


def name_key(display_name: str) -> str:
    """What makes two display names the same name in a workshop: case, accents and spacing do not count
    ("Émilie" is "emilie"; the migration 4d2e8a1c6f30 keeps a frozen copy of this function)."""
    decomposed = unicodedata.normalize("NFKD", display_name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class Workshop(db.Model):
    """A co-writing session: an agenda, groups, a join code and a live clock."""

    __tablename__ = "workshops"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    joining_open: Mapped[bool] = mapped_column(Boolean, default=True)
    participants_choose_group: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("facilitators.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The live clock (see workshops/phases.py): persisted so every worker and every reload agrees.
    phase_index: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remaining_seconds: Mapped[float | None]
    all_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    broadcast: Mapped[str] = mapped_column(Text, default="")
    broadcast_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Moves with every change of who may read or write what (workshops.access_version).
    access_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the last phase ended (participants' tokens expire a set time after; see identity.py).
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by every change of the clock (a command or a deadline action): a command says which version it
    # was issued from, and a write only lands on the version it read (see workshops/live.py, deadlines.py).
    clock_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Whether the current phase's deadline action has run (reset whenever the clock gets time again).
    deadline_handled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Retention (issue 26): days after it ended before its people, chat, comments and drafts are erased
    # (None: the instance's `PLUME_RETENTION_DAYS`), and when that was done (`erasure.retention`).
    retention_days: Mapped[int | None] = mapped_column(Integer)
    retention_swept_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The consultation this workshop belongs to (consultations.models), None for a workshop on its own.
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )
    # When it is planned to start, in UTC (a consultation's CSV import gives it); None: not planned.
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    owner: Mapped[Facilitator] = relationship()
    phases: Mapped[list[Phase]] = relationship(
        back_populates="workshop", order_by="Phase.position", cascade="all, delete-orphan"
    )
    groups: Mapped[list[Group]] = relationship(
        back_populates="workshop", order_by="Group.position", cascade="all, delete-orphan"
    )
    facilitators: Mapped[list[Facilitator]] = relationship(secondary="workshop_facilitators")

    def phase_columns(self, position: int | None) -> list[str]:
        """The columns that the phase at `position` lists for its board (none: no such phase, or it lists
        none: every column that holds cards)."""
        return next((p.columns for p in self.phases if p.position == position), [])


class WorkshopFacilitator(db.Model):
    """A facilitator who may run a workshop (the owner and invited co-facilitators)."""

    __tablename__ = "workshop_facilitators"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"), primary_key=True
    )


class Phase(db.Model):
    """One step of the agenda, with its instructions, duration and permissions."""

    __tablename__ = "phases"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    duration_seconds: Mapped[int] = mapped_column(Integer, default=15 * 60)
    editors_open: Mapped[bool] = mapped_column(Boolean, default=True)
    visibility: Mapped[str] = mapped_column(String(8), default="none")
    comments: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    at_deadline: Mapped[str] = mapped_column(String(8), default="signal", server_default="signal")
    # The group's board (docs/protocol.md, "The board"): which tool the phase shows (TOOLS), the board's
    # column names (one per line), the dots each member may place (0: no voting), and whether the board
    # is only shown (read-only) beside the story.
    tool: Mapped[str] = mapped_column(String(8), default="story", server_default="story")
    board_columns: Mapped[str] = mapped_column(Text, default="", server_default="")
    dots: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    board_readonly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The facilitator hides the dot counts until a reveal (`facilitator:command` `dots`): each member sees
    # only their own dots meanwhile.
    dots_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def columns(self) -> list[str]:
        """The board's column names; none: every column that holds cards (the client names a first one)."""
        return [name.strip() for name in self.board_columns.splitlines() if name.strip()]

    workshop: Mapped[Workshop] = relationship(back_populates="phases")


class Group(db.Model):
    """A small team inside a workshop; it writes exactly one story."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("workshop_id", "position"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Opened by the facilitator ("Unlock") in a phase whose agenda keeps the editors closed; the next phase
    # clears it (workshops.access.writing, workshops.live.write_clock).
    opened: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When its participants called the facilitator ("Call the facilitator"); None once answered
    # (workshops.calls).
    called_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Time of its own in this phase, beyond everyone's deadline (the facilitator's "+2 min" on its card); the
    # next phase clears it (workshops.group_time, workshops.live.write_clock).
    extra_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    workshop: Mapped[Workshop] = relationship(back_populates="groups")
    participants: Mapped[list[Participant]] = relationship(back_populates="group", order_by="Participant.id")


class Participant(db.Model):
    """Someone who joined with the code and a display name; no account."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("workshop_id", "name_key"),  # two people cannot take the same name in a workshop
        {"sqlite_autoincrement": True},  # ids are never reused, not even on SQLite
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    name_key: Mapped[str] = mapped_column(String(240))  # name_key(display_name), kept by `_keep_name_key`
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    color: Mapped[str] = mapped_column(String(7))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Removed by a facilitator: the token opens nothing any more, the name leaves the rosters.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Erased (issue 26): name, token and messages gone; the row stays for what they wrote, as "a participant".
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    group: Mapped[Group] = relationship(back_populates="participants")

    @validates("display_name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key(value)
        return value


class AuditEntry(db.Model):
    """What a facilitator did to people or data of a workshop (erase, remove, move, export), for its
    facilitators to read. A participant is recorded by id only: their name is read from their row when
    the log is shown, so an erased participant's name is nowhere in it."""

    __tablename__ = "audit_entries"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    # Who did it: a facilitator, or None for the command line (or an account deleted since).
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the log outlives the row
    group_id: Mapped[int | None] = mapped_column(Integer)  # a move's destination
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
