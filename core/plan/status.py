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
from core.i18n import N_, deferred, lazy, lazy_join, lazy_list, lazy_lower, lazy_n
from core.plan.problem import CityContext
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, AllocationSolution

EMPTY = ("no capacity", "no budget", "no effect")
#: what each objective lowers, for messages (keys of core.plan.scenario.OBJECTIVES)
LOWERS = {"min_emissions": N_("emissions"),
          "min_cost": N_("the total cost (bills, carbon and capex)"),
          "min_burden": N_("the energy burden")}
SOME_UNPLACEABLE = N_("Some interventions cannot be placed")  # openings of _stock_message
NONE_PLACEABLE = N_("No intervention can be placed")
ENERGY_NOTE = N_("No district has electricity or gas use above zero (electricity_kwh, gas_kwh): "
                 "measures that save a share of a district's energy save nothing here. Map the "
                 "energy columns.")


def money(amount: float, currency: str) -> str:
    """An amount in millions of the currency, e.g. ``£12.3 M`` (:func:`core.money.millions`),
    written in the language its message is shown in (messages are cached with results)."""
    return deferred(money_format.millions, float(amount), currency)


def approximation(sc: Scenario) -> str | None:
    """Why the solution of ``sc`` is approximate (None when it is the exact LP optimum)."""
    reasons = []
    if sc.burden_ceiling:
        reasons.append(lazy("burden ceiling met by a greedy cover first"))
    if sc.interactions:
        reasons.append(lazy("retrofit / heat-pump interactions in fixed-point rounds"))
    return lazy_join("; ", reasons) if reasons else None


def _unplaceable(ctx: CityContext) -> tuple[list[str], dict[str, list[str]]]:
    """Why some interventions fit no district: phrases for a message (:class:`Lazy`, in the
    reader's language where shown), and the stock columns that would unlock them
    (data/interventions.csv ``stock_column``) with the interventions each unlocks. Empty when
    all fit."""
    cat = ctx.catalogue
    by_stock: dict[str, list[str]] = {}
    dac_only = []
    for key, room in zip(ctx.keys, ctx.effects.cap_units.sum(0), strict=True):
        if room > 0:
            continue
        row = cat.loc[key]
        label = lazy_lower(row["label"], first=True)
        if row["eligibility"] == "dac" and not ctx.dac.any():
            dac_only.append(label)
        else:
            if row["eligibility"] == "dac":
                label = lazy("{intervention} in disadvantaged districts", intervention=label)
            by_stock.setdefault(row["stock_column"], []).append(label)
    phrases = []
    if by_stock:
        stocks = [lazy("{column} (for {interventions})", column=col,
                       interventions=lazy_list(labels, ",")) for col, labels in by_stock.items()]
        phrases.append(lazy_n("no district has {stocks}, the stock it is counted in",
                              "no district has {stocks}, the stock each intervention is counted "
                              "in", len(stocks), stocks=lazy_list(stocks, "or")))
    if dac_only:
        phrases.append(lazy_n("{interventions} goes only to disadvantaged districts, and no "
                              "district is one",
                              "{interventions} go only to disadvantaged districts, and no "
                              "district is one", len(dac_only), interventions=lazy_list(dac_only)))
    return phrases, by_stock


def _stock_message(ctx: CityContext, opening: str) -> str:
    """``opening`` (a msgid), then which intervention lacks which stock column and what to
    map."""
    phrases, by_stock = _unplaceable(ctx)
    parts = [lazy("{opening}: {reasons}.", opening=lazy(opening),
                  reasons=lazy_join("; ", phrases))]
    if by_stock:
        parts.append(lazy_n("Map {columns} to place it.", "Map {columns} to place them.",
                            sum(map(len, by_stock.values())),
                            columns=lazy_list(list(by_stock), "or")))
    return lazy_join(" ", parts)


def _no_energy(ctx: CityContext) -> bool:
    return not (np.any(ctx.electricity_kwh > 0) or np.any(ctx.gas_kwh > 0))


