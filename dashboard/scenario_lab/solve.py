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


@st.cache_resource(show_spinner=False, max_entries=8)
def _context(_city, city_key: str) -> problem.CityContext:
    return problem.context(_city)


def context() -> problem.CityContext:
    return _context(state.active_city(), state.active_city_key())


@st.cache_data(show_spinner=False, max_entries=64)
def _solve(city_key: str, scenario_json: str) -> results.Result:
    torch.set_num_threads(SOLVER_THREADS)
    res = optimizer.optimize(context(), scenario.from_dict(json.loads(scenario_json)))
    res.linear, res.linear_spend_usd = res.linear.to("cpu"), res.linear_spend_usd.cpu()
    return res


def solve(sc: Scenario) -> results.Result:
    """The optimizer's result for the active city and this scenario (cached by city key + id)."""
    return _solve(state.active_city_key(), sc.to_json())


@st.cache_data(show_spinner=False, max_entries=256)
def _highs_check(city_key: str, scenario_json: str, _result: results.Result) -> dict:
    return results.check_against_highs(_result)


def highs_check(sc: Scenario, result: results.Result, force: bool = False) -> dict | None:
    """HiGHS gap for the linear part, computed automatically on small cities, else on request
    (once per city and scenario for all sessions; shown to a session once it asked)."""
    checks = state.store(keys.LAB_HIGHS)
    key = state.cache_key(state.active_city_key(), sc.id)
    if key not in checks and (force or context().district_ids.size <= HIGHS_AUTO_MAX_DISTRICTS):
        checks[key] = _highs_check(state.active_city_key(), sc.to_json(), result)
    return checks.get(key)


def sweeps(sc: Scenario, progress) -> tuple:
    """Pareto front and Monte Carlo band, each one batched solve; kept per scenario id."""
    kept = state.store(keys.LAB_SWEEPS)
    key = state.cache_key(state.active_city_key(), sc.id)
    if key not in kept:
        torch.set_num_threads(SOLVER_THREADS)
        progress.progress(0.1, text="Pareto front: one batched solve over budgets…")
        pareto, pres = lab.pareto_budget(context(), sc)
        progress.progress(0.5, text="Monte Carlo: one batched solve over prices and grid paths…")
        band, mres = lab.monte_carlo(context(), sc)
        kept[key] = (pareto, len(pres.scenarios), pres.seconds, band, len(mres.scenarios), mres.seconds)
    progress.progress(1.0, text="Sweeps done")
    return kept[key]


def stored_sweeps(sc: Scenario):
    return state.store(keys.LAB_SWEEPS).get(state.cache_key(state.active_city_key(), sc.id))


MAP_LAYERS = {"spend_usd": ("Spending", "USD"),
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


def badge(totals: dict, check: dict | None) -> None:
    """Device, status, time, iterations, violation and (when computed) the gap to HiGHS."""
    parts = [f"device {totals['device']}", f"{totals['seconds'] * 1000:,.0f} ms",
             f"{totals['iterations']} iteration(s)",
             f"max violation {maps.format_relative(totals['max_constraint_violation_rel'])}",
             "exact LP" if totals["exact"] else f"approximate ({totals['approximation']})"]
    if check is not None:
        step = "" if totals["exact"] else " (last linear step)"
        parts.append(f"gap to HiGHS{step} {maps.format_relative(check['gap_rel'])}"
                     if check["status"] == "optimal"
                     else f"HiGHS: {check['status']}")
    st.html(f'<div data-testid="gp-solver-badge" style="font-size:0.9rem">'
            f'<span style="background:{BADGE_COLOURS.get(totals["status"], "#c92a2a")};color:white;'
            f'padding:2px 8px;border-radius:8px">{totals["status"]}</span> '
            f'{" · ".join(parts)}</div>')
