"""A published story may outlive its deleted workshop, as an anonymous story (issue 26)

Revision ID: 6a1d3f9c2e47
Revises: 5e8b2f4a7c19
Create Date: 2026-12-06 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "6a1d3f9c2e47"
down_revision = "5e8b2f4a7c19"
branch_labels = None
depends_on = None


def _without_foreign_keys(change):
    """Run `change` with SQLite's foreign keys off: a batch copy drops `stories`, and with them on, the DROP
    would first delete every row that cascades from a story (its log, checkpoints, comments, reactions).

    The pragma is a no-op inside a transaction, and Alembic's stamp of an earlier migration of the same run
    opened one: it is committed first (SQLite's DDL is not transactional here anyway)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        change()
        return
    raw = bind.connection.driver_connection
    if raw.in_transaction:
        raw.commit()
    op.execute("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar() != 0:
        raise RuntimeError("could not turn SQLite's foreign keys off: the upgrade would delete stories' data")
    try:
        change()
    finally:
        if raw.in_transaction:
            raw.commit()
        op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    def change():
        with op.batch_alter_table("stories", schema=None) as batch_op:
            batch_op.add_column(sa.Column("kept_language", sa.String(length=8), nullable=True))
            batch_op.alter_column("workshop_id", existing_type=sa.Integer(), nullable=True)
            batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=True)

    _without_foreign_keys(change)


def downgrade():
    op.execute("DELETE FROM stories WHERE workshop_id IS NULL OR group_id IS NULL")  # kept anonymous stories

    def change():
        with op.batch_alter_table("stories", schema=None) as batch_op:
            batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
            batch_op.alter_column("workshop_id", existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column("kept_language")

    _without_foreign_keys(change)
