"""What an optimizer run says of each scenario: a status, the message that explains it, and
the constraints that bind.

Statuses of a plan:

* ``optimal``: the exact optimum of the linear problem;
* ``feasible``: every constraint met, by an approximate method (burden ceiling, interactions);
* ``infeasible``: Justice40 or the burden ceiling cannot be met; the message says why;
* ``ceiling exceeded``: the plan's heat pumps push districts back above the burden ceiling;
* ``solver failed``: the solver returned no plan.

A problem with nothing to decide has an empty plan (nothing spent) and one of
:data:`EMPTY`, with a message that says what would unlock it:

* ``no capacity``: no intervention fits any district, because the stock each is counted in
  (``stock_column`` of data/interventions.csv) is missing; the message names the column
  that unlocks each intervention;
* ``no budget``: the budget is 0 (none per resident, or no residents);
* ``no effect``: no measure improves the objective (no energy use recorded, no income for
  the burden objective, no measure that pays for itself or lowers emissions).

A degenerate city adds notes to every message: no district or every district
disadvantaged, a single district, no energy use recorded, interventions that fit no
district. Districts without data, left out of the plan (core.plan.problem), are counted in
a note too.
"""

from __future__ import annotations

import numpy as np

from core import money as money_format
from core.assess import equity
from core.plan.problem import CityContext
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, AllocationSolution

EMPTY = ("no capacity", "no budget", "no effect")
#: what each objective lowers, for messages (keys of core.plan.scenario.OBJECTIVES)
LOWERS = {"min_emissions": "emissions", "min_cost": "the total cost (bills, carbon and capex)",
          "min_burden": "the energy burden"}
ENERGY_NOTE = ("No district has electricity or gas use above zero (electricity_kwh, gas_kwh): "
               "measures that save a share of a district's energy save nothing here. Map the "
               "energy columns.")


def money(amount: float, currency: str) -> str:
    """An amount in millions of the currency, e.g. ``£12.3 M`` (:func:`core.money.millions`)."""
    return money_format.millions(amount, currency)


def approximation(sc: Scenario) -> str | None:
    """Why the solution of ``sc`` is approximate (None when it is the exact LP optimum)."""
    reasons = []
    if sc.burden_ceiling:
        reasons.append("burden ceiling met by a greedy cover first")
    if sc.interactions:
        reasons.append("retrofit / heat-pump interactions in fixed-point rounds")
    return "; ".join(reasons) or None


