"""``python -m core evaluate``, ``train`` and ``predict``: the energy model from the command
line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from core.cli import common as cli
from core.errors import InputError
from core.i18n import ngettext

if TYPE_CHECKING:  # the commands import them when they run (core.cli.common: start-up)
    from core.intake.city import City
    from core.models.cross_validation import Evaluation
    from core.models.network import TrainConfig

OptionalBoundaries = Annotated[Path | None, typer.Argument(
    help="District polygons (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet); "
         "default: the bundled city.")]
Folds = Annotated[int, typer.Option("--folds", "-k", min=0,
                                    help="Cross-validation folds; 0 = leave-one-out.")]
Members = Annotated[int, typer.Option("--members", min=5, help="Deep-ensemble members (>= 5).")]
Seed = Annotated[int, typer.Option("--seed", help="Seed of folds, splits and weights.")]
Device = Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")]
ModelDir = Annotated[Path, typer.Option("--model", help="Folder of a model saved by `train --out`.")]

T = TypeVar("T")


def _city(boundaries, attributes, id_column, attributes_id, map_, unit, mapping, layer,
          degree_days, estimate, references=None, encoding=None) -> City:
    from core.intake.city import default_city

    if boundaries is None:
        city = default_city(cli.figures_from_args(estimate))
        if (refs := cli.references_from_args(references)) is not None:
            city = city.with_references(refs)
        return cli.with_degree_days(city, degree_days)
    return cli.city_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                              mapping, layer, degree_days=degree_days, estimate=estimate,
                              references=references, encoding=encoding)


def _degree_day_json(city: City, fits: dict) -> dict:
    from core.models import degree_days as dd

    records = json.loads(dd.summary(fits).to_json(orient="records"))  # NaN as null
    return {"degree_days": records, "degree_days_unavailable": _unavailable(city)}


def _unavailable(city: City) -> str | None:
    """Why the degree-day model cannot run, with the option that gives it a table."""
    from core.models import degree_days as dd

    why = dd.unavailable_reason(city)
    return f"{why}; pass --degree-days FILE" if why and city.degree_days is None else why


def _print_degree_days(city: City, fits: dict) -> None:
    import pandas as pd

    from core.models import degree_days as dd

    if fits:
        typer.echo("\nmonthly degree-day model (city totals, kWh/yr):")
        for row in dd.summary(fits).itertuples():
            if not row.plausible:
                typer.echo(f"  {row.fuel:<16} no valid split: {row.issues}")
                continue
            cooling = ("no cooling term" if pd.isna(row.cooling_kwh)
                       else f"cooling {row.cooling_kwh:,.0f}")
            typer.echo(f"  {row.fuel:<16} base {row.base_kwh:,.0f}  heating {row.heating_kwh:,.0f}"
                       f"  {cooling}  monthly CV(RMSE) {row.monthly_cv_rmse_pct:.1f} %")
    else:
        typer.echo(f"\ndegree-day model unavailable: {_unavailable(city)}")


def _config(folds: int, members: int, seed: int, device: str) -> TrainConfig:
    from core.models.network import TrainConfig

    return TrainConfig(folds=folds or None, members=members, seed=seed, device=device)


def _trained(city: City, as_json: bool, train: Callable[[], T]) -> T:
    """``train()`` (an evaluation or a fit on ``city``); problems a user can fix exit cleanly."""
    from core.models.features import available_targets

    if not available_targets(city):
        cli.fail("the city has no observed electricity_kwh or gas_kwh to train on; map your "
                 "annual consumption columns onto them (--map SRC=electricity_kwh)",
                 cli.EXIT_PROBLEMS, as_json)
    try:
        return train()
    except InputError as exc:  # a choice that cannot work for this city (e.g. leave-one-out)
        cli.fail(str(exc), cli.EXIT_UNREADABLE, as_json)
    except (ValueError, RuntimeError) as exc:
        cli.fail(str(exc), cli.EXIT_PROBLEMS, as_json)


def _scores_json(ev: Evaluation, city: City) -> dict:
    """The evaluation's JSON with each target's verdict (good / fair / poor) added."""
    from core.models import model_card

    out = ev.as_json()
    for t, v in model_card.verdicts(ev, city).items():
        out["targets"][t]["verdict"] = v.as_dict()
    return out


def _print_scores(ev: Evaluation, city: City) -> None:
    from core.models import cross_validation, model_card, yardstick

    districts = ngettext("{n} district", "{n} districts", ev.n_districts).format(
        n=ev.n_districts)
    if not ev.targets:  # nothing trained: the reasons below, not an empty "0-fold" run
        typer.echo(f"{ev.city_name}: {districts}, no energy model trained")
    else:
        typer.echo(f"{ev.city_name}: {districts}, {ev.folds}-fold "
                   f"cross-validation, {ev.config.members} ensemble members, device {ev.device}, "
                   f"{ev.seconds:.1f} s")
    if ev.footprint is not None and ev.targets:  # what the training's own computing cost
        typer.echo(f"footprint of this training: {ev.footprint.text()}")
    crit = yardstick.criteria()
    typer.echo(f"ASHRAE Guideline 14 yardstick: CV(RMSE) <= {crit['cv_rmse_max']:.0%}, "
               f"|NMBE| <= {crit['nmbe_abs_max']:.0%}")
    for t, r in ev.targets.items():
        typer.echo(f"\n{t} ({r.n_used} districts used, {r.n_left_out} left out)")
        typer.echo(f"  {'model':<34}{'CV(RMSE)':>10}{'NMBE':>9}{'R2':>8}{'cover90':>9}")
        for name, label in cross_validation.MODEL_NAMES.items():
            s = r.scores[name]
            cov = f"{s.coverage_90:>9.1%}" if s.coverage_90 is not None else f"{'-':>9}"
            mark = "*" if name == r.selected else " "
            typer.echo(f"{mark} {label:<34}{s.cv_rmse:>10.1%}{s.nmbe:>9.1%}{s.r2:>8.3f}{cov}")
        typer.echo(f"  {r.reason}")
        typer.echo(f"  verdict: {model_card.verdict(r, city).text}")
    for t, why in ev.unavailable.items():
        typer.echo(f"\n{t}: not modelled, {why}")


def evaluate(boundaries: OptionalBoundaries = None, attributes: cli.Attributes = None,
             id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
             map_: cli.MapOption = None, unit: cli.UnitOption = None,
             mapping: cli.MappingFile = None, layer: cli.Layer = None, folds: Folds = 5,
             members: Members = 5, seed: Seed = 0, device: Device = "auto",
             degree_days: cli.DegreeDays = None, estimate: cli.EstimateOption = None,
             references: cli.ReferencesOption = None, encoding: cli.EncodingOption = None,
             as_json: cli.JsonFlag = False) -> None:
    """Cross-validate the energy model against two baselines (CV(RMSE), NMBE, R2, coverage);
    with monthly data and degree days, also the base / heating / cooling split."""
    from core.models import cross_validation
    from core.models import degree_days as dd

    city = cli.run_guarded(lambda: _city(boundaries, attributes, id_column, attributes_id, map_,
                                         unit, mapping, layer, degree_days, estimate,
                                         references, encoding), as_json)
    config = _config(folds, members, seed, device)
    ev = _trained(city, as_json, lambda: cross_validation.evaluate(city, config))
    fits = dd.fit(city)
    if as_json:
        print(json.dumps({**_scores_json(ev, city), **_degree_day_json(city, fits)},
                         default=float))
    else:
        _print_scores(ev, city)
        _print_degree_days(city, fits)


def train(boundaries: OptionalBoundaries = None, attributes: cli.Attributes = None,
          id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
          map_: cli.MapOption = None, unit: cli.UnitOption = None,
          mapping: cli.MappingFile = None, layer: cli.Layer = None,
          out: Annotated[Path, typer.Option("--out", help="Folder for weights and model card.")]
          = Path("model"),
          folds: Folds = 5, members: Members = 5, seed: Seed = 0, device: Device = "auto",
          degree_days: cli.DegreeDays = None, estimate: cli.EstimateOption = None,
          references: cli.ReferencesOption = None, encoding: cli.EncodingOption = None,
          as_json: cli.JsonFlag = False) -> None:
    """Train the energy model, save it (weights, settings, model card in JSON and Markdown)
    for ``predict --model``."""
    from core.models import degree_days as dd
    from core.models.energy import EnergyModel

    city = cli.run_guarded(lambda: _city(boundaries, attributes, id_column, attributes_id, map_,
                                         unit, mapping, layer, degree_days, estimate,
                                         references, encoding), as_json)
    model = _trained(city, as_json,
                     lambda: EnergyModel(_config(folds, members, seed, device)).fit(city))
    ev = model.evaluation
    written = model.save(out)
    fits = dd.fit(city)
    if fits:
        path = Path(out) / "degree_day_split.csv"
        dd.summary(fits).to_csv(path, index=False)
        written.append(path)
    if as_json:
        print(json.dumps({**_scores_json(ev, city), "files": [str(p) for p in written],
                          **_degree_day_json(city, fits)}, default=float))
        return
    _print_scores(ev, city)
    _print_degree_days(city, fits)
    typer.echo("\nwrote " + ", ".join(str(p) for p in written))


def predict(boundaries: OptionalBoundaries = None, attributes: cli.Attributes = None,
            id_column: cli.IdColumn = None, attributes_id: cli.AttributesId = None,
            map_: cli.MapOption = None, unit: cli.UnitOption = None,
            mapping: cli.MappingFile = None, layer: cli.Layer = None,
            model: ModelDir = Path("model"),
            out: Annotated[Path | None, typer.Option(
                "--out", help="CSV file for the predictions; default: print them.")] = None,
            device: Device = "auto", estimate: cli.EstimateOption = None,
            references: cli.ReferencesOption = None, encoding: cli.EncodingOption = None,
            as_json: cli.JsonFlag = False) -> None:
    """Predict annual electricity and gas per district (kWh/yr, with the network's 90 %
    interval) with a model saved by ``train``."""
    from core.models.energy import EnergyModel

    city = cli.run_guarded(lambda: _city(boundaries, attributes, id_column, attributes_id, map_,
                                         unit, mapping, layer, None, estimate,
                                         references, encoding), as_json)
    table = cli.run_guarded(lambda: EnergyModel.load(model, device).predict(city), as_json)
    if out is not None:
        table.to_csv(out, index=False)
    if as_json:
        records = json.loads(table.to_json(orient="records"))  # NaN as null
        print(json.dumps({"n_districts": len(table), "predictions": records}))
    elif out is None:
        typer.echo(table.to_csv(index=False), nl=False)
    else:
        typer.echo(f"wrote {out}")
