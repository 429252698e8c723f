"""Consultations: many workshops around one question, their organisers, and the workshop's consultation
(issue 25)

Revision ID: 9c4d2b7e1f05
Revises: 4f7a2b9d1c83
Create Date: 2026-12-06 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9c4d2b7e1f05"
down_revision = "4f7a2b9d1c83"
branch_labels = None
depends_on = None

FK = "fk_workshops_consultation_id_consultations"


def upgrade():
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["facilitators.id"], name=op.f("fk_consultations_owner_id_facilitators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("slug", name=op.f("uq_consultations_slug")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "consultation_organisers",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_organisers_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitators.id"],
            name=op.f("fk_consultation_organisers_facilitator_id_facilitators"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", "facilitator_id", name=op.f("pk_consultation_organisers")),
    )
    column = sa.Column("consultation_id", sa.Integer(), nullable=True)
    if op.get_bind().dialect.name != "sqlite":
        op.add_column("workshops", column)
        op.create_foreign_key(
            FK, "workshops", "consultations", ["consultation_id"], ["id"], ondelete="SET NULL"
        )
    else:  # a named foreign key takes a batch copy, whose DROP of `workshops` must not cascade to its rows
        op.execute("PRAGMA foreign_keys=OFF")
        with op.batch_alter_table("workshops", schema=None) as batch_op:
            batch_op.add_column(column)
            batch_op.create_foreign_key(FK, "consultations", ["consultation_id"], ["id"], ondelete="SET NULL")
        op.execute("PRAGMA foreign_keys=ON")
    op.create_index("ix_workshops_consultation_id", "workshops", ["consultation_id"])


def downgrade():
    op.drop_index("ix_workshops_consultation_id", table_name="workshops")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the batch copy drops `workshops`: its rows must not cascade away with it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        if not sqlite:
            batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("consultation_id")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
    op.drop_table("consultation_organisers")
    op.drop_table("consultations")
