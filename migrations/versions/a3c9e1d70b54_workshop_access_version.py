"""Workshop access version: moves with every change of who may read or write what

Revision ID: a3c9e1d70b54
Revises: 809b1e019e22
Create Date: 2026-12-02 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c9e1d70b54'
down_revision = '809b1e019e22'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('access_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('access_version')
