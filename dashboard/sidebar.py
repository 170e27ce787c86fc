"""The scenario sliders: drawn in the sidebar of the entry point, bound to the URL.

They live in the entry point so their values travel in the URL and survive page switches;
every page shows them, the Scenario lab uses them. Imports no torch: start-up stays light.

Money sliders are in the active city's currency: their ranges are the US ranges below
converted at the city's exchange rate (rounded to 1-2-5 steps) and widened to hold half
and twice the city's own prices; outside US dollars their keys (and URL parameters) carry
the currency code, so a budget in pounds never lands on a slider in yen.
"""

from __future__ import annotations

import math

import streamlit as st

from core import i18n
from core.errors import InputError
from core.intake.reference_values import USD, ReferenceValues
from core.plan import scenario
from core.plan.scenario import OBJECTIVES, Scenario
from dashboard import keys, state

DEFAULTS = scenario.bundled()["justice40"]  # the sliders start from this shipped example
BIND = {"bind": "query-params", "persist_state": "session"}
PCT = 100
# slider ranges in USD (UI choices, not reference figures); other currencies convert them
BUDGET_MAX_USD_PER_CAPITA, BUDGET_STEP = 1000, 10
HORIZON_RANGE = (2025, 2050)
ELECTRICITY_RANGE, ELECTRICITY_STEP = (0.05, 0.40), 0.001
GAS_RANGE, GAS_STEP = (0.01, 0.10), 0.001
CARBON_MAX, CARBON_STEP = 300, 5
EQUITY_MAX, EQUITY_STEP = 3.0, 0.1
PRICE_SPAN = 2.0  # a price slider holds the city's price / 2 to x 2 at least
LAB_NAME = "Scenario lab"  # the name of the scenario the sliders describe


def nice(x: float, up: bool = False) -> float:
    """The 1-2-5 number (1, 2, 5, 10, 20, ...) nearest to ``x`` (the next one up with ``up``)."""
    power = 10 ** math.floor(math.log10(x))
    steps = [m * power for m in (1, 2, 5, 10)]
    if up:
        return next(s for s in steps if s >= x * (1 - 1e-9))
    return min(steps, key=lambda s: abs(math.log(s / x)))


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _on_grid(x: float, step: float):
    """``x`` rounded to the slider's step (an int when the step is whole)."""
    value = round(round(x / step) * step, _decimals(step))
    return int(value) if step >= 1 else value


def money_key(key: str, refs: ReferenceValues) -> str:
    """A money slider's key: the US one, or with the currency code (``budget_gbp``)."""
    return key if refs.currency == USD else f"{key}_{refs.currency.lower()}"


def price_range(usd_range: tuple[float, float], usd_step: float, price: float,
                rate: float) -> tuple[float, float, float]:
    """(min, max, step) of a price slider in the city's currency."""
    step = nice(usd_step * rate)
    lo = min(usd_range[0] * rate, price / PRICE_SPAN)
    hi = max(usd_range[1] * rate, price * PRICE_SPAN)
    return _on_grid(math.floor(lo / step) * step, step), _on_grid(math.ceil(hi / step) * step,
                                                                 step), step


def burden_ceiling_slider(refs: ReferenceValues) -> tuple[float, float, float, float]:
    """(min, max, default, step) of the burden-ceiling slider in % of income, from
    data/equity_thresholds.csv; the default is the city's "high" burden threshold unless the
    starting scenario sets its own ceiling."""
    from core.assess import equity

    lo, hi, step = (equity.threshold(f"burden_ceiling_slider_{k}") * PCT
                    for k in ("min", "max", "step"))
    start = DEFAULTS.burden_ceiling or refs.threshold("burden_high")
    return lo, hi, min(max(round(start * PCT / step) * step, lo), hi), step


def money_sliders(refs: ReferenceValues) -> dict[str, tuple[float, float, float]]:
    """(min, max, step) of each money slider in the city's currency, by scenario field."""
    rate = refs.usd_rate
    prices = DEFAULTS.for_city(refs).prices(refs)
    b_step, c_step = nice(BUDGET_STEP * rate), nice(CARBON_STEP * rate)
    return {
        "budget_usd_per_capita": (0, _on_grid(nice(BUDGET_MAX_USD_PER_CAPITA * rate, up=True),
                                              b_step), _on_grid(b_step, b_step)),
        "electricity_usd_per_kwh": price_range(ELECTRICITY_RANGE, ELECTRICITY_STEP,
                                               prices.electricity_usd_per_kwh, rate),
        "gas_usd_per_kwh": price_range(GAS_RANGE, GAS_STEP, prices.gas_usd_per_kwh, rate),
        "carbon_price_usd_per_t": (0, _on_grid(nice(CARBON_MAX * rate, up=True), c_step),
                                   _on_grid(c_step, c_step)),
    }


