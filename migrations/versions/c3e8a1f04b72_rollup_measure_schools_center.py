"""roll-ups: rollup_measure_schools.median becomes center (the school chart's center line)

The per-school figures now come from each school chart's own analysis (issue 14): the
stored center is the chart's center line at its latest point, a mean on i charts and
p̄ or ū on p and u charts, so "median" no longer names it. Rows written before this keep
the old median and run-test signal until the next roll-up (the nightly full run, or
Refresh) rewrites them.

Revision ID: c3e8a1f04b72
Revises: b7c1d2e3f405
Create Date: 2026-12-05 18:30:00

"""
from alembic import op


revision = 'c3e8a1f04b72'
down_revision = 'b7c1d2e3f405'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rollup_measure_schools', schema=None) as batch_op:
        batch_op.alter_column('median', new_column_name='center')


def downgrade():
    with op.batch_alter_table('rollup_measure_schools', schema=None) as batch_op:
        batch_op.alter_column('center', new_column_name='median')
