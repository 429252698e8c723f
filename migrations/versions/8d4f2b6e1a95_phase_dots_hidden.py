"""Phases remember whether the facilitator hides the board's dot counts until a reveal

Revision ID: 8d4f2b6e1a95
Revises: 7e3c5a9b2d41
Create Date: 2026-12-07 02:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8d4f2b6e1a95"
down_revision = "7e3c5a9b2d41"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dots_hidden", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_column("dots_hidden")