def _in_range(label: str, value: float, lo: float, hi: float, unit: str) -> list[str]:
    return [] if lo <= value <= hi else [i18n._("{label} {value:,g} {unit} is outside the slider's "
                                         "{lo:,g} to {hi:,g}").format(label=label, value=value,
                                                                      unit=unit, lo=lo, hi=hi)]


def widget_values(sc: Scenario, refs: ReferenceValues) -> tuple[dict[str, object], list[str]]:
    """The sidebar's widget values that describe ``sc`` (for the city of ``refs``), and what
    the sliders cannot hold (a value outside a slider's range, technology cost multipliers,
    another currency): to open a saved scenario, the sliders are set to these values."""
    try:
        sc = sc.for_city(refs)
    except InputError as exc:
        return {}, [str(exc)]
    cur = refs.currency
    money = money_sliders(refs)
    prices = sc.prices(refs)
    values = {"budget_usd_per_capita": sc.budget_usd_per_capita,
              "electricity_usd_per_kwh": prices.electricity_usd_per_kwh,
              "gas_usd_per_kwh": prices.gas_usd_per_kwh,
              "carbon_price_usd_per_t": sc.carbon_price_usd_per_t}
    units = {"budget_usd_per_capita": i18n._("{cur} per resident").format(cur=cur),
             "electricity_usd_per_kwh":
             f"{cur}/kWh", "gas_usd_per_kwh": f"{cur}/kWh", "carbon_price_usd_per_t": f"{cur}/t CO2"}
    problems = [p for field, v in values.items()
                for p in _in_range(field.split("_usd")[0].replace("_", " ").capitalize(), v,
                                   *money[field][:2], units[field])]
    problems += _in_range(i18n._("Horizon year"), sc.horizon_year, *HORIZON_RANGE, "")
    problems += _in_range(i18n._("Equity weight"), sc.equity_weight, 0, EQUITY_MAX, "")
    lo, hi, _, _ = burden_ceiling_slider(refs)
    if sc.burden_ceiling is not None:
        problems += _in_range(i18n._("Burden ceiling"), sc.burden_ceiling * PCT, lo, hi,
                              i18n._("% of income"))
    if sc.tech_cost_multipliers:
        problems.append(i18n._("technology cost multipliers have no slider"))
    out = {money_key(keys.LAB_BUDGET, refs): values["budget_usd_per_capita"],
           money_key(keys.LAB_ELECTRICITY_PRICE, refs): values["electricity_usd_per_kwh"],
           money_key(keys.LAB_GAS_PRICE, refs): values["gas_usd_per_kwh"],
           money_key(keys.LAB_CARBON_PRICE, refs): values["carbon_price_usd_per_t"],
           keys.LAB_HORIZON: sc.horizon_year,
           keys.LAB_GRID_PATH: sc.grid_decarbonisation is None,
           keys.LAB_JUSTICE40: round(sc.justice40_share * PCT),
           keys.LAB_EQUITY_WEIGHT: sc.equity_weight, keys.LAB_OBJECTIVE: sc.objective,
           keys.LAB_DIMINISHING: sc.diminishing_returns, keys.LAB_INTERACTIONS: sc.interactions,
           keys.LAB_BURDEN_CAP: sc.burden_ceiling is not None}
    if sc.grid_decarbonisation is not None:
        out[keys.LAB_GRID] = round(sc.grid_decarbonisation * PCT)
    if sc.burden_ceiling is not None:
        out[keys.LAB_BURDEN_CEILING] = sc.burden_ceiling * PCT
    return out, problems


def as_drawn(sc: Scenario, refs: ReferenceValues) -> Scenario:
    """``sc`` as the sliders describe it once set to it (:func:`widget_values`): in the
    city's currency, with the energy prices it leaves to the city filled in, named as the
    sidebar names it. Two scenarios the sliders show alike have the same id."""
    sc = sc.for_city(refs)
    prices = sc.prices(refs)
    return sc.replace(name=LAB_NAME, description="",
                      electricity_usd_per_kwh=prices.electricity_usd_per_kwh,
                      gas_usd_per_kwh=prices.gas_usd_per_kwh)


