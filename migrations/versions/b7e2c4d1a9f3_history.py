"""History: the kept log, replay snapshots, checkpoint seqs, the opt-in "how it was written"

Revision ID: b7e2c4d1a9f3
Revises: c45a2c7be577
Create Date: 2026-12-02 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2c4d1a9f3'
down_revision = 'c45a2c7be577'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('story_log',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['participants.id'], name=op.f('fk_story_log_author_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_log_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'seq', name=op.f('pk_story_log'))
    )
    op.create_table('story_snapshots',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('state', sa.LargeBinary(), nullable=False),
    sa.Column('authors', sa.Text(), nullable=False),
    sa.Column('written', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], name=op.f('fk_story_snapshots_story_id_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'seq', name=op.f('pk_story_snapshots'))
    )
    with op.batch_alter_table('story_checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_history', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('history_summary', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.drop_column('history_summary')
        batch_op.drop_column('show_history')
    with op.batch_alter_table('story_checkpoints', schema=None) as batch_op:
        batch_op.drop_column('seq')
    op.drop_table('story_snapshots')
    op.drop_table('story_log')
