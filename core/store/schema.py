"""The store's tables (SQLAlchemy 2). The migrations in :mod:`core.store.migrations` build
exactly these (a test compares them); change both together.

Large payloads are not here: a row names its files by content hash (SHA-256, hex), and the
files live under the data directory (:mod:`core.store.files`). Times are UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, MetaData, String, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from core.plan.scenario import ID_LENGTH as SCENARIO_HASH_LENGTH
from core.store.fingerprint import CITY_ID_LENGTH

SCENARIO_ID_LENGTH = 12  # hex characters of a saved scenario's random id
LEDGER_ID_LENGTH = 12  # hex characters of a privacy-ledger entry's random id
HASH_LENGTH = 64  # SHA-256, hex
#: the longest tag, in characters: a tag is part of an index key, and PostgreSQL's index
#: entries hold at most about 2,700 bytes (100 characters are at most 400 bytes of UTF-8)
TAG_MAX_CHARS = 100

# named constraints, so that a migration can refer to them on every back end
NAMING = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
          "pk": "pk_%(table_name)s"}


class UtcDateTime(TypeDecorator):
    """A time stored in UTC and read back as an aware UTC datetime on every back end
    (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class InfoRow(Base):
    """Facts about the store itself, by key: ``store_id`` names its folder of files, so two
    databases that share a data directory never share (or collect) each other's files."""

    __tablename__ = "store_info"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CityRow(Base):
    """A validated city, stored once per content fingerprint."""

    __tablename__ = "cities"

    id: Mapped[str] = mapped_column(String(CITY_ID_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    illustrative: Mapped[bool]
    n_districts: Mapped[int]
    data_file: Mapped[str] = mapped_column(String(HASH_LENGTH))  # GeoParquet (write_city)
    degree_days_file: Mapped[str | None] = mapped_column(String(HASH_LENGTH))  # Parquet
    mapping: Mapped[dict | None] = mapped_column(JSON)  # the ColumnMapping it was read with
    size_bytes: Mapped[int] = mapped_column(BigInteger)  # of its files
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ScenarioRow(Base):
    """A saved scenario of one city: its parameters and its result summary."""

    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(String(SCENARIO_ID_LENGTH), primary_key=True)
    city_id: Mapped[str] = mapped_column(
        ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)
    scenario_hash: Mapped[str] = mapped_column(String(SCENARIO_HASH_LENGTH))  # Scenario.id
    parameters: Mapped[dict] = mapped_column(JSON)  # the Scenario as solved (city's currency)
    observed_only: Mapped[bool]  # predicted districts left out of the plan (problem.context)
    totals: Mapped[dict] = mapped_column(JSON)  # Result.totals()
    kpis: Mapped[list] = mapped_column(JSON)  # core.plan.lab.kpis, as dicts
    allocation_file: Mapped[str] = mapped_column(String(HASH_LENGTH))  # Parquet, per district
    versions: Mapped[dict] = mapped_column(JSON)  # core.store.versions.current()
    published: Mapped[bool] = mapped_column(default=False, server_default=false())  # portal
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when, while published
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TagRow(Base):
    """One tag of a saved scenario."""

    __tablename__ = "scenario_tags"

    scenario_id: Mapped[str] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(TAG_MAX_CHARS), primary_key=True, index=True)


class LedgerRow(Base):
    """One release of a city's totals with differential-privacy noise (core.release): what,
    the privacy loss it spent and the budget it was checked against, the noisy totals it
    published. Never purged, and not tied to the city's row: privacy spent on a city's data
    stays spent when the city is deleted and saved again (same content, same id)."""

    __tablename__ = "release_ledger"

    id: Mapped[str] = mapped_column(String(LEDGER_ID_LENGTH), primary_key=True)
    city_id: Mapped[str] = mapped_column(String(CITY_ID_LENGTH), index=True)
    release_key: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)  # SHA-256, hex
    what: Mapped[str] = mapped_column(Text)
    epsilon: Mapped[float]  # privacy loss spent by this release
    budget: Mapped[float]  # the city's budget when it was spent
    totals: Mapped[dict] = mapped_column(JSON)  # figure -> noisy value, scale, epsilon, bound
    released_at: Mapped[datetime] = mapped_column(UtcDateTime)
