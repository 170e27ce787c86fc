"""Scenario lab results: KPI deltas, a Pareto front and a Monte Carlo band, each from one
batched solve (core.plan.optimizer); the page and the CLI show what this module returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import money
from core.assess import carbon, equity
from core.i18n import lazy
from core.plan import optimizer, problem, results
from core.plan.problem import CityContext
from core.plan.results import Result
from core.plan.scenario import Scenario

PCT = 100.0
T_PER_KT = 1000.0


@dataclass(frozen=True)
class KpiDelta:
    label: str
    value: float
    unit: str
    delta: float | None
    help: str
    lower_is_better: bool = True


def baseline_emissions_t(ctx: CityContext, sc: Scenario, where: np.ndarray | None = None) -> float:
    """City emissions at the scenario's horizon grid factor before any measure (t CO2/yr), of
    the districts ``where`` is True (default: all)."""
    refs = ctx.references
    per_district = (ctx.electricity_kwh * sc.grid_kg_per_kwh(refs)
                    + ctx.gas_kwh * carbon.gas_factor_kg_per_kwh(refs))
    w = slice(None) if where is None else np.asarray(where, dtype=bool)
    return float(np.asarray(per_district)[w].sum() / carbon.KG_PER_T)


def mean_burden(ctx: CityContext, sc: Scenario, savings_usd: np.ndarray | None = None,
                where: np.ndarray | None = None) -> float:
    """City mean energy burden (share of income) at the scenario's prices, before the plan or
    after ``savings_usd`` (currency/yr per district): :func:`core.assess.equity.city_mean_burden`,
    the figure the Equity page shows; of the districts ``where`` is True (default: all)."""
    w = slice(None) if where is None else np.asarray(where, dtype=bool)
    return equity.city_mean_burden(results.bills_usd(ctx, sc, savings_usd)[w],
                                   np.asarray(ctx.households)[w], np.asarray(ctx.income_usd)[w])


def kpis(ctx: CityContext, result: Result, s: int = 0, *, where: np.ndarray | None = None,
         totals: dict | None = None) -> list[KpiDelta]:
    """The plan's headline figures and their change; NaN where the city's data cannot give
    one (the energy burden without household income). ``where``: the districts the baseline
    emissions and the energy burden count (default: all); ``totals``: the plan's totals over
    them (default ``result.totals(s, where)``)."""
    sc = result.scenarios[s]
    t = result.totals(s, where) if totals is None else totals
    cur = t["currency"]
    base = baseline_emissions_t(ctx, sc, where)
    before = mean_burden(ctx, sc, where=where)
    after = mean_burden(ctx, sc, result.bill_savings_usd[s].sum(1), where)
    return [
        KpiDelta(lazy("Emissions"), (base - t["abatement_t_co2_per_yr"]) / T_PER_KT, "kt CO2/yr",
                 -t["abatement_t_co2_per_yr"] / T_PER_KT,
                 lazy("at the {horizon_year} grid factor; change = abatement of the plan",
                      horizon_year=sc.horizon_year)),
        KpiDelta(lazy("Spent"), t["cost_usd"] / 1e6, f"M {cur}", None,
                 lazy("of a budget of {millions}", millions=money.millions(t['budget_usd'], cur)),
                 lower_is_better=False),
        KpiDelta(lazy("Bill savings"), t["bill_savings_usd_per_yr"] / 1e6, f"M {cur}/yr", None,
                 lazy("energy bills saved per year at the scenario's prices"),
                 lower_is_better=False),
        KpiDelta(lazy("Energy burden"), after * PCT, "% of income", (after - before) * PCT,
                 lazy("all bills / all household income (mean group burden); change from "
                      "before the plan")
                 if np.isfinite(before)
                 else lazy("unknown: no district has an income (households and "
                 "median_household_income, or population and per_capita_income)")),
        KpiDelta(lazy("To disadvantaged"), t["dac_benefit_share"] * PCT, "%",
                 None, lazy("share of spending in disadvantaged districts; Justice40 minimum "
                            "{justice40_share:.0%}", justice40_share=sc.justice40_share),
                 lower_is_better=False),
    ]


PARETO_LEVELS = 16  # budgets on the Pareto front
MC_DRAWS, MC_LEVELS = 32, 8  # Monte Carlo: draws of prices and grid path at each of the budgets


#: solves a batch of one city's scenarios: optimizer.optimize, or another engine's (e.g.
#: core.plan.engines.solve on a Ray cluster) with the same results
Solver = Callable[[CityContext, list[Scenario]], Result]


def _solved(ctx: CityContext, scs: list[Scenario], device: str, solver: Solver | None) -> Result:
    return solver(ctx, scs) if solver else optimizer.optimize(ctx, scs, device=device)


def pareto_budget(ctx: CityContext, sc: Scenario, levels: int = PARETO_LEVELS,
                  max_factor: float = 2.0, device: str = "auto",
                  solver: Solver | None = None) -> tuple[pd.DataFrame, Result]:
    """Abatement against budget: ``levels`` budgets from 0 to ``max_factor`` x the scenario's,
    solved in ONE batched call (budgets in the city's currency), by ``solver`` if given."""
    sc = sc.for_city(ctx.references)
    budgets = np.linspace(0, max(sc.budget_usd_per_capita, 1.0) * max_factor, levels)
    res = _solved(ctx, [sc.replace(budget_usd_per_capita=float(b)) for b in budgets], device,
                  solver)
    frame = pd.DataFrame({
        "budget_usd_per_capita": budgets,
        "budget_usd": res.budget_usd,
        "abatement_t_co2_per_yr": res.abatement_t.sum((1, 2)),
        "spend_usd": res.spend_usd.sum((1, 2)),
        "dac_share": [res.totals(i)["dac_benefit_share"] for i in range(levels)],
    })
    return frame, res


def monte_carlo(ctx: CityContext, sc: Scenario, draws: int = MC_DRAWS, levels: int = MC_LEVELS,
                seed: int = 0, device: str = "auto",
                solver: Solver | None = None) -> tuple[pd.DataFrame, Result]:
    """Abatement band over prices and grid path: ``draws`` seeded draws at each of ``levels``
    budgets (0..2x), all ``draws x levels`` scenarios in ONE batched solve (by ``solver`` if
    given). Prices are drawn around the scenario's (the city's reference prices when it gives
    none)."""
    rng = np.random.default_rng(seed)
    sc = sc.for_city(ctx.references)
    base = sc.prices(ctx.references)
    sigma = problem.parameter("mc_price_sigma_log")
    sd = problem.parameter("mc_grid_decarbonisation_sd")
    budgets = np.linspace(0, max(sc.budget_usd_per_capita, 1.0) * 2, levels)
    pe = base.electricity_usd_per_kwh * rng.lognormal(0, sigma, draws)
    pg = base.gas_usd_per_kwh * rng.lognormal(0, sigma, draws)
    grid = np.clip(sc.effective_grid_decarbonisation(ctx.references) + rng.normal(0, sd, draws),
                   0, 1)
    scs = [sc.replace(budget_usd_per_capita=float(b), electricity_usd_per_kwh=float(pe[d]),
                      gas_usd_per_kwh=float(pg[d]), grid_decarbonisation=float(grid[d]))
           for b in budgets for d in range(draws)]
    res = _solved(ctx, scs, device, solver)
    ab = res.abatement_t.sum((1, 2)).reshape(levels, draws)
    frame = pd.DataFrame({"budget_usd_per_capita": budgets,
                          "p10_t_co2_per_yr": np.quantile(ab, 0.1, axis=1),
                          "median_t_co2_per_yr": np.median(ab, axis=1),
                          "p90_t_co2_per_yr": np.quantile(ab, 0.9, axis=1)})
    return frame, res
