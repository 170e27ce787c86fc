"""The store: saved cities and scenarios on SQLite (default) or PostgreSQL.

See :mod:`core.store` for what is kept and how; this module is the :class:`Store` API.
"""

from __future__ import annotations

import io
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core.errors import CityValidationError, InputError
from core.intake import mapping as column_mapping
from core.intake.city import City, load_city, write_city
from core.intake.mapping import ColumnMapping
from core.plan import lab, optimizer, problem
from core.plan import scenario as scenarios
from core.plan.problem import CityContext
from core.plan.results import Result
from core.plan.scenario import Scenario
from core.settings import get_settings
from core.store import database, versions
from core.store.errors import Deleted, NotFound, Refused, StoreError, StoreUnavailable, shown
from core.store.files import Files
from core.store.fingerprint import fingerprint
from core.store.records import (
    QUANTITIES,
    Allocation,
    StoredCity,
    StoredScenario,
    decode_floats,
    encode_floats,
    kpis_from_json,
    kpis_to_json,
)
from core.store.schema import (
    CITY_ID_LENGTH,
    SCENARIO_ID_LENGTH,
    TAG_MAX_CHARS,
    CityRow,
    InfoRow,
    ScenarioRow,
    TagRow,
)

FILES_DIR = "files"
#: relative difference above which a re-solved figure counts as different: float64 solves
#: of the same problem agree far more closely, so a larger one is a real change
RESOLVE_RTOL = 1e-6
#: how many scenario names a refusal to delete their city quotes
NAMES_QUOTED = 3


def _now() -> datetime:
    return datetime.now(UTC)


