"""The briefing's assumptions: every scenario parameter with its value, unit and source; the
city's reference values; the intervention catalogue with the city's costs."""

from __future__ import annotations

import pandas as pd

from core import i18n, reference_tables
from core.i18n import N_, _
from core.intake import reference_values as rv
from core.intake.reference_values import Reference
from core.plan.problem import CityContext
from core.plan.scenario import OBJECTIVES, PARAMETERS, Scenario
from core.report import text as fmt
from core.report.plans import Plan
from core.report.tables import Cell, make_table

#: units of the scenario fields that data/scenario_limits.csv does not list
FIELD_UNITS = {"currency": "ISO 4217",
               "grid_decarbonisation": N_("share of the base-year grid factor"),
               "justice40_share": N_("share of spending"),
               "burden_ceiling": N_("share of income"), "objective": N_("choice"),
               "diminishing_returns": N_("on / off"), "interactions": N_("on / off")}
#: how each scenario field reads in the assumptions table (English; translated where shown)
FIELD_LABELS = {"currency": N_("Currency"),
                **{field: label for field, (label, _unit) in PARAMETERS.items()}}
#: the city's reference price behind each scenario price field
PRICE_NAMES = {"electricity_usd_per_kwh": rv.ELECTRICITY_PRICE,
               "gas_usd_per_kwh": rv.GAS_PRICE}
#: how a city's reference values read in the assumptions (grid factors: by year; English,
#: translated where shown)
REFERENCE_LABELS = {"currency": N_("Currency"), "usd_exchange_rate": N_("Exchange rate"),
                    "gas_factor": N_("Natural gas factor"),
                    "electricity_price": N_("Electricity price"),
                    "gas_price": N_("Natural gas price"),
                    "burden_high": N_("High energy burden"),
                    "burden_severe": N_("Severe energy burden"),
                    "dac_burden_percentile": N_("Disadvantaged: energy burden at or above"),
                    "dac_low_income_percentile": N_("Disadvantaged: low income at or above"),
                    "justice40_share": N_("Justice40 share of benefits")}
NOT_PARAMETERS = ("name", "description")


def units_of(currency: str) -> dict[str, str]:
    """The unit of each scenario field: data/scenario_limits.csv's (money in ``currency``),
    else :data:`FIELD_UNITS` (in the language in effect)."""
    limits = reference_tables.table("scenario_limits").fillna({"currency": ""})
    return {**{k: _(u) for k, u in FIELD_UNITS.items()}, **{r.field: i18n.unit(
        r.unit.replace(r.currency, currency) if r.currency else r.unit)
        for r in limits.itertuples()}}


def cited(ref: Reference) -> str:
    """A reference value's source, with how it came when it is not a default as is."""
    if ref.origin == rv.DEFAULT:
        return ref.source
    if ref.origin == rv.CONVERTED:
        return _("{source} (a US default, converted at the exchange rate)").format(
            source=ref.source)
    return _("{source} (given in {origin})").format(source=ref.source, origin=ref.origin)


def _assumption(field: str, sc: Scenario, ctx: CityContext, units: dict[str, str]) -> list:
    """One row of the assumptions table: parameter, value, unit, source."""
    refs = ctx.references
    v = getattr(sc, field)
    value, source = (f"{v:,.10g}" if isinstance(v, float) else str(v)), _("set in this scenario")
    if field == "currency":
        value, source = v or refs.currency, _("the city's currency: {source}").format(
            source=cited(refs["currency"]))
    elif field == "budget_usd_per_capita":
        value = i18n.number(v, 2)
        source = _("set in this scenario; the budget is this x {population:,.0f} residents = "
                   "{money}").format(population=ctx.population,
                                     money=fmt.money(sc.budget_usd(ctx.population),
                                                     refs.currency))
    elif field == "horizon_year":
        source = _("set in this scenario; abatement is counted at this year's grid factor")
    elif field == "grid_decarbonisation":
        value = fmt.percent(sc.effective_grid_decarbonisation(refs))
        source = (_("the city's grid path at {year} (reference values below)").format(
            year=sc.horizon_year) if v is None else
            _("set in this scenario; the city's grid path: {source}").format(
                source=refs.grid_source))
    elif field in PRICE_NAMES:
        ref = refs[PRICE_NAMES[field]]
        value = f"{float(ref.value if v is None else v):.4f}"
        source = cited(ref) if v is None else _(
            "set in this scenario; the city's reference price is {price} {unit}: "
            "{source}").format(price=ref.text, unit=ref.unit, source=cited(ref))
    elif field == "justice40_share":
        ref = refs["justice40_share"]
        value = fmt.percent(v, 0)
        source = _("set in this scenario; the reference share is {percent}: {source}").format(
            percent=fmt.percent(float(ref.value), 0), source=cited(ref))
    elif field == "burden_ceiling":
        ref = refs["burden_high"]
        value = _("none") if v is None else fmt.percent(v)
        source = _("set in this scenario; a burden above {percent} is high: {source}").format(
            percent=fmt.percent(float(ref.value), 0), source=cited(ref))
    elif field == "tech_cost_multipliers":
        labels = ctx.catalogue["label"]
        value = "; ".join(_("{intervention} x {multiplier:g}").format(
            intervention=_(labels.get(k, k)), multiplier=m) for k, m in v.items()) or \
            _("none: the catalogue's costs (x 1)")
        source = _("set in this scenario; the costs: the intervention catalogue below")
    elif field == "objective":
        value = _(OBJECTIVES[v])
    elif field in ("diminishing_returns", "interactions"):
        value = _("on") if v else _("off")
        if field == "diminishing_returns" and v:
            step = reference_tables.table("optimizer_parameters").set_index("name")
            source = _("set in this scenario; tranches and step: {source}").format(
                source=step.loc["diminishing_step", "source"])
    return [_(FIELD_LABELS.get(field, field.replace("_", " "))), Cell(value, number(v)),
            units.get(field, ""), source]


