"""Access: removed participants, the end of a workshop, facilitators' server-side sessions

Revision ID: 3c1f0a7e5d21
Revises: b7e2c4d1a9f3
Create Date: 2026-12-02 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f0a7e5d21'
down_revision = 'b7e2c4d1a9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('facilitator_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitators.id'], name=op.f('fk_facilitator_sessions_facilitator_id_facilitators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilitator_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_facilitator_sessions_token_hash')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('facilitator_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilitator_sessions_facilitator_id'), ['facilitator_id'], unique=False)

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('finished_at')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('removed_at')

    with op.batch_alter_table('facilitator_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facilitator_sessions_facilitator_id'))

    op.drop_table('facilitator_sessions')
