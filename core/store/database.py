"""The store's database: SQLite in the data directory (default) or PostgreSQL, each set up
for several processes saving at once, and its schema migrations.

SQLite runs in WAL mode (readers never wait for a writer) with a busy timeout (a save
waits for another one instead of failing), ``synchronous=FULL`` (a committed save
survives a power cut) and foreign keys enforced. A write transaction takes the store's
one write lock when it begins (``BEGIN IMMEDIATE`` on SQLite, a transaction-level
advisory lock on PostgreSQL), so saves, deletes, migrations and the garbage collection
of files never interleave.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError

from core.store.errors import StoreUnavailable
from core.store.schema import Base

if TYPE_CHECKING:  # alembic is imported when the store is opened, not at the app's start-up
    from alembic.script import ScriptDirectory

SQLITE_FILE = "greenprint.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WRITE = "greenprint_write"  # execution option of the write engine
PG_LOCK_KEY = 0x6772_6E70_7374  # the advisory lock of the store's writes ("grnpst")
BACK_ENDS = ("sqlite", "postgresql")


def url_of(url: str | None, data_dir: Path) -> URL:
    """The database URL: ``url`` (``postgresql://`` uses psycopg 3), or SQLite in ``data_dir``."""
    if url is None:
        return URL.create("sqlite+pysqlite", database=str(data_dir / SQLITE_FILE))
    try:
        parsed = sa.make_url(url)
    except ArgumentError:
        raise StoreUnavailable("GREENPRINT_DATABASE_URL is not a database URL; give one like "
                               "postgresql://user:password@host:5432/greenprint") from None
    backend = parsed.get_backend_name()
    if backend not in BACK_ENDS:
        raise StoreUnavailable(f"GREENPRINT_DATABASE_URL names the back end {backend!r}; the "
                               f"store runs on {' or '.join(BACK_ENDS)}")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _json(value) -> str:
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def connect(url: URL, busy_timeout_s: float) -> tuple[Engine, Engine]:
    """A reading engine and a writing one (same pool; the writer's transactions take the lock)."""
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, json_serializer=_json,
                                  connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
        _sqlite_setup(engine, busy_timeout_s)
    else:
        ms = int(busy_timeout_s * 1000)
        engine = sa.create_engine(url, json_serializer=_json, pool_pre_ping=True,
                                  connect_args={"connect_timeout": max(1, int(busy_timeout_s)),
                                                "options": f"-c lock_timeout={ms}"})
        event.listen(engine, "begin", _pg_begin)
    return engine, engine.execution_options(**{WRITE: True})


def _sqlite_setup(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        # a writer takes the write lock first: a deferred transaction that reads and then
        # writes can fail at once instead of waiting when another process wrote meanwhile
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def _pg_begin(conn: Connection) -> None:
    if conn.get_execution_options().get(WRITE):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")


# ------------------------------------------------------------------ migrations


def script() -> ScriptDirectory:
    """The migrations shipped in :mod:`core.store.migrations` (one file per revision)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS), version_locations=[str(MIGRATIONS)])


def revision(conn: Connection) -> str | None:
    """The database's schema revision (None: no schema yet)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def head() -> str:
    return script().get_current_head()


def _run(conn: Connection, target: str, step: Callable) -> None:
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    with EnvironmentContext(Config(), script(), fn=step, destination_rev=target) as env:
        env.configure(connection=conn, target_metadata=Base.metadata)
        with env.begin_transaction():
            env.run_migrations()


def prepare() -> None:
    """Import alembic and load the migration scripts, so that a migration run under the write
    lock spends its time migrating, not importing (on a loaded machine an import can take
    seconds while every other writer waits)."""
    from alembic.config import Config  # noqa: F401
    from alembic.runtime.environment import EnvironmentContext  # noqa: F401

    for rev in script().walk_revisions():
        rev.module  # noqa: B018 (loads the revision's module now)


def upgrade(conn: Connection, target: str = "head") -> None:
    """Bring the schema to ``target`` inside the caller's (write) transaction.

    Raises StoreUnavailable when the database was made by a newer Greenprint."""
    scripts = script()
    known = {r.revision for r in scripts.walk_revisions()}
    current = revision(conn)
    if current is not None and current not in known:
        raise StoreUnavailable(
            f"the store's database has schema revision {current!r}, made by a newer Greenprint "
            f"than this one (which knows up to {scripts.get_current_head()!r}); run that "
            "version, or point GREENPRINT_DATA_DIR / GREENPRINT_DATABASE_URL at another store")
    _run(conn, target, lambda rev, _ctx: scripts._upgrade_revs(target, rev))


def downgrade(conn: Connection, target: str) -> None:
    """Take the schema back to ``target`` (``"base"``: no tables); for tests and recovery."""
    scripts = script()
    _run(conn, target, lambda rev, _ctx: scripts._downgrade_revs(target, rev))
