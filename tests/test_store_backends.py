"""The store's two back ends, and the fixtures every store test runs on both.

PostgreSQL: the server named by ``GREENPRINT_TEST_DATABASE_URL`` (``.ci/run`` starts one
with ``python tools/pgserver.py start DIR``, which prints its URL), else a throwaway server
started here with the same helper (:mod:`tools.pgserver`) from Debian's ``postgresql``.
Each test gets a fresh database on it. The PostgreSQL half of a test is skipped only when
no server can be started, and the skip says why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.settings import get_settings
from core.store import Store, StoreUnavailable, database
from tools.devserver import free_port
from tools.pgserver import NoServer, start_server, stop_server

URL_ENV = "GREENPRINT_TEST_DATABASE_URL"
BACK_ENDS = ("sqlite", "postgresql")

_STARTED: dict[str, str | NoServer] = {}  # one server for every module that uses the fixture


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str | NoServer]:
    """The admin URL of a PostgreSQL server, or the NoServer that says why there is none."""
    if os.environ.get(URL_ENV):
        yield os.environ[URL_ENV]
        return
    if "server" in _STARTED:
        yield _STARTED["server"]
        return
    folder = Path(tempfile.mkdtemp(prefix="greenprint-pg-"))  # under /tmp: the server's user reads it
    try:
        _STARTED["server"] = start_server(folder)
    except (NoServer, OSError, subprocess.SubprocessError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        _STARTED["server"] = NoServer(str(exc))
    try:
        yield _STARTED["server"]
    finally:
        stop_server(folder)


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(database.url_of(url, Path()), isolation_level="AUTOCOMMIT")


@pytest.fixture(params=BACK_ENDS)
def db_url(request, pg_server) -> Iterator[str | None]:
    """The store's database URL on each back end: None (SQLite in the data directory), or a
    fresh PostgreSQL database dropped after the test."""
    if request.param == "sqlite":
        yield None
        return
    if isinstance(pg_server, NoServer):
        pytest.skip(f"PostgreSQL tests skipped: no server could be started ({pg_server}); "
                    f"install Debian's postgresql or set {URL_ENV}")
    name = f"greenprint_test_{uuid.uuid4().hex[:12]}"
    admin = _admin(pg_server)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield str(sa.make_url(pg_server).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(db_url, data_dir) -> Iterator[Store]:
    with Store.open(db_url, data_dir) as opened:
        yield opened


@pytest.fixture
def store_env(db_url, data_dir, monkeypatch) -> Iterator[tuple[str | None, Path]]:
    """The store in the environment (``GREENPRINT_DATA_DIR``, ``GREENPRINT_DATABASE_URL``), as
    the CLI and the app find it."""
    monkeypatch.setenv("GREENPRINT_DATA_DIR", str(data_dir))
    if db_url is None:
        monkeypatch.delenv("GREENPRINT_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("GREENPRINT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url, data_dir
    get_settings.cache_clear()


# ------------------------------------------------------------------ the back ends themselves


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(data_dir, monkeypatch):
    monkeypatch.setenv("GREENPRINT_STORE_BUSY_TIMEOUT_S", "7.5")
    get_settings.cache_clear()
    try:
        with Store.open(None, data_dir) as store, store._reader.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7500
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert (data_dir / database.SQLITE_FILE).exists()
    finally:
        get_settings.cache_clear()


def test_the_default_store_is_a_folder_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GREENPRINT_DATA_DIR", raising=False)
    monkeypatch.delenv("GREENPRINT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        with Store.open() as store:
            assert store.data_dir == tmp_path / "greenprint-data" and store.backend == "sqlite"
        ignored = (Path(__file__).resolve().parent.parent / ".gitignore").read_text().split()
        assert "/greenprint-data/" in ignored  # git ignores the default store in the checkout
    finally:
        get_settings.cache_clear()


def test_postgresql_urls_use_psycopg_and_hide_the_password(db_url, data_dir):
    assert database.url_of("postgresql://u:pw@h/db", data_dir).drivername == "postgresql+psycopg"
    if db_url is None:
        return
    with_password = sa.make_url(db_url).set(password="secret")  # the test server trusts anyone
    with Store.open(with_password.render_as_string(hide_password=False), data_dir) as store:
        assert store.backend == "postgresql" and store._reader.url.drivername == "postgresql+psycopg"
        assert "secret" not in store.url and "***" in store.url


@pytest.mark.parametrize("url, expected", [
    ("not a url", "not a database URL"),
    ("mysql://u@h/db", "runs on sqlite or postgresql"),
])
def test_a_bad_database_url_says_what_to_give(url, expected, data_dir):
    with pytest.raises(StoreUnavailable, match=expected):
        Store.open(url, data_dir)


def test_an_unreachable_server_is_a_clear_error_without_the_password(data_dir, monkeypatch):
    monkeypatch.setenv("GREENPRINT_STORE_BUSY_TIMEOUT_S", "2")
    get_settings.cache_clear()
    try:
        url = f"postgresql://someone:secret@127.0.0.1:{free_port()}/nothing"
        with pytest.raises(StoreUnavailable) as info:
            Store.open(url, data_dir)
        message = str(info.value)
        assert "cannot open the store" in message and "127.0.0.1" in message
        assert "secret" not in message
    finally:
        get_settings.cache_clear()


def test_a_file_that_is_not_a_database_is_a_clear_error(data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / database.SQLITE_FILE).write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreUnavailable, match="not a database"):
        Store.open(None, data_dir)