def _dac_note(ctx: CityContext) -> str | None:
    """A note when the disadvantaged rule cannot tell districts apart (among the districts
    with data: the others are never disadvantaged)."""
    dac = ctx.dac[ctx.with_data]
    n = dac.size
    if n == 1:
        return lazy("The city has one district: the plan chooses measures, not places, and "
                    "the disadvantaged rule ranks the district against itself.")
    if n and not dac.any():
        known = np.isfinite(equity.aggregate_income_usd(ctx.households, ctx.income_usd)).any()
        why = "" if known else lazy(" (it needs an energy burden: {columns}, which no district "
                                    "has)", columns=lazy_list(
                                        [lazy_list(b.columns) for b in equity.INCOME_BASES], "or"))
        return lazy("No district is disadvantaged under the CEJST-style rule{why}: a Justice40 "
                    "share cannot be met and the equity weight has nothing to act on.", why=why)
    if n and dac.all():
        return lazy("Every district is disadvantaged under the CEJST-style rule: any plan meets "
                    "the Justice40 share and the equity weight favours none.")
    return None


def left_out_note(ctx: CityContext) -> str | None:
    """How many districts the plan leaves out for want of data, or of observed energy when
    it keeps to observations (None when none)."""
    n = len(ctx.left_out) - ctx.unobserved
    notes = []
    if n:
        notes.append(lazy_n("{n} district without data (no attribute row or no population) is "
                            "left out of the plan and gets no measures.",
                            "{n} districts without data (no attribute row or no population) "
                            "are left out of the plan and get no measures.", n))
    if (u := ctx.unobserved):
        notes.append(lazy_n("{n} district whose energy is predicted, not observed, is left out "
                            "of the plan, which keeps to observed energy.",
                            "{n} districts whose energy is predicted, not observed, are left "
                            "out of the plan, which keeps to observed energy.", u))
    return lazy_join(" ", notes) if notes else None


def city_notes(ctx: CityContext) -> list[str]:
    """Notes on a degenerate city, added to every scenario's message."""
    if ctx.dac.size == 0:
        return []
    notes = [left_out_note(ctx), _dac_note(ctx)]
    if _no_energy(ctx):
        notes.append(lazy(ENERGY_NOTE))
    if _unplaceable(ctx)[0] and ctx.effects.cap_units.sum() > 0:
        notes.append(_stock_message(ctx, SOME_UNPLACEABLE))
    return [n for n in notes if n]


def _no_budget(ctx: CityContext, sc: Scenario) -> str:
    if ctx.population <= 0:
        return lazy("Nothing is spent: the budget is per resident and no district has residents "
                    "(population is zero or missing). Map population.")
    return lazy("Nothing is spent: the budget is {budget:,.0f} {currency} per resident. Raise it "
                "to place measures.", budget=sc.budget_usd_per_capita, currency=sc.currency)


