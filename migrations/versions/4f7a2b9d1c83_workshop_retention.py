"""Retention: a workshop's own retention period, and when its data was erased (issue 26)

Revision ID: 4f7a2b9d1c83
Revises: 7c1d9e3b5a20
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4f7a2b9d1c83"
down_revision = "7c1d9e3b5a20"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: a batch copy of `workshops` would, on SQLite, cascade its deletion to every row.
    op.add_column("workshops", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column("workshops", sa.Column("retention_swept_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the batch copy drops `workshops`: nothing may cascade from it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("retention_swept_at")
        batch_op.drop_column("retention_days")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
