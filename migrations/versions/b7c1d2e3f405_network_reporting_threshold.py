"""networks: reporting threshold for pooled series

Revision ID: b7c1d2e3f405
Revises: abe52f658675
Create Date: 2026-12-05 17:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c1d2e3f405'
down_revision = 'abe52f658675'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporting_threshold', sa.Integer(), nullable=False, server_default='80'))


def downgrade():
    with op.batch_alter_table('networks', schema=None) as batch_op:
        batch_op.drop_column('reporting_threshold')
