"""Cities, saved scenarios and their tags.

Revision ID: 0001
Revises: (none)
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    info = op.create_table(
        "store_info",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_store_info"),
    )
    op.bulk_insert(info, [{"key": "store_id", "value": uuid.uuid4().hex}])
    op.create_table(
        "cities",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("n_districts", sa.Integer(), nullable=False),
        sa.Column("data_file", sa.String(64), nullable=False),
        sa.Column("degree_days_file", sa.String(64), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cities"),
        sa.UniqueConstraint("fingerprint", name="uq_cities_fingerprint"),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(12), nullable=False),
        sa.Column("city_id", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("scenario_hash", sa.String(12), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("observed_only", sa.Boolean(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("kpis", sa.JSON(), nullable=False),
        sa.Column("allocation_file", sa.String(64), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], ondelete="RESTRICT",
                                name="fk_scenarios_city_id_cities"),
    )
    op.create_index("ix_scenarios_city_id", "scenarios", ["city_id"])
    op.create_table(
        "scenario_tags",
        sa.Column("scenario_id", sa.String(12), nullable=False),
        sa.Column("tag", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("scenario_id", "tag", name="pk_scenario_tags"),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], ondelete="CASCADE",
                                name="fk_scenario_tags_scenario_id_scenarios"),
    )
    op.create_index("ix_scenario_tags_tag", "scenario_tags", ["tag"])


def downgrade() -> None:
    op.drop_index("ix_scenario_tags_tag", table_name="scenario_tags")
    op.drop_table("scenario_tags")
    op.drop_index("ix_scenarios_city_id", table_name="scenarios")
    op.drop_table("scenarios")
    op.drop_table("cities")
    op.drop_table("store_info")
