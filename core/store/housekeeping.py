"""Keeping the store tidy and checking it: purging what was deleted long ago, removing files
no row names (left by a crash or a purge), and a consistency check."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.settings import get_settings
from core.store.errors import StoreUnavailable
from core.store.schema import CityRow, ScenarioRow, TagRow
from core.store.session import Connected, now


class Housekeeping(Connected):
    """Purge, garbage collection and the consistency check of :class:`core.store.Store`."""

    def purge_deleted(self, older_than_days: float | None = None) -> tuple[int, int]:
        """Remove for good what was deleted more than ``older_than_days`` ago (default
        ``GREENPRINT_STORE_KEEP_DELETED_DAYS``; 0: everything deleted), then the files no
        row names. Returns (cities, scenarios) removed."""
        days = (get_settings().store_keep_deleted_days if older_than_days is None
                else older_than_days)
        cutoff = now() - timedelta(days=days)
        with self._write("purge deleted items") as s:
            gone = s.scalars(
                sa.select(ScenarioRow.id).where(ScenarioRow.deleted_at <= cutoff)).all()
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
