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
  update the heat-pump effects from the plan, solve again) until the scenario's plan
  stops changing; feasible, approximate.

Batches and memory
------------------
The linear instance has one item per (district, intervention, tranche) that some scenario
of the batch can buy (a district with room for the intervention), tranche-major:
``J = P x M`` for the ``P`` (district, intervention) pairs with room and ``M`` tranches.
Scenarios of one shape (diminishing returns on or off, interactions on or off, a burden
ceiling or none) are solved together, in chunks whose working memory stays within
``GREENPRINT_SOLVE_MEMORY_MB`` (:mod:`core.settings`): a large batch is chunked, never
refused. Each scenario runs on its own rows and its interaction rounds stop when its own
plan has converged, so its plan does not depend on the batch it is solved in, nor on the
chunking (tests/test_batching.py).

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
from dataclasses import dataclass

import numpy as np
import torch

from core import footprint
from core.assess import carbon, equity
from core.device import pick_device
from core.plan.problem import DTYPE, CityContext, parameter, scenario_vectors, unit_effects
from core.plan.results import Result
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, AllocationSolution, Solver, get_solver
from core.plan.status import approximation, statuses
from core.settings import get_settings

#: working memory of one scenario per (district x intervention x tranche) cell, bytes: about
#: 17 float64 or int64 tensors of that size live at once in the exact solver and the
#: optimizer (the sort, its gathered copies, the cumulative sums of both groups) and 10 more
#: in the burden ceiling's cover, so 8 x 27 plus a margin; benchmarks/optimizer.py prints the
#: peak measured against the budget (70 to 150 bytes per cell on a CPU)
BYTES_PER_CELL = 256
#: on a CPU, a chunk also stops at this many items (district x intervention x tranche cells
#: of all its scenarios): each [S, J] float64 tensor then stays within a few MB, which the
#: allocator reuses and the caches hold; larger ones are fresh pages on every operation, which
#: made a batch slower than its chunks (benchmarks/optimizer.py --chunk-items measures it)
CPU_CHUNK_ITEMS = 2**19
#: the fields of a linear step that are kept per scenario from its last round
_ROW_FIELDS = ("value", "lower", "spend", "seg_units", "j40", "dual", "sol_objective",
               "unreachable", "forced")


