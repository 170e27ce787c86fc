"""Where should each intervention go? A batched torch optimizer over S scenarios at once.

Decision: units ``x[s, i, k]`` of intervention ``k`` in district ``i`` under scenario ``s``.
Constraints: budget (``budget_usd_per_capita x population``), adoption caps, Justice40
(at least ``justice40_share`` of *spending* in disadvantaged districts: the benefit
measure is investment, which is never negative), and an optional energy-burden ceiling.

What is exact and what is not
-----------------------------
* Linear case (interactions off, no burden ceiling): solved exactly by
  ``core.plan.solvers.torch_exact`` (a vertex of the LP, float64); tests and the badge compare it
  with HiGHS. Diminishing returns keep it linear: each district's cap is split into
  tranches whose effects shrink by ``diminishing_step`` (data/optimizer_parameters.csv),
  a concave piecewise-linear value the same solver handles exactly.
* Burden ceiling: the cheapest bill-saving measures that bring each district under
  the ceiling are forced first (a per-district fractional cover), then the rest is
  solved exactly. Feasible, but not guaranteed optimal (``exact`` is False).
* Interactions: a heat pump in a district where envelope measures removed a share r of
  the gas displaces (1 - r) of its heating gas. Handled by fixed-point rounds (solve,
  update the heat-pump effects from the plan, solve again); feasible, approximate.

Abatement is counted at the horizon year's grid factor; capex is annualised
straight-line over the lifetime (no discounting); PV output is valued at the retail
electricity price.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import torch

from core import reference_tables
from core.assess import carbon, equity
from core.device import pick_device
from core.errors import InputError
from core.intake import columns as cols
from core.intake.city import City
from core.plan import interventions
from core.plan.scenario import Scenario
from core.plan.solvers import torch_exact

DTYPE = torch.float64
OBJECTIVE_CODES = {"min_emissions": 0, "min_cost": 1, "min_burden": 2}
OBJECTIVE_UNITS = {"min_emissions": "t CO2/yr (equity-weighted)",
                   "min_cost": "USD/yr net benefit (equity-weighted)",
                   "min_burden": "mean household burden reduction (share, equity-weighted)"}


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
    dac: np.ndarray  # [N] bool, CEJST-style at reference prices
    income_usd: np.ndarray  # [N] median household income (0 = unknown)
    households: np.ndarray  # [N]
    population: float
    res_electricity_kwh: np.ndarray
    res_gas_kwh: np.ndarray
    electricity_kwh: np.ndarray
    gas_kwh: np.ndarray

    @property
    def keys(self) -> tuple[str, ...]:
        return self.effects.keys


#: what the optimizer needs: observed energy to save and residents to size the budget
REQUIRED_COLUMNS = ("population", "electricity_kwh", "gas_kwh")


def unavailable(d: pd.DataFrame) -> str | None:
    """Why this city cannot be optimized, or None."""
    reason = cols.missing_reason(d, REQUIRED_COLUMNS, "the optimizer")
    return f"{reason}: map them on the Data page (or with --map)" if reason else None


def context(city: City) -> CityContext:
    """Per-district inputs of the optimizer (raises InputError when the city lacks them)."""
    d = city.districts
    reason = unavailable(d)
    if reason:
        raise InputError(reason)
    burden = equity.energy_burden(d) if {"households", "median_household_income"} <= set(d) \
        else pd.Series(np.nan, index=d.index)
    dac = equity.disadvantaged(burden, equity.low_income_score(d)) if burden.notna().any() \
        else pd.Series(False, index=d.index)
    dac = dac.to_numpy(dtype=bool)
    cat = interventions.catalogue()
    elec_res, gas_res = equity.residential_energy_kwh(d)

    def col(name):
        return d[name].fillna(0).astype(float).to_numpy() if name in d else np.zeros(len(d))

    return CityContext(d["district_id"].astype(str).to_numpy(), d["name"].astype(str).to_numpy(),
                       cat, interventions.district_effects(d, cat, dac), dac,
                       col("median_household_income"), col("households"),
                       float(d["population"].fillna(0).sum()), elec_res.to_numpy(),
                       gas_res.to_numpy(), col("electricity_kwh"), col("gas_kwh"))


@dataclass
class Result:
    """Results of S scenarios; arrays are numpy, first axis = scenario."""

    scenarios: list[Scenario]
    keys: tuple[str, ...]
    units: np.ndarray  # [S, N, K] units installed
    spend_usd: np.ndarray  # [S, N, K]
    abatement_t: np.ndarray  # [S, N, K] t CO2/yr
    bill_savings_usd: np.ndarray  # [S, N, K] USD/yr
    objective: np.ndarray  # [S]
    budget_usd: np.ndarray  # [S]
    dac: np.ndarray  # [N]
    status: list[str]
    messages: list[str]
    binding: list[list[str]]
    max_violation_rel: np.ndarray  # [S]
    budget_dual: np.ndarray  # [S] objective units per USD
    exact: list[bool]
    device: str
    iterations: int
    seconds: float
    # inputs of the final linear solve, for the HiGHS check
    lp: dict = field(default_factory=dict, repr=False)

    def totals(self, s: int = 0) -> dict:
        spend = self.spend_usd[s].sum(1)
        return {
            "scenario_id": self.scenarios[s].id,
            "status": self.status[s],
            "message": self.messages[s],
            "binding": self.binding[s],
            "objective": float(self.objective[s]),
            "objective_unit": OBJECTIVE_UNITS[self.scenarios[s].objective],
            "abatement_t_co2_per_yr": float(self.abatement_t[s].sum()),
            "cost_usd": float(spend.sum()),
            "budget_usd": float(self.budget_usd[s]),
            "bill_savings_usd_per_yr": float(self.bill_savings_usd[s].sum()),
            "dac_benefit_share": equity.benefit_share(spend, self.dac),
            "budget_shadow_price": float(self.budget_dual[s]),
            "exact": bool(self.exact[s]),
            "approximation": approximation(self.scenarios[s]),
            "device": self.device,
            "iterations": self.iterations,
            "seconds": self.seconds,
            "max_constraint_violation_rel": float(self.max_violation_rel[s]),
        }


def approximation(sc: Scenario) -> str | None:
    """Why the solution of ``sc`` is approximate (None when it is the exact LP optimum)."""
    reasons = []
    if sc.burden_ceiling:
        reasons.append("burden ceiling met by a greedy cover first")
    if sc.interactions:
        reasons.append("retrofit / heat-pump interactions in fixed-point rounds")
    return "; ".join(reasons) or None


def _scenario_vectors(scenarios: list[Scenario], ctx: CityContext, dev: torch.device) -> dict:
    def vec(values):
        return torch.tensor(values, dtype=DTYPE, device=dev)

    cat = ctx.catalogue
    mult = [[sc.tech_cost_multipliers.get(k, 1.0) for k in ctx.keys] for sc in scenarios]
    unknown = {k for sc in scenarios for k in sc.tech_cost_multipliers} - set(ctx.keys)
    if unknown:
        raise InputError(f"tech_cost_multipliers name unknown interventions {sorted(unknown)}; "
                         f"use {list(ctx.keys)}")
    return {
        "grid": vec([1.0 - sc.effective_grid_decarbonisation for sc in scenarios])[:, None, None]
        * carbon.grid_factor_kg_per_kwh(carbon.BASE_YEAR),
        "pe": vec([sc.electricity_usd_per_kwh for sc in scenarios])[:, None, None],
        "pg": vec([sc.gas_usd_per_kwh for sc in scenarios])[:, None, None],
        "cp": vec([sc.carbon_price_usd_per_t for sc in scenarios])[:, None, None],
        "w": vec([sc.equity_weight for sc in scenarios])[:, None, None],
        "obj": torch.tensor([OBJECTIVE_CODES[sc.objective] for sc in scenarios], device=dev)[:, None, None],
        "cost": vec(cat["cost_usd_per_unit"].to_numpy())[None, None, :] * vec(mult)[:, None, :],
        "life": vec(cat["lifetime_years"].to_numpy())[None, None, :],
        "budget": vec([sc.budget_usd(ctx.population) for sc in scenarios]),
        "share": vec([sc.justice40_share for sc in scenarios]),
    }


def _unit_effects(de, dg, p: dict, ctx_t: dict):
    """Per unit [S, N, K]: abatement (t/yr), bill saving (USD/yr), objective value."""
    abate = -(de * p["grid"] + dg * carbon.gas_factor_kg_per_kwh()) / carbon.KG_PER_T
    bill = -(de * p["pe"] + dg * p["pg"])
    weight = 1 + p["w"] * ctx_t["dac"][None, :, None]
    net = bill + p["cp"] * abate - p["cost"] / p["life"]
    burden = bill / ctx_t["income"][None, :, None] / ctx_t["households_total"]
    value = torch.where(p["obj"] == 0, abate, torch.where(p["obj"] == 1, net, burden)) * weight
    return abate, bill, value


def _forced_for_ceiling(scenarios, ctx, bill_seg, cost_seg, cap_seg, ctx_t):
    """Spending (USD) forced per segment item so each district meets the burden ceiling, by the
    cheapest bill saving per USD first. Returns (lower_usd [S,N,KM], unreachable [S,N] USD/yr)."""
    s_n, n, km = bill_seg.shape
    ceiling = torch.tensor([sc.burden_ceiling or float("inf") for sc in scenarios], dtype=DTYPE,
                           device=bill_seg.device)
    bills_now = ctx_t["bill_now"]  # [S, N] household energy cost, USD/yr (all households)
    need = (bills_now - ceiling[:, None] * ctx_t["income"][None] * ctx_t["households"][None]).clamp(min=0)
    need = torch.where(torch.isfinite(need), need, torch.zeros_like(need))
    per_usd = torch.where(bill_seg > 0, bill_seg / cost_seg, torch.zeros_like(bill_seg))
    order = per_usd.argsort(2, descending=True)
    cap_usd = (cap_seg * cost_seg).gather(2, order)
    save = (cap_seg * bill_seg.clamp(min=0)).gather(2, order)
    start = save.cumsum(2) - save
    frac = ((need[..., None] - start) / save.clamp(min=1e-300)).clamp(0, 1)
    frac = torch.where(save > 0, frac, torch.zeros_like(frac))
    lower = torch.zeros_like(cap_usd).scatter(2, order, frac * cap_usd)
    unreachable = (need - save.sum(2)).clamp(min=0)
    return lower, unreachable


def optimize(ctx: CityContext, scenarios: Scenario | list[Scenario], device: str = "auto") -> Result:
    """Solve every scenario in one batched call. See the module docstring for exactness."""
    t0 = time.perf_counter()
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    dev = pick_device(device)
    p = _scenario_vectors(scenarios, ctx, dev)
    eff = ctx.effects
    n, k = eff.cap_units.shape
    s_n = len(scenarios)
    ctx_t = {"dac": torch.tensor(ctx.dac, dtype=DTYPE, device=dev),
             "income": torch.tensor(np.where(ctx.income_usd > 0, ctx.income_usd, np.inf),
                                    dtype=DTYPE, device=dev),
             "households": torch.tensor(ctx.households, dtype=DTYPE, device=dev),
             "households_total": max(float(ctx.households.sum()), 1.0)}
    de0 = torch.tensor(eff.electricity_kwh_per_unit, dtype=DTYPE, device=dev)[None]
    dg0 = torch.tensor(eff.gas_kwh_per_unit, dtype=DTYPE, device=dev)[None]
    cap = torch.tensor(eff.cap_units, dtype=DTYPE, device=dev)[None].expand(s_n, n, k)
    # tranches for diminishing returns: [S, N, K, M]
    m_seg = int(parameter("diminishing_segments")) if any(sc.diminishing_returns for sc in scenarios) else 1
    step = parameter("diminishing_step")
    dim = torch.tensor([sc.diminishing_returns for sc in scenarios], device=dev)
    factors = torch.where(dim[:, None], (1 - step) ** torch.arange(m_seg, device=dev, dtype=DTYPE),
                          torch.ones(m_seg, dtype=DTYPE, device=dev))[:, None, None, :]
    cap_share = torch.where(dim[:, None], torch.full((s_n, m_seg), 1.0 / m_seg, dtype=DTYPE, device=dev),
                            torch.eye(1, m_seg, dtype=DTYPE, device=dev).expand(s_n, m_seg))
    cap_seg = cap[..., None] * cap_share[:, None, None, :]
    cost_seg = p["cost"].expand(s_n, n, k)[..., None].expand(s_n, n, k, m_seg)
    keep = (cap_seg.reshape(s_n, -1) > 0).any(0)
    dac_items = torch.tensor(ctx.dac, device=dev)[:, None, None].expand(n, k, m_seg).reshape(-1)
    heat_pump = torch.tensor(ctx.catalogue["heat_share_electrified"].to_numpy() > 0, device=dev)
    gas_savers = torch.tensor((ctx.catalogue["gas_saving_share"].to_numpy() > 0)
                              & (ctx.catalogue["heat_share_electrified"].to_numpy() == 0), device=dev)
    res_gas = torch.tensor(ctx.res_gas_kwh, dtype=DTYPE, device=dev)
    interact = torch.tensor([sc.interactions for sc in scenarios], device=dev)
    rounds = int(parameter("interaction_rounds")) if any(sc.interactions for sc in scenarios) else 1
    scale = torch.ones(s_n, n, k, dtype=DTYPE, device=dev)  # heat-pump effect left after envelope

    def heat_pump_scale(plan: torch.Tensor) -> torch.Tensor:
        """Share of a heat pump's effect left once envelope measures removed gas [S, N, K]."""
        removed = -(plan * dg0 * gas_savers).sum(2)  # gas removed by envelope measures [S, N]
        r = (removed / res_gas.clamp(min=1e-9)[None]).clamp(0, 1)
        return torch.where(interact[:, None, None] & heat_pump[None, None, :],
                           (1 - r)[:, :, None].expand(s_n, n, k), torch.ones_like(scale))
    units = torch.zeros(s_n, n, k, dtype=DTYPE, device=dev)
    hh_bill = None
    iterations = 0
    for _ in range(rounds):
        iterations += 1
        de, dg = de0 * scale, dg0 * scale
        abate, bill, value = _unit_effects(de, dg, p, ctx_t)
        v_seg, bill_seg = value[..., None] * factors, bill[..., None] * factors
        lower = unreachable = forced = None
        if any(sc.burden_ceiling for sc in scenarios):
            if hh_bill is None:
                now = (torch.tensor(ctx.res_electricity_kwh, dtype=DTYPE, device=dev)[None] * p["pe"][:, :, 0]
                       + res_gas[None] * p["pg"][:, :, 0])
                hh_bill = now
            ctx_t["bill_now"] = hh_bill
            lower, unreachable = _forced_for_ceiling(scenarios, ctx, bill_seg.reshape(s_n, n, -1),
                                                     cost_seg.reshape(s_n, n, -1),
                                                     cap_seg.reshape(s_n, n, -1), ctx_t)
            forced = lower.sum(2)  # [S, N] USD forced to meet the ceiling
            lower = lower.reshape(s_n, -1)
        # only items that some scenario can buy enter the solver (e.g. no weatherisation outside
        # disadvantaged districts, no empty tranches)
        c_flat = cost_seg.reshape(s_n, -1)[:, keep]
        if lower is not None:
            lower = lower[:, keep]
        v_flat = v_seg.reshape(s_n, -1)[:, keep]
        sol = torch_exact.solve(v_flat / c_flat,
                              (cap_seg * cost_seg).reshape(s_n, -1)[:, keep],
                              dac_items[keep], p["budget"], p["share"], lower)
        seg_units = torch.zeros(s_n, n * k * m_seg, dtype=DTYPE, device=dev)
        seg_units[:, keep] = sol.spend / c_flat
        seg_units = seg_units.reshape(s_n, n, k, m_seg)
        new_units = seg_units.sum(3)
        done = rounds > 1 and torch.allclose(new_units, units, rtol=1e-9, atol=1e-9)
        units = new_units
        if rounds == 1 or done:
            break
        scale = heat_pump_scale(units)
    if rounds > 1:  # report the effects of the final plan, interactions included
        scale = heat_pump_scale(units)
        abate, bill, value = _unit_effects(de0 * scale, dg0 * scale, p, ctx_t)

    eff_units = (seg_units * factors).sum(3)  # units weighted by tranche effect
    spend = units * p["cost"]
    out_abate, out_bill = abate * eff_units, bill * eff_units
    objective = (value[..., None] * factors * seg_units).sum((1, 2, 3))
    viol = _violations(units, cap, spend, p["budget"], p["share"], ctx_t["dac"], lower, sol.spend)
    over_ceiling = None
    if hh_bill is not None:  # the ceiling is met by forcing bill savers; electrification
        # raises bills afterwards, so check the final plan district by district
        income = torch.tensor(ctx.income_usd * ctx.households, dtype=DTYPE, device=dev)
        after = (hh_bill - out_bill.sum(2)) / income.clamp(min=1e-9)[None]
        ceiling = torch.tensor([sc.burden_ceiling or float("inf") for sc in scenarios],
                               dtype=DTYPE, device=dev)[:, None]
        excess = ((after - ceiling) / ceiling).clamp(min=0) * (income > 0)[None]
        if unreachable is not None:  # districts that cannot reach it at all are reported apart
            excess = excess * (unreachable <= 0)
        viol = torch.maximum(viol, excess.amax(1))
        over_ceiling = (excess > 1e-9).sum(1).cpu().numpy()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    status, messages, binding, exact = _statuses(scenarios, sol, spend, p, unreachable, ctx,
                                                 over_ceiling, forced)
    return Result(scenarios, ctx.keys, units.cpu().numpy(), spend.cpu().numpy(),
                  out_abate.cpu().numpy(), out_bill.cpu().numpy(), objective.cpu().numpy(),
                  p["budget"].cpu().numpy(), ctx.dac, status, messages, binding,
                  viol.cpu().numpy(), sol.budget_dual.cpu().numpy(), exact, dev.type, iterations,
                  seconds, lp={"value": v_flat, "cost": c_flat,
                               "cap": cap_seg.reshape(s_n, -1)[:, keep], "dac": dac_items[keep],
                               "lower": None if lower is None else lower / c_flat,
                               "objective": (v_flat * sol.spend / c_flat).sum(1)})


