"""Phases say which tool they show (the story, the board, both), the board's columns and its dots

Revision ID: 5b8e3d1a7c42
Revises: 5e8d3a1c7b42
Create Date: 2026-12-07 01:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5b8e3d1a7c42"
down_revision = "5e8d3a1c7b42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tool", sa.String(length=8), server_default="story", nullable=False))
        batch_op.add_column(sa.Column("board_columns", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("dots", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("board_readonly", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_column("board_readonly")
        batch_op.drop_column("dots")
        batch_op.drop_column("board_columns")
        batch_op.drop_column("tool")
