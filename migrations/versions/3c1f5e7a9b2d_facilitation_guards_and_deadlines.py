"""Facilitation: clock version, deadline actions, one display name per person in a workshop

Revision ID: 3c1f5e7a9b2d
Revises: 3c1f0a7e5d21
Create Date: 2026-12-02 00:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3c1f5e7a9b2d"
down_revision = "3c1f0a7e5d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock_version", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("deadline_handled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("at_deadline", sa.String(length=8), server_default="signal", nullable=False)
        )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=240), nullable=True))
    # Existing names: the first of a workshop's same names keeps it as its key, later ones get a unique one.
    op.execute(
        "UPDATE participants SET name_key = lower(display_name) || CASE WHEN id = ("
        " SELECT min(p2.id) FROM participants p2 WHERE p2.workshop_id = participants.workshop_id"
        " AND lower(p2.display_name) = lower(participants.display_name)) THEN '' ELSE '#' || id END"
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=240), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_participants_workshop_id"), ["workshop_id", "name_key"]
        )


def downgrade():
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_participants_workshop_id"), type_="unique")
        batch_op.drop_column("name_key")
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_column("at_deadline")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("deadline_handled")
        batch_op.drop_column("clock_version")