def _violations(units, cap, spend, budget, share, dac, lower, item_spend):
    total = spend.sum((1, 2))
    v_budget = (total - budget).clamp(min=0) / budget.clamp(min=1.0)
    v_cap = ((units - cap).clamp(min=0) / cap.clamp(min=1.0)).amax((1, 2))
    v_neg = (-units).clamp(min=0).amax((1, 2))
    dac_spend = (spend * dac[None, :, None]).sum((1, 2))
    v_j40 = (share * total - dac_spend).clamp(min=0) / total.clamp(min=1.0)
    return torch.stack([v_budget, v_cap, v_neg, v_j40]).amax(0)


def _money(x: float) -> str:
    return f"{x / 1e6:,.1f} M USD"


def _statuses(scenarios, sol, spend, p, unreachable, ctx, over_ceiling=None, forced=None):
    status, messages, binding, exact = [], [], [], []
    total = spend.sum((1, 2)).cpu().numpy()
    budget = p["budget"].cpu().numpy()
    dcap = sol.dac_capacity_usd.cpu().numpy()
    ocap = sol.other_capacity_usd.cpu().numpy()
    for s, sc in enumerate(scenarios):
        b, msg, st = [], "", "optimal"
        if total[s] >= budget[s] * (1 - 1e-9) and budget[s] > 0:
            b.append("budget")
        if bool(sol.j40_binding[s]):
            b.append("justice40")
            if total[s] < budget[s] * (1 - 1e-6):
                msg = (f"Justice40 binds: the disadvantaged districts can absorb {_money(dcap[s])} of "
                       f"measures, so a {sc.justice40_share:.0%} share allows {_money(total[s])} of the "
                       f"{_money(budget[s])} budget.")
        if bool(sol.infeasible[s]) or (bool(sol.j40_binding[s]) and total[s] <= 0 and sc.justice40_share > 0):
            st = "infeasible"
            best = dcap[s] / max(min(budget[s], dcap[s] + ocap[s]), 1e-9)
            msg = (f"Infeasible: the Justice40 share of {sc.justice40_share:.0%} cannot be reached: "
                   f"disadvantaged districts can absorb {_money(dcap[s])}; best achievable share "
                   f"{min(best, 1.0):.0%}. Lower the share or widen the caps.")
        if unreachable is not None and sc.burden_ceiling and float(unreachable[s].max()) > 0:
            st = "infeasible"
            n_bad = int((unreachable[s] > 0).sum())
            msg = (f"Infeasible: the burden ceiling of {sc.burden_ceiling:.1%} binds and cannot be met "
                   f"in {n_bad} district(s) even with every measure at its cap. "
                   "Raise the ceiling.")
            b.append("burden_ceiling")
        elif unreachable is not None and sc.burden_ceiling and total[s] > budget[s] * (1 + 1e-9):
            st = "infeasible"
            msg = (f"Infeasible: meeting the burden ceiling of {sc.burden_ceiling:.1%} costs "
                   f"{_money(total[s])}, more than the {_money(budget[s])} budget. Raise the budget "
                   "or the ceiling.")
            b.append("burden_ceiling")
        elif forced is not None and sc.burden_ceiling and float(forced[s].sum()) > 0:
            n_forced = int((forced[s] > 0).sum())
            note = (f"The burden ceiling of {sc.burden_ceiling:.1%} binds: "
                    f"{_money(float(forced[s].sum()))} of bill-saving measures go first to bring "
                    f"{n_forced} district(s) under it; the rest of the budget follows the objective.")
            msg = f"{msg} {note}" if msg else note
            b.append("burden_ceiling")
        if st != "infeasible" and over_ceiling is not None and over_ceiling[s] > 0:
            st = "ceiling exceeded"
            msg = (f"The burden ceiling of {sc.burden_ceiling:.1%} is exceeded in {int(over_ceiling[s])} "
                   "district(s): the plan's heat pumps raise their bills after the bill-saving "
                   "measures were placed (the ceiling method is approximate). Lower the heat-pump "
                   "share or raise the ceiling.")
            if "burden_ceiling" not in b:
                b.append("burden_ceiling")
        is_exact = approximation(sc) is None
        if st == "optimal" and not is_exact:
            st = "feasible"  # every constraint met; the method is approximate (see module doc)
        status.append(st)
        messages.append(msg)
        binding.append(b)
        exact.append(is_exact)
    return status, messages, binding, exact


