"""The briefing's assumptions: every scenario parameter with its value, unit and source; the
city's reference values; the intervention catalogue with the city's costs."""

from __future__ import annotations

import pandas as pd

from core import reference_tables
from core.i18n import _
from core.intake import reference_values as rv
from core.intake.reference_values import Reference
from core.plan.problem import CityContext
from core.plan.scenario import OBJECTIVES, PARAMETERS, Scenario
from core.report import text as fmt
from core.report.plans import Plan
from core.report.tables import Cell, make_table

#: units of the scenario fields that data/scenario_limits.csv does not list
FIELD_UNITS = {"currency": "ISO 4217", "grid_decarbonisation": "share of the base-year grid "
               "factor", "justice40_share": "share of spending", "burden_ceiling": "share of "
               "income", "objective": "choice", "diminishing_returns": "on / off",
               "interactions": "on / off"}
#: how each scenario field reads in the assumptions table
FIELD_LABELS = {"currency": "Currency",
                **{field: label for field, (label, _unit) in PARAMETERS.items()}}
#: the city's reference price behind each scenario price field
PRICE_NAMES = {"electricity_usd_per_kwh": rv.ELECTRICITY_PRICE,
               "gas_usd_per_kwh": rv.GAS_PRICE}
#: how a city's reference values read in the assumptions (grid factors: by year)
REFERENCE_LABELS = {"currency": "Currency", "usd_exchange_rate": "Exchange rate",
                    "gas_factor": "Natural gas factor", "electricity_price": "Electricity price",
                    "gas_price": "Natural gas price", "burden_high": "High energy burden",
                    "burden_severe": "Severe energy burden",
                    "dac_burden_percentile": "Disadvantaged: energy burden at or above",
                    "dac_low_income_percentile": "Disadvantaged: low income at or above",
                    "justice40_share": "Justice40 share of benefits"}
NOT_PARAMETERS = ("name", "description")
SET_HERE = "set in this scenario"


def units_of(currency: str) -> dict[str, str]:
    """The unit of each scenario field: data/scenario_limits.csv's (money in ``currency``),
    else :data:`FIELD_UNITS`."""
    limits = reference_tables.table("scenario_limits").fillna({"currency": ""})
    return {**FIELD_UNITS, **{r.field: r.unit.replace(r.currency, currency) if r.currency
                              else r.unit for r in limits.itertuples()}}


def cited(ref: Reference) -> str:
    """A reference value's source, with how it came when it is not a default as is."""
    if ref.origin == rv.DEFAULT:
        return ref.source
    if ref.origin == rv.CONVERTED:
        return f"{ref.source} (a US default, converted at the exchange rate)"
    return f"{ref.source} (given in {ref.origin})"


def _assumption(field: str, sc: Scenario, ctx: CityContext, units: dict[str, str]) -> list:
    """One row of the assumptions table: parameter, value, unit, source."""
    refs = ctx.references
    v = getattr(sc, field)
    value, source = (f"{v:,.10g}" if isinstance(v, float) else str(v)), SET_HERE
    if field == "currency":
        value, source = v or refs.currency, f"the city's currency: {cited(refs['currency'])}"
    elif field == "budget_usd_per_capita":
        value = f"{v:,.2f}"
        source = (f"{SET_HERE}; the budget is this x {ctx.population:,.0f} residents = "
                  f"{fmt.money(sc.budget_usd(ctx.population), refs.currency)}")
    elif field == "horizon_year":
        source = f"{SET_HERE}; abatement is counted at this year's grid factor"
    elif field == "grid_decarbonisation":
        value = fmt.percent(sc.effective_grid_decarbonisation(refs))
        source = (f"the city's grid path at {sc.horizon_year} (reference values below)"
                  if v is None else f"{SET_HERE}; the city's grid path: {refs.grid_source}")
    elif field in PRICE_NAMES:
        ref = refs[PRICE_NAMES[field]]
        value = f"{float(ref.value if v is None else v):.4f}"
        source = cited(ref) if v is None else \
            f"{SET_HERE}; the city's reference price is {ref.text} {ref.unit}: {cited(ref)}"
    elif field == "justice40_share":
        ref = refs["justice40_share"]
        value = fmt.percent(v, 0)
        source = (f"{SET_HERE}; the reference share is {fmt.percent(float(ref.value), 0)}: "
                  f"{cited(ref)}")
    elif field == "burden_ceiling":
        ref = refs["burden_high"]
        value = "none" if v is None else fmt.percent(v)
        source = (f"{SET_HERE}; a burden above {fmt.percent(float(ref.value), 0)} is high: "
                  f"{cited(ref)}")
    elif field == "tech_cost_multipliers":
        labels = ctx.catalogue["label"]
        value = "; ".join(f"{labels.get(k, k)} x {m:g}" for k, m in v.items()) or \
            "none: the catalogue's costs (x 1)"
        source = f"{SET_HERE}; the costs: the intervention catalogue below"
    elif field == "objective":
        value = _(OBJECTIVES[v])
    elif field in ("diminishing_returns", "interactions"):
        value = "on" if v else "off"
        if field == "diminishing_returns" and v:
            step = reference_tables.table("optimizer_parameters").set_index("name")
            source += f"; tranches and step: {step.loc['diminishing_step', 'source']}"
    return [FIELD_LABELS.get(field, field.replace("_", " ")), Cell(value, number(v)),
            units.get(field, ""), source]


