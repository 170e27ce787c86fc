"""The store's schema migrations, on SQLite and PostgreSQL: from an empty database, from the
previous revision with data in it, step by step and back, and a database from a newer
Greenprint refused with a clear message. The migrations build exactly the tables of
core/store/schema.py."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.store import Store, StoreUnavailable, database
from core.store.schema import Base
from tests import test_store_backends as backends

# the store fixtures (tests/test_store_backends.py), run on SQLite and PostgreSQL
data_dir, db_url, pg_server, store = (
    backends.data_dir, backends.db_url, backends.pg_server, backends.store)

TABLES = {"store_info", "cities", "scenarios", "scenario_tags", "release_ledger"}


def _engine(db_url, data_dir) -> sa.Engine:
    data_dir.mkdir(parents=True, exist_ok=True)
    reader, _writer = database.connect(database.url_of(db_url, data_dir), 5.0)
    return reader


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(database.script().walk_revisions()))]


def test_an_empty_database_is_migrated_to_the_head_on_open(db_url, data_dir):
    with Store.open(db_url, data_dir) as store:
        assert _tables(store._reader) == TABLES
        with store._reader.connect() as conn:
            assert database.revision(conn) == database.head()


def test_the_migrations_build_exactly_the_schema_of_the_models(store):
    with store._reader.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []


def test_every_revision_upgrades_and_downgrades_step_by_step(db_url, data_dir):
    engine = _engine(db_url, data_dir)
    steps = revisions()
    assert steps[0] == "0001" and steps[-1] == database.head()
    for rev in steps:
        with engine.begin() as conn:
            database.upgrade(conn, rev)
            assert database.revision(conn) == rev
    assert _tables(engine) == TABLES
    for rev in [*reversed(steps[:-1]), "base"]:
        with engine.begin() as conn:
            database.downgrade(conn, rev)
            assert database.revision(conn) == (None if rev == "base" else rev)
    assert _tables(engine) == set()
    engine.dispose()


def test_a_store_at_the_previous_revision_keeps_its_data_when_opened(db_url, data_dir, city4):
    """The database at the revision before the head (the first, while there is only one) with a
    city in it: opening migrates it and the city is still there, unchanged."""
    steps = revisions()
    previous = steps[-2] if len(steps) > 1 else steps[0]
    with Store.open(db_url, data_dir) as store:
        city_id = store.save_city(city4)
        if previous != database.head():
            with store._writer.begin() as conn:
                database.downgrade(conn, previous)
        with store._reader.connect() as conn:
            assert database.revision(conn) == previous
    with Store.open(db_url, data_dir) as store:
        with store._reader.connect() as conn:
            assert database.revision(conn) == database.head()
        assert [c.id for c in store.list_cities()] == [city_id]
        assert store.get_city(city_id).districts.equals(city4.districts)


def test_a_database_from_a_newer_greenprint_is_refused_with_what_to_do(db_url, data_dir):
    with Store.open(db_url, data_dir) as store, store._writer.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(StoreUnavailable) as info:
        Store.open(db_url, data_dir)
    message = str(info.value)
    assert "newer Greenprint" in message and "ffff_future" in message
    assert "GREENPRINT_DATA_DIR" in message