def _text(value: str, what: str, *, required: bool) -> str:
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


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as stored: stripped, without duplicates, each 1 to TAG_MAX_CHARS characters."""
    if isinstance(tags, str):
        tags = [tags]
    out = []
    for tag in tags:
        tag = _text(tag, "a tag", required=True)
        if len(tag) > TAG_MAX_CHARS:
            raise InputError(f"the tag {shown(tag)} has {len(tag):,} characters; a tag has at "
                             f"most {TAG_MAX_CHARS}")
        out.append(tag)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Resolution:
    """A saved scenario solved again now: the new result, on ``ctx``, and how it differs."""

    result: Result
    ctx: CityContext
    differences: list[str]  # figures that differ from the saved ones; empty: the same
    changes: list[str]  # what changed since saving (core.store.versions.changes)


class Store:
    """Saved cities and scenarios. Open with :meth:`open`; safe to share between threads and
    to use from several processes at once."""

    def __init__(self, reader: sa.Engine, writer: sa.Engine, files: Files, data_dir: Path):
        self._reader = reader
        self._writer = writer
        self.files = files
        self.data_dir = data_dir
        self.url = _shown_url(reader)
        self.backend = reader.url.get_backend_name()

    # ------------------------------------------------------------------ opening

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
            with _errors("open the store", reader):
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

    def close(self) -> None:
        self._reader.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _errors(self, action: str):
        return _errors(action, self._reader)

    @contextmanager
    def _read(self, action: str) -> Iterator[Session]:
        with self._errors(action), Session(self._reader) as session:
            yield session

    @contextmanager
    def _write(self, action: str) -> Iterator[Session]:
        """A transaction holding the store's write lock, committed when the block ends."""
        with self._errors(action), Session(self._writer) as session, session.begin():
            yield session

    # ------------------------------------------------------------------ cities

    def save_city(self, city: City, *, mapping: ColumnMapping | None = None) -> str:
        """Save a validated city; return its id. The same content is stored once: saving it
        again returns the same id (and brings it back if it was deleted)."""
        fp = fingerprint(city)
        city_id = fp[:CITY_ID_LENGTH]
        name = _text(city.name, "the city's name", required=True)
        source = _text(city.source, "the city's source", required=False)
        with self._read("look up the city") as s:
            found = s.scalar(sa.select(CityRow).where(CityRow.fingerprint == fp))
            if found is not None and found.deleted_at is None:
                return found.id
        data = _city_parquet(city, city_id)
        degree_days = _frame_parquet(city.degree_days) if city.degree_days is not None else None
        with self._write("save the city") as s:
            row = s.scalar(sa.select(CityRow).where(CityRow.fingerprint == fp))
            if row is not None:
                row.deleted_at = None
                return row.id
            data_key = self.files.put(data)
            dd_key = self.files.put(degree_days) if degree_days is not None else None
            s.add(CityRow(id=city_id, fingerprint=fp, name=name, source=source,
                          illustrative=bool(city.illustrative), n_districts=city.n,
                          data_file=data_key, degree_days_file=dd_key,
                          mapping=mapping.model_dump(mode="json") if mapping else None,
                          size_bytes=len(data) + len(degree_days or b""), created_at=_now(),
                          deleted_at=None))
        return city_id

    def get_city(self, city_id: str) -> City:
        """The saved city, read back through :func:`core.intake.city.load_city` (estimated
        columns are made again from the figures in force, as for any saved city).

        Raises NotFound (Deleted when it was deleted), StoreUnavailable when its file is
        missing or damaged."""
        with self._read("read the city") as s:
            row = self._live_city(s, city_id)
        what = f"the city {shown(row.name)} ({row.id})"
        self.files.read(row.data_file, what)  # checks it is complete and unchanged
        try:
            city = load_city(self.files.path(row.data_file))
        except (InputError, CityValidationError) as exc:
            raise StoreError(f"{what} no longer loads in this version of Greenprint: "
                             f"{exc}") from None
        marker = f"saved: written to {_city_file_name(row.id)}"  # write_city's own entry
        city = replace(city, lineage=tuple(e for e in city.lineage if e != marker))
        if row.degree_days_file:
            table = pd.read_parquet(io.BytesIO(self.files.read(row.degree_days_file, what)))
            city = replace(city, degree_days=table)
        return city

    def city_info(self, city_id: str) -> StoredCity:
        """A saved city's record. Raises NotFound (Deleted when it was deleted)."""
        with self._read("read the city") as s:
            row = self._live_city(s, city_id)
            return self._city_record(s, row)

    def list_cities(self, *, include_deleted: bool = False) -> list[StoredCity]:
        """Saved cities, newest first (deleted ones too when asked)."""
        with self._read("list the cities") as s:
            query = sa.select(CityRow).order_by(CityRow.created_at.desc(), CityRow.id)
            if not include_deleted:
                query = query.where(CityRow.deleted_at.is_(None))
            rows = s.scalars(query).all()
            counts = dict(s.execute(sa.select(ScenarioRow.city_id, sa.func.count())
                                    .where(ScenarioRow.deleted_at.is_(None))
                                    .group_by(ScenarioRow.city_id)).all())
            return [_city_record(row, counts.get(row.id, 0)) for row in rows]

    def delete_city(self, city_id: str, *, with_scenarios: bool = False) -> StoredCity:
        """Delete a city (it can be restored until it is purged).

        A city with saved scenarios is refused (Refused says which), unless
        ``with_scenarios``: then they are deleted with it. Refusing is the default because
        a planner's saved work should not disappear as a side effect."""
        with self._write("delete the city") as s:
            row = self._live_city(s, city_id)
            live = s.scalars(sa.select(ScenarioRow).where(ScenarioRow.city_id == row.id,
                                                          ScenarioRow.deleted_at.is_(None))
                             .order_by(ScenarioRow.created_at)).all()
            if live and not with_scenarios:
                names = ", ".join(shown(sc.name) for sc in live[:NAMES_QUOTED])
                more = f" and {len(live) - NAMES_QUOTED} more" if len(live) > NAMES_QUOTED else ""
                raise Refused(f"the city {shown(row.name)} ({row.id}) has {len(live)} saved "
                              f"scenario(s) ({names}{more}); delete them first, or delete the "
                              "city with its scenarios")
            now = _now()
            row.deleted_at = now
            for sc in live:
                sc.deleted_at = now
            s.flush()
            return _city_record(row, 0)

    def restore_city(self, city_id: str) -> StoredCity:
        """Bring back a deleted city (its deleted scenarios stay deleted)."""
        with self._write("restore the city") as s:
            row = self._city_row(s, city_id)
            row.deleted_at = None
            s.flush()
            return self._city_record(s, row)

    # ------------------------------------------------------------------ scenarios

    def save_scenario(self, city_id: str, scenario: Scenario, result: Result | None = None, *,
                      ctx: CityContext | None = None, name: str | None = None,
                      tags: Iterable[str] = (), notes: str = "", observed_only: bool = False,
                      device: str = "auto") -> str:
        """Save a scenario of a saved city with its result summary; return its id.

        ``result``: a result that holds ``scenario`` (e.g. the Scenario lab's), solved on
        ``ctx`` (default: the saved city's context, built with ``observed_only``, which says
        whether the plan left out the districts whose energy is predicted); when None, the
        scenario is solved now on ``device``. ``name`` defaults to the scenario's own. Each save makes a new id,
        even for the same parameters.

        Raises NotFound/Deleted for the city, InputError for an empty name or a tag that is
        too long, Refused when the result was solved on another city."""
        name = _text(scenario.name if name is None else name, "the scenario's name", required=True)
        notes = _text(notes, "the notes", required=False)
        tags = _tags(tags)
        with self._read("read the city") as s:
            city_row = self._live_city(s, city_id)
        if ctx is None:
            ctx = problem.context(self.get_city(city_row.id), observed_only)
        if result is None:
            result = optimizer.optimize(ctx, scenario, device=device)
        wanted = {scenario.id, scenario.for_city(ctx.references).id}  # as given, as solved
        index = next((i for i, sc in enumerate(result.scenarios) if sc.id in wanted), None)
        if index is None:
            raise Refused(f"the result holds no scenario with the parameters of {shown(name)} "
                          f"(id {scenario.id}); solve it first")
        solved = result.scenarios[index]  # in the city's currency: what the figures are of
        self._same_districts(city_row, ctx)
        allocation = Allocation.from_result(ctx, result, index).to_parquet()
        scenario_id = secrets.token_hex(SCENARIO_ID_LENGTH // 2)
        now = _now()
        with self._write("save the scenario") as s:
            self._live_city(s, city_row.id)  # not deleted meanwhile
            s.add(ScenarioRow(
                id=scenario_id, city_id=city_row.id, name=name, notes=notes,
                scenario_hash=solved.id, parameters=solved.model_dump(mode="json"),
                observed_only=bool(observed_only),
                totals=encode_floats(result.totals(index)),
                kpis=kpis_to_json(lab.kpis(ctx, result, index)),
                allocation_file=self.files.put(allocation), versions=versions.current(),
                created_at=now, updated_at=now, deleted_at=None))
            s.add_all(TagRow(scenario_id=scenario_id, tag=tag) for tag in tags)
        return scenario_id

    def get_scenario(self, scenario_id: str) -> StoredScenario:
        """A saved scenario. Raises NotFound (Deleted when it was deleted)."""
        with self._read("read the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            return self._scenario_records(s, [row])[0]

    def get_allocation(self, scenario_id: str) -> Allocation:
        """A saved scenario's result per district and intervention."""
        with self._read("read the scenario") as s:
            row = self._live_scenario(s, scenario_id)
        what = f"the scenario {shown(row.name)} ({row.id})"
        return Allocation.from_parquet(self.files.read(row.allocation_file, what))

    def list_scenarios(self, *, city_id: str | None = None, tag: str | None = None,
                       search: str | None = None, include_deleted: bool = False
                       ) -> list[StoredScenario]:
        """Saved scenarios, newest first: of one city, with a tag, and/or whose name or notes
        contain ``search`` (case-insensitive; on SQLite for ASCII letters only)."""
        query = sa.select(ScenarioRow).order_by(ScenarioRow.created_at.desc(), ScenarioRow.id)
        if not include_deleted:
            query = query.where(ScenarioRow.deleted_at.is_(None))
        if city_id is not None:
            query = query.where(ScenarioRow.city_id == city_id)
        if tag is not None:
            query = query.where(ScenarioRow.id.in_(
                sa.select(TagRow.scenario_id).where(TagRow.tag == tag.strip())))
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(sa.or_(ScenarioRow.name.ilike(pattern, escape="\\"),
                                       ScenarioRow.notes.ilike(pattern, escape="\\")))
        with self._read("list the scenarios") as s:
            return self._scenario_records(s, s.scalars(query).all())

    def update_scenario(self, scenario_id: str, *, name: str | None = None,
                        notes: str | None = None, tags: Iterable[str] | None = None
                        ) -> StoredScenario:
        """Rename a saved scenario, or replace its notes or tags (what is None stays)."""
        name = None if name is None else _text(name, "the scenario's name", required=True)
        notes = None if notes is None else _text(notes, "the notes", required=False)
        tags = None if tags is None else _tags(tags)
        with self._write("change the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            if name is not None:
                row.name = name
            if notes is not None:
                row.notes = notes
            if tags is not None:
                s.execute(sa.delete(TagRow).where(TagRow.scenario_id == row.id))
                s.add_all(TagRow(scenario_id=row.id, tag=tag) for tag in tags)
            row.updated_at = _now()
            s.flush()
            return self._scenario_records(s, [row])[0]

    def duplicate_scenario(self, scenario_id: str, *, name: str | None = None) -> str:
        """A copy of a saved scenario (same parameters, result, notes and tags) under a new
        id; ``name`` defaults to the original's with " (copy)"."""
        with self._write("duplicate the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            new_name = _text(f"{row.name} (copy)" if name is None else name,
                             "the scenario's name", required=True)
            new_id = secrets.token_hex(SCENARIO_ID_LENGTH // 2)
            now = _now()
            s.add(ScenarioRow(id=new_id, city_id=row.city_id, name=new_name, notes=row.notes,
                              scenario_hash=row.scenario_hash, parameters=row.parameters,
                              observed_only=row.observed_only,
                              totals=row.totals, kpis=row.kpis,
                              allocation_file=row.allocation_file, versions=row.versions,
                              created_at=now, updated_at=now, deleted_at=None))
            tags = s.scalars(sa.select(TagRow.tag).where(TagRow.scenario_id == row.id)).all()
            s.add_all(TagRow(scenario_id=new_id, tag=tag) for tag in tags)
        return new_id

    def delete_scenario(self, scenario_id: str) -> StoredScenario:
        """Delete a saved scenario (it can be restored until it is purged)."""
        with self._write("delete the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            row.deleted_at = _now()
            s.flush()
            return self._scenario_records(s, [row])[0]

    def restore_scenario(self, scenario_id: str) -> StoredScenario:
        """Bring back a deleted scenario (refused while its city is deleted)."""
        with self._write("restore the scenario") as s:
            row = self._scenario_row(s, scenario_id)
            city = self._city_row(s, row.city_id)
            if city.deleted_at is not None:
                raise Refused(f"the city of {shown(row.name)} ({city.id}) is deleted; restore "
                              "the city first")
            row.deleted_at = None
            s.flush()
            return self._scenario_records(s, [row])[0]

    def resolve_scenario(self, scenario_id: str, device: str = "auto") -> Resolution:
        """Solve a saved scenario again now on its saved city and compare: the figures and
        the allocation that differ by more than :data:`RESOLVE_RTOL`."""
        saved = self.get_scenario(scenario_id)
        ctx = problem.context(self.get_city(saved.city_id), saved.observed_only)
        result = optimizer.optimize(ctx, saved.scenario, device=device)
        now = Allocation.from_result(ctx, result)
        was = self.get_allocation(scenario_id)
        differences = _differences(saved.totals, encode_floats(result.totals(0)))
        for quantity, unit in QUANTITIES.items():
            a, b = getattr(was, quantity), getattr(now, quantity)
            if a.shape != b.shape or not np.allclose(a, b, rtol=RESOLVE_RTOL, atol=0):
                differences.append(f"{quantity} per district and intervention ({unit}) differs")
        return Resolution(result, ctx, differences, saved.changes())

    # ------------------------------------------------------------------ housekeeping

    def purge_deleted(self, older_than_days: float | None = None) -> tuple[int, int]:
        """Remove for good what was deleted more than ``older_than_days`` ago (default
        ``GREENPRINT_STORE_KEEP_DELETED_DAYS``; 0: everything deleted), then the files no
        row names. Returns (cities, scenarios) removed."""
        days = get_settings().store_keep_deleted_days if older_than_days is None else older_than_days
        cutoff = _now() - timedelta(days=days)
        with self._write("purge deleted items") as s:
            gone = s.scalars(sa.select(ScenarioRow.id).where(ScenarioRow.deleted_at <= cutoff)).all()
            s.execute(sa.delete(TagRow).where(TagRow.scenario_id.in_(gone)))
            s.execute(sa.delete(ScenarioRow).where(ScenarioRow.id.in_(gone)))
            still = sa.select(ScenarioRow.id).where(ScenarioRow.city_id == CityRow.id)
            cities = s.execute(sa.delete(CityRow).where(CityRow.deleted_at <= cutoff,
                                                        ~sa.exists(still))).rowcount
        self.collect_garbage()  # after the commit: a file goes only once no row names it
        return cities, len(gone)

    def collect_garbage(self) -> int:
        """Remove files no row names (left by a crashed save, or by a purge); how many."""
        with self._write("clean the store's files") as s:
            return self._collect_garbage(s)

    def _collect_garbage(self, s: Session) -> int:
        """Inside a write transaction: no save is writing a file, so every temporary file is
        a crash's leftover, and a file no row names is not about to be named."""
        named = set()
        for column in (CityRow.data_file, CityRow.degree_days_file, ScenarioRow.allocation_file):
            named |= set(s.scalars(sa.select(column).where(column.is_not(None))).all())
        unused = self.files.keys() - named
        for key in unused:
            self.files.remove(key)
        return len(unused) + self.files.clear_tmp()

    def check(self) -> list[str]:
        """Consistency problems, in words (empty: consistent): every row's files present and
        unchanged, every scenario's city and every tag's scenario present, and (SQLite) the
        database file's own integrity check."""
        problems = []
        with self._read("check the store") as s:
            if self.backend == "sqlite":
                verdict = s.execute(sa.text("PRAGMA integrity_check")).scalar()
                if verdict != "ok":
                    problems.append(f"SQLite integrity check: {verdict}")
            for row in s.scalars(sa.select(CityRow)):
                for key in filter(None, (row.data_file, row.degree_days_file)):
                    problems += self._file_problem(key, f"city {row.id}")
            for row in s.scalars(sa.select(ScenarioRow)):
                problems += self._file_problem(row.allocation_file, f"scenario {row.id}")
            orphans = s.scalars(sa.select(ScenarioRow.id).where(
                ~ScenarioRow.city_id.in_(sa.select(CityRow.id)))).all()
            problems += [f"scenario {i} names a city that is not stored" for i in orphans]
            tags = s.scalars(sa.select(TagRow.scenario_id).where(
                ~TagRow.scenario_id.in_(sa.select(ScenarioRow.id)))).all()
            problems += [f"a tag names scenario {i}, which is not stored" for i in set(tags)]
        return problems

    def _file_problem(self, key: str, what: str) -> list[str]:
        try:
            self.files.read(key, what)
        except StoreUnavailable as exc:
            return [str(exc)]
        return []

    # ------------------------------------------------------------------ rows

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

    @staticmethod
    def _city_record(s: Session, row: CityRow) -> StoredCity:
        n = s.scalar(sa.select(sa.func.count()).select_from(ScenarioRow).where(
            ScenarioRow.city_id == row.id, ScenarioRow.deleted_at.is_(None)))
        return _city_record(row, n)

    @staticmethod
    def _scenario_records(s: Session, rows: list[ScenarioRow]) -> list[StoredScenario]:
        tags: dict[str, list[str]] = {}
        ids = [row.id for row in rows]
        if ids:
            for sid, tag in s.execute(sa.select(TagRow.scenario_id, TagRow.tag)
                                      .where(TagRow.scenario_id.in_(ids)).order_by(TagRow.tag)):
                tags.setdefault(sid, []).append(tag)
        return [_scenario_record(row, tuple(tags.get(row.id, ()))) for row in rows]

    def _same_districts(self, row: CityRow, ctx: CityContext) -> None:
        """Refuse a result solved on other districts than the saved city's."""
        data = self.files.read(row.data_file, f"the city {shown(row.name)} ({row.id})")
        ids = pq.read_table(io.BytesIO(data), columns=["district_id"])
        saved = ids.column("district_id").to_pylist()
        if [str(i) for i in ctx.district_ids] != [str(i) for i in saved]:
            raise Refused(f"the result was solved on other districts ({len(ctx.district_ids)}) "
                          f"than the saved city {shown(row.name)} ({row.id}, {len(saved)} "
                          "districts); save the city it was solved on")


def _shown_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def _errors(action: str, engine: sa.Engine) -> Iterator[None]:
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
                      f"GREENPRINT_STORE_BUSY_TIMEOUT_S ({get_settings().store_busy_timeout_s:g} s)")
        raise StoreUnavailable(f"cannot {action}: the database at {_shown_url(engine)}: "
                               f"{reason}") from None


def _migrated(reader: sa.Engine, writer: sa.Engine) -> str:
    """Bring the schema to the head (under the write lock); return the store's id."""
    with reader.connect() as conn:
        current = database.revision(conn)
    if current != database.head():
        with writer.connect() as conn, conn.begin():
            database.upgrade(conn)
    with Session(reader) as s:
        return s.get(InfoRow, "store_id").value


def _first_line(exc: BaseException | None) -> str:
    return (str(exc).strip().splitlines() or ["unknown error"])[0]


def _city_file_name(city_id: str) -> str:
    return f"{city_id}.parquet"


def _city_parquet(city: City, city_id: str) -> bytes:
    """The city as :func:`core.intake.city.write_city` writes it."""
    with tempfile.TemporaryDirectory(prefix="greenprint-city-") as tmp:
        path = write_city(city, Path(tmp) / _city_file_name(city_id))
        return path.read_bytes()


def _frame_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _city_record(row: CityRow, scenarios_n: int) -> StoredCity:
    mapping = (column_mapping.validated(row.mapping, "the saved mapping")
               if row.mapping is not None else None)
    return StoredCity(row.id, row.fingerprint, row.name, row.source, row.illustrative,
                      row.n_districts, row.size_bytes, row.created_at, row.deleted_at,
                      scenarios_n, mapping)


def _scenario_record(row: ScenarioRow, tags: tuple[str, ...]) -> StoredScenario:
    try:
        sc = scenarios.from_dict(dict(row.parameters, name=row.name), "the saved scenario")
    except InputError as exc:
        raise StoreError(f"the saved scenario {shown(row.name)} ({row.id}) no longer fits this "
                         f"version of Greenprint: {exc}") from None
    return StoredScenario(row.id, row.city_id, row.name, row.notes, tags, sc, row.scenario_hash,
                          row.observed_only, decode_floats(row.totals), kpis_from_json(row.kpis), row.versions,
                          row.created_at, row.updated_at, row.deleted_at)


#: totals compared by resolve_scenario: the plan's figures, not how long it took
COMPARED = ("status", "objective", "abatement_t_co2_per_yr", "cost_usd", "budget_usd",
            "bill_savings_usd_per_yr", "dac_benefit_share")


def _differences(saved: dict, now: dict) -> list[str]:
    out = []
    for key in COMPARED:
        a, b = decode_floats(saved.get(key)), decode_floats(now.get(key))
        if isinstance(a, float) and isinstance(b, float):
            same = (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=RESOLVE_RTOL, atol=0)
        else:
            same = a == b
        if not same:
            out.append(f"{key}: saved {a!r}, now {b!r}")
    return out
