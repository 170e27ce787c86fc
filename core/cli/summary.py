"""``python -m core summary``: the city's headline figures."""

from __future__ import annotations

import json

import typer

from core.assess import indicators
from core.cli import common as cli


def summary(boundaries: cli.Boundaries, attributes: cli.Attributes = None,
            id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
            map_: cli.MapOption = None, unit: cli.UnitOption = None,
            mapping: cli.MappingFile = None, layer: cli.Layer = None,
            estimate: cli.EstimateOption = None, as_json: cli.JsonFlag = False) -> None:
    """Load a city and print its headline figures (population, energy, per resident) and
    the columns Greenprint estimated for it."""
    city = cli.run_guarded(lambda: cli.city_from_args(boundaries, attributes, id_column,
                                                      attributes_id, map_, unit, mapping, layer,
                                                      estimate=estimate),
                           as_json)
    kpis = indicators.city_kpis(city)
    if as_json:
        print(json.dumps({"n_districts": city.n,
                          "kpis": [{"label": k.label, "value": k.value, "unit": k.unit}
                                   for k in kpis],
                          "estimated": {k: e.caption() for k, e in city.estimates.items()}}))
        return
    typer.echo(f"{city.name}: {city.n} districts")
    for k in kpis:
        typer.echo(f"  {k.label:<22} {k.text:>16} {k.unit}")
    for e in city.estimates.values():
        typer.echo(f"  {e.caption()}")
