"""Scenario lab plumbing: cached solves, sweeps, the HiGHS check, KPI cards and the badge.

Imports torch, so only the Scenario lab page imports it; the sidebar sliders live in
dashboard/sidebar.py, which every page runs.
"""

from __future__ import annotations

import json
import math

import streamlit as st
import torch

from core.assess import maps
from core.plan import lab, optimizer, problem, results, scenario, status
from core.plan.scenario import Scenario
from dashboard import keys, state

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
        f"Use predicted energy for {n_predicted:,} district{'s' if n_predicted > 1 else ''} "
        "without observations", value=True, key=keys.LAB_USE_PREDICTED,
        help="On: the plan uses the energy model's prediction where a district has data but no "
             "observed electricity or gas (outlined on the map). Off: those districts are left "
             "out of the plan, like districts without data.")


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
    res = optimizer.optimize(context(observed_only), scenario.from_dict(json.loads(scenario_json)))
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


def sweeps(sc: Scenario, progress, observed_only: bool) -> tuple:
    """Pareto front and Monte Carlo band, each one batched solve; kept per plan and scenario."""
    kept = state.store(keys.LAB_SWEEPS)
    key = state.cache_key(plan_key(observed_only), sc.id)
    if key not in kept:
        torch.set_num_threads(SOLVER_THREADS)
        ctx = context(observed_only)
        progress.progress(0.1, text="Pareto front: one batched solve over budgets…")
        pareto, pres = lab.pareto_budget(ctx, sc)
        progress.progress(0.5, text="Monte Carlo: one batched solve over prices and grid paths…")
        band, mres = lab.monte_carlo(ctx, sc)
        kept[key] = (pareto, len(pres.scenarios), pres.seconds, band, len(mres.scenarios), mres.seconds)
    progress.progress(1.0, text="Sweeps done")
    return kept[key]


def stored_sweeps(sc: Scenario, observed_only: bool):
    return state.store(keys.LAB_SWEEPS).get(state.cache_key(plan_key(observed_only), sc.id))


def map_layers(currency: str) -> dict[str, tuple[str, str]]:
    """The plan's map layers: column -> (label, unit), money in ``currency``."""
    return {"spend_usd": ("Spending", currency),
            "abatement_t_co2_per_yr": ("Abatement", "t CO2/yr")}


def kpi_delta_cards(kpis: list[lab.KpiDelta]) -> None:
    """One metric card per KPI; a figure the city's data cannot give shows as "n/a"."""
    for column, k in zip(st.columns(len(kpis)), kpis, strict=True):
        known = math.isfinite(k.value)
        digits = 1 if known and abs(k.value) < 100 else 0
        delta = None if k.delta is None or not math.isfinite(k.delta) else \
            f"{k.delta:+,.{2 if abs(k.delta) < 10 else 0}f} {k.unit}"
        column.metric(f"{k.label} ({k.unit})", f"{k.value:,.{digits}f}" if known else "n/a", delta,
                      help=k.help, delta_color="inverse" if k.lower_is_better else "normal",
                      border=True)


def status_message(totals: dict) -> None:
    """The plan's message: an error when no plan meets the constraints, a warning when there
    is nothing to decide (core.plan.status.EMPTY) or the ceiling is exceeded, else a note."""
    if not totals["message"]:
        return
    if totals["status"] in ("infeasible", "solver failed"):
        st.error(totals["message"])
    elif totals["status"] in (*status.EMPTY, "ceiling exceeded"):
        st.warning(totals["message"])
    else:
        st.info(totals["message"])


#: badge colour per status: green exact, amber approximate, grey nothing to decide, else red
BADGE_COLOURS = {"optimal": "#2b8a3e", "feasible": "#e67700",
                 **dict.fromkeys(status.EMPTY, "#868e96")}


def badge(totals: dict, check: dict | None, left_out: int = 0, predicted: int = 0,
          observed_only: bool = False) -> None:
    """Device, status, time, iterations, violation, (when computed) the gap to HiGHS, how
    many districts the plan left out for want of data, and how many districts' energy is
    predicted, not observed (left out too with ``observed_only``)."""
    parts = [f"device {totals['device']}", f"{totals['seconds'] * 1000:,.0f} ms",
             f"{totals['iterations']} iteration(s)",
             f"max violation {maps.format_relative(totals['max_constraint_violation_rel'])}",
             "exact LP" if totals["exact"] else f"approximate ({totals['approximation']})"]
    if check is not None:
        step = "" if totals["exact"] else " (last linear step)"
        parts.append(f"gap to HiGHS{step} {maps.format_relative(check['gap_rel'])}"
                     if check["status"] == "optimal"
                     else f"HiGHS: {check['status']}")
    if left_out:
        parts.append(f"{left_out} district{'s' if left_out > 1 else ''} left out (no data)")
    if predicted:
        parts.append(f"{predicted:,} district{'s' if predicted > 1 else ''} predicted, not "
                     f"observed{' (left out)' if observed_only else ''}")
    st.html(f'<div data-testid="gp-solver-badge" style="font-size:0.9rem">'
            f'<span style="background:{BADGE_COLOURS.get(totals["status"], "#c92a2a")};color:white;'
            f'padding:2px 8px;border-radius:8px">{totals["status"]}</span> '
            f'{" · ".join(parts)}</div>')