def number(v) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def parameter_fields() -> list[str]:
    """The scenario fields the assumptions table lists: every one but its name and notes."""
    return [f for f in Scenario.model_fields if f not in NOT_PARAMETERS]


def _reference_label(name: str) -> str:
    if name.startswith(rv.GRID_PREFIX):
        return _("Grid factor, {year}").format(year=name.removeprefix(rv.GRID_PREFIX))
    return _(REFERENCE_LABELS.get(name, name.replace("_", " ").capitalize()))


def assumptions(ctx: CityContext, plan: Plan) -> dict:
    sc, refs = plan.scenario, ctx.references
    units = units_of(refs.currency)
    params = make_table("parameters", _("Every parameter of the scenario"),
                        [_("parameter"), _("value"), _("unit"), _("source")],
                    [_assumption(f, sc, ctx, units) for f in parameter_fields()],
                    [False, True, False, False])
    rows = [[_reference_label(e.name), Cell(e.text, number(e.value)), i18n.unit(e.unit), cited(e)]
            for e in refs.entries if not e.name.startswith(rv.COST_PREFIX)]
    horizon = sc.grid_kg_per_kwh(refs)
    rows.append([_("Grid factor at the horizon ({year}) in this scenario").format(
                     year=sc.horizon_year),
                 Cell(f"{horizon:.6g}", horizon), rv.EMISSION_UNIT,
                 _("the base-year factor x (1 - the grid decarbonisation above)")])
    reference = make_table("reference",
                           _("The city's reference values: factors, prices, thresholds"),
                           [_("figure"), _("value"), _("unit"), _("source")], rows,
                           [False, True, False, False])
    mult = sc.tech_cost_multipliers
    rows = []
    for k, r in ctx.catalogue.iterrows():
        cost = r["cost_usd_per_unit"] * mult.get(k, 1.0)
        cost_ref = refs[rv.COST_PREFIX + k]
        source = r["source"] if cost_ref.source == r["source"] else \
            _("cost: {cost}; effects: {effects}").format(cost=cited(cost_ref),
                                                         effects=r["source"])
        rows.append([_(r["label"]), i18n.unit(r["unit"]), Cell(i18n.number(cost), cost),
                     Cell(f"{r['lifetime_years']:g}", float(r["lifetime_years"])),
                     Cell(fmt.percent(r["cap_share"], 0), float(r["cap_share"])),
                     _saving(r), source])
    catalogue = make_table("interventions", _("The intervention catalogue "
                                              "(data/interventions.csv; costs are the city's)"),
                           [_("intervention"), _("unit"),
                            _("cost ({currency} per unit)").format(currency=refs.currency),
                            _("lifetime (years)"), _("reach (share of stock)"),
                            _("what one unit does"), _("source")],
                           rows, [False, False, True, True, True, False, False])
    return {"parameters": params, "reference": reference, "interventions": catalogue}


def _saving(r: pd.Series) -> str:
    """What one unit of an intervention does, in words."""
    parts = []
    if r["electricity_saving_share"] > 0:
        parts.append(_("saves {percent} of electricity").format(
            percent=fmt.percent(r["electricity_saving_share"], 0)))
    if r["gas_saving_share"] > 0:
        parts.append(_("saves {percent} of gas").format(
            percent=fmt.percent(r["gas_saving_share"], 0)))
    if r["pv_kwh_per_unit"] > 0:
        parts.append(_("yields {kwh:,.0f} kWh/yr").format(kwh=r["pv_kwh_per_unit"]))
    if r["heat_share_electrified"] > 0:
        parts.append(_("moves {percent} of gas heat to a heat pump (COP {cop:g})").format(
            percent=fmt.percent(r["heat_share_electrified"], 0), cop=r["cop"]))
    return "; ".join(parts) or _("none")