def check_against_highs(result: Result, s: int = 0) -> dict:
    """Solve the final linear instance of scenario ``s`` with HiGHS; objective gap and time."""
    from core.plan.solvers import highs

    lp = result.lp
    lo = None if lp["lower"] is None else lp["lower"][s].cpu().numpy()
    ref = highs.solve(lp["value"][s].cpu().numpy(), lp["cost"][s].cpu().numpy(),
                             lp["cap"][s].cpu().numpy(), lp["dac"].cpu().numpy(),
                             float(result.budget_usd[s]), result.scenarios[s].justice40_share, lo)
    ours = float(lp["objective"][s])  # the last linear step (= the objective when exact)
    gap = abs(ours - ref.objective) / max(abs(ref.objective), 1e-12) \
        if ref.status == "optimal" else float("nan")
    return {"status": ref.status, "objective": ref.objective, "gap_rel": gap, "seconds": ref.seconds}


def district_table(ctx: CityContext, result: Result, s: int = 0) -> pd.DataFrame:
    """One row per district: units per intervention, spend, abatement, bill savings."""
    out = pd.DataFrame({"district_id": ctx.district_ids, "name": ctx.names,
                        "disadvantaged": ctx.dac})
    for j, key in enumerate(result.keys):
        out[f"{key}_units"] = result.units[s, :, j]
    out["spend_usd"] = result.spend_usd[s].sum(1)
    out["abatement_t_co2_per_yr"] = result.abatement_t[s].sum(1)
    out["bill_savings_usd_per_yr"] = result.bill_savings_usd[s].sum(1)
    return out


