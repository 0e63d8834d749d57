"""A push may name the 普法答题 quiz it invites residents to.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pushes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quiz_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pushes", schema=None) as batch_op:
        batch_op.drop_column("quiz_id")
