"""What the optimizer knows of a city and of a batch of scenarios.

``context`` gathers a city's per-district inputs once (CityContext); ``scenario_vectors``
turns S scenarios into tensors with a leading scenario axis; ``unit_effects`` gives what
one unit of each intervention does in each district under each scenario.

A district without data (no attribute row or no population,
:func:`core.intake.columns.with_data`) is left out: it has no capacity for any
intervention, no energy, members or income, and is never disadvantaged, so the plan gives
it nothing; ``CityContext.left_out`` names it, and the plan's message counts it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
import torch

from core import reference_tables
from core.assess import carbon, equity
from core.errors import InputError
from core.intake import columns as cols
from core.intake.city import City
from core.intake.reference_values import ReferenceValues
from core.plan import interventions
from core.plan.scenario import Scenario

DTYPE = torch.float64
OBJECTIVE_CODES = {"min_emissions": 0, "min_cost": 1, "min_burden": 2}
OBJECTIVE_UNITS = {"min_emissions": "t CO2/yr (equity-weighted)",
                   "min_cost": "{currency}/yr net benefit (equity-weighted)",
                   "min_burden": "mean household burden reduction (share of income, household-weighted; equity-weighted)"}


@lru_cache(maxsize=64)
def parameter(name: str) -> float:
    """One figure of data/optimizer_parameters.csv (read once per process)."""
    return reference_tables.value("optimizer_parameters", name)


@dataclass(frozen=True)
class CityContext:
    """Everything about a city the optimizer needs, computed once per city."""

    district_ids: np.ndarray
    names: np.ndarray
    catalogue: pd.DataFrame
    effects: interventions.Effects
    dac: np.ndarray  # [N] bool, CEJST-style at the city's reference prices and thresholds
    # the city's income basis (core.assess.equity.income_basis): households and median
    # household income, or residents and per-capita income
    income_usd: np.ndarray  # [N] income per member, currency/yr (0 = unknown)
    households: np.ndarray  # [N] members: households, or residents on the per-capita basis
    population: float
    res_electricity_kwh: np.ndarray
    res_gas_kwh: np.ndarray
    electricity_kwh: np.ndarray
    gas_kwh: np.ndarray
    with_data: np.ndarray  # [N] bool: False = no data, left out of the plan
    references: ReferenceValues  # the city's currency, factors, prices, thresholds, costs
    #: of the districts left out, those that have data but only predicted energy (observed_only)
    unobserved: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        return self.effects.keys

    @property
    def left_out(self) -> tuple[str, ...]:
        """Ids of the districts left out of the plan: without data, or (``observed_only``)
        with only predicted energy (:func:`left_out`)."""
        return tuple(self.district_ids[~self.with_data])


#: what the optimizer needs: observed energy to save and residents to size the budget
REQUIRED_COLUMNS = ("population", "electricity_kwh", "gas_kwh")


def unavailable(d: pd.DataFrame) -> str | None:
    """Why this city cannot be optimized, or None."""
    reason = cols.missing_reason(d, REQUIRED_COLUMNS, "the optimizer")
    return reason  # each door says where to map them (Data page, --map)


def left_out(city: City, observed_only: bool = False) -> np.ndarray:
    """(n,) bool: the districts the optimizer leaves out: those without data
    (``City.with_data``) and, with ``observed_only``, those whose energy is the energy model's
    prediction (``City.predicted``) rather than an observation."""
    out = ~city.with_data.to_numpy()
    if observed_only:
        predicted = {i for ids in city.predicted.values() for i in ids}
        out |= city.districts["district_id"].astype(str).isin(predicted).to_numpy()
    return out


def context(city: City, observed_only: bool = False) -> CityContext:
    """Per-district inputs of the optimizer (raises InputError when the city lacks them).

    The districts of :func:`left_out` keep their place (the plan has a row for every
    district) but count as districts without data: every figure of theirs is blanked, so
    the plan gives them nothing, and they count in no total (residents for the budget,
    energy, households), no percentile rank and no disadvantaged rule."""
    d = city.districts
    reason = unavailable(d)
    if reason:
        raise InputError(reason)
    leave = left_out(city, observed_only)
    if leave.any():
        d = d.copy()
        numeric = [c for c in d.columns if c != d.geometry.name
                   and pd.api.types.is_numeric_dtype(d[c])]
        d.loc[leave, numeric] = np.nan
    refs = city.references
    basis = equity.income_basis(d)
    burden = equity.energy_burden(d, equity.Prices.of(refs))  # NaN without an income basis
    dac = equity.disadvantaged(burden, equity.low_income_score(d),
                               refs.threshold("dac_burden_percentile"),
                               refs.threshold("dac_low_income_percentile")) \
        if burden.notna().any() else pd.Series(False, index=d.index)
    dac = dac.to_numpy(dtype=bool)  # False without data: no burden (core.assess.equity)
    has = cols.with_data(d).to_numpy()
    cat = interventions.catalogue(refs)
    effects = interventions.district_effects(d, cat, dac)
    effects = replace(effects, cap_units=np.where(has[:, None], effects.cap_units, 0.0))
    elec_res, gas_res = (np.where(has, e.to_numpy(), 0.0)
                         for e in equity.residential_energy_kwh(d))

    def col(name):
        values = d[name].fillna(0).astype(float).to_numpy() if name in d else np.zeros(len(d))
        return np.where(has, values, 0.0)

    return CityContext(d["district_id"].astype(str).to_numpy(), d["name"].astype(str).to_numpy(),
                       cat, effects, dac,
                       col(basis.income) if basis else np.zeros(len(d)),
                       col(basis.members) if basis else np.zeros(len(d)),
                       float(col("population").sum()), elec_res, gas_res,
                       col("electricity_kwh"), col("gas_kwh"), has, refs,
                       int((leave & city.with_data.to_numpy()).sum()))


def scenario_vectors(scenarios: list[Scenario], ctx: CityContext, dev: torch.device) -> dict:
    """The scenarios' numbers as tensors, broadcastable to [S, N, K] (budget, share: [S]);
    the scenarios are in the city's currency (:meth:`Scenario.for_city`)."""
    def vec(values):
        return torch.tensor(values, dtype=DTYPE, device=dev)

    cat = ctx.catalogue
    mult = [[sc.tech_cost_multipliers.get(k, 1.0) for k in ctx.keys] for sc in scenarios]
    unknown = {k for sc in scenarios for k in sc.tech_cost_multipliers} - set(ctx.keys)
    if unknown:
        raise InputError(f"tech_cost_multipliers name unknown interventions {sorted(unknown)}; "
                         f"use {list(ctx.keys)}")
    refs = ctx.references
    prices = [sc.prices(refs) for sc in scenarios]
    return {
        "grid": vec([1.0 - sc.effective_grid_decarbonisation(refs) for sc in scenarios])[:, None, None]
        * carbon.grid_factor_kg_per_kwh(refs),
        "gas": carbon.gas_factor_kg_per_kwh(refs),
        "pe": vec([p.electricity_usd_per_kwh for p in prices])[:, None, None],
        "pg": vec([p.gas_usd_per_kwh for p in prices])[:, None, None],
        "cp": vec([sc.carbon_price_usd_per_t for sc in scenarios])[:, None, None],
        "w": vec([sc.equity_weight for sc in scenarios])[:, None, None],
        "obj": torch.tensor([OBJECTIVE_CODES[sc.objective] for sc in scenarios], device=dev)[:, None, None],
        "cost": vec(cat["cost_usd_per_unit"].to_numpy())[None, None, :] * vec(mult)[:, None, :],
        "life": vec(cat["lifetime_years"].to_numpy())[None, None, :],
        "budget": vec([sc.budget_usd(ctx.population) for sc in scenarios]),
        "share": vec([sc.justice40_share for sc in scenarios]),
    }


def unit_effects(de, dg, p: dict, ctx_t: dict):
    """Per unit [S, N, K]: abatement (t/yr), bill saving (currency/yr), objective value."""
    abate = -(de * p["grid"] + dg * p["gas"]) / carbon.KG_PER_T
    bill = -equity.energy_bill_usd(de, dg, equity.Prices(p["pe"], p["pg"]))  # saving > 0
    weight = 1 + p["w"] * ctx_t["dac"][None, :, None]
    per_objective = {  # OBJECTIVE_CODES -> value; only the scenarios' objectives are computed
        0: lambda: abate,
        1: lambda: bill + p["cp"] * abate - p["cost"] / p["life"],
        2: lambda: equity.mean_household_burden_change(bill, ctx_t["income"][None, :, None],
                                                       ctx_t["households_total"])}
    codes = sorted(set(p["obj"].flatten().tolist()))
    value = per_objective[codes[-1]]() if codes else abate
    for code in reversed(codes[:-1]):
        value = torch.where(p["obj"] == code, per_objective[code](), value)
    return abate, bill, value * weight
