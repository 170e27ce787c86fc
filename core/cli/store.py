"""``python -m core cities ...`` and ``python -m core scenarios ...``: the store from the shell.

The store is the one the app uses (``GREENPRINT_DATA_DIR``, ``GREENPRINT_DATABASE_URL``;
see :mod:`core.store`). Exit codes as every command (core.cli.common): 0 done, 1 refused
(e.g. deleting a city that has saved scenarios, or a published scenario: the message says
what to do), 2 an id, input or store that cannot be used (an unknown or deleted id, an
unreachable database).

``scenarios publish ID`` puts a saved scenario on the public portal (with its briefing);
``scenarios unpublish ID`` takes it off. While published, it and its city cannot be deleted.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.cli import common as cli

if TYPE_CHECKING:  # the commands import them when they run (core.cli.common: start-up)
    from core.store import Store, StoredCity, StoredScenario

CityId = Annotated[str, typer.Argument(help="The city's id (see `cities list`).")]
ScenarioId = Annotated[str, typer.Argument(help="The saved scenario's id (see `scenarios list`).")]
IncludeDeleted = Annotated[bool, typer.Option("--deleted", help="List deleted ones too (they can be "
                                       "restored until GREENPRINT_STORE_KEEP_DELETED_DAYS).")]
NAME_WIDTH = 40  # characters of a name in a text listing
#: the option that does what a refusal asks for, by the command refused
REFUSAL_OPTIONS = {"cities delete": "--with-scenarios"}


def _run(fn, as_json: bool, command: str = ""):
    """``fn()`` on the opened store; errors as clean exits (Refused: 1, the rest: 2)."""
    from core.store import Refused, Store  # SQLAlchemy, Alembic

    def run():
        with Store.open() as store:
            try:
                return fn(store)
            except Refused as exc:
                option = REFUSAL_OPTIONS.get(command)
                cli.fail(f"{exc}" + (f" ({option})" if option else ""), cli.EXIT_PROBLEMS, as_json)
    return cli.run_guarded(run, as_json)


def _when(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M")


def _cut(text: str, width: int = NAME_WIDTH) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def city_json(c: StoredCity) -> dict:
    out = asdict(c)
    out["mapping"] = c.mapping.model_dump(mode="json", exclude_none=True) if c.mapping else None
    out["created_at"] = c.created_at.isoformat()
    out["deleted_at"] = c.deleted_at.isoformat() if c.deleted_at else None
    return out


def scenario_json(s: StoredScenario) -> dict:
    return {"id": s.id, "city_id": s.city_id, "name": s.name, "notes": s.notes,
            "tags": list(s.tags), "scenario_hash": s.scenario_hash,
            "observed_only": s.observed_only,
            "parameters": s.scenario.model_dump(mode="json"), "totals": s.totals,
            "kpis": [asdict(k) for k in s.kpis], "versions": s.versions,
            "changes_since_saved": s.changes(), "created_at": s.created_at.isoformat(),
            "updated_at": s.updated_at.isoformat(),
            "deleted_at": s.deleted_at.isoformat() if s.deleted_at else None,
            "published": s.published,
            "published_at": s.published_at.isoformat() if s.published_at else None}


def _finite(value):
    """``value`` with every NaN or infinity (an undefined figure) as None."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _dumps(value) -> str:
    """JSON for the shell: an undefined figure is null."""
    return json.dumps(_finite(value), allow_nan=False, ensure_ascii=False)


# ------------------------------------------------------------------ cities


def cities_list(deleted: IncludeDeleted = False, as_json: cli.JsonFlag = False) -> None:
    """List the saved cities, newest first."""
    cities = _run(lambda store: store.list_cities(include_deleted=deleted), as_json)
    if as_json:
        print(_dumps([city_json(c) for c in cities]))
        return
    if not cities:
        typer.echo("no saved city (save one with `python -m core cities save BOUNDARIES ...`)")
        return
    typer.echo(f"{'id':<16}  {'name':<{NAME_WIDTH}}  {'districts':>9}  {'scenarios':>9}  "
               f"{'saved (UTC)':<16}  {'size MB':>7}")
    for c in cities:
        gone = f"  deleted {_when(c.deleted_at)}" if c.deleted_at else ""
        typer.echo(f"{c.id:<16}  {_cut(c.name):<{NAME_WIDTH}}  {c.n_districts:>9,}  "
                   f"{c.scenarios:>9,}  {_when(c.created_at):<16}  {c.size_bytes / 1e6:>7.2f}{gone}")


