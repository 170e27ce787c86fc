"""The "published" flag of a saved scenario: the public portal shows the published ones.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scenarios", sa.Column("published", sa.Boolean(), nullable=False,
                                         server_default=sa.false()))
    op.add_column("scenarios", sa.Column("published_at", sa.DateTime(timezone=True),
                                         nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of the table would drop
    # it, and with foreign keys on that deletes its tags too
    op.drop_column("scenarios", "published_at")
    op.drop_column("scenarios", "published")
