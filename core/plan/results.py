"""What an optimizer run returns, and the tables the Scenario lab and the CLI show of it.

Money is in the city's currency (``totals()["currency"]``); columns and keys named
``_usd`` hold amounts in it, and :func:`export_table` names them by that currency in files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.assess import equity
from core.footprint import Footprint
from core.i18n import _
from core.plan.problem import DTYPE, OBJECTIVE_UNITS, CityContext, scenario_vectors, unit_effects
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, get_solver


@dataclass
class Result:
    """Results of S scenarios; arrays are numpy, first axis = scenario (the final linear
    instance and its plan stay torch tensors on the device that solved them)."""

    scenarios: list[Scenario]
    keys: tuple[str, ...]
    units: np.ndarray  # [S, N, K] units installed
    spend_usd: np.ndarray  # [S, N, K] in the city's currency
    abatement_t: np.ndarray  # [S, N, K] t CO2/yr
    bill_savings_usd: np.ndarray  # [S, N, K] currency/yr
    objective: np.ndarray  # [S]
    budget_usd: np.ndarray  # [S]
    dac: np.ndarray  # [N]
    status: list[str]  # per scenario, see core.plan.status (e.g. "optimal", "no capacity")
    messages: list[str]  # what limited the plan, or what would unlock an empty one
    binding: list[list[str]]
    max_violation_rel: np.ndarray  # [S]
    budget_dual: np.ndarray  # [S] objective units per unit of money
    approximation: list[str | None]  # why each solution is approximate (None: exact LP optimum)
    device: str
    iterations: int
    seconds: float
    linear: AllocationProblem  # the final linear instance, for the HiGHS check
    linear_spend_usd: torch.Tensor  # [S, J] the solver's plan for it, money per item
    footprint: Footprint | None = None  # energy and CO2 of the solve itself (set by optimize)

    def totals(self, s: int = 0, where: np.ndarray | None = None) -> dict:
        """Scenario ``s``'s figures; its sums (abatement, cost, bill savings, the share to
        disadvantaged districts) over the districts ``where`` is True (default: all)."""
        w = _districts(where)
        spend = self.spend_usd[s][w].sum(1)
        currency = self.scenarios[s].currency
        return {
            "scenario_id": self.scenarios[s].id,
            "currency": currency,
            "status": self.status[s],
            "message": self.messages[s],
            "binding": self.binding[s],
            "objective": float(self.objective[s]),
            "objective_unit": OBJECTIVE_UNITS[self.scenarios[s].objective].format(currency=currency),
            "abatement_t_co2_per_yr": float(self.abatement_t[s][w].sum()),
            "cost_usd": float(spend.sum()),
            "budget_usd": float(self.budget_usd[s]),
            "bill_savings_usd_per_yr": float(self.bill_savings_usd[s][w].sum()),
            "dac_benefit_share": equity.benefit_share(spend, self.dac[w]),
            "budget_shadow_price": float(self.budget_dual[s]),
            "exact": self.approximation[s] is None,
            "approximation": self.approximation[s],
            "device": self.device,
            "iterations": self.iterations,
            "seconds": self.seconds,
            "max_constraint_violation_rel": float(self.max_violation_rel[s]),
            **({} if self.footprint is None else {
                "compute_energy_wh": self.footprint.energy_wh,
                "compute_co2_g": self.footprint.co2_g,
                "compute_footprint_method": self.footprint.method}),
        }


def check_against_highs(result: Result, s: int = 0) -> dict:
    """Solve the final linear instance of scenario ``s`` with HiGHS; objective gap and time (s)."""
    highs, row = get_solver("highs"), result.linear.row(s)
    ref = highs.solve(row)
    status = ref.status[0]
    objective = float(ref.objective[0]) if status == "optimal" else float("nan")
    # the last linear step (= the objective when exact)
    ours = float(result.linear.row(s).objective(result.linear_spend_usd[s:s + 1])[0])
    gap = abs(ours - objective) / max(abs(objective), 1e-12) if status == "optimal" else float("nan")
    return {"status": status, "objective": objective, "gap_rel": gap, "seconds": ref.seconds}  # HiGHS's own time, as before the protocol


def district_table(ctx: CityContext, result: Result, s: int = 0) -> pd.DataFrame:
    """One row per district: whether it has data (``data``: ``no data`` = left out of the
    plan), units per intervention, spend, abatement, bill savings."""
    out = pd.DataFrame({"district_id": ctx.district_ids, "name": ctx.names,
                        "data": np.where(ctx.with_data, "observed", "no data"),
                        "disadvantaged": ctx.dac})
    for j, key in enumerate(result.keys):
        out[f"{key}_units"] = result.units[s, :, j]
    out["spend_usd"] = result.spend_usd[s].sum(1)
    out["abatement_t_co2_per_yr"] = result.abatement_t[s].sum(1)
    out["bill_savings_usd_per_yr"] = result.bill_savings_usd[s].sum(1)
    return out


def _districts(where: np.ndarray | None) -> slice | np.ndarray:
    """An index of the districts ``where`` is True (bool per district; None: all)."""
    return slice(None) if where is None else np.asarray(where, dtype=bool)


def by_intervention(ctx: CityContext, result: Result, s: int = 0,
                    where: np.ndarray | None = None) -> pd.DataFrame:
    """Per intervention: units, spend, abatement and marginal abatement cost (MACC), over the
    districts ``where`` is True (default: all)."""
    w = _districts(where)
    sc = result.scenarios[s]
    p = scenario_vectors([sc], ctx, torch.device("cpu"))
    ctx_t = {"dac": torch.tensor(ctx.dac, dtype=DTYPE), "income": torch.ones(len(ctx.dac), dtype=DTYPE),
             "households_total": 1.0}
    de = torch.tensor(ctx.effects.electricity_kwh_per_unit, dtype=DTYPE)[None]
    dg = torch.tensor(ctx.effects.gas_kwh_per_unit, dtype=DTYPE)[None]
    abate, bill = unit_effects(de, dg, p, ctx_t)[:2]
    cap = torch.tensor(ctx.effects.cap_units, dtype=DTYPE)[None]
    annual = (p["cost"] / p["life"] * cap)[:, w].sum((0, 1))
    potential_t = (abate * cap)[:, w].sum((0, 1))
    potential_bill = (bill * cap)[:, w].sum((0, 1))
    mac = (annual - potential_bill) / potential_t
    return pd.DataFrame({
        "intervention": list(result.keys),
        "label": [_(label) for label in ctx.catalogue["label"]],  # in the reader's language
        "units": result.units[s][w].sum(0),
        "spend_usd": result.spend_usd[s][w].sum(0),
        "abatement_t_co2_per_yr": result.abatement_t[s][w].sum(0),
        "potential_t_co2_per_yr": potential_t.numpy(),
        "mac_usd_per_t": np.where(potential_t.numpy() > 0, mac.numpy(), np.nan),
    })


def bills_usd(ctx: CityContext, sc: Scenario, savings_usd: np.ndarray | None = None) -> np.ndarray:
    """Residential energy bills per district (currency/yr, all households) at the scenario's
    prices, less ``savings_usd`` (never below zero) when given."""
    bills = np.asarray(equity.energy_bill_usd(ctx.res_electricity_kwh, ctx.res_gas_kwh,
                                              sc.prices(ctx.references)),
                       dtype=float)
    return bills if savings_usd is None else np.maximum(bills - savings_usd, 0)


def burden_by_quintile(ctx: CityContext, result: Result, s: int = 0,
                       where: np.ndarray | None = None) -> pd.DataFrame:
    """Energy burden before and after the plan, by district income quintile (1 = lowest income):
    :func:`core.assess.equity.burden_by_income_quintile`, the figures the Equity page shows;
    over the districts ``where`` is True (default: all)."""
    sc, w = result.scenarios[s], _districts(where)
    members, income = np.asarray(ctx.households)[w], np.asarray(ctx.income_usd)[w]
    before = equity.burden_by_income_quintile(bills_usd(ctx, sc)[w], members, income)
    after = equity.burden_by_income_quintile(
        bills_usd(ctx, sc, result.bill_savings_usd[s].sum(1))[w], members, income)
    return pd.DataFrame({"quintile": before["quintile"].astype(int),
                         "burden_before": before["mean_burden"],
                         "burden_after": after["mean_burden"]}).reset_index(drop=True)


def export_table(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``table`` with its money columns named by the currency, for a file: ``spend_usd``
    becomes ``spend_gbp`` for a city in pounds (unchanged in US dollars)."""
    code = currency.lower()
    return table.rename(columns={c: c.replace("_usd", f"_{code}") for c in table.columns
                                 if "_usd" in c})
