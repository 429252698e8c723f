"""A facilitator's "Unlock" opens a phase whose agenda keeps the editors closed, until the next phase (issue 28)

Revision ID: 5e8b2f4a7c19
Revises: 4d2e8a1c6f30
Create Date: 2026-12-06 19:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e8b2f4a7c19"
down_revision = "4d2e8a1c6f30"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch copy of `groups` would, on SQLite, cascade the DROP to their participants.
    op.add_column("groups", sa.Column("opened", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the batch copy drops `groups`: its participants must not cascade away with it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("opened")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
