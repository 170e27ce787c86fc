"""The store's connection to its database: the engines, read and write sessions, database
failures as messages, the row look-ups every part of :class:`core.store.Store` shares, and
how names, notes and tags are checked before they are stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core.errors import InputError
from core.settings import get_settings
from core.store.errors import Deleted, NotFound, StoreError, StoreUnavailable, shown
from core.store.files import Files
from core.store.schema import TAG_MAX_CHARS, CityRow, ScenarioRow


def now() -> datetime:
    return datetime.now(UTC)


def text(value: str, what: str, *, required: bool) -> str:
    """A name, note or tag as stored: stripped; refused when empty (if required) or when it
    holds a NUL character (PostgreSQL text cannot)."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise InputError(f"{what} is empty; give it a name")
    if "\x00" in value:
        raise InputError(f"{what} contains a NUL character (\\x00); remove it")
    return value


def tags(values: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored: stripped, without duplicates, each 1 to TAG_MAX_CHARS characters."""
    if isinstance(values, str):
        values = [values]
    out = []
    for tag in values:
        tag = text(tag, "a tag", required=True)
        if len(tag) > TAG_MAX_CHARS:
            raise InputError(f"the tag {shown(tag)} has {len(tag):,} characters; a tag has at "
                             f"most {TAG_MAX_CHARS}")
        out.append(tag)
    return tuple(dict.fromkeys(out))


def shown_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: BaseException | None) -> str:
    return (str(exc).strip().splitlines() or ["unknown error"])[0]


@contextmanager
def errors(action: str, engine: sa.Engine) -> Iterator[None]:
    """Database failures as StoreUnavailable (StoreError when a row is refused), with what was
    being done and where."""
    try:
        yield
    except IntegrityError as exc:
        raise StoreError(f"cannot {action}: the database refused it "
                         f"({_first_line(exc.orig)})") from None
    except (OperationalError, DBAPIError) as exc:
        reason = _first_line(exc.orig)
        if "locked" in reason or "lock timeout" in reason:
            reason = (f"another process held the store longer than "
                      f"GREENPRINT_STORE_BUSY_TIMEOUT_S "
                      f"({get_settings().store_busy_timeout_s:g} s)")
        raise StoreUnavailable(f"cannot {action}: the database at {shown_url(engine)}: "
                               f"{reason}") from None


class Connected:
    """A store's engines (a reader, and a writer whose transactions hold the write lock), its
    files, and the look-ups of rows by id."""

    def __init__(self, reader: sa.Engine, writer: sa.Engine, files: Files, data_dir: Path):
        self._reader = reader
        self._writer = writer
        self.files = files
        self.data_dir = data_dir
        self.url = shown_url(reader)
        self.backend = reader.url.get_backend_name()

    def close(self) -> None:
        self._reader.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _read(self, action: str) -> Iterator[Session]:
        with errors(action, self._reader), Session(self._reader) as session:
            yield session

    @contextmanager
    def _write(self, action: str) -> Iterator[Session]:
        """A transaction holding the store's write lock, committed when the block ends."""
        with errors(action, self._reader), Session(self._writer) as session, session.begin():
            yield session

    @staticmethod
    def _city_row(s: Session, city_id: str) -> CityRow:
        row = s.get(CityRow, str(city_id))
        if row is None:
            raise NotFound("city", str(city_id))
        return row

    def _live_city(self, s: Session, city_id: str) -> CityRow:
        row = self._city_row(s, city_id)
        if row.deleted_at is not None:
            raise Deleted("city", row.id, row.name, row.deleted_at)
        return row

    @staticmethod
    def _scenario_row(s: Session, scenario_id: str) -> ScenarioRow:
        row = s.get(ScenarioRow, str(scenario_id))
        if row is None:
            raise NotFound("scenario", str(scenario_id))
        return row

    def _live_scenario(self, s: Session, scenario_id: str) -> ScenarioRow:
        row = self._scenario_row(s, scenario_id)
        if row.deleted_at is not None:
            raise Deleted("scenario", row.id, row.name, row.deleted_at)
        return row
