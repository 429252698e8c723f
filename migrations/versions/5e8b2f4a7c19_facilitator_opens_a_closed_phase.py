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
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opened", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("opened")
