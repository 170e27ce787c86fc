"""The store: saved cities and scenarios on SQLite (default) or PostgreSQL.

See :mod:`core.store` for what is kept and how. :class:`Store` is made of its parts:
the connection (:mod:`core.store.session`), cities (:mod:`core.store.cities`), scenarios
and publishing (:mod:`core.store.scenarios`), re-solving and briefing inputs
(:mod:`core.store.resolution`), purge, garbage collection and the consistency check
(:mod:`core.store.housekeeping`); this module opens it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.settings import get_settings
from core.store import database
from core.store.cities import Cities
from core.store.errors import StoreUnavailable
from core.store.files import Files
from core.store.housekeeping import Housekeeping
from core.store.resolution import Resolving
from core.store.schema import InfoRow
from core.store.session import errors

FILES_DIR = "files"


class Store(Cities, Resolving, Housekeeping):
    """Saved cities and scenarios. Open with :meth:`open`; safe to share between threads and
    to use from several processes at once."""

    @classmethod
    def open(cls, url: str | None = None, data_dir: str | Path | None = None) -> Store:
        """Open (and create or migrate) the store.

        ``url``: a database URL (default ``GREENPRINT_DATABASE_URL``; none: SQLite in the
        data directory); ``data_dir``: where files go (default ``GREENPRINT_DATA_DIR``), in
        a folder of this database's own (``files/<store id>``). Opening also purges what was
        deleted more than ``GREENPRINT_STORE_KEEP_DELETED_DAYS`` ago and removes files no
        row names (left by a crash).

        Raises StoreUnavailable when the database cannot be reached or read, or was made
        by a newer Greenprint."""
        settings = get_settings()
        folder = Path(data_dir if data_dir is not None else settings.data_dir).absolute()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the store's folder {folder}: {exc.strerror} "
                                   "(GREENPRINT_DATA_DIR names it)") from None
        db_url = database.url_of(url if url is not None else settings.database_url, folder)
        reader, writer = database.connect(db_url, settings.store_busy_timeout_s)
        try:
            with errors("open the store", reader):
                store_id = _migrated(reader, writer)
            try:
                files = Files(folder / FILES_DIR / store_id)
            except OSError as exc:
                raise StoreUnavailable(f"cannot create the store's folder {folder}: "
                                       f"{exc.strerror} (GREENPRINT_DATA_DIR names it)") from None
            store = cls(reader, writer, files, folder)
            store.purge_deleted()
        except BaseException:
            reader.dispose()
            raise
        return store

    def __enter__(self) -> Store:
        return self


def _migrated(reader: sa.Engine, writer: sa.Engine) -> str:
    """Bring the schema to the head (under the write lock); return the store's id."""
    with reader.connect() as conn:
        current = database.revision(conn)
    if current != database.head():
        database.prepare()  # imports and reads before the lock: other writers wait less
        with writer.connect() as conn, conn.begin():
            database.upgrade(conn)
    with Session(reader) as s:
        return s.get(InfoRow, "store_id").value