def scenario_sidebar() -> Scenario:
    """Draw the scenario sliders in the sidebar and return the scenario they describe."""
    refs = state.active_references()
    cur = refs.currency
    d = DEFAULTS.for_city(refs)
    prices = d.prices(refs)
    money = money_sliders(refs)
    with st.sidebar.expander(i18n._("Scenario"), expanded=True):
        b_lo, b_hi, b_step = money["budget_usd_per_capita"]
        budget = st.slider(i18n._("Budget ({cur} per resident)").format(cur=cur), b_lo, b_hi,
                           _on_grid(d.budget_usd_per_capita, b_step), b_step,
                           key=money_key(keys.LAB_BUDGET, refs), **BIND)
        horizon = st.slider(i18n._("Horizon year"), *HORIZON_RANGE, d.horizon_year,
                            key=keys.LAB_HORIZON, **BIND)
        on_path = st.checkbox(i18n._("Grid follows the city's path"),
                              d.grid_decarbonisation is None,
                              key=keys.LAB_GRID_PATH, help=i18n._("The grid factor falls along the "
                              "city's path (its reference values; see the Data page) to the "
                              "horizon year"), **BIND)
        path_pct = round(scenario.path_decarbonisation(horizon, refs) * PCT)
        grid = st.slider(i18n._("Grid decarbonisation by then (%)"), 0, PCT, path_pct,
                         key=keys.LAB_GRID,
                         disabled=on_path, **BIND)
        if on_path:
            st.caption(i18n._("The city's path: {path_pct} % less CO2 per kWh by {horizon} than in "
                       "{base_year}.").format(path_pct=path_pct, horizon=horizon,
                                              base_year=refs.base_year))
        e_lo, e_hi, e_step = money["electricity_usd_per_kwh"]
        elec = st.slider(i18n._("Electricity price ({cur}/kWh)").format(cur=cur), e_lo, e_hi,
                         _on_grid(prices.electricity_usd_per_kwh, e_step), e_step,
                         format=f"%.{_decimals(e_step)}f",
                         key=money_key(keys.LAB_ELECTRICITY_PRICE, refs), **BIND)
        g_lo, g_hi, g_step = money["gas_usd_per_kwh"]
        gas = st.slider(i18n._("Gas price ({cur}/kWh)").format(cur=cur), g_lo, g_hi,
                        _on_grid(prices.gas_usd_per_kwh, g_step), g_step,
                        format=f"%.{_decimals(g_step)}f",
                        key=money_key(keys.LAB_GAS_PRICE, refs), **BIND)
        c_lo, c_hi, c_step = money["carbon_price_usd_per_t"]
        carbon_price = st.slider(i18n._("Carbon price ({cur}/t CO2)").format(cur=cur), c_lo, c_hi,
                                 _on_grid(d.carbon_price_usd_per_t, c_step), c_step,
                                 key=money_key(keys.LAB_CARBON_PRICE, refs),
                                 help=i18n._("Counts in the 'minimise total cost' objective; "
                                      "the other "
                                      "objectives ignore it"),
                                 **BIND)
        j40 = st.slider(i18n._("Justice40: minimum spending in disadvantaged districts (%)"),
                        0, PCT,
                        round(d.justice40_share * PCT), 5, key=keys.LAB_JUSTICE40, **BIND)
        weight = st.slider(i18n._("Equity weight (extra weight on disadvantaged districts)"),
                           0.0, EQUITY_MAX,
                           float(d.equity_weight), EQUITY_STEP, key=keys.LAB_EQUITY_WEIGHT, **BIND)
        # a radio, not a selectbox: pages keep the only selectboxes on screen
        objective = st.radio(i18n._("Objective"), list(OBJECTIVES),
                             format_func=lambda o: i18n._(OBJECTIVES[o]),
                             index=list(OBJECTIVES).index(d.objective), key=keys.LAB_OBJECTIVE,
                             **BIND)
        diminishing = st.checkbox(i18n._("Diminishing returns"), d.diminishing_returns,
                                  key=keys.LAB_DIMINISHING, **BIND)
        interactions = st.checkbox(i18n._("Retrofit / heat-pump interaction"), d.interactions,
                                   key=keys.LAB_INTERACTIONS, **BIND)
        lo, hi, start, step = burden_ceiling_slider(refs)
        cap = st.checkbox(i18n._("Cap energy burden"), DEFAULTS.burden_ceiling is not None,
                          key=keys.LAB_BURDEN_CAP, **BIND,
                          help=i18n._("Every district's energy burden (energy cost / income) "
                               "must end "
                               "at or below the ceiling; the cheapest bill-saving measures are "
                               "bought there first, so the plan becomes approximate."))
        ceiling = st.slider(i18n._("Burden ceiling (% of income)"), lo, hi, start, step,
                            format="%.1f",
                            key=keys.LAB_BURDEN_CEILING, disabled=not cap, **BIND,
                            help=i18n._("{threshold:.0%} of income is a high "
                                 "burden, {threshold2:.0%} a severe one "
                                 "(the city's thresholds, with their sources on the Data "
                                 "page).").format(threshold=refs.threshold('burden_high'),
                                                  threshold2=refs.threshold('burden_severe')))
    sc = Scenario(name=LAB_NAME, currency=cur, budget_usd_per_capita=budget,
                  horizon_year=horizon, grid_decarbonisation=None if on_path else grid / PCT,
                  electricity_usd_per_kwh=elec, gas_usd_per_kwh=gas,
                  carbon_price_usd_per_t=carbon_price, justice40_share=j40 / PCT,
                  equity_weight=weight, objective=objective, diminishing_returns=diminishing,
                  interactions=interactions, burden_ceiling=ceiling / PCT if cap else None)
    state.set_scenario(sc)
    st.sidebar.caption(i18n._("Scenario id `{id}`").format(id=sc.id))
    return sc


def current_scenario() -> Scenario:
    return state.scenario() or DEFAULTS
