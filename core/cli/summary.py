"""``python -m core summary``: the city's headline figures."""

from __future__ import annotations

import json

import typer

from core.cli import common as cli
from core.i18n import ngettext


def summary(boundaries: cli.Boundaries, attributes: cli.Attributes = None,
            id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
            map_: cli.MapOption = None, unit: cli.UnitOption = None,
            mapping: cli.MappingFile = None, layer: cli.Layer = None,
            estimate: cli.EstimateOption = None, references: cli.ReferencesOption = None,
            encoding: cli.EncodingOption = None,
            as_json: cli.JsonFlag = False) -> None:
    """Load a city and print its headline figures (population, energy, per resident), its
    reference values (currency, grid factor) and the columns Greenprint estimated for it. Districts with data but no observed energy get
    the energy model's prediction (counted in the totals, and said)."""
    from core.assess import indicators
    from core.models import predicted

    city = cli.run_guarded(lambda: cli.with_predictions(cli.city_from_args(
        boundaries, attributes, id_column, attributes_id, map_, unit, mapping, layer,
        estimate=estimate, references=references, encoding=encoding), as_json),
        as_json)
    refs = city.references
    kpis = indicators.city_kpis(city)
    if as_json:
        print(json.dumps({"n_districts": city.n, "n_with_data": city.n_with_data,
                          "n_without_data": city.n_without_data,
                          "no_data_ids": list(city.no_data_ids),
                          "predicted": predicted.counts(city),
                          "kpis": [{"label": k.label, "value": k.value, "unit": k.unit}
                                   for k in kpis],
                          "estimated": {k: e.caption() for k, e in city.estimates.items()},
                          "currency": refs.currency,
                          "references": refs.frame().to_dict(orient="records")}))
        return
    typer.echo(f"{city.name}: {ngettext('{n} district', '{n} districts', city.n).format(n=city.n)}")
    if coverage := city.coverage():
        typer.echo(f"  {coverage}")
    if note := predicted.summary(city):
        typer.echo(f"  {note}")
    for k in kpis:
        typer.echo(f"  {k.label:<22} {k.text:>16} {k.unit}")
    typer.echo(f"  {refs.describe()}")
    typer.echo(f"  grid factor {refs.grid_factor():.4g} kg CO2/kWh in {refs.base_year} "
               f"(source: {refs.grid_source}); prices {refs.electricity_price:.4g} and "
               f"{refs.gas_price:.4g} {refs.currency}/kWh (electricity, gas)")
    for e in city.estimates.values():
        typer.echo(f"  {e.caption()}")
