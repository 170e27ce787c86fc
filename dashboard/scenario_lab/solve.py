"""Scenario lab plumbing: cached solves, sweeps, the HiGHS check, KPI cards and the badge.

Imports torch, so only the Scenario lab page imports it; the sidebar sliders live in
dashboard/sidebar.py, which every page runs.
"""

from __future__ import annotations

import json
import math

import streamlit as st
import torch

from core import footprint
from core.assess import maps
from core.errors import InputError
from core.i18n import N_, _, ngettext, number, unit
from core.plan import lab, optimizer, problem, results, scenario, status
from core.plan.scenario import Scenario
from core.settings import get_settings
from dashboard import keys, portal, state, text

HIGHS_AUTO_MAX_DISTRICTS = 300  # above this, the HiGHS check runs on request
# one intra-op thread per solve: the server runs many sessions at once, and two threads per
# solve oversubscribe a small machine (77 x 256 scenarios: 0.13-0.18 s with one thread,
# 0.37-1.4 s with two on the shared 2-core machine; see benchmarks/optimizer.py --threads)
SOLVER_THREADS = 1


def observed_only(n_predicted: int) -> bool:
    """The toggle "Use predicted energy for N districts without observations" (on by default;
    drawn only when some district's energy is predicted): True when the user turned it off,
    so that those districts are left out of the plan like districts without data."""
    if not n_predicted:
        return False
    return not st.toggle(
        ngettext("Use predicted energy for {n:,} district without observations",
                 "Use predicted energy for {n:,} districts without observations",
                 n_predicted).format(n=n_predicted), value=True, key=keys.LAB_USE_PREDICTED,
        help=_("On: the plan uses the energy model's prediction where a district has data but no "
             "observed electricity or gas (outlined on the map). Off: those districts are left "
             "out of the plan, like districts without data."))


def plan_key(observed_only: bool) -> str:
    """The key of the plan's inputs: the active city, and whether the districts whose energy
    is predicted are left out (``observed_only``)."""
    return state.cache_key(state.active_city_key(), observed_only)


@st.cache_resource(show_spinner=False, max_entries=8)
def _context(_city, key: str, observed_only: bool) -> problem.CityContext:
    return problem.context(_city, observed_only)


def context(observed_only: bool) -> problem.CityContext:
    """The optimizer's inputs for the active city; with ``observed_only`` the districts whose
    energy is the model's prediction are left out (core.plan.problem.left_out)."""
    return _context(state.active_city(), plan_key(observed_only), observed_only)


@st.cache_data(show_spinner=False, max_entries=64)
def _solve(key: str, observed_only: bool, scenario_json: str) -> results.Result:
    torch.set_num_threads(SOLVER_THREADS)
    with portal.solve_slot():  # the portal: bounded solves (raises portal.Busy); not cached
        res = optimizer.optimize(context(observed_only),
                                 scenario.from_dict(json.loads(scenario_json)))
    res.linear, res.linear_spend_usd = res.linear.to("cpu"), res.linear_spend_usd.cpu()
    return res


def solve(sc: Scenario, observed_only: bool) -> results.Result:
    """The optimizer's result for the active city and this scenario (cached by plan key + id)."""
    return _solve(plan_key(observed_only), observed_only, sc.to_json())


@st.cache_data(show_spinner=False, max_entries=256)
def _highs_check(key: str, scenario_json: str, _result: results.Result) -> dict:
    return results.check_against_highs(_result)


def highs_check(sc: Scenario, result: results.Result, observed_only: bool,
                force: bool = False) -> dict | None:
    """HiGHS gap for the linear part, computed automatically on small cities, else on request
    (once per plan and scenario for all sessions; shown to a session once it asked)."""
    checks = state.store(keys.LAB_HIGHS)
    key = state.cache_key(plan_key(observed_only), sc.id)
    if key not in checks and (force or context(observed_only).district_ids.size
                              <= HIGHS_AUTO_MAX_DISTRICTS):
        checks[key] = _highs_check(plan_key(observed_only), sc.to_json(), result)
    return checks.get(key)


