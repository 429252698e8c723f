"""A group's call to the facilitator, and a group's own time in a phase (issue 28)

Revision ID: 7c1d9e3b5a20
Revises: 9c3d7e1f2a64
Create Date: 2026-12-06 22:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7c1d9e3b5a20"
down_revision = "9c3d7e1f2a64"
branch_labels = None
depends_on = None

COLUMNS = ("called_at", "extra_seconds")


def upgrade():
    # Plain ADD COLUMNs: a batch copy of `groups` would, on SQLite, cascade the DROP to their participants.
    op.add_column("groups", sa.Column("called_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("groups", sa.Column("extra_seconds", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the batch copy drops `groups`: its participants must not cascade away with it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
