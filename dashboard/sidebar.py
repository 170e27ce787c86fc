"""The scenario sliders: drawn in the sidebar of the entry point, bound to the URL.

They live in the entry point so their values travel in the URL and survive page switches;
every page shows them, the Scenario lab uses them. Imports no torch: start-up stays light.
"""

from __future__ import annotations

import streamlit as st

from core.assess import carbon, equity
from core.plan import scenario
from core.plan.scenario import OBJECTIVES, Scenario
from dashboard import keys, state

DEFAULTS = scenario.bundled()["justice40"]  # the sliders start from this shipped example
BIND = {"bind": "query-params", "persist_state": "session"}
PCT = 100
# slider ranges (UI choices, not reference figures)
BUDGET_MAX_USD_PER_CAPITA, BUDGET_STEP = 1000, 10
HORIZON_RANGE = (2025, 2050)
ELECTRICITY_RANGE, ELECTRICITY_STEP = (0.05, 0.40), 0.001
GAS_RANGE, GAS_STEP = (0.01, 0.10), 0.001
CARBON_MAX, CARBON_STEP = 300, 5
EQUITY_MAX, EQUITY_STEP = 3.0, 0.1


def burden_ceiling_slider() -> tuple[float, float, float, float]:
    """(min, max, default, step) of the burden-ceiling slider in % of income, from
    data/equity_thresholds.csv; the default is the "high" burden threshold unless the
    starting scenario sets its own ceiling."""
    lo, hi, step = (equity.threshold(f"burden_ceiling_slider_{k}") * PCT
                    for k in ("min", "max", "step"))
    start = DEFAULTS.burden_ceiling or equity.threshold("burden_high")
    return lo, hi, round(start * PCT / step) * step, step


def scenario_sidebar() -> Scenario:
    """Draw the scenario sliders in the sidebar and return the scenario they describe."""
    d = DEFAULTS
    with st.sidebar.expander("Scenario", expanded=True):
        budget = st.slider("Budget (USD per resident)", 0, BUDGET_MAX_USD_PER_CAPITA,
                           int(d.budget_usd_per_capita), BUDGET_STEP, key=keys.LAB_BUDGET, **BIND)
        horizon = st.slider("Horizon year", *HORIZON_RANGE, d.horizon_year, key=keys.LAB_HORIZON, **BIND)
        on_path = st.checkbox("Grid follows the sourced path", d.grid_decarbonisation is None,
                              key=keys.LAB_GRID_PATH, help="data/emission_factors.csv: the grid "
                              "factor falls along the sourced path to the horizon year", **BIND)
        path_pct = round(scenario.path_decarbonisation(horizon) * PCT)
        grid = st.slider("Grid decarbonisation by then (%)", 0, PCT, path_pct, key=keys.LAB_GRID,
                         disabled=on_path, **BIND)
        if on_path:
            st.caption(f"Sourced path: {path_pct} % less CO2 per kWh by {horizon} than in "
                       f"{carbon.BASE_YEAR}.")
        elec = st.slider("Electricity price (USD/kWh)", *ELECTRICITY_RANGE,
                         round(d.electricity_usd_per_kwh / ELECTRICITY_STEP) * ELECTRICITY_STEP,
                         ELECTRICITY_STEP, format="%.3f", key=keys.LAB_ELECTRICITY_PRICE, **BIND)
        gas = st.slider("Gas price (USD/kWh)", *GAS_RANGE,
                        round(d.gas_usd_per_kwh / GAS_STEP) * GAS_STEP, GAS_STEP, format="%.3f",
                        key=keys.LAB_GAS_PRICE, **BIND)
        carbon_price = st.slider("Carbon price (USD/t CO2)", 0, CARBON_MAX,
                                 int(d.carbon_price_usd_per_t), CARBON_STEP, key=keys.LAB_CARBON_PRICE,
                                 help="Counts in the 'minimise total cost' objective; the other "
                                      "objectives ignore it",
                                 **BIND)
        j40 = st.slider("Justice40: minimum spending in disadvantaged districts (%)", 0, PCT,
                        round(d.justice40_share * PCT), 5, key=keys.LAB_JUSTICE40, **BIND)
        weight = st.slider("Equity weight (extra weight on disadvantaged districts)", 0.0, EQUITY_MAX,
                           float(d.equity_weight), EQUITY_STEP, key=keys.LAB_EQUITY_WEIGHT, **BIND)
        # a radio, not a selectbox: pages keep the only selectboxes on screen
        objective = st.radio("Objective", list(OBJECTIVES), format_func=OBJECTIVES.get,
                             index=list(OBJECTIVES).index(d.objective), key=keys.LAB_OBJECTIVE,
                             **BIND)
        diminishing = st.checkbox("Diminishing returns", d.diminishing_returns,
                                  key=keys.LAB_DIMINISHING, **BIND)
        interactions = st.checkbox("Retrofit / heat-pump interaction", d.interactions,
                                   key=keys.LAB_INTERACTIONS, **BIND)
        lo, hi, start, step = burden_ceiling_slider()
        cap = st.checkbox("Cap energy burden", DEFAULTS.burden_ceiling is not None,
                          key=keys.LAB_BURDEN_CAP, **BIND,
                          help="Every district's energy burden (energy cost / income) must end "
                               "at or below the ceiling; the cheapest bill-saving measures are "
                               "bought there first, so the plan becomes approximate.")
        ceiling = st.slider("Burden ceiling (% of income)", lo, hi, start, step, format="%.1f",
                            key=keys.LAB_BURDEN_CEILING, disabled=not cap, **BIND,
                            help=f"{equity.threshold('burden_high'):.0%} of income is a high "
                                 f"burden, {equity.threshold('burden_severe'):.0%} a severe one "
                                 "(ACEEE 2020).")
    sc = Scenario(name="Scenario lab", budget_usd_per_capita=budget, horizon_year=horizon,
                  grid_decarbonisation=None if on_path else grid / PCT, electricity_usd_per_kwh=elec, gas_usd_per_kwh=gas,
                  carbon_price_usd_per_t=carbon_price, justice40_share=j40 / PCT,
                  equity_weight=weight, objective=objective, diminishing_returns=diminishing,
                  interactions=interactions, burden_ceiling=ceiling / PCT if cap else None)
    state.set_scenario(sc)
    st.sidebar.caption(f"Scenario id `{sc.id}`")
    return sc


def current_scenario() -> Scenario:
    return state.scenario() or DEFAULTS