def _no_effect(ctx: CityContext, sc: Scenario) -> str:
    opening = lazy("Nothing is spent: no measure lowers {what}", what=lazy(LOWERS[sc.objective]))
    if _no_energy(ctx):
        return lazy("{opening}. {note}", opening=opening, note=lazy(ENERGY_NOTE))
    if sc.objective == "min_burden" and not np.any(ctx.income_usd > 0):
        why = lazy("the burden objective divides bill savings by an income "
                   "(median_household_income or per_capita_income), which no district has; map "
                   "one or choose another objective")
    elif sc.objective == "min_cost":
        why = lazy("each measure costs more per year (its capex over its lifetime) than its bill "
                   "savings and carbon value; raise the carbon price or the energy prices, or "
                   "choose another objective")
    elif sc.objective == "min_emissions":
        why = lazy("at the {year} grid factor each measure adds as much as it saves; choose a "
                   "later horizon year or more grid decarbonisation", year=sc.horizon_year)
    else:
        why = lazy("no measure lowers household bills at these prices")
    return lazy("{opening}: {why}.", opening=opening, why=why)


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
            return "no capacity", lazy("No intervention can be placed: the city has no "
                                       "districts.")
        return "no capacity", _stock_message(ctx, NONE_PLACEABLE)
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
            messages.append(lazy_join(" ", [empty[1], *(n for n in notes if n not in empty[1])]))
            binding.append([])
            continue
        b, msg, st = [], "", "optimal"
        if total[s] >= budget[s] * (1 - 1e-9) and budget[s] > 0:
            b.append("budget")
        if j40[s]:
            b.append("justice40")
            if total[s] < budget[s] * (1 - 1e-6):
                msg = lazy("Justice40 binds: the disadvantaged districts can absorb {absorb} of "
                           "measures, so a {share:.0%} share allows {allowed} of the {budget} "
                           "budget.", absorb=money(dcap[s], sc.currency),
                           share=sc.justice40_share, allowed=money(total[s], sc.currency),
                           budget=money(budget[s], sc.currency))
        if sol.infeasible[s] or (j40[s] and total[s] <= 0 and sc.justice40_share > 0):
            st = "infeasible"
            best = dcap[s] / max(min(budget[s], dcap[s] + ocap[s]), 1e-9)
            msg = lazy("Infeasible: the Justice40 share of {share:.0%} cannot be reached: "
                       "disadvantaged districts can absorb {absorb}; best achievable share "
                       "{best:.0%}. Lower the share or widen the caps.",
                       share=sc.justice40_share, absorb=money(dcap[s], sc.currency),
                       best=min(best, 1.0)) if ctx.dac.any() else lazy(
                "Infeasible: the Justice40 share of {share:.0%} cannot be reached: no district "
                "is disadvantaged; best achievable share 0%. Set the share to 0%.",
                share=sc.justice40_share)
        if unreachable is not None and sc.burden_ceiling and float(unreachable[s].max()) > 0:
            st = "infeasible"
            n_bad = int((unreachable[s] > 0).sum())
            msg = lazy("Infeasible: the burden ceiling of {ceiling:.1%} binds and cannot be met "
                       "in {n} district(s) even with every measure at its cap. Raise the "
                       "ceiling.", ceiling=sc.burden_ceiling, n=n_bad)
            b.append("burden_ceiling")
        elif unreachable is not None and sc.burden_ceiling and total[s] > budget[s] * (1 + 1e-9):
            st = "infeasible"
            msg = lazy("Infeasible: meeting the burden ceiling of {ceiling:.1%} costs {cost}, "
                       "more than the {budget} budget. Raise the budget or the ceiling.",
                       ceiling=sc.burden_ceiling, cost=money(total[s], sc.currency),
                       budget=money(budget[s], sc.currency))
            b.append("burden_ceiling")
        elif forced is not None and sc.burden_ceiling and float(forced[s].sum()) > 0:
            n_forced = int((forced[s] > 0).sum())
            note = lazy("The burden ceiling of {ceiling:.1%} binds: {forced} of bill-saving "
                        "measures go first to bring {n} district(s) under it; the rest of the "
                        "budget follows the objective.", ceiling=sc.burden_ceiling,
                        forced=money(float(forced[s].sum()), sc.currency), n=n_forced)
            msg = lazy_join(" ", [msg, note]) if msg else note
            b.append("burden_ceiling")
        if st != "infeasible" and over_ceiling is not None and over_ceiling[s] > 0:
            st = "ceiling exceeded"
            msg = lazy("The burden ceiling of {ceiling:.1%} is exceeded in {n} district(s): the "
                       "plan's heat pumps raise their bills after the bill-saving measures were "
                       "placed (the ceiling method is approximate). Lower the heat-pump share or "
                       "raise the ceiling.", ceiling=sc.burden_ceiling, n=int(over_ceiling[s]))
            if "burden_ceiling" not in b:
                b.append("burden_ceiling")
        if st == "optimal" and approximation(sc) is not None:
            st = "feasible"  # every constraint met; the method is approximate (core.plan.optimizer)
        if sol.status[s] not in ("optimal", "infeasible"):
            st, msg = "solver failed", lazy("The solver gave no plan: {status}",
                                            status=sol.status[s])
        status.append(st)
        messages.append(lazy_join(" ", [m for m in [msg, *notes] if m]))
        binding.append(b)
    return status, messages, binding