def number(v) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def parameter_fields() -> list[str]:
    """The scenario fields the assumptions table lists: every one but its name and notes."""
    return [f for f in Scenario.model_fields if f not in NOT_PARAMETERS]


def _reference_label(name: str) -> str:
    if name.startswith(rv.GRID_PREFIX):
        return f"Grid factor, {name.removeprefix(rv.GRID_PREFIX)}"
    return REFERENCE_LABELS.get(name, name.replace("_", " ").capitalize())


def assumptions(ctx: CityContext, plan: Plan) -> dict:
    sc, refs = plan.scenario, ctx.references
    units = units_of(refs.currency)
    params = make_table("parameters", "Every parameter of the scenario",
                    ["parameter", "value", "unit", "source"],
                    [_assumption(f, sc, ctx, units) for f in parameter_fields()],
                    [False, True, False, False])
    rows = [[_reference_label(e.name), Cell(e.text, number(e.value)), e.unit, cited(e)]
            for e in refs.entries if not e.name.startswith(rv.COST_PREFIX)]
    horizon = sc.grid_kg_per_kwh(refs)
    rows.append([f"Grid factor at the horizon ({sc.horizon_year}) in this scenario",
                 Cell(f"{horizon:.6g}", horizon), rv.EMISSION_UNIT,
                 "the base-year factor x (1 - the grid decarbonisation above)"])
    reference = make_table("reference", "The city's reference values: factors, prices, thresholds",
                       ["figure", "value", "unit", "source"], rows, [False, True, False, False])
    mult = sc.tech_cost_multipliers
    rows = []
    for k, r in ctx.catalogue.iterrows():
        cost = r["cost_usd_per_unit"] * mult.get(k, 1.0)
        cost_ref = refs[rv.COST_PREFIX + k]
        source = r["source"] if cost_ref.source == r["source"] else \
            f"cost: {cited(cost_ref)}; effects: {r['source']}"
        rows.append([r["label"], r["unit"], Cell(f"{cost:,.0f}", cost),
                     Cell(f"{r['lifetime_years']:g}", float(r["lifetime_years"])),
                     Cell(fmt.percent(r["cap_share"], 0), float(r["cap_share"])),
                     _saving(r), source])
    catalogue = make_table("interventions", "The intervention catalogue (data/interventions.csv; "
                       "costs are the city's)",
                       ["intervention", "unit", f"cost ({refs.currency} per unit)",
                        "lifetime (years)", "reach (share of stock)", "what one unit does",
                        "source"], rows, [False, False, True, True, True, False, False])
    return {"parameters": params, "reference": reference, "interventions": catalogue}


def _saving(r: pd.Series) -> str:
    """What one unit of an intervention does, in words."""
    parts = []
    if r["electricity_saving_share"] > 0:
        parts.append(f"saves {fmt.percent(r['electricity_saving_share'], 0)} of electricity")
    if r["gas_saving_share"] > 0:
        parts.append(f"saves {fmt.percent(r['gas_saving_share'], 0)} of gas")
    if r["pv_kwh_per_unit"] > 0:
        parts.append(f"yields {r['pv_kwh_per_unit']:,.0f} kWh/yr")
    if r["heat_share_electrified"] > 0:
        parts.append(f"moves {fmt.percent(r['heat_share_electrified'], 0)} of gas heat to a "
                     f"heat pump (COP {r['cop']:g})")
    return "; ".join(parts) or "none"