def by_intervention(ctx: CityContext, result: Result, s: int = 0) -> pd.DataFrame:
    """Per intervention: units, spend, abatement and marginal abatement cost (MACC)."""
    sc = result.scenarios[s]
    p = _scenario_vectors([sc], ctx, torch.device("cpu"))
    ctx_t = {"dac": torch.tensor(ctx.dac, dtype=DTYPE), "income": torch.ones(len(ctx.dac), dtype=DTYPE),
             "households_total": 1.0}
    de = torch.tensor(ctx.effects.electricity_kwh_per_unit, dtype=DTYPE)[None]
    dg = torch.tensor(ctx.effects.gas_kwh_per_unit, dtype=DTYPE)[None]
    abate, bill, _ = _unit_effects(de, dg, p, ctx_t)
    cap = torch.tensor(ctx.effects.cap_units, dtype=DTYPE)[None]
    annual = (p["cost"] / p["life"] * cap).sum((0, 1))
    potential_t = (abate * cap).sum((0, 1))
    potential_bill = (bill * cap).sum((0, 1))
    mac = (annual - potential_bill) / potential_t
    return pd.DataFrame({
        "intervention": list(result.keys),
        "label": ctx.catalogue["label"].to_numpy(),
        "units": result.units[s].sum(0),
        "spend_usd": result.spend_usd[s].sum(0),
        "abatement_t_co2_per_yr": result.abatement_t[s].sum(0),
        "potential_t_co2_per_yr": potential_t.numpy(),
        "mac_usd_per_t": np.where(potential_t.numpy() > 0, mac.numpy(), np.nan),
    })


def burden_by_quintile(ctx: CityContext, result: Result, s: int = 0) -> pd.DataFrame:
    """Household-weighted mean energy burden before and after, by income quintile (1 = lowest)."""
    sc = result.scenarios[s]
    bill = ctx.res_electricity_kwh * sc.electricity_usd_per_kwh + ctx.res_gas_kwh * sc.gas_usd_per_kwh
    after = np.maximum(bill - result.bill_savings_usd[s].sum(1), 0)
    ok = (ctx.income_usd > 0) & (ctx.households > 0)
    if not ok.any():
        return pd.DataFrame(columns=["quintile", "burden_before", "burden_after"])
    inc = pd.Series(ctx.income_usd[ok])
    q = pd.qcut(inc.rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).to_numpy()
    hh = ctx.households[ok]
    denom = ctx.income_usd[ok] * hh
    frame = pd.DataFrame({"quintile": q, "before": bill[ok], "after": after[ok], "income": denom})
    g = frame.groupby("quintile", observed=True).sum()
    return pd.DataFrame({"quintile": g.index.astype(int), "burden_before": g["before"] / g["income"],
                         "burden_after": g["after"] / g["income"]}).reset_index(drop=True)