@dataclass(frozen=True)
class _City:
    """A city's tensors on the solving device, shared by every chunk of a batch.

    ``flat`` [P]: the (district, intervention) pairs with room, as ``i * K + k``;
    ``cap`` [P]: their caps (units); ``dac`` [P]: in a disadvantaged district."""

    n: int
    k: int
    ctx_t: dict
    de0: torch.Tensor  # [1, N, K] electricity change per unit, kWh/yr
    dg0: torch.Tensor  # [1, N, K] gas change per unit, kWh/yr
    cap_units: torch.Tensor  # [N, K] units
    res_electricity: torch.Tensor  # [N] kWh/yr
    res_gas: torch.Tensor  # [N] kWh/yr
    heat_pump: torch.Tensor  # [K] bool
    gas_savers: torch.Tensor  # [K] bool
    flat: torch.Tensor
    cap: torch.Tensor
    dac: torch.Tensor

    @classmethod
    def of(cls, ctx: CityContext, dev: torch.device) -> _City:
        eff = ctx.effects
        n, k = eff.cap_units.shape
        cap_units = torch.tensor(eff.cap_units, dtype=DTYPE, device=dev)
        flat = (cap_units.reshape(-1) > 0).nonzero().squeeze(1)
        dac = torch.tensor(ctx.dac, device=dev)
        cat = ctx.catalogue
        return cls(
            n, k,
            {"dac": dac.to(DTYPE),
             "income": torch.tensor(np.where(ctx.income_usd > 0, ctx.income_usd, np.inf),
                                    dtype=DTYPE, device=dev),
             "income_total": torch.tensor(equity.aggregate_income_usd(ctx.households,
                                                                      ctx.income_usd),
                                          dtype=DTYPE, device=dev),  # NaN = unknown
             "households_total": max(float(ctx.households.sum()), 1.0)},
            torch.tensor(eff.electricity_kwh_per_unit, dtype=DTYPE, device=dev)[None],
            torch.tensor(eff.gas_kwh_per_unit, dtype=DTYPE, device=dev)[None],
            cap_units,
            torch.tensor(ctx.res_electricity_kwh, dtype=DTYPE, device=dev),
            torch.tensor(ctx.res_gas_kwh, dtype=DTYPE, device=dev),
            torch.tensor(cat["heat_share_electrified"].to_numpy() > 0, device=dev),
            torch.tensor((cat["gas_saving_share"].to_numpy() > 0)
                         & (cat["heat_share_electrified"].to_numpy() == 0), device=dev),
            flat, cap_units.reshape(-1)[flat], dac[flat // k])

    @property
    def pairs(self) -> int:
        return int(self.flat.numel())

    def items(self, per_cell: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
        """[S, N, K] per unit -> [S, M x P] per item (tranche-major), times each tranche's factor."""
        s_n = per_cell.shape[0]
        pairs = per_cell.reshape(s_n, -1)[:, self.flat]
        return (pairs[:, None, :] * factors[None, :, None]).reshape(s_n, -1)

    def cells(self, per_pair: torch.Tensor) -> torch.Tensor:
        """[S, P] per (district, intervention) pair -> [S, N, K] (zero where there is no room)."""
        out = per_pair.new_zeros(per_pair.shape[0], self.n * self.k)
        return out.index_copy_(1, self.flat, per_pair).reshape(per_pair.shape[0], self.n, self.k)


@dataclass(frozen=True)
class _Shape:
    """What the scenarios of one chunk share: their tranches, rounds and burden ceiling."""

    diminishing_returns: bool
    interactions: bool
    ceiling: bool

    @classmethod
    def of(cls, sc: Scenario) -> _Shape:
        return cls(sc.diminishing_returns, sc.interactions, bool(sc.burden_ceiling))

    @property
    def tranches(self) -> int:
        return int(parameter("diminishing_segments")) if self.diminishing_returns else 1

    @property
    def rounds(self) -> int:
        return int(parameter("interaction_rounds")) if self.interactions else 1

    def factors(self, dev: torch.device) -> torch.Tensor:
        """Effect factor of each tranche [M] (1, 0.8, 0.64, ...; one full tranche without
        diminishing returns)."""
        step = parameter("diminishing_step")
        return (1 - step) ** torch.arange(self.tranches, dtype=DTYPE, device=dev)


def chunk_size(cells: int, memory_mb: float, device: torch.device) -> int:
    """Scenarios per chunk of ``cells`` (district x intervention x tranche) cells each: as
    many as ``memory_mb`` of working memory holds at :data:`BYTES_PER_CELL` per cell, at most
    :data:`CPU_CHUNK_ITEMS` cells on a CPU, at least one."""
    size = int(memory_mb * 2**20 // max(cells * BYTES_PER_CELL, 1))
    if device.type == "cpu":
        size = min(size, CPU_CHUNK_ITEMS // max(cells, 1))
    return max(1, size)


def optimize(ctx: CityContext, scenarios: Scenario | list[Scenario], device: str = "auto",
             solver: str | Solver = "torch", memory_mb: float | None = None) -> Result:
    """Solve every scenario in batched calls. See the module docstring for exactness.

    ``solver``: a name in ``core.plan.solvers.SOLVERS`` ("torch", "highs") or a Solver;
    ``memory_mb``: the working memory a chunk of scenarios may use (MB; None:
    ``GREENPRINT_SOLVE_MEMORY_MB``)."""
    t0 = time.perf_counter()
    scenarios = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    scenarios = [sc.for_city(ctx.references) for sc in scenarios]  # in the city's currency
    solver = get_solver(solver) if isinstance(solver, str) else solver
    memory_mb = get_settings().solve_memory_mb if memory_mb is None else memory_mb
    with footprint.Meter(carbon.grid_factor_kg_per_kwh(ctx.references)) as meter:
        dev = pick_device(device)
        city = _City.of(ctx, dev)
        shapes = [_Shape.of(sc) for sc in scenarios]
        out = _Batch(len(scenarios), city, max((sh.tranches for sh in shapes), default=1))
        for shape in dict.fromkeys(shapes):
            rows = [s for s, sh in enumerate(shapes) if sh == shape]
            size = chunk_size(city.n * city.k * shape.tranches, memory_mb, dev)
            for start in range(0, len(rows), size):
                chunk = rows[start:start + size]
                out.put(chunk, _solve_chunk(ctx, city, [scenarios[s] for s in chunk], shape,
                                            solver, dev))
        if dev.type == "cuda":
            torch.cuda.synchronize()
    result = out.result(ctx, scenarios, dev, time.perf_counter() - t0)
    result.footprint = meter.footprint
    return result


def _solve_chunk(ctx: CityContext, city: _City, scs: list[Scenario], shape: _Shape,
                 solver: Solver, dev: torch.device) -> _Part:
    """Solve scenarios of one shape together: their plans, final linear instances and
    statuses. With interactions, each scenario runs rounds until its own plan stops changing
    (``interaction_rounds`` at most); the others wait, solved no more."""
    s_n, m_seg = len(scs), shape.tranches
    p = scenario_vectors(scs, ctx, dev)
    factors = shape.factors(dev)
    cost_k = p["cost"][:, 0, :]  # [S, K] money per unit
    if s_n and bool((cost_k == cost_k[:1]).all()):  # no scenario changes a cost: one row
        cost = cost_k[0][city.flat % city.k].repeat(m_seg).expand(s_n, -1)  # [S, J]
    else:
        cost = cost_k[:, city.flat % city.k].repeat(1, m_seg)  # [S, J]
    cap = (city.cap * (1.0 / m_seg)).repeat(m_seg)  # [J] units per tranche
    dac = city.dac.repeat(m_seg)  # [J]
    ceiling = bills = None
    if shape.ceiling:
        ceiling = torch.tensor([sc.burden_ceiling for sc in scs], dtype=DTYPE, device=dev)
        bills = equity.energy_bill_usd(  # [S, N] at each scenario's prices
            city.res_electricity[None], city.res_gas[None],
            equity.Prices(p["pe"][:, :, 0], p["pg"][:, :, 0]))
    rows = torch.arange(s_n, device=dev)  # the scenarios still iterating
    units = torch.zeros(s_n, city.n, city.k, dtype=DTYPE, device=dev)
    iterations = torch.zeros(s_n, dtype=torch.long, device=dev)
    kept: dict = {}
    step, seconds = None, 0.0
    for r in range(shape.rounds):  # every scenario in the first round, then those iterating
        sub = _rows_of(p, rows, s_n) if r else p
        step = _linear_step(city, sub, factors, cost[rows] if r else cost, cap, dac,
                            _heat_pump_scale(city, units[rows]) if r else None,
                            None if ceiling is None else
                            (ceiling[rows], bills[rows]) if r else (ceiling, bills), solver)
        _keep(kept, step, rows, r)
        seconds += step["seconds"]
        iterations[rows] += 1
        if shape.rounds == 1:
            units = step["units"]
            break
        done = _converged(step["units"], units[rows])
        units[rows] = step["units"]
        rows = rows[~done]
        if rows.numel() == 0:
            break
    if shape.rounds > 1:  # the effects of the final plan, interactions included
        scale = _heat_pump_scale(city, units)
        abate, bill, value = unit_effects(city.de0 * scale, city.dg0 * scale, p, city.ctx_t)
        value_items = city.items(value, factors)
    else:
        abate, bill, value_items = step["abate"], step["bill"], step["value"]
    seg_units = kept["seg_units"]
    eff_units = city.cells((seg_units.reshape(s_n, m_seg, -1) * factors[None, :, None]).sum(1))
    spend = units * p["cost"]
    out_bill = bill * eff_units
    viol = _violations(units, city.cap_units[None], spend, p["budget"], p["share"],
                       city.ctx_t["dac"])
    over_ceiling = None
    if ceiling is not None:
        excess = _ceiling_excess(ceiling, city.ctx_t["income_total"], bills, out_bill,
                                 kept["unreachable"])
        viol = torch.maximum(viol, _worst(excess))
        over_ceiling = (excess > 1e-9).sum(1).cpu().numpy()
    problem = step["problem"] if shape.rounds == 1 else AllocationProblem(  # (its rho is kept)
        kept["value"], cost, cap.expand(s_n, -1), dac, p["budget"], p["share"], kept["lower"],
        m_seg)
    sol = AllocationSolution(kept["spend"], tuple(kept["status"]), kept["j40"], kept["dual"],
                             kept["sol_objective"], seconds)
    t0 = time.perf_counter()
    notes = statuses(ctx, scs, problem, sol, spend, p["budget"], kept["unreachable"],
                     over_ceiling, kept["forced"])
    return _Part(problem, sol, m_seg, int(iterations.max()), time.perf_counter() - t0,
                 {"units": units, "spend": spend, "abatement": abate * eff_units,
                  "bill_savings": out_bill, "objective": (value_items * seg_units).sum(1),
                  "budget": p["budget"], "violation": viol, "dual": sol.budget_dual},
                 *notes)


def _linear_step(city: _City, p: dict, factors, cost, cap, dac, scale, ceiling, solver) -> dict:
    """One linear solve of the rows of ``p``: heat-pump effects scaled by ``scale`` [S, N, K]
    (None: full effects), the burden ceiling's cover forced first when ``ceiling`` is
    (ceilings [S], bills now [S, N]). Returns the instance, the plan and its units."""
    de, dg = (city.de0, city.dg0) if scale is None else (city.de0 * scale, city.dg0 * scale)
    abate, bill, value = unit_effects(de, dg, p, city.ctx_t)
    s_n, m_seg = value.shape[0], factors.shape[0]
    v_items = city.items(value, factors)
    lower = unreachable = forced = None
    if ceiling is not None:
        ceilings, bills_now = ceiling
        lower_cells, unreachable = _forced_for_ceiling(
            ceilings, bills_now, city.ctx_t["income_total"], bill[..., None] * factors,
            p["cost"][..., None].expand(-1, city.n, city.k, m_seg),
            (city.cap_units * (1.0 / m_seg))[None, ..., None].expand(s_n, -1, -1, m_seg))
        forced = lower_cells.sum((2, 3))  # [S, N] money forced to meet the ceiling
        lower = (lower_cells.reshape(s_n, city.n * city.k, m_seg)[:, city.flat, :]
                 .transpose(1, 2).reshape(s_n, -1)) / cost
    problem = AllocationProblem(v_items, cost, cap.expand(s_n, -1), dac, p["budget"],
                                p["share"], lower, m_seg)
    sol = solver.solve(problem)
    seg_units = sol.spend_usd / cost
    return {"problem": problem, "value": v_items, "lower": lower, "spend": sol.spend_usd,
            "seg_units": seg_units,
            "j40": sol.j40_binding, "dual": sol.budget_dual, "sol_objective": sol.objective,
            "status": list(sol.status), "seconds": sol.seconds, "unreachable": unreachable,
            "forced": forced, "abate": abate, "bill": bill,
            "units": city.cells(seg_units.reshape(s_n, m_seg, -1).sum(1))}


def _keep(kept: dict, step: dict, rows: torch.Tensor, r: int) -> None:
    """Record each scenario's latest linear step (its last round's, once all are done)."""
    if r == 0:
        kept.update({f: step[f] for f in _ROW_FIELDS}, status=step["status"])
        return
    for f in _ROW_FIELDS:
        if step[f] is not None:
            kept[f][rows] = step[f]
    for i, st in zip(rows.tolist(), step["status"], strict=True):
        kept["status"][i] = st


def _rows_of(p: dict, rows: torch.Tensor, s_n: int) -> dict:
    """The scenario vectors of ``rows`` (tensors with a scenario axis; the rest as they are)."""
    return {k: v[rows] if torch.is_tensor(v) and v.dim() and v.shape[0] == s_n else v
            for k, v in p.items()}


def _converged(new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    """Per scenario [S]: the plan [S, N, K] no longer changes (torch.allclose, row by row)."""
    close = (new - old).abs() <= 1e-9 + 1e-9 * old.abs()
    return close.reshape(close.shape[0], -1).all(1)


def _heat_pump_scale(city: _City, plan: torch.Tensor) -> torch.Tensor:
    """Share of a heat pump's effect left once envelope measures removed gas [S, N, K]."""
    removed = -(plan * city.dg0 * city.gas_savers.to(DTYPE)).sum(2)  # gas removed by envelope measures [S, N]
    r = (removed / city.res_gas.clamp(min=1e-9)[None]).clamp(0, 1)
    return torch.where(city.heat_pump[None, None, :], (1 - r)[:, :, None],
                       torch.ones((), dtype=DTYPE, device=plan.device))


def _forced_for_ceiling(ceiling, bills_now, income_total, bill_seg, cost_seg, cap_seg):
    """Spending (currency) forced per tranche [S, N, K, M] so each district meets the burden
    ceiling [S], by the cheapest bill saving per unit of money first; and the bill savings
    out of reach [S, N] (currency/yr). ``bills_now`` [S, N]: household energy cost
    (currency/yr, all households); ``bill_seg``, ``cost_seg``, ``cap_seg`` [S, N, K, M]: bill
    saving (currency/yr), cost (currency) and cap (units) per unit of each tranche."""
    s_n, n, k, m_seg = bill_seg.shape
    bill_seg, cost_seg, cap_seg = (t.reshape(s_n, n, k * m_seg)
                                   for t in (bill_seg, cost_seg, cap_seg))
    # a district's burden = its bills / its households' income (core.assess.equity); NaN
    # income (unknown) gives no need
    need = (bills_now - ceiling[:, None] * income_total[None]).clamp(min=0)
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
    return lower.reshape(s_n, n, k, m_seg), unreachable


def _ceiling_excess(ceiling, income_total, hh_bill, out_bill, unreachable) -> torch.Tensor:
    """Relative excess over the burden ceiling [S] per district [S, N] of the final plan.

    The ceiling is met by forcing bill savers; electrification raises bills afterwards, so
    the final plan is checked district by district. Districts that cannot reach the ceiling
    at all are reported apart (zero here)."""
    after = (hh_bill - out_bill.sum(2)) / income_total[None]  # burden after the plan [S, N]
    excess = ((after - ceiling[:, None]) / ceiling[:, None]).clamp(min=0)
    excess = torch.where(torch.isfinite(income_total)[None], excess, torch.zeros_like(excess))
    return excess * (unreachable <= 0).to(excess.dtype)


def _worst(breach: torch.Tensor) -> torch.Tensor:
    """Largest of each scenario's breaches [S, ...] (those below 0 count as 0) -> [S]; 0 when
    there are none."""
    flat = breach.flatten(1)
    if flat.shape[1] == 0:
        return flat.new_zeros(flat.shape[0])
    return flat.amax(1).clamp(min=0)


def _violations(units, cap, spend, budget, share, dac):
    """Largest relative breach per scenario [S] of budget, caps, non-negativity, Justice40."""
    by_district = spend.sum(2)  # [S, N]
    total = by_district.sum(1)
    v_budget = (total - budget).clamp(min=0) / budget.clamp(min=1.0)
    v_cap = _worst((units - cap) / cap.clamp(min=1.0))
    v_neg = _worst(-units)
    dac_spend = by_district @ dac
    v_j40 = (share * total - dac_spend).clamp(min=0) / total.clamp(min=1.0)
    return torch.stack([v_budget, v_cap, v_neg, v_j40]).amax(0)


@dataclass(frozen=True)
class _Part:
    """The plans of a chunk of scenarios: their final linear instance and its solution, the
    per-scenario arrays of a :class:`Result` (tensors), and what :func:`statuses` says."""

    problem: AllocationProblem
    solution: AllocationSolution
    tranches: int
    iterations: int
    status_seconds: float  # time spent on the statuses, s (not solving)
    arrays: dict
    status: list[str]
    messages: list[str]
    binding: list[list[str]]


class _Batch:
    """The chunks' plans gathered in the scenarios' order: the arrays of a :class:`Result`
    (numpy, on the host) and the final linear instance of every scenario (on the device)
    over the batch's ``J = P x tranches`` items, a chunk with fewer tranches padded with
    empty ones (no cap, nothing spent). A batch solved in one chunk keeps its tensors."""

    def __init__(self, s_n: int, city: _City, tranches: int):
        self.s_n, self.tranches, self.n_items = s_n, tranches, city.pairs * tranches
        self.arrays: dict[str, np.ndarray] = {}
        self.items: dict[str, torch.Tensor | None] = {}
        self.status, self.messages = [""] * s_n, [""] * s_n
        self.binding: list[list[str]] = [[] for _ in range(s_n)]
        self.iterations, self.seconds_off = 0, 0.0
        self.dac = city.dac.repeat(tranches)
        #: fields whose every chunk so far gave one row for all its scenarios (cost when no
        #: scenario changes a cost, caps when the chunks share their tranches): that row [J]
        #: and the scenarios it is theirs; the batch's field is then that row, expanded
        self.shared: dict[str, tuple[torch.Tensor, list[int]]] = {}

    def put(self, rows: list[int], part: _Part) -> None:
        """Store the plans of scenarios ``rows`` (in that order) of a chunk."""
        whole = rows == list(range(self.s_n)) and part.tranches == self.tranches
        for f, t in part.arrays.items():
            a = t.cpu().numpy()
            if whole:  # one chunk: its arrays are the batch's
                self.arrays[f] = a
                continue
            if f not in self.arrays:  # every row is written: one chunk holds each scenario
                self.arrays[f] = np.empty((self.s_n, *a.shape[1:]), dtype=a.dtype)
            self.arrays[f][rows] = a
        pb = part.problem
        items = {"value": (pb.value, True), "cost": (pb.cost, True), "cap": (pb.cap, False),
                 "lower": (pb.lower, False), "spend": (part.solution.spend_usd, False)}
        for f, (t, repeat) in items.items():
            if whole:  # one chunk: its tensors are the batch's
                self.items[f] = t
                continue
            if t is None:
                self.items.setdefault(f, None)
                continue
            if self._share(f, rows, t, part.tranches, repeat):
                continue
            if self.items.get(f) is None:  # forced spending: zero for the chunks without
                self.items[f] = (t.new_zeros if f == "lower" else t.new_empty)(self.s_n,
                                                                               self.n_items)
            self._write(self.items[f], torch.tensor(rows, device=t.device), t, part.tranches,
                        repeat)
        for i, st, msg, b in zip(rows, part.status, part.messages, part.binding, strict=True):
            self.status[i], self.messages[i], self.binding[i] = st, msg, b
        self.iterations = max(self.iterations, part.iterations)
        self.seconds_off += part.status_seconds

    def _share(self, f: str, rows: list[int], t: torch.Tensor, m: int, repeat: bool) -> bool:
        """Keep a chunk's cost or caps ``t`` [S, P x m] as one row when it is one row (expanded,
        or a chunk of one scenario) and every earlier chunk gave that same row (True); else
        write the shared row out into the batch's [S, J] tensor, for ``t`` to be written
        beside it (False)."""
        one_row = f in ("cost", "cap") and t.shape[0] and (t.shape[0] == 1 or t.stride(0) == 0)
        if one_row and f not in self.items:
            row = self._padded(t[0], m, repeat)
            if f not in self.shared:
                self.shared[f] = row, list(rows)
                return True
            if torch.equal(self.shared[f][0], row):
                self.shared[f][1].extend(rows)
                return True
        if f in self.shared:
            row, done = self.shared.pop(f)
            self.items[f] = row.new_empty(self.s_n, self.n_items).index_copy_(
                0, torch.tensor(done, device=row.device), row.expand(len(done), -1))
        return False

    def _padded(self, row: torch.Tensor, m: int, repeat: bool) -> torch.Tensor:
        """A chunk's row [P x m] over the batch's tranches [J] (see :meth:`_write`)."""
        if m == self.tranches:
            return row
        return torch.cat([row] + [row if repeat else torch.zeros_like(row)] * (self.tranches - 1))

    def _write(self, holder: torch.Tensor, rows: torch.Tensor, t: torch.Tensor, m: int,
               repeat: bool) -> None:
        """Write a chunk's [S, P x m] tensor into rows ``rows`` of the batch's [S, J] ``holder``
        (``m`` is 1 or ``tranches``): the further tranches of a chunk with one repeat its
        values (``repeat``) or are zeros."""
        if m == self.tranches:
            holder.index_copy_(0, rows, t)
            return
        width = t.shape[1]
        for j in range(self.tranches):
            part = holder[:, j * width:(j + 1) * width]
            if j == 0 or repeat:
                part.index_copy_(0, rows, t)
            else:
                part.index_fill_(0, rows, 0.0)

    def result(self, ctx: CityContext, scenarios: list[Scenario], dev: torch.device,
               seconds: float) -> Result:
        a = self.arrays
        it = self.items | {f: row.expand(self.s_n, -1) for f, (row, _) in self.shared.items()}
        if not scenarios:
            empty = torch.zeros(0, self.n_items, dtype=DTYPE, device=dev)
            it = {"value": empty, "cost": empty, "cap": empty, "lower": None, "spend": empty}
            a = {f: np.zeros((0, ctx.dac.size, len(ctx.keys))) for f in
                 ("units", "spend", "abatement", "bill_savings")} | {
                f: np.zeros(0) for f in ("objective", "budget", "violation", "dual")}
        share = torch.tensor([sc.justice40_share for sc in scenarios], dtype=DTYPE, device=dev)
        linear = AllocationProblem(it["value"], it["cost"], it["cap"], self.dac,
                                   torch.as_tensor(a["budget"], device=dev), share, it["lower"],
                                   self.tranches)
        return Result(scenarios, ctx.keys, a["units"], a["spend"], a["abatement"],
                      a["bill_savings"], a["objective"], a["budget"], ctx.dac, self.status,
                      self.messages, self.binding, a["violation"], a["dual"],
                      [approximation(sc) for sc in scenarios], dev.type, self.iterations,
                      seconds - self.seconds_off, linear, it["spend"])
