"""Where should each intervention go? A batched torch optimizer over S scenarios at once.

Decision: units ``x[s, i, k]`` of intervention ``k`` in district ``i`` under scenario ``s``.
Constraints: budget (``budget_usd_per_capita x population``), adoption caps, Justice40
(at least ``justice40_share`` of *spending* in disadvantaged districts: the benefit
measure is investment, which is never negative), and an optional energy-burden ceiling.

What is exact and what is not
-----------------------------
* Linear case (interactions off, no burden ceiling): solved exactly by
  ``core.plan.solvers.torch_exact`` (a vertex of the LP, float64); tests and the badge
  compare it with HiGHS (``core.plan.solvers.highs``, which ``solver="highs"`` uses
  instead). Diminishing returns keep it linear: each district's cap is split into
  tranches whose effects shrink by ``diminishing_step`` (data/optimizer_parameters.csv),
  a concave piecewise-linear value the same solver handles exactly.
* Burden ceiling: the cheapest bill-saving measures that bring each district under
  the ceiling are forced first (a per-district fractional cover), then the rest is
  solved exactly. Feasible, but not guaranteed optimal (``exact`` is False).
* Interactions: a heat pump in a district where envelope measures removed a share r of
  the gas displaces (1 - r) of its heating gas. Handled by fixed-point rounds (solve,
  update the heat-pump effects from the plan, solve again); feasible, approximate.

Empty and degenerate problems
-----------------------------
A city where no intervention fits (the stock it is counted in, say ``housing_units``, is
missing), a zero budget, or no measure that improves the objective gives an empty plan,
not an error: the status (``no capacity``, ``no budget``, ``no effect``) and the message
say what would unlock a plan; a city with no or only disadvantaged districts, or a single
district, gets a note (``core.plan.status``). Both solvers accept an instance without items.

Money is in the city's currency: each scenario is first put in it
(:meth:`core.plan.scenario.Scenario.for_city`), and costs, prices and factors are the city's
reference values (:mod:`core.intake.reference_values`). Abatement is counted at the horizon
year's grid factor; capex is annualised
straight-line over the lifetime (no discounting); PV output is valued at the retail
electricity price.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from core.assess import equity
from core.device import pick_device
from core.plan.problem import DTYPE, CityContext, parameter, scenario_vectors, unit_effects
from core.plan.results import Result
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, Solver, get_solver
from core.plan.status import approximation, statuses


def _tranches(scenarios: list[Scenario], cap: torch.Tensor, cost: torch.Tensor):
    """Diminishing returns as M tranches per item: effect factors [S, 1, 1, M], caps (units)
    and costs (currency per unit) [S, N, K, M]. One full tranche when diminishing returns are off."""
    s_n, n, k = cap.shape
    dev = cap.device
    m_seg = int(parameter("diminishing_segments")) if any(sc.diminishing_returns for sc in scenarios) else 1
    step = parameter("diminishing_step")
    dim = torch.tensor([sc.diminishing_returns for sc in scenarios], device=dev)
    factors = torch.where(dim[:, None], (1 - step) ** torch.arange(m_seg, device=dev, dtype=DTYPE),
                          torch.ones(m_seg, dtype=DTYPE, device=dev))[:, None, None, :]
    cap_share = torch.where(dim[:, None], torch.full((s_n, m_seg), 1.0 / m_seg, dtype=DTYPE, device=dev),
                            torch.eye(1, m_seg, dtype=DTYPE, device=dev).expand(s_n, m_seg))
    cap_seg = cap[..., None] * cap_share[:, None, None, :]
    cost_seg = cost.expand(s_n, n, k)[..., None].expand(s_n, n, k, m_seg)
    return factors, cap_seg, cost_seg


def _ceilings(scenarios: list[Scenario], dev: torch.device) -> torch.Tensor:
    """Burden ceiling per scenario [S] (share of income; inf when there is none)."""
    return torch.tensor([sc.burden_ceiling or float("inf") for sc in scenarios], dtype=DTYPE,
                        device=dev)


def _forced_for_ceiling(scenarios, bill_seg, cost_seg, cap_seg, ctx_t):
    """Spending (currency) forced per segment item so each district meets the burden ceiling,
    by the cheapest bill saving per unit of money first. Returns (lower_usd [S,N,KM],
    unreachable [S,N] currency/yr)."""
    ceiling = _ceilings(scenarios, bill_seg.device)
    bills_now = ctx_t["bill_now"]  # [S, N] household energy cost, currency/yr (all households)
    # a district's burden = its bills / its households' income (core.assess.equity); NaN
    # income (unknown) gives no need
    need = (bills_now - ceiling[:, None] * ctx_t["income_total"][None]).clamp(min=0)
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


def optimize(ctx: CityContext, scenarios: Scenario | list[Scenario], device: str = "auto",
             solver: str | Solver = "torch") -> Result:
    """Solve every scenario in one batched call. See the module docstring for exactness.

    ``solver``: a name in ``core.plan.solvers.SOLVERS`` ("torch", "highs") or a Solver."""
    t0 = time.perf_counter()
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    scenarios = [sc.for_city(ctx.references) for sc in scenarios]  # in the city's currency
    solver = get_solver(solver) if isinstance(solver, str) else solver
    dev = pick_device(device)
    p = scenario_vectors(scenarios, ctx, dev)
    eff = ctx.effects
    n, k = eff.cap_units.shape
    s_n = len(scenarios)
    ctx_t = {"dac": torch.tensor(ctx.dac, dtype=DTYPE, device=dev),
             "income": torch.tensor(np.where(ctx.income_usd > 0, ctx.income_usd, np.inf),
                                    dtype=DTYPE, device=dev),
             "income_total": torch.tensor(equity.aggregate_income_usd(ctx.households, ctx.income_usd),
                                          dtype=DTYPE, device=dev),  # NaN = unknown
             "households_total": max(float(ctx.households.sum()), 1.0)}
    de0 = torch.tensor(eff.electricity_kwh_per_unit, dtype=DTYPE, device=dev)[None]
    dg0 = torch.tensor(eff.gas_kwh_per_unit, dtype=DTYPE, device=dev)[None]
    cap = torch.tensor(eff.cap_units, dtype=DTYPE, device=dev)[None].expand(s_n, n, k)
    factors, cap_seg, cost_seg = _tranches(scenarios, cap, p["cost"])  # [S, N, K, M]
    m_seg = factors.shape[-1]
    km = k * m_seg  # items per district (explicit sizes: a city may have no districts)
    keep = (cap_seg.reshape(s_n, n * km) > 0).any(0)
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
        abate, bill, value = unit_effects(de, dg, p, ctx_t)
        v_seg, bill_seg = value[..., None] * factors, bill[..., None] * factors
        lower = unreachable = forced = None
        if any(sc.burden_ceiling for sc in scenarios):
            if hh_bill is None:
                hh_bill = equity.energy_bill_usd(  # [S, N] at each scenario's prices
                    torch.tensor(ctx.res_electricity_kwh, dtype=DTYPE, device=dev)[None], res_gas[None],
                    equity.Prices(p["pe"][:, :, 0], p["pg"][:, :, 0]))
            ctx_t["bill_now"] = hh_bill
            lower, unreachable = _forced_for_ceiling(scenarios, bill_seg.reshape(s_n, n, km),
                                                     cost_seg.reshape(s_n, n, km),
                                                     cap_seg.reshape(s_n, n, km), ctx_t)
            forced = lower.sum(2)  # [S, N] money forced to meet the ceiling
            lower = lower.reshape(s_n, n * km)
        # only items that some scenario can buy enter the solver (e.g. no weatherisation outside
        # disadvantaged districts, no empty tranches)
        c_flat = cost_seg.reshape(s_n, n * km)[:, keep]
        problem = AllocationProblem(v_seg.reshape(s_n, n * km)[:, keep], c_flat,
                                    cap_seg.reshape(s_n, n * km)[:, keep], dac_items[keep],
                                    p["budget"], p["share"],
                                    None if lower is None else lower[:, keep] / c_flat)
        sol = solver.solve(problem)
        seg_units = torch.zeros(s_n, n * k * m_seg, dtype=DTYPE, device=dev)
        seg_units[:, keep] = sol.spend_usd / c_flat
        seg_units = seg_units.reshape(s_n, n, k, m_seg)
        new_units = seg_units.sum(3)
        done = rounds > 1 and torch.allclose(new_units, units, rtol=1e-9, atol=1e-9)
        units = new_units
        if rounds == 1 or done:
            break
        scale = heat_pump_scale(units)
    if rounds > 1:  # report the effects of the final plan, interactions included
        scale = heat_pump_scale(units)
        abate, bill, value = unit_effects(de0 * scale, dg0 * scale, p, ctx_t)

    eff_units = (seg_units * factors).sum(3)  # units weighted by tranche effect
    spend = units * p["cost"]
    out_abate, out_bill = abate * eff_units, bill * eff_units
    objective = (value[..., None] * factors * seg_units).sum((1, 2, 3))
    viol = _violations(units, cap, spend, p["budget"], p["share"], ctx_t["dac"])
    over_ceiling = None
    if hh_bill is not None:
        excess = _ceiling_excess(scenarios, ctx_t["income_total"], hh_bill, out_bill, unreachable)
        viol = torch.maximum(viol, _worst(excess))
        over_ceiling = (excess > 1e-9).sum(1).cpu().numpy()
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    status, messages, binding = statuses(ctx, scenarios, problem, sol, spend, p["budget"],
                                         unreachable, over_ceiling, forced)
    return Result(scenarios, ctx.keys, units.cpu().numpy(), spend.cpu().numpy(),
                  out_abate.cpu().numpy(), out_bill.cpu().numpy(), objective.cpu().numpy(),
                  p["budget"].cpu().numpy(), ctx.dac, status, messages, binding,
                  viol.cpu().numpy(), sol.budget_dual.cpu().numpy(),
                  [approximation(sc) for sc in scenarios], dev.type, iterations, seconds,
                  problem, sol.spend_usd)


def _ceiling_excess(scenarios, income_total, hh_bill, out_bill, unreachable) -> torch.Tensor:
    """Relative excess over the burden ceiling per district [S, N] of the final plan.

    The ceiling is met by forcing bill savers; electrification raises bills afterwards, so
    the final plan is checked district by district. Districts that cannot reach the ceiling
    at all are reported apart (zero here)."""
    after = (hh_bill - out_bill.sum(2)) / income_total[None]  # burden after the plan [S, N]
    ceiling = _ceilings(scenarios, hh_bill.device)[:, None]
    excess = ((after - ceiling) / ceiling).clamp(min=0)
    excess = torch.where(torch.isfinite(income_total)[None], excess, torch.zeros_like(excess))
    return excess * (unreachable <= 0)


def _worst(breach: torch.Tensor) -> torch.Tensor:
    """Largest of each scenario's breaches [S, ...] (all >= 0) -> [S]; 0 when there are none."""
    return torch.cat([breach.flatten(1), breach.new_zeros(breach.shape[0], 1)], 1).amax(1)


def _violations(units, cap, spend, budget, share, dac):
    """Largest relative breach per scenario [S] of budget, caps, non-negativity, Justice40."""
    total = spend.sum((1, 2))
    v_budget = (total - budget).clamp(min=0) / budget.clamp(min=1.0)
    v_cap = _worst((units - cap).clamp(min=0) / cap.clamp(min=1.0))
    v_neg = _worst((-units).clamp(min=0))
    dac_spend = (spend * dac[None, :, None]).sum((1, 2))
    v_j40 = (share * total - dac_spend).clamp(min=0) / total.clamp(min=1.0)
    return torch.stack([v_budget, v_cap, v_neg, v_j40]).amax(0)