def sweep_sizes() -> tuple[int, int, int]:
    """(Pareto budgets, Monte Carlo budgets, Monte Carlo draws per budget): the planner's
    (core.plan.lab), or on the portal cut to GREENPRINT_PORTAL_MAX_SWEEP scenarios per sweep
    (the draws first, then the budgets)."""
    limit = portal.max_sweep()
    if limit is None:
        return lab.PARETO_LEVELS, lab.MC_LEVELS, lab.MC_DRAWS
    levels = min(lab.MC_LEVELS, limit)
    return min(lab.PARETO_LEVELS, limit), levels, max(1, min(lab.MC_DRAWS, limit // levels))


def sweeps(sc: Scenario, progress, observed_only: bool) -> tuple:
    """Pareto front and Monte Carlo band, each one batched solve; kept per plan and scenario."""
    kept = state.store(keys.LAB_SWEEPS)
    key = state.cache_key(plan_key(observed_only), sc.id)
    if key not in kept:
        torch.set_num_threads(SOLVER_THREADS)
        ctx = context(observed_only)
        pareto_levels, mc_levels, mc_draws = sweep_sizes()
        pareto_text = _("Pareto front: one batched solve over budgets…")
        mc_text = _("Monte Carlo: one batched solve over prices and grid paths…")
        on_ray: list[str] = []  # the cluster's address, once per sweep that ran there
        with portal.solve_slot():  # the portal: bounded solves (raises portal.Busy)
            progress.progress(0.1, text=pareto_text)
            pareto, pres = lab.pareto_budget(
                ctx, sc, levels=pareto_levels,
                solver=on_cluster(progress, 0.1, 0.5, pareto_text, on_ray))
            progress.progress(0.5, text=mc_text)
            band, mres = lab.monte_carlo(
                ctx, sc, draws=mc_draws, levels=mc_levels,
                solver=on_cluster(progress, 0.5, 1.0, mc_text, on_ray))
        where = (_("Ray ({address})").format(address=on_ray[0]) if len(on_ray) == 2
                 else pres.device if not on_ray else f"{pres.device}, Ray ({on_ray[0]})")
        kept[key] = (pareto, len(pres.scenarios), pres.seconds, band, len(mres.scenarios),
                     mres.seconds, pres.footprint + mres.footprint, where)
    progress.progress(1.0, text=_("Sweeps done"))
    return kept[key]


def cluster() -> str | None:
    """The Ray cluster the Lab's sweeps go to (GREENPRINT_RAY_ADDRESS), or None: this server."""
    return get_settings().ray_address


def on_cluster(progress, start: float, end: float, text: str,
               on_ray: list[str]) -> lab.Solver | None:
    """A solver that sends a sweep to the Ray cluster, moving ``progress`` from ``start`` to
    ``end`` as its chunks come back, and adds the cluster's address to ``on_ray`` when it ran
    there; None without a cluster. A cluster that cannot be reached is said in a warning and
    the sweep is solved on this server instead (the same results)."""
    if (address := cluster()) is None:
        return None

    def solve(ctx: problem.CityContext, scs: list[Scenario]) -> results.Result:
        from core.plan import engines  # imports Ray only when a cluster is configured

        def moved(done: int, total: int) -> None:
            progress.progress(start + (end - start) * done / total,
                              text=f"{text} {done:,}/{total:,}")

        try:
            result = engines.solve(ctx, scs, engine="ray", address=address, progress=moved)
        except InputError as exc:
            st.warning(_("The sweep could not run on the Ray cluster ({reason}); it was solved "
                         "on this server instead.").format(reason=str(exc)))
            return optimizer.optimize(ctx, scs)
        on_ray.append(address)
        return result

    return solve


def stored_sweeps(sc: Scenario, observed_only: bool):
    return state.store(keys.LAB_SWEEPS).get(state.cache_key(plan_key(observed_only), sc.id))


def map_layers(currency: str) -> dict[str, tuple[str, str]]:
    """The plan's map layers: column -> (label, unit), money in ``currency``."""
    return {"spend_usd": (_("Spending"), currency),
            "abatement_t_co2_per_yr": (_("Abatement"), unit("t CO2/yr"))}


def kpi_delta_cards(kpis: list[lab.KpiDelta]) -> None:
    """One metric card per KPI; a figure the city's data cannot give shows as "n/a"."""
    for column, k in zip(st.columns(len(kpis)), kpis, strict=True):
        known = math.isfinite(k.value)
        digits = 1 if known and abs(k.value) < 100 else 0
        delta = None if k.delta is None or not math.isfinite(k.delta) else \
            f"{k.delta:+,.{2 if abs(k.delta) < 10 else 0}f} {unit(k.unit)}"
        column.metric(f"{_(k.label)} ({unit(k.unit)})", number(k.value, digits) if known
                      else _("n/a"), delta, help=_(k.help),
                      delta_color="inverse" if k.lower_is_better else "normal",
                      border=True)


def status_message(totals: dict) -> None:
    """The plan's message: an error when no plan meets the constraints, a warning when there
    is nothing to decide (core.plan.status.EMPTY) or the ceiling is exceeded, else a note."""
    if not totals["message"]:
        return
    if totals["status"] in ("infeasible", "solver failed"):
        st.error(text.money(_(totals["message"])))
    elif totals["status"] in (*status.EMPTY, "ceiling exceeded"):
        st.warning(text.money(_(totals["message"])))
    else:
        st.info(text.money(_(totals["message"])))


#: the statuses a plan can have (core.plan.status), marked: the badge shows them translated
STATUS_WORDS = (N_("optimal"), N_("feasible"), N_("infeasible"), N_("no capacity"),
                N_("no budget"), N_("no effect"), N_("ceiling exceeded"), N_("solver failed"))
#: badge colour per status: green exact, amber approximate, grey nothing to decide, else red;
#: each at 4.5:1 or more under the badge's white text (WCAG 1.4.3; red #c92a2a is 5.5:1)
BADGE_COLOURS = {"optimal": "#237032", "feasible": "#a35200",
                 **dict.fromkeys(status.EMPTY, "#5c636a")}


def badge(totals: dict, check: dict | None, left_out: int = 0, predicted: int = 0,
          observed_only: bool = False) -> None:
    """Device, status, time, iterations, violation, (when computed) the gap to HiGHS, how
    many districts the plan left out for want of data, how many districts' energy is
    predicted, not observed (left out too with ``observed_only``), and the energy and CO2
    of the solve itself beside the abatement it buys."""
    parts = [_("device {device}").format(device=totals["device"]),
             _("{ms} ms").format(ms=number(totals["seconds"] * 1000)),
             _("{n} iteration(s)").format(n=totals["iterations"]),
             _("max violation {violation}").format(
                 violation=maps.format_relative(totals["max_constraint_violation_rel"])),
             _("exact LP") if totals["exact"] else _("approximate ({approximation})").format(
                 approximation=_(totals["approximation"]))]
    if check is not None:
        step = "" if totals["exact"] else _(" (last linear step)")
        parts.append(_("gap to HiGHS{step} {gap}").format(
                         step=step, gap=maps.format_relative(check["gap_rel"]))
                     if check["status"] == "optimal"
                     else _("HiGHS: {status}").format(status=_(check["status"])))
    if left_out:
        parts.append(ngettext("{n} district left out (no data)",
                              "{n} districts left out (no data)", left_out).format(n=left_out))
    if predicted:
        parts.append(ngettext("{n:,} district predicted, not observed",
                              "{n:,} districts predicted, not observed",
                              predicted).format(n=predicted)
                     + (_(" (left out)") if observed_only else ""))
    if "compute_energy_wh" in totals:  # what this solve's own computing cost
        parts.append(footprint.beside_abatement(
            _("This solve"), totals["compute_energy_wh"], totals["compute_co2_g"],
            totals["compute_footprint_method"], totals["abatement_t_co2_per_yr"]))
    st.html(f'<div data-testid="gp-solver-badge" style="font-size:0.9rem">'
            f'<span style="background:{BADGE_COLOURS.get(totals["status"], "#c92a2a")};color:white;'
            f'padding:2px 8px;border-radius:8px">{_(totals["status"])}</span> '
            f'{" · ".join(parts)}</div>')