def _join(words: list[str], last: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _label(text: str) -> str:
    return text[:1].lower() + text[1:]


def _unplaceable(ctx: CityContext) -> tuple[list[str], dict[str, list[str]]]:
    """Why some interventions fit no district: phrases for a message, and the stock columns
    that would unlock them (data/interventions.csv ``stock_column``) with the interventions
    each unlocks. Empty when all fit."""
    cat = ctx.catalogue
    by_stock: dict[str, list[str]] = {}
    dac_only = []
    for key, room in zip(ctx.keys, ctx.effects.cap_units.sum(0), strict=True):
        if room > 0:
            continue
        row = cat.loc[key]
        if row["eligibility"] == "dac" and not ctx.dac.any():
            dac_only.append(_label(row["label"]))
        else:
            only = " in disadvantaged districts" if row["eligibility"] == "dac" else ""
            by_stock.setdefault(row["stock_column"], []).append(_label(row["label"]) + only)
    phrases = []
    if by_stock:
        stocks = [f"{col} (for {', '.join(labels)})" for col, labels in by_stock.items()]
        phrases.append(f"no district has {_join(stocks, 'or')}, the stock "
                       f"{'it is' if len(stocks) == 1 else 'each intervention is'} counted in")
    if dac_only:
        phrases.append(f"{_join(dac_only)} {'goes' if len(dac_only) == 1 else 'go'} only to "
                       "disadvantaged districts, and no district is one")
    return phrases, by_stock


def _stock_message(ctx: CityContext, opening: str) -> str:
    """``opening``, then which intervention lacks which stock column and what to map."""
    phrases, by_stock = _unplaceable(ctx)
    text = f"{opening}: {'; '.join(phrases)}."
    if by_stock:
        one = sum(map(len, by_stock.values())) == 1
        text += f" Map {_join(list(by_stock), 'or')} to place {'it' if one else 'them'}."
    return text


def _no_energy(ctx: CityContext) -> bool:
    return not (np.any(ctx.electricity_kwh > 0) or np.any(ctx.gas_kwh > 0))


def _dac_note(ctx: CityContext) -> str | None:
    """A note when the disadvantaged rule cannot tell districts apart (among the districts
    with data: the others are never disadvantaged)."""
    dac = ctx.dac[ctx.with_data]
    n = dac.size
    if n == 1:
        return ("The city has one district: the plan chooses measures, not places, and the "
                "disadvantaged rule ranks the district against itself.")
    if n and not dac.any():
        known = np.isfinite(equity.aggregate_income_usd(ctx.households, ctx.income_usd)).any()
        why = "" if known else (" (it needs an energy burden: " + " or ".join(
            " and ".join(b.columns) for b in equity.INCOME_BASES) + ", which no district has)")
        return (f"No district is disadvantaged under the CEJST-style rule{why}: a Justice40 "
                "share cannot be met and the equity weight has nothing to act on.")
    if n and dac.all():
        return ("Every district is disadvantaged under the CEJST-style rule: any plan meets "
                "the Justice40 share and the equity weight favours none.")
    return None


def left_out_note(ctx: CityContext) -> str | None:
    """How many districts the plan leaves out for want of data, or of observed energy when
    it keeps to observations (None when none)."""
    n = len(ctx.left_out) - ctx.unobserved
    notes = []
    if n:
        notes.append(f"{n} district{'s' if n > 1 else ''} without data (no attribute row or no "
                     f"population) {'are' if n > 1 else 'is'} left out of the plan and "
                     f"get{'' if n > 1 else 's'} no measures.")
    if (u := ctx.unobserved):
        notes.append(f"{u} district{'s' if u > 1 else ''} whose energy is predicted, not "
                     f"observed, {'are' if u > 1 else 'is'} left out of the plan, which keeps to "
                     "observed energy.")
    return " ".join(notes) or None


def city_notes(ctx: CityContext) -> list[str]:
    """Notes on a degenerate city, added to every scenario's message."""
    if ctx.dac.size == 0:
        return []
    notes = [left_out_note(ctx), _dac_note(ctx)]
    if _no_energy(ctx):
        notes.append(ENERGY_NOTE)
    if _unplaceable(ctx)[0] and ctx.effects.cap_units.sum() > 0:
        notes.append(_stock_message(ctx, "Some interventions cannot be placed"))
    return [n for n in notes if n]


def _no_budget(ctx: CityContext, sc: Scenario) -> str:
    if ctx.population <= 0:
        return ("Nothing is spent: the budget is per resident and no district has residents "
                "(population is zero or missing). Map population.")
    return (f"Nothing is spent: the budget is {sc.budget_usd_per_capita:,.0f} {sc.currency} per resident. "
            "Raise it to place measures.")


def _no_effect(ctx: CityContext, sc: Scenario) -> str:
    opening = f"Nothing is spent: no measure lowers {LOWERS[sc.objective]}"
    if _no_energy(ctx):
        return f"{opening}. {ENERGY_NOTE}"
    if sc.objective == "min_burden" and not np.any(ctx.income_usd > 0):
        why = ("the burden objective divides bill savings by an income (median_household_income "
               "or per_capita_income), which no district has; map one or choose another objective")
    elif sc.objective == "min_cost":
        why = ("each measure costs more per year (its capex over its lifetime) than its bill "
               "savings and carbon value; raise the carbon price or the energy prices, or choose "
               "another objective")
    elif sc.objective == "min_emissions":
        why = (f"at the {sc.horizon_year} grid factor each measure adds as much as it saves; "
               "choose a later horizon year or more grid decarbonisation")
    else:
        why = "no measure lowers household bills at these prices"
    return f"{opening}: {why}."


def empty_plan(ctx: CityContext, sc: Scenario, room_usd: float, forced_usd: float,
               useful: bool, budget_usd: float) -> tuple[str, str] | None:
    """(status, message) when a scenario has nothing to decide (see :data:`EMPTY`), else None.

    ``room_usd``: what every item together can absorb (the city's currency); ``forced_usd``:
    spending forced by a burden ceiling (any makes a plan); ``useful``: some item with room
    improves the objective; ``budget_usd``: the scenario's budget."""
    if forced_usd > 0:
        return None
    if room_usd <= 0:
        if ctx.dac.size == 0:
            return "no capacity", "No intervention can be placed: the city has no districts."
        return "no capacity", _stock_message(ctx, "No intervention can be placed")
    if budget_usd <= 0:
        return "no budget", _no_budget(ctx, sc)
    if not useful:
        return "no effect", _no_effect(ctx, sc)
    return None


def statuses(ctx: CityContext, scenarios: list[Scenario], problem: AllocationProblem,
             sol: AllocationSolution, spend, budget, unreachable, over_ceiling=None, forced=None):
    """Per scenario: status, the message that explains it, and the binding constraints.

    ``spend``: the plan [S, N, K] and ``budget`` [S] in the city's currency; ``unreachable`` [S, N]: bill
    savings out of reach under the burden ceiling (None without one); ``over_ceiling`` [S]:
    districts above the ceiling after the plan; ``forced`` [S, N]: money forced to meet it."""
    status, messages, binding = [], [], []
    notes = city_notes(ctx)
    total = spend.sum((1, 2)).cpu().numpy()
    budget = budget.cpu().numpy()
    dcap, ocap = (c.cpu().numpy() for c in problem.capacity_usd())
    j40 = sol.j40_binding.cpu().numpy()
    room = problem.cap_usd.sum(1).cpu().numpy()
    forced_usd = problem.lower_usd.sum(1).cpu().numpy()
    useful = ((problem.rho > 0) & (problem.cap_usd > 0)).any(1).cpu().numpy()
    for s, sc in enumerate(scenarios):
        empty = empty_plan(ctx, sc, float(room[s]), float(forced_usd[s]), bool(useful[s]),
                           float(budget[s]))
        if empty is not None:
            status.append(empty[0])
            messages.append(" ".join([empty[1], *(n for n in notes if n not in empty[1])]))
            binding.append([])
            continue
        b, msg, st = [], "", "optimal"
        if total[s] >= budget[s] * (1 - 1e-9) and budget[s] > 0:
            b.append("budget")
        if j40[s]:
            b.append("justice40")
            if total[s] < budget[s] * (1 - 1e-6):
                msg = (f"Justice40 binds: the disadvantaged districts can absorb {money(dcap[s], sc.currency)} of "
                       f"measures, so a {sc.justice40_share:.0%} share allows {money(total[s], sc.currency)} of the "
                       f"{money(budget[s], sc.currency)} budget.")
        if sol.infeasible[s] or (j40[s] and total[s] <= 0 and sc.justice40_share > 0):
            st = "infeasible"
            best = dcap[s] / max(min(budget[s], dcap[s] + ocap[s]), 1e-9)
            msg = (f"Infeasible: the Justice40 share of {sc.justice40_share:.0%} cannot be reached: "
                   f"disadvantaged districts can absorb {money(dcap[s], sc.currency)}; best achievable share "
                   f"{min(best, 1.0):.0%}. Lower the share or widen the caps.") if ctx.dac.any() else (
                f"Infeasible: the Justice40 share of {sc.justice40_share:.0%} cannot be reached: no "
                "district is disadvantaged; best achievable share 0%. Set the share to 0%.")
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
                   f"{money(total[s], sc.currency)}, more than the {money(budget[s], sc.currency)} budget. Raise the budget "
                   "or the ceiling.")
            b.append("burden_ceiling")
        elif forced is not None and sc.burden_ceiling and float(forced[s].sum()) > 0:
            n_forced = int((forced[s] > 0).sum())
            note = (f"The burden ceiling of {sc.burden_ceiling:.1%} binds: "
                    f"{money(float(forced[s].sum()), sc.currency)} of bill-saving measures go first to bring "
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
        if st == "optimal" and approximation(sc) is not None:
            st = "feasible"  # every constraint met; the method is approximate (core.plan.optimizer)
        if sol.status[s] not in ("optimal", "infeasible"):
            st, msg = "solver failed", f"The solver gave no plan: {sol.status[s]}"
        status.append(st)
        messages.append(" ".join(m for m in [msg, *notes] if m))
        binding.append(b)
    return status, messages, binding
