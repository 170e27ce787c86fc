"""``python -m core optimize`` and ``python -m core sweep``: the Scenario lab from the shell.

Both print each scenario's status and message (core.plan.status). Exit codes: 0 whenever
the optimizer returns a plan, including an infeasible or an empty one (``no capacity``,
``no budget``, ``no effect``: the message says what would unlock a plan); 2 when the
city, the scenario or an option cannot be used (a city without the optimizer's columns
among them); 1 when the city's data has blocking problems (core.cli.common).

Districts with data but no observed energy get the energy model's prediction
(core.models.predicted), which the plan uses; ``--observed-only`` leaves them out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.cli import common as cli
from core.errors import InputError

if TYPE_CHECKING:  # the commands import them when they run (core.cli.common: start-up)
    import numpy as np

ScenarioFile = Annotated[Path, typer.Option("--scenario", help="Scenario JSON (see data/scenarios/).")]
Device = Annotated[str, typer.Option("--device", help="auto (cuda when available), cpu or cuda.")]
NUMERIC_FIELDS = ("budget_usd_per_capita", "horizon_year", "grid_decarbonisation",
                  "electricity_usd_per_kwh", "gas_usd_per_kwh", "carbon_price_usd_per_t",
                  "justice40_share", "burden_ceiling", "equity_weight")


def _device(name: str) -> str:
    from core.device import pick_device  # torch

    return pick_device(name).type  # InputError with the choices when it cannot be used


def parse_vary(spec: str) -> tuple[str, np.ndarray]:
    """``NAME=START:STOP:COUNT`` -> (field, values)."""
    import numpy as np

    name, sep, rng = spec.partition("=")
    parts = rng.split(":")
    if not sep or len(parts) != 3:
        raise InputError(f"--vary '{spec}' is not of the form NAME=START:STOP:COUNT")
    if name not in NUMERIC_FIELDS:
        raise InputError(f"--vary: '{name}' is not a numeric scenario field; use one of "
                         f"{', '.join(NUMERIC_FIELDS)}")
    try:
        start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise InputError(f"--vary '{spec}': START and STOP must be numbers, COUNT a whole "
                         "number") from None
    if not 1 <= count <= 4096:
        raise InputError("--vary: COUNT must be between 1 and 4096")
    values = np.linspace(start, stop, count)
    return name, np.round(values).astype(int) if name == "horizon_year" else values


def _context(city, observed_only: bool, as_json: bool):
    """The optimizer's inputs, the energy model's predictions filled in (left out of the plan
    with ``observed_only``), and the city; a city that lacks them is an input error naming
    the flag."""
    from core.plan import problem

    if reason := problem.unavailable(city.districts):
        raise InputError(f"{reason}: map them with --map SRC=CANONICAL")
    city = cli.with_predictions(city, as_json)
    return problem.context(city, observed_only), city


def _echo_coverage(city, observed_only: bool) -> None:
    """How many districts are predicted, and whether the plan uses them."""
    from core.models import predicted

    if note := predicted.summary(city):
        use = ("left out of the plan (--observed-only)" if observed_only
               else "the plan uses the predictions (--observed-only leaves them out)")
        typer.echo(f"  {note}; {use}")


def _coverage_json(city, observed_only: bool) -> dict:
    from core.models import predicted
    from core.plan import problem

    return {"predicted": predicted.counts(city), "observed_only": observed_only,
            "left_out": int(problem.left_out(city, observed_only).sum())}


def optimize(boundaries: cli.Boundaries, scenario_file: ScenarioFile,
             attributes: cli.Attributes = None, id_column: cli.IdColumn = None,
             attributes_id: cli.AttributesId = None, map_: cli.MapOption = None,
             unit: cli.UnitOption = None, mapping: cli.MappingFile = None, layer: cli.Layer = None,
             reference: Annotated[bool, typer.Option("--reference",
                                                     help="Also solve with HiGHS and report the gap.")] = False,
             device: Device = "auto", estimate: cli.EstimateOption = None,
             observed_only: cli.ObservedOnly = False, references: cli.ReferencesOption = None,
             encoding: cli.EncodingOption = None,
             as_json: cli.JsonFlag = False) -> None:
    """Allocate interventions to districts for one scenario (torch; HiGHS check with --reference)."""
    from core.plan import optimizer, results, scenario

    def run():
        dev = _device(device)
        sc = scenario.load(scenario_file)
        city = cli.city_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                                  mapping, layer, estimate=estimate, references=references,
                                  encoding=encoding)
        ctx, city = _context(city, observed_only, as_json)
        res = optimizer.optimize(ctx, sc, device=dev)
        return ctx, city, res
    ctx, city, res = cli.run_guarded(run, as_json)
    out = res.totals()
    if reference:
        out["reference"] = results.check_against_highs(res)
    if as_json:
        print(json.dumps({**out, **_coverage_json(city, observed_only)}))
        return
    typer.echo(f"scenario {out['scenario_id']} ({res.scenarios[0].name}): {out['status']}")
    _echo_coverage(city, observed_only)
    if out["message"]:
        typer.echo(f"  {out['message']}")
    typer.echo(f"  abatement        {out['abatement_t_co2_per_yr']:>16,.0f} t CO2/yr")
    cur = out["currency"]
    typer.echo(f"  spent            {out['cost_usd']:>16,.0f} {cur} of {out['budget_usd']:,.0f} {cur}")
    typer.echo(f"  bill savings     {out['bill_savings_usd_per_yr']:>16,.0f} {cur}/yr")
    typer.echo(f"  to disadvantaged {out['dac_benefit_share']:>16.1%} of spending")
    typer.echo(f"  binding          {', '.join(out['binding']) or 'none'}")
    typer.echo(f"  solver           {out['device']}, {out['iterations']} iteration(s), "
               f"{out['seconds'] * 1000:.1f} ms, max violation {out['max_constraint_violation_rel']:.1e}")
    typer.echo(f"  this solve       {res.footprint.text()}")
    if reference:
        r = out["reference"]
        typer.echo(f"  HiGHS            {r['status']}, gap {r['gap_rel']:.2e}, {r['seconds'] * 1000:.1f} ms")
    for row in results.by_intervention(ctx, res).itertuples():
        typer.echo(f"  {row.label:<34} {row.spend_usd:>16,.0f} {cur} {row.abatement_t_co2_per_yr:>12,.0f} t/yr")


def sweep(boundaries: cli.Boundaries, scenario_file: ScenarioFile,
          vary: Annotated[str, typer.Option("--vary", help="NAME=START:STOP:COUNT, e.g. "
                                            "budget_usd_per_capita=0:500:11")],
          attributes: cli.Attributes = None, id_column: cli.IdColumn = None,
          attributes_id: cli.AttributesId = None, map_: cli.MapOption = None,
          unit: cli.UnitOption = None, mapping: cli.MappingFile = None, layer: cli.Layer = None,
          device: Device = "auto", estimate: cli.EstimateOption = None,
          observed_only: cli.ObservedOnly = False, references: cli.ReferencesOption = None,
          engine: Annotated[str, typer.Option("--engine", help="local (this process) or ray "
                                              "(chunks on a Ray cluster, core.plan.engines)")] = "local",
          address: Annotated[str | None, typer.Option("--address", help="The Ray cluster, e.g. "
                                                      "ray://HOST:10001; default "
                                                      "GREENPRINT_RAY_ADDRESS, else a local Ray")] = None,
          encoding: cli.EncodingOption = None,
          as_json: cli.JsonFlag = False) -> None:
    """Solve a scenario for a range of one field's values, all in one batched call (or in
    chunks on a Ray cluster with --engine ray; progress on stderr)."""
    from core.plan import engines, scenario

    def progress(done: int, total: int) -> None:
        typer.echo(f"  solved {done}/{total} scenarios", err=True)

    def run():
        dev = _device(device) if engine == "local" else device  # ray: each worker's own
        name, values = parse_vary(vary)
        base = scenario.load(scenario_file)
        scs = [base.replace(**{name: v.item()}) for v in values]
        city = cli.city_from_args(boundaries, attributes, id_column, attributes_id, map_, unit,
                                  mapping, layer, estimate=estimate, references=references,
                                  encoding=encoding)
        ctx, city = _context(city, observed_only, as_json)
        return name, values, city, engines.solve(ctx, scs, engine, address, dev,
                                                 progress=progress if engine == "ray" else None)
    name, values, city, res = cli.run_guarded(run, as_json)
    rows = [{name: v.item(), **{k: res.totals(s)[k] for k in
                                ("scenario_id", "status", "message", "objective",
                                 "abatement_t_co2_per_yr", "cost_usd", "dac_benefit_share",
                                 "max_constraint_violation_rel")}}
            for s, v in enumerate(values)]
    if as_json:
        print(json.dumps({"vary": name, "currency": res.totals()["currency"],
                          "device": res.device, "seconds": res.seconds,
                          "compute_energy_wh": res.footprint.energy_wh,
                          "compute_co2_g": res.footprint.co2_g,
                          "compute_footprint_method": res.footprint.method,
                          "scenarios": len(rows), "rows": rows,
                          **_coverage_json(city, observed_only)}))
        return
    typer.echo(f"{len(rows)} scenarios {'in one batch' if engine == 'local' else 'on Ray'} on "
               f"{res.device}: {res.seconds * 1000:.1f} ms; "
               f"this sweep {res.footprint.text()}")
    _echo_coverage(city, observed_only)
    typer.echo(f"  {name:>24} {'abatement t CO2/yr':>20} {'spent ' + res.totals()['currency']:>16} "
               f"{'DAC share':>10} status")
    for r in rows:
        typer.echo(f"  {r[name]:>24,.4g} {r['abatement_t_co2_per_yr']:>20,.0f} {r['cost_usd']:>16,.0f} "
                   f"{r['dac_benefit_share']:>10.1%} {r['status']}")
    for st, message in dict.fromkeys((r["status"], r["message"]) for r in rows if r["message"]):
        typer.echo(f"  {st}: {message}")