def cities_show(city_id: CityId, as_json: cli.JsonFlag = False) -> None:
    """Show a saved city: what it is, where it came from, its columns and its lineage."""
    def fetch(store: Store):
        return store.city_info(city_id), store.get_city(city_id)
    info, city = _run(fetch, as_json)
    columns = [str(c) for c in city.districts.columns if c != city.districts.geometry.name]
    if as_json:
        print(_dumps({**city_json(info), "columns": columns, "lineage": list(city.lineage),
                      "estimated": {k: e.caption() for k, e in city.estimates.items()}}))
        return
    typer.echo(f"{info.name} ({info.id})")
    typer.echo(f"  source       {info.source}")
    typer.echo(f"  districts    {info.n_districts:,}")
    typer.echo(f"  scenarios    {info.scenarios:,} saved")
    typer.echo(f"  saved        {_when(info.created_at)} UTC, {info.size_bytes / 1e6:.2f} MB")
    typer.echo(f"  fingerprint  {info.fingerprint}")
    typer.echo(f"  columns      {', '.join(columns)}")
    for entry in city.lineage:
        typer.echo(f"  - {entry}")


def cities_save(boundaries: cli.Boundaries, attributes: cli.Attributes = None,
                id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
                map_: cli.MapOption = None, unit: cli.UnitOption = None,
                mapping: cli.MappingFile = None, layer: cli.Layer = None,
                crs: cli.CrsOption = None, degree_days: cli.DegreeDays = None,
                estimate: cli.EstimateOption = None,
                name: Annotated[str | None, typer.Option("--name", help="The city's name "
                                                         "(default: the file's).")] = None,
                encoding: cli.EncodingOption = None,
                as_json: cli.JsonFlag = False) -> None:
    """Validate a city and save it; print its id (the same data gives the same id). Districts
    with data but no observed energy get the energy model's prediction, as in `optimize`."""
    def save(store: Store):
        m = cli.mapping_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                                  mapping, layer, crs, encoding=encoding)
        city = cli.city_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                                  mapping, layer, crs, degree_days, estimate,
                                  encoding=encoding)
        if name is not None:
            city = replace(city, name=name)
        city = cli.with_predictions(city, as_json)
        return store.city_info(store.save_city(city, mapping=m))
    info = _run(save, as_json)
    if as_json:
        print(_dumps(city_json(info)))
        return
    typer.echo(f"saved city {info.id}: {info.name}, {info.n_districts:,} districts")


def cities_delete(city_id: CityId, with_scenarios: Annotated[bool, typer.Option(
        "--with-scenarios", help="Also delete the city's saved scenarios (without it, a city "
                                 "that has some is not deleted).")] = False,
                  as_json: cli.JsonFlag = False) -> None:
    """Delete a saved city (restorable until GREENPRINT_STORE_KEEP_DELETED_DAYS)."""
    info = _run(lambda store: store.delete_city(city_id, with_scenarios=with_scenarios), as_json,
                "" if with_scenarios else "cities delete")
    if as_json:
        print(_dumps(city_json(info)))
        return
    typer.echo(f"deleted city {info.id} ({_cut(info.name)}); `cities restore {info.id}` brings "
               "it back")


def cities_restore(city_id: CityId, as_json: cli.JsonFlag = False) -> None:
    """Bring back a deleted city (its scenarios stay deleted: restore them one by one)."""
    info = _run(lambda store: store.restore_city(city_id), as_json)
    if as_json:
        print(_dumps(city_json(info)))
        return
    typer.echo(f"restored city {info.id} ({_cut(info.name)})")


# ------------------------------------------------------------------ scenarios


def scenarios_list(city: Annotated[str | None, typer.Option("--city", help="Only this city's.")] = None,
                   tag: Annotated[str | None, typer.Option("--tag", help="Only those with this tag.")] = None,
                   search: Annotated[str | None, typer.Option(
                       "--search", help="Only those whose name or notes contain this text.")] = None,
                   deleted: IncludeDeleted = False,
                   published: Annotated[bool, typer.Option(
                       "--published", help="Only those published on the portal.")] = False,
                   as_json: cli.JsonFlag = False) -> None:
    """List the saved scenarios, newest first."""
    found = _run(lambda store: store.list_scenarios(city_id=city, tag=tag, search=search,
                                                    include_deleted=deleted,
                                                    published_only=published), as_json)
    if as_json:
        print(_dumps([scenario_json(s) for s in found]))
        return
    if not found:
        typer.echo("no saved scenario matches")
        return
    typer.echo(f"{'id':<12}  {'name':<{NAME_WIDTH}}  {'city':<16}  {'saved (UTC)':<16}  "
               f"{'abatement t CO2/yr':>18}  tags")
    for s in found:
        gone = f"  deleted {_when(s.deleted_at)}" if s.deleted_at else ""
        gone += "  published" if s.published else ""
        abated = s.totals.get("abatement_t_co2_per_yr")
        typer.echo(f"{s.id:<12}  {_cut(s.name):<{NAME_WIDTH}}  {s.city_id:<16}  "
                   f"{_when(s.created_at):<16}  {abated if abated is None else f'{abated:,.0f}':>18}  "
                   f"{', '.join(_cut(t, 20) for t in s.tags)}{gone}")


