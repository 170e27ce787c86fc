"""The privacy ledger of the public portal's releases (core.release).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_ledger",
        sa.Column("id", sa.String(12), nullable=False),
        sa.Column("city_id", sa.String(16), nullable=False),
        sa.Column("release_key", sa.String(64), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("epsilon", sa.Double(), nullable=False),
        sa.Column("budget", sa.Double(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_release_ledger"),
        sa.UniqueConstraint("release_key", name="uq_release_ledger_release_key"),
    )
    op.create_index("ix_release_ledger_city_id", "release_ledger", ["city_id"])


def downgrade() -> None:
    op.drop_index("ix_release_ledger_city_id", table_name="release_ledger")
    op.drop_table("release_ledger")
