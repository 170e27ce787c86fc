"""Saved cities: stored once per content fingerprint, read back through ``load_city``,
deleted only with their scenarios (or refused), restorable until purged."""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.errors import CityValidationError, InputError
from core.i18n import lazy
from core.intake import mapping as column_mapping
from core.intake.city import City, load_city, write_city
from core.intake.mapping import ColumnMapping
from core.store.errors import Refused, StoreError, shown
from core.store.fingerprint import fingerprint
from core.store.records import StoredCity
from core.store.schema import CITY_ID_LENGTH, CityRow, ScenarioRow
from core.store.session import Connected, now, text

#: how many scenario names a refusal to delete their city quotes
NAMES_QUOTED = 3


class Cities(Connected):
    """The city half of :class:`core.store.Store`."""

    def save_city(self, city: City, *, mapping: ColumnMapping | None = None) -> str:
        """Save a validated city; return its id. The same content is stored once: saving it
        again returns the same id (and brings it back if it was deleted)."""
        fp = fingerprint(city)
        city_id = fp[:CITY_ID_LENGTH]
        name = text(city.name, "the city's name", required=True)
        source = text(city.source, "the city's source", required=False)
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
                          size_bytes=len(data) + len(degree_days or b""), created_at=now(),
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
            return [city_record(row, counts.get(row.id, 0)) for row in rows]

    def delete_city(self, city_id: str, *, with_scenarios: bool = False) -> StoredCity:
        """Delete a city (it can be restored until it is purged).

        A city with saved scenarios is refused (Refused says which), unless
        ``with_scenarios``: then they are deleted with it. Refusing is the default because
        a planner's saved work should not disappear as a side effect. A city with a
        published scenario is refused either way (its briefing stays on the portal)."""
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
            if published := [sc for sc in live if sc.published]:
                names = ", ".join(f"{shown(sc.name)} ({sc.id})" for sc in published[:NAMES_QUOTED])
                raise Refused(f"the city {shown(row.name)} ({row.id}) has {len(published)} "
                              f"scenario(s) published on the portal ({names}); unpublish them "
                              "first (python -m core scenarios unpublish ID)")
            when = now()
            row.deleted_at = when
            for sc in live:
                sc.deleted_at = when
            s.flush()
            return city_record(row, 0)

    def restore_city(self, city_id: str) -> StoredCity:
        """Bring back a deleted city (its deleted scenarios stay deleted)."""
        with self._write("restore the city") as s:
            row = self._city_row(s, city_id)
            row.deleted_at = None
            s.flush()
            return self._city_record(s, row)

    @staticmethod
    def _city_record(s: Session, row: CityRow) -> StoredCity:
        n = s.scalar(sa.select(sa.func.count()).select_from(ScenarioRow).where(
            ScenarioRow.city_id == row.id, ScenarioRow.deleted_at.is_(None)))
        return city_record(row, n)


def city_record(row: CityRow, scenarios_n: int) -> StoredCity:
    mapping = (column_mapping.validated(row.mapping, lazy("the saved mapping"))
               if row.mapping is not None else None)
    return StoredCity(row.id, row.fingerprint, row.name, row.source, row.illustrative,
                      row.n_districts, row.size_bytes, row.created_at, row.deleted_at,
                      scenarios_n, mapping)


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