def scenarios_show(scenario_id: ScenarioId, as_json: cli.JsonFlag = False) -> None:
    """Show a saved scenario: parameters, headline figures, and whether re-solving it now may
    give other figures (code, reference tables or libraries changed since it was saved)."""
    s = _run(lambda store: store.get_scenario(scenario_id), as_json)
    if as_json:
        print(_dumps(scenario_json(s)))
        return
    typer.echo(f"{s.name} ({s.id}), city {s.city_id}, saved {_when(s.created_at)} UTC")
    if s.tags:
        typer.echo(f"  tags: {', '.join(s.tags)}")
    if s.notes:
        typer.echo(f"  notes: {s.notes}")
    typer.echo(f"  published on the portal since {_when(s.published_at)} UTC" if s.published
               else "  not published")
    typer.echo(f"  status: {s.totals.get('status')}" + (f" ({s.totals['message']})"
                                                        if s.totals.get("message") else ""))
    for k in s.kpis:
        typer.echo(f"  {k.label:<18} {k.value:>14,.3f} {k.unit}")
    if s.observed_only:
        typer.echo("  the plan left out the districts whose energy is predicted (--observed-only)")
    typer.echo("  parameters:")
    for key, value in s.scenario.model_dump(exclude={"name"}).items():
        typer.echo(f"    {key:<28} {value}")
    changes = s.changes()
    typer.echo("  re-solving now: " + ("same code, reference tables and libraries as when saved"
                                       if not changes else "may differ: " + "; ".join(changes)))


def scenarios_save(city: Annotated[str, typer.Option("--city", help="The saved city's id.")],
                   scenario_file: Annotated[Path, typer.Option("--scenario", help="Scenario JSON "
                                                               "(see data/scenarios/).")],
                   name: Annotated[str | None, typer.Option("--name", help="Its name (default: "
                                                            "the scenario file's).")] = None,
                   tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag; repeat "
                                                                 "for each.")] = None,
                   notes: Annotated[str, typer.Option("--notes", help="Free text.")] = "",
                   device: Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")] = "auto",
                   observed_only: cli.ObservedOnly = False, as_json: cli.JsonFlag = False) -> None:
    """Solve a scenario on a saved city and save it with its result summary; print its id."""
    from core.plan import scenario as scenarios

    def save(store: Store):
        sc = scenarios.load(scenario_file)
        return store.get_scenario(store.save_scenario(city, sc, name=name, tags=tag or (),
                                                      notes=notes, observed_only=observed_only,
                                                      device=device))
    s = _run(save, as_json)
    if as_json:
        print(_dumps(scenario_json(s)))
        return
    typer.echo(f"saved scenario {s.id}: {s.name} ({s.totals.get('status')}), city {s.city_id}")


def scenarios_delete(scenario_id: ScenarioId, as_json: cli.JsonFlag = False) -> None:
    """Delete a saved scenario (restorable until GREENPRINT_STORE_KEEP_DELETED_DAYS)."""
    s = _run(lambda store: store.delete_scenario(scenario_id), as_json)
    if as_json:
        print(_dumps(scenario_json(s)))
        return
    typer.echo(f"deleted scenario {s.id} ({_cut(s.name)}); `scenarios restore {s.id}` brings it back")


def scenarios_restore(scenario_id: ScenarioId, as_json: cli.JsonFlag = False) -> None:
    """Bring back a deleted scenario (its city must not be deleted)."""
    s = _run(lambda store: store.restore_scenario(scenario_id), as_json)
    if as_json:
        print(_dumps(scenario_json(s)))
        return
    typer.echo(f"restored scenario {s.id} ({_cut(s.name)})")


def _publish(scenario_id: str, published: bool, as_json: bool) -> None:
    s = _run(lambda store: store.publish_scenario(scenario_id, published), as_json)
    if as_json:
        print(_dumps(scenario_json(s)))
        return
    if published:
        typer.echo(f"published scenario {s.id} ({_cut(s.name)}) on the portal since "
                   f"{_when(s.published_at)} UTC; `scenarios unpublish {s.id}` takes it off")
    else:
        typer.echo(f"scenario {s.id} ({_cut(s.name)}) is not published; the portal no longer "
                   "shows it")


def scenarios_publish(scenario_id: ScenarioId, as_json: cli.JsonFlag = False) -> None:
    """Publish a saved scenario on the public portal, with its briefing (while published, it
    and its city cannot be deleted)."""
    _publish(scenario_id, True, as_json)


def scenarios_unpublish(scenario_id: ScenarioId, as_json: cli.JsonFlag = False) -> None:
    """Take a saved scenario off the public portal."""
    _publish(scenario_id, False, as_json)


#: the command groups, each ``{command name: function}``, in the order ``--help`` lists them
GROUPS = {
    "cities": ("Saved cities: list, show, save, delete, restore.",
               {"list": cities_list, "show": cities_show, "save": cities_save,
                "delete": cities_delete, "restore": cities_restore}),
    "scenarios": ("Saved scenarios: list, show, save, delete, restore, publish, unpublish.",
                  {"list": scenarios_list, "show": scenarios_show, "save": scenarios_save,
                   "delete": scenarios_delete, "restore": scenarios_restore,
                   "publish": scenarios_publish, "unpublish": scenarios_unpublish}),
}
