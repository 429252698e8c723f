"""Comments on a story's passages (threads of replies) and the groups' chat messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db


class Comment(db.Model):
    """A comment on a passage of a story (`parent_id` None) or a reply in its thread.

    The passage is anchored by two Yjs relative positions, `anchor_start` and `anchor_end`, as the bytes that
    `Y.encodeRelativePosition` (or pycrdt's `StickyIndex.encode`) writes, with the text it covered when the
    comment was made (`quote`): it follows the text as the authors keep writing, and outlives its deletion.
    The author's name, group and colour are kept as they were, so the thread reads the same after a move.
    """

    __tablename__ = "comments"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(60))
    author_group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    author_group_name: Mapped[str] = mapped_column(String(80), default="")
    author_color: Mapped[str] = mapped_column(String(7), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    anchor_start: Mapped[bytes | None] = mapped_column(LargeBinary)
    anchor_end: Mapped[bytes | None] = mapped_column(LargeBinary)
    quote: Mapped[str] = mapped_column(Text, default="")
    phase_position: Mapped[int | None] = mapped_column(Integer)  # the phase it was written in
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str] = mapped_column(String(60), default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # by a facilitator
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # by its author (the thread stays)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ChatMessage(db.Model):
    """A message in a group's chat; `group_id` None is a facilitator's message to every group."""

    __tablename__ = "chat_messages"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("facilitators.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(80))
    author_color: Mapped[str] = mapped_column(String(7), default="")
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
