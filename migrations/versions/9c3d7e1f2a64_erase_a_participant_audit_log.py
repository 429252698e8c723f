"""Erase a participant, and the audit log of facilitators' actions on people and data (issue 26)

Revision ID: 9c3d7e1f2a64
Revises: 6a1d3f9c2e47
Create Date: 2026-12-06 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9c3d7e1f2a64"
down_revision = "6a1d3f9c2e47"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch copy of `participants` would, on SQLite, set their authorship to NULL.
    op.add_column("participants", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshops.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["facilitator_id"], ["facilitators.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_entries_workshop_id", "audit_entries", ["workshop_id"])


def downgrade():
    op.drop_index("ix_audit_entries_workshop_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the batch copy drops `participants`: their authorship must not be set to NULL with it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
