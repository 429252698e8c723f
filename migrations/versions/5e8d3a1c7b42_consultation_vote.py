"""The dot-vote on a consultation's published stories: the vote, its ballots and their dots (issue 25)

Revision ID: 5e8d3a1c7b42
Revises: 9c4d2b7e1f05
Create Date: 2026-12-07 01:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e8d3a1c7b42"
down_revision = "9c4d2b7e1f05"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultation_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("readers", sa.Boolean(), nullable=False),
        sa.Column(
            "opened_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_votes_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_votes")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_consultation_votes_consultation_id")),
    )
    op.create_table(
        "vote_ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=80), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_vote_ballots_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["consultation_votes.id"],
            name=op.f("fk_vote_ballots_vote_id_consultation_votes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_ballots")),
        sa.UniqueConstraint("vote_id", "voter", name="uq_vote_ballots_vote_id_voter"),
    )
    op.create_index(op.f("ix_vote_ballots_participant_id"), "vote_ballots", ["participant_id"])
    op.create_table(
        "vote_dots",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.CheckConstraint("dots > 0", name=op.f("ck_vote_dots_positive")),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["vote_ballots.id"],
            name=op.f("fk_vote_dots_ballot_id_vote_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_vote_dots_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ballot_id", "story_id", name=op.f("pk_vote_dots")),
    )
    op.create_index(op.f("ix_vote_dots_story_id"), "vote_dots", ["story_id"])


def downgrade():
    op.drop_index(op.f("ix_vote_dots_story_id"), table_name="vote_dots")
    op.drop_table("vote_dots")
    op.drop_index(op.f("ix_vote_ballots_participant_id"), table_name="vote_ballots")
    op.drop_table("vote_ballots")
    op.drop_table("consultation_votes")
