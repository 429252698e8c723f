"""The story of a group: its CRDT update log, checkpoints and published form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from workshops.models import Group, Workshop


class Story(db.Model):
    """One group's story: live as a CRDT log, and once published as Markdown + sanitised HTML."""

    __tablename__ = "stories"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null only for an anonymous story, kept public when its workshop was deleted (`erasure.workshops`): no
    # workshop, group, credits, history nor draft is left of it. Typed `int` for every other story, which the
    # co-writing engine and the facilitators' pages only ever reach.
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True, nullable=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    # An anonymous story's language: its workshop's, copied when the workshop was deleted.
    kept_language: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    credit_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    credits: Mapped[str] = mapped_column(Text, default="")  # authors' names as the group chose them
    # Live activity, kept for the facilitator console.
    length: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The published form: rendered once at publish time, never from the CRDT on the reader side.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    published_markdown: Mapped[str] = mapped_column(Text, default="")
    published_html: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded (no accents, lower case)
    published_words: Mapped[int] = mapped_column(Integer, default=0)  # for the reading time on cards
    revised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last (re)publication
    # Opt-in at publish: the reading page shows "how this story was written" (phases, co-authors' shares).
    show_history: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    history_summary: Mapped[str] = mapped_column(Text, default="", server_default="")  # JSON, made at publish

    workshop: Mapped[Workshop] = relationship()
    group: Mapped[Group] = relationship(backref="story")
    themes: Mapped[list[StoryTheme]] = relationship(cascade="all, delete-orphan", order_by="StoryTheme.label")

    @property
    def detached(self) -> bool:
        """Kept public after its workshop was deleted: no workshop, no collection, no names."""
        return self.workshop_id is None

    @property
    def language(self) -> str:
        """The language the story is written in: its workshop's, or the one it kept."""
        if self.workshop is not None:
            return self.workshop.language
        return self.kept_language or "fr"


class StoryUpdate(db.Model):
    """One Yjs update as a client sent it, appended in order; compaction folds a prefix into one row."""

    __tablename__ = "story_updates"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StoryClient(db.Model):
    """A Yjs client id that wrote into a story, and the participant whose editor it was.

    No longer written nor read: authorship follows the log (`stories.cowriting.history.Replay`). The table
    stays, with the rows of older stories, until a migration drops it.
    """

    __tablename__ = "story_clients"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))


class StoryCheckpoint(db.Model):
    """The story's text as it stood at the end of a phase, with who wrote what."""

    __tablename__ = "story_checkpoints"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    phase_position: Mapped[int] = mapped_column(Integer)
    phase_title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    authorship: Mapped[str] = mapped_column(Text, default="{}")  # JSON {participant name: characters}
    seq: Mapped[int | None] = mapped_column(Integer)  # the last log seq the text includes (None: older rows)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StoryLogEntry(db.Model):
    """An update of the story's log kept for history: compaction copies each raw row here before it folds
    the live log (`story_updates`) into one snapshot. Same seq, bytes, author and time as the original."""

    __tablename__ = "story_log"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StorySnapshot(db.Model):
    """The story as the log builds it up to `seq`: the document's state and who wrote each part of its text
    (JSON runs [[participant id or null, UTF-8 bytes], ...]). Derived from the log, which never changes
    below its last seq; replay seeks from the nearest one."""

    __tablename__ = "story_snapshots"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    authors: Mapped[str] = mapped_column(Text)
    written: Mapped[str] = mapped_column(Text, default="{}")  # JSON {participant id: characters inserted}


class StoryTheme(db.Model):
    """A theme tag on a story, for the reader's filters."""

    __tablename__ = "story_themes"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(60))


class Reaction(db.Model):
    """A reader's reaction to a published story, counted once per browser."""

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("story_id", "kind", "browser"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    browser: Mapped[str] = mapped_column(String(64))  # a hash of the reader's random browser id
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
