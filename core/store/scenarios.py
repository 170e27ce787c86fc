"""Saved scenarios: parameters, result summary and versions of a plan of a saved city; listed,
renamed, duplicated, deleted (restorable), and published to the public portal.

A published scenario is what the portal shows (``list_scenarios(published_only=True)``),
with its briefing (:meth:`core.store.Store.briefing_inputs`): while it is published it
cannot be deleted, nor its city, so its briefing stays reachable; unpublish it first.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.errors import InputError
from core.intake.city import City
from core.intake.readers import SAVED_CITY
from core.models.features import TARGETS
from core.plan import scenario as scenarios
from core.plan.scenario import Scenario
from core.store import versions
from core.store.errors import Refused, StoreError, shown
from core.store.records import (
    Allocation,
    StoredScenario,
    decode_floats,
    encode_floats,
    kpis_from_json,
    kpis_to_json,
)
from core.store.schema import SCENARIO_ID_LENGTH, CityRow, ScenarioRow, TagRow
from core.store.session import Connected, now, text
from core.store.session import tags as tag_values

if TYPE_CHECKING:  # the solver's modules import torch: only when something is solved
    from core.plan.problem import CityContext
    from core.plan.results import Result


def plan_context(city: City, observed_only: bool = False) -> CityContext:
    """The optimizer's context of a saved city, made as the Scenario lab makes it: districts
    with data but no observed energy get the energy model's prediction
    (:func:`core.models.predicted.with_predictions`, trained only when there are such
    districts), and ``observed_only`` leaves them out of the plan."""
    from core.models import predicted  # the energy model: only when something is predicted
    from core.plan import problem  # torch: not at the app's start-up

    return problem.context(predicted.with_predictions(city), observed_only)


def refuse_if_published(row: ScenarioRow, action: str) -> None:
    """Refused when ``row`` is published: ``action`` would take its briefing off the portal."""
    if row.published:
        raise Refused(f"the scenario {shown(row.name)} ({row.id}) is published on the portal; "
                      f"unpublish it first (python -m core scenarios unpublish {row.id}), then "
                      f"{action}")


class Scenarios(Connected):
    """The scenario half of :class:`core.store.Store`."""

    def save_scenario(self, city_id: str, scenario: Scenario, result: Result | None = None, *,
                      ctx: CityContext | None = None, name: str | None = None,
                      tags: Iterable[str] = (), notes: str = "", observed_only: bool = False,
                      device: str = "auto") -> str:
        """Save a scenario of a saved city with its result summary; return its id.

        ``result``: a result that holds ``scenario`` (e.g. the Scenario lab's), solved on
        ``ctx`` (default: the saved city's context, :func:`plan_context` with
        ``observed_only``, which says whether the plan left out the districts whose energy
        is predicted); when None, the scenario is solved now on ``device``. ``name``
        defaults to the scenario's own. Each save makes a new id, even for the same
        parameters.

        Raises NotFound/Deleted for the city, InputError for an empty name or a tag that is
        too long, Refused when the result was solved on another city."""
        from core.plan import lab, optimizer  # torch: not at the app's start-up

        name = text(scenario.name if name is None else name, "the scenario's name", required=True)
        notes = text(notes, "the notes", required=False)
        tag_list = tag_values(tags)
        with self._read("read the city") as s:
            city_row = self._live_city(s, city_id)
        if ctx is None:
            ctx = plan_context(self.get_city(city_row.id), observed_only)
        if result is None:
            result = optimizer.optimize(ctx, scenario, device=device)
        wanted = {scenario.id, scenario.for_city(ctx.references).id}  # as given, as solved
        index = next((i for i, sc in enumerate(result.scenarios) if sc.id in wanted), None)
        if index is None:
            raise Refused(f"the result holds no scenario with the parameters of {shown(name)} "
                          f"(id {scenario.id}); solve it first")
        solved = result.scenarios[index]  # in the city's currency: what the figures are of
        uses_predictions = self._check_districts(city_row, ctx)
        allocation = Allocation.from_result(ctx, result, index).to_parquet()
        scenario_id = secrets.token_hex(SCENARIO_ID_LENGTH // 2)
        when = now()
        with self._write("save the scenario") as s:
            self._live_city(s, city_row.id)  # not deleted meanwhile
            s.add(ScenarioRow(
                id=scenario_id, city_id=city_row.id, name=name, notes=notes,
                scenario_hash=solved.id, parameters=solved.model_dump(mode="json"),
                observed_only=bool(observed_only),
                totals=encode_floats(result.totals(index)),
                kpis=kpis_to_json(lab.kpis(ctx, result, index)),
                allocation_file=self.files.put(allocation),
                versions=versions.current(uses_predictions), published=False,
                published_at=None, created_at=when, updated_at=when, deleted_at=None))
            s.add_all(TagRow(scenario_id=scenario_id, tag=tag) for tag in tag_list)
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
                       search: str | None = None, include_deleted: bool = False,
                       published_only: bool = False) -> list[StoredScenario]:
        """Saved scenarios, newest first: of one city, with a tag, whose name or notes contain
        ``search`` (case-insensitive; on SQLite for ASCII letters only), and/or only the
        published ones (what the public portal shows; never deleted ones)."""
        query = sa.select(ScenarioRow).order_by(ScenarioRow.created_at.desc(), ScenarioRow.id)
        if not include_deleted:
            query = query.where(ScenarioRow.deleted_at.is_(None))
        if published_only:
            query = query.where(ScenarioRow.published.is_(True))
        if city_id is not None:
            query = query.where(ScenarioRow.city_id == city_id)
        if tag is not None:
            query = query.where(ScenarioRow.id.in_(
                sa.select(TagRow.scenario_id).where(TagRow.tag == tag.strip())))
        if search:
            pattern = ("%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                       + "%")
            query = query.where(sa.or_(ScenarioRow.name.ilike(pattern, escape="\\"),
                                       ScenarioRow.notes.ilike(pattern, escape="\\")))
        with self._read("list the scenarios") as s:
            return self._scenario_records(s, s.scalars(query).all())

    def update_scenario(self, scenario_id: str, *, name: str | None = None,
                        notes: str | None = None, tags: Iterable[str] | None = None
                        ) -> StoredScenario:
        """Rename a saved scenario, or replace its notes or tags (what is None stays)."""
        name = None if name is None else text(name, "the scenario's name", required=True)
        notes = None if notes is None else text(notes, "the notes", required=False)
        tag_list = None if tags is None else tag_values(tags)
        with self._write("change the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            if name is not None:
                row.name = name
            if notes is not None:
                row.notes = notes
            if tag_list is not None:
                s.execute(sa.delete(TagRow).where(TagRow.scenario_id == row.id))
                s.add_all(TagRow(scenario_id=row.id, tag=tag) for tag in tag_list)
            row.updated_at = now()
            s.flush()
            return self._scenario_records(s, [row])[0]

    def duplicate_scenario(self, scenario_id: str, *, name: str | None = None) -> str:
        """A copy of a saved scenario (same parameters, result, notes and tags; not
        published) under a new id; ``name`` defaults to the original's with " (copy)"."""
        with self._write("duplicate the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            new_name = text(f"{row.name} (copy)" if name is None else name,
                            "the scenario's name", required=True)
            new_id = secrets.token_hex(SCENARIO_ID_LENGTH // 2)
            when = now()
            s.add(ScenarioRow(id=new_id, city_id=row.city_id, name=new_name, notes=row.notes,
                              scenario_hash=row.scenario_hash, parameters=row.parameters,
                              observed_only=row.observed_only,
                              totals=row.totals, kpis=row.kpis,
                              allocation_file=row.allocation_file, versions=row.versions,
                              published=False, published_at=None,
                              created_at=when, updated_at=when, deleted_at=None))
            tag_list = s.scalars(sa.select(TagRow.tag).where(TagRow.scenario_id == row.id)).all()
            s.add_all(TagRow(scenario_id=new_id, tag=tag) for tag in tag_list)
        return new_id

    def delete_scenario(self, scenario_id: str) -> StoredScenario:
        """Delete a saved scenario (it can be restored until it is purged). Refused while it
        is published."""
        with self._write("delete the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            refuse_if_published(row, "delete it")
            row.deleted_at = now()
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

    def publish_scenario(self, scenario_id: str, published: bool = True) -> StoredScenario:
        """Publish a saved scenario on the public portal (``published=False``: take it off).
        Publishing stamps ``published_at`` (now); publishing it again keeps the first stamp;
        unpublishing clears it. Raises NotFound (Deleted when it was deleted)."""
        with self._write("publish the scenario" if published else "unpublish the scenario") as s:
            row = self._live_scenario(s, scenario_id)
            if bool(row.published) != bool(published):
                row.published = bool(published)
                row.published_at = now() if published else None
                row.updated_at = now()
            s.flush()
            return self._scenario_records(s, [row])[0]

    @staticmethod
    def _scenario_records(s: Session, rows: list[ScenarioRow]) -> list[StoredScenario]:
        found: dict[str, list[str]] = {}
        ids = [row.id for row in rows]
        if ids:
            for sid, tag in s.execute(sa.select(TagRow.scenario_id, TagRow.tag)
                                      .where(TagRow.scenario_id.in_(ids)).order_by(TagRow.tag)):
                found.setdefault(sid, []).append(tag)
        return [scenario_record(row, tuple(found.get(row.id, ()))) for row in rows]

    def _check_districts(self, row: CityRow, ctx: CityContext) -> bool:
        """Refuse a result solved on other districts than the saved city's; else whether the
        plan on ``ctx`` counts energy the saved city did not observe (a district in the plan
        whose electricity or gas is missing there, or is the model's prediction)."""
        data = self.files.read(row.data_file, f"the city {shown(row.name)} ({row.id})")
        schema = pq.read_schema(io.BytesIO(data))
        columns = [c for c in TARGETS if c in schema.names]  # energy the model predicts
        table = pq.read_table(io.BytesIO(data), columns=["district_id", *columns])
        saved = [str(i) for i in table.column("district_id").to_pylist()]
        if [str(i) for i in ctx.district_ids] != saved:
            raise Refused(f"the result was solved on other districts ({len(ctx.district_ids)}) "
                          f"than the saved city {shown(row.name)} ({row.id}, {len(saved)} "
                          "districts); save the city it was solved on")
        meta = json.loads((schema.metadata or {}).get(SAVED_CITY.encode(), b"{}"))
        listed = meta.get("predicted") or {}
        ids = np.asarray(saved)
        unobserved = np.zeros(len(saved), dtype=bool)
        for column in columns:
            values = table.column(column).to_numpy(zero_copy_only=False).astype(float)
            unobserved |= np.isnan(values) | np.isin(ids, [str(i) for i in listed.get(column, [])])
        return bool((unobserved & np.asarray(ctx.with_data, dtype=bool)).any())


def scenario_record(row: ScenarioRow, tag_list: tuple[str, ...]) -> StoredScenario:
    try:
        sc = scenarios.from_dict(dict(row.parameters, name=row.name), "the saved scenario")
    except InputError as exc:
        raise StoreError(f"the saved scenario {shown(row.name)} ({row.id}) no longer fits this "
                         f"version of Greenprint: {exc}") from None
    return StoredScenario(row.id, row.city_id, row.name, row.notes, tag_list, sc,
                          row.scenario_hash, row.observed_only, decode_floats(row.totals),
                          kpis_from_json(row.kpis), row.versions, row.created_at,
                          row.updated_at, row.deleted_at, bool(row.published), row.published_at)
