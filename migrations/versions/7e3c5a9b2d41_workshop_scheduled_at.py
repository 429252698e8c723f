"""A workshop's planned start (a consultation's CSV import gives it; issue 25)

Revision ID: 7e3c5a9b2d41
Revises: 5b8e3d1a7c42
Create Date: 2026-12-07 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7e3c5a9b2d41"
down_revision = "5b8e3d1a7c42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("scheduled_at")
