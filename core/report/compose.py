"""A policy briefing of a plan: what was asked, what the plan does, for whom, on what
assumptions and data, with which model, and how to reproduce it.

:func:`briefing` gathers every figure from core (``core.plan.lab.kpis``,
``core.plan.results``, the quality report, the model card, the city's reference values,
the Methods notes) into a :class:`Briefing`, a self-contained HTML document (inline styles
and images: it fetches nothing) that :meth:`Briefing.pdf` prints to A4 with WeasyPrint.
A briefing of several plans adds a comparison with the first (KPIs and their
differences, the parameters that differ, abatement by intervention). Money is in the
city's currency throughout: the code in units and headers, the symbol in sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata

import numpy as np
import pandas as pd

from core import methods, reference_tables
from core.assess import equity, maps
from core.intake import columns as cols
from core.intake import reference_values as rv
from core.intake.city import City
from core.intake.quality import NOTE, QualityReport
from core.intake.reference_values import Reference
from core.models import cross_validation, model_card, predicted
from core.plan import lab, results, status
from core.plan.problem import CityContext
from core.plan.results import Result
from core.plan.scenario import OBJECTIVES, PARAMETERS, Scenario
from core.report import figures, identity, render
from core.report import text as fmt
from core.settings import get_settings
from core.store.fingerprint import fingerprint as city_fingerprint

#: the sections of every briefing, in order (``comparison`` only with two plans or more)
SECTIONS = ("question", "answer", "kpis", "glance", "maps", "measures", "equity",
            "assumptions", "data", "model", "comparison", "reproduce", "methods")
MAX_PLANS = 4  # a briefing compares at most this many scenarios (tables fit A4)
#: what each objective asks, for the question
GOALS = {"min_emissions": "cut CO2 emissions the most",
         "min_cost": "save the most in total cost (energy bills, carbon and annualised capital "
                     "cost)",
         "min_burden": "lower households' energy burden the most"}
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
TOP_DISTRICTS = 10  # rows of the table of the districts that get the most


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, and the number it shows (None for text)."""

    text: str
    value: float | None = None


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: tuple[bool, ...]  # per column: right-aligned numbers


def _table(key: str, caption: str, header: Sequence[str], rows, numeric: Sequence[bool]) -> Table:
    def cell(c):
        return c if isinstance(c, Cell) else Cell(str(c))
    return Table(key, caption, tuple(header), tuple(tuple(cell(c) for c in r) for r in rows),
                 tuple(numeric))


@dataclass(frozen=True)
class Plan:
    """One solved scenario (in the city's currency) and core's tables of it."""

    scenario: Scenario
    totals: dict
    kpis: list[lab.KpiDelta]
    measures: pd.DataFrame  # core.plan.results.by_intervention
    districts: pd.DataFrame  # core.plan.results.district_table
    quintiles: pd.DataFrame  # core.plan.results.burden_by_quintile
    hash: str
    store_id: str | None

    @property
    def currency(self) -> str:
        return self.totals["currency"]

    @property
    def empty(self) -> bool:
        """True when the optimizer returned no plan to describe (see core.plan.status)."""
        return self.totals["status"] in (*status.EMPTY, "infeasible", "solver failed")


def plans(ctx: CityContext, result_list: Sequence[Result], fingerprint: str,
          store_ids: Sequence[str | None] = ()) -> list[Plan]:
    """Every scenario of every result, in order, with core's tables of it."""
    out = []
    for res in result_list:
        for s, sc in enumerate(res.scenarios):
            i = len(out)
            out.append(Plan(sc, res.totals(s), lab.kpis(ctx, res, s),
                            results.by_intervention(ctx, res, s),
                            results.district_table(ctx, res, s),
                            results.burden_by_quintile(ctx, res, s),
                            identity.scenario_hash(sc, fingerprint),
                            store_ids[i] if i < len(store_ids) else None))
    return out


@dataclass(frozen=True)
class Briefing:
    """A rendered briefing: the HTML document, and what it is of."""

    title: str
    created: datetime
    scenario_hash: str
    permalink: str | None
    sections: tuple[str, ...]
    figures: tuple[figures.Figure, ...]
    document: str

    def html(self) -> bytes:
        """The briefing as one self-contained HTML file (UTF-8)."""
        return self.document.encode("utf-8")

    def pdf(self) -> bytes:
        """The briefing printed to A4 PDF (WeasyPrint; nothing is fetched)."""
        return render.pdf(self.document)


def briefing(city: City, ctx: CityContext, result: Result, quality: QualityReport, card: dict,
             *, compare: Sequence[Result] = (), city_id: str | None = None,
             scenario_ids: Sequence[str | None] = (), base_url: str | None = None,
             created: datetime | None = None) -> Briefing:
    """The briefing of ``result``'s first scenario for ``city``.

    ``ctx``: the optimizer's context of ``city`` (:func:`core.plan.problem.context`), on
    which ``result`` was solved; ``quality``: the city's quality report
    (``validate_city(...).report``); ``card``: the energy model's card
    (:func:`core.models.model_card.model_card`, or a saved model's); ``compare``: results
    whose scenarios are compared with the first (``result``'s other scenarios are too; at
    most :data:`MAX_PLANS` in all); ``city_id``, ``scenario_ids``: ids in the store, the
    latter in the order of the scenarios, for the permalink; ``base_url``: the app's
    address (default ``GREENPRINT_BASE_URL``); ``created``: the date printed (default now).

    Raises ValueError for more than :data:`MAX_PLANS` scenarios.
    """
    fingerprint = city_fingerprint(city)
    all_plans = plans(ctx, [result, *compare], fingerprint, scenario_ids)
    if len(all_plans) > MAX_PLANS:
        raise ValueError(f"a briefing compares at most {MAX_PLANS} scenarios, got "
                         f"{len(all_plans)}")
    main = all_plans[0]
    created = (created or datetime.now(UTC)).astimezone(UTC)
    base = base_url or get_settings().base_url
    link = identity.permalink(base, city_id, main.store_id)
    maps_ = _plan_figures(city, ctx, main)
    measure_chart, burden_chart = _measure_chart(main), _burden_chart(main)
    compared = _comparison(ctx, all_plans) if len(all_plans) > 1 else None
    figs = [f for f in (*maps_, measure_chart, burden_chart,
                        *(compared["figures"] if compared else [])) if f is not None]
    sections = tuple(s for s in SECTIONS if s != "comparison" or compared)
    doc = {
        "title": main.scenario.name, "city": city.name, "created": created,
        "date": f"{created.day} {created:%B %Y}", "stamp": f"{created:%Y-%m-%d %H:%M} UTC",
        "version": _version(), "hash": main.hash, "permalink": link,
        "question": question(city, ctx, main), "answer": answer(ctx, main),
        "kpi_text": _kpi_text(main.kpis), "message": main.totals["message"],
        "glance": _glance(city, quality, card, main),
        "maps": maps_, "top": _top_districts(main), "measures": _measures(ctx, main),
        "measure_chart": measure_chart, "equity": _equity(city, ctx, main, burden_chart),
        "assumptions": _assumptions(ctx, main), "data": _data(city, quality),
        "model": _model(card), "comparison": compared,
        "reproduce": {"hash": main.hash, "scenario_id": main.scenario.id,
                      "fingerprint": fingerprint, "city_id": city_id,
                      "scenario_store_id": main.store_id, "base_url": base,
                      "scenario_json": main.scenario.to_json()},
        "methods": [(t, render.markdown(x)) for t, x in methods.notes()],
        "numbers": {f.key: n for n, f in enumerate(figs, start=1)},  # figures in page order
    }
    return Briefing(main.scenario.name, created, main.hash, link, sections, tuple(figs),
                    render.html(doc))


def _version() -> str:
    """Greenprint's version, as installed."""
    try:
        return metadata.version("greenprint")
    except metadata.PackageNotFoundError:
        return "not installed"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


# ----------------------------------------------------------------------------- page one

def question(city: City, ctx: CityContext, plan: Plan) -> str:
    """The question the plan answers, in one sentence."""
    sc, cur = plan.scenario, plan.currency
    measures = _join([_lower_first(x) for x in ctx.catalogue["label"]])
    where = (f"its {city.n:,} districts" if city.n_with_data == city.n else
             f"the {city.n_with_data:,} of its {city.n:,} districts that have data")
    asks = [f"at least {fmt.percent(sc.justice40_share, 0)} of spending in disadvantaged "
            "districts"] if sc.justice40_share > 0 else []
    if sc.burden_ceiling:
        asks.append(f"no district's energy burden above {fmt.percent(sc.burden_ceiling)} of "
                    "income")
    tail = f", with {' and '.join(asks)}" if asks else ""
    return (f"How should {city.name} spend {fmt.money(plan.totals['budget_usd'], cur)} "
            f"({fmt.money(sc.budget_usd_per_capita, cur)} per resident) on {measures} "
            f"across {where} to {GOALS[sc.objective]}, counted at the {sc.horizon_year} grid "
            f"mix{tail}?")


def _kpi(plan: Plan, label: str) -> lab.KpiDelta:
    return next(k for k in plan.kpis if k.label == label)


def _value(k: lab.KpiDelta) -> str:
    return f"{fmt.figure(k.value)} {k.unit}"


def answer(ctx: CityContext, plan: Plan) -> list[str]:
    """The answer in three sentences with figures (or why there is no plan)."""
    t, sc, cur = plan.totals, plan.scenario, plan.currency
    emissions = _kpi(plan, "Emissions")
    bills, burden, dac = (_kpi(plan, x) for x in ("Bill savings", "Energy burden",
                                                   "To disadvantaged"))
    base_kt = emissions.value - emissions.delta
    before_burden = burden.value - burden.delta if fmt.known(burden.delta) else float("nan")
    unknown_burden = fmt.sentence("the energy burden is not known: "
                                  + burden.help.removeprefix("unknown: "))
    if plan.empty:
        why = t["message"].split(". ")[0].removeprefix(t["status"].capitalize() + ": ")
        return [fmt.sentence(f"there is no plan to fund ({t['status']}): {why}"),
                f"Without a plan the city emits {fmt.figure(base_kt)} {emissions.unit} at the "
                f"{sc.horizon_year} grid factor.",
                f"The mean energy burden stays at {fmt.figure(before_burden)} {burden.unit}."
                if fmt.known(before_burden) else unknown_burden]
    cut = -emissions.delta
    m = plan.measures.sort_values("abatement_t_co2_per_yr", ascending=False).iloc[0]
    top_share = m["abatement_t_co2_per_yr"] / t["abatement_t_co2_per_yr"] \
        if t["abatement_t_co2_per_yr"] > 0 else float("nan")
    first = (f"Emissions fall by {fmt.figure(cut)} {emissions.unit}, "
             f"{fmt.percent(cut / base_kt if base_kt > 0 else float('nan'))} of the "
             f"{fmt.figure(base_kt)} {emissions.unit} the city would emit at the "
             f"{sc.horizon_year} grid factor without the plan.")
    second = (f"{fmt.money(t['cost_usd'], cur)} of the {fmt.money(t['budget_usd'], cur)} "
              f"budget is spent; {_lower_first(m['label'])} gives "
              f"{fmt.percent(top_share, 0)} of the cut, and {_value(dac)} of the spending goes "
              f"to the {int(ctx.dac.sum()):,} disadvantaged districts (minimum asked: "
              f"{fmt.percent(sc.justice40_share, 0)}).")
    if not fmt.known(burden.value):
        return [first, second, f"Households save {_value(bills)} on energy bills. "
                               + unknown_burden]
    q1 = plan.quintiles.iloc[0]
    third = (f"Households save {_value(bills)} on energy bills; the mean energy burden "
             f"falls from {fmt.figure(before_burden)} to {_value(burden)}, and in the "
             f"lowest-income fifth of districts from {fmt.percent(q1['burden_before'], 2)} "
             f"to {fmt.percent(q1['burden_after'], 2)}.")
    return [first, second, third]


def _kpi_text(kpis: list[lab.KpiDelta]) -> list[dict]:
    """Each KPI as the cards show it: value, unit, change and what it means."""
    return [{"label": k.label, "value": k.value, "text": fmt.figure(k.value), "unit": k.unit,
             "delta": f"{fmt.signed(k.delta)} {k.unit}" if fmt.known(k.delta) else None,
             "help": k.help} for k in kpis]


def _solver_line(plan: Plan) -> str:
    t = plan.totals
    exact = ("no plan" if plan.empty else "the exact optimum of the linear problem"
             if t["exact"] else f"a feasible plan by an approximate method ({t['approximation']})")
    binding = ", ".join(t["binding"]) or "none"
    return (f"status {t['status']}: {exact}; binding constraints: {binding}; solved on "
            f"{t['device']} in {t['seconds'] * 1000:,.0f} ms, largest constraint violation "
            f"{maps.format_relative(t['max_constraint_violation_rel'])}.")


def _glance(city: City, quality: QualityReport, card: dict, plan: Plan) -> list[tuple[str, str]]:
    """What the figures rest on, in a few lines for the first page."""
    coverage = city.coverage() or f"all {city.n:,} districts have data"
    energy = predicted.summary(city) or "energy observed in every district with data"
    verdicts = []
    for target, tr in card["targets"].items():
        chosen = tr["metrics"][tr["selected"]]
        band = tr["verdict"]["band"] if "verdict" in tr else "not graded"
        verdicts.append(f"{cols.label_of(target).lower()} {band} (CV(RMSE) "
                        f"{fmt.percent(chosen['cv_rmse'])}, NMBE {fmt.percent(chosen['nmbe'])})")
    model_line = ("; ".join(verdicts) + " against ASHRAE Guideline 14") if verdicts else \
        "no energy target could be modelled"
    used = max((tr["n_used"] for tr in card["targets"].values()), default=0)
    return [("Data", f"quality score {quality.score:.0f} / 100; {coverage}; {energy}."),
            ("Energy model", f"cross-validated on {used:,} districts with observed energy: "
                             f"{model_line}."),
            ("Plan", _solver_line(plan))]


# ----------------------------------------------------------------------------- figures

def _place(city: City) -> str:
    return f"{city.name}'s {city.n:,} districts"


def _plan_figures(city: City, ctx: CityContext, plan: Plan) -> list[figures.Figure]:
    """Maps of spending and abatement per district."""
    no_data, guessed = ~city.with_data.to_numpy(), predicted.any_predicted(city)
    table = plan.districts
    out = []
    for key, label, unit, column in (
            ("map_spending", "Spending", plan.currency, "spend_usd"),
            ("map_abatement", "Abatement", "t CO2/yr", "abatement_t_co2_per_yr")):
        values = table[column].to_numpy(dtype=float)
        layer = figures.MapLayer(city.map_geometry, values, no_data, ctx.dac, guessed)
        top = figures.top_districts(table["name"], np.where(no_data, np.nan, values))
        none = int(((values <= 0) & ~no_data).sum())
        tops = "; ".join(f"{name} ({fmt.amount(v)} {unit})" for name, v in top)
        alt = (f"Map of {_place(city)} coloured by {label.lower()} ({unit}) in "
               "natural-breaks classes. " + (f"Largest: {tops}. " if tops else "Nothing is "
                                             "placed. ")
               + f"{none:,} districts with data get none"
               + (f"; {int(ctx.dac.sum()):,} disadvantaged districts are outlined"
                  if ctx.dac.any() else "") + (f"; {int(no_data.sum()):,} without data are grey"
                                           if no_data.any() else "")
               + (f"; {int(guessed.sum()):,} with predicted energy are hatched"
                  if guessed.any() else "") + ".")
        caption = (f"{label} per district ({unit}), in natural-breaks classes."
                   + (" Outlined: disadvantaged districts (CEJST-style rule)."
                      if ctx.dac.any() else "")
                   + (" Light grey: none." if none else "")
                   + (" Grey: no data." if no_data.any() else "")
                   + (" Hatched: energy predicted by the model, not observed."
                      if guessed.any() else ""))
        out.append(figures.district_map(key, layer, label, unit, caption, alt))
    return out


def _measure_chart(plan: Plan) -> figures.Figure | None:
    """Abatement by intervention (None when the plan abates nothing)."""
    m, cur = plan.measures, plan.currency
    ab = m["abatement_t_co2_per_yr"].to_numpy(dtype=float)
    if not (ab > 0).any():
        return None
    notes = [f"{fmt.amount(a)} t/yr · {fmt.money(s, cur)}"
             for a, s in zip(ab, m["spend_usd"], strict=True)]
    alt = "Bar chart of abatement by intervention: " + "; ".join(
        f"{m['label'].iloc[i]} {fmt.amount(ab[i])} t CO2/yr for "
        f"{fmt.money(m['spend_usd'].iloc[i], cur)}" for i in np.argsort(-ab)) + "."
    return figures.bar_chart("chart_measures", list(m["label"]), ab, "abatement (t CO2/yr)",
                             notes, "Abatement by intervention (t CO2/yr), with the "
                             f"spending on each ({cur}).", alt)


def _burden_chart(plan: Plan) -> figures.Figure | None:
    """Energy burden by income quintile, before and after (None without incomes)."""
    q = plan.quintiles
    if q.empty:
        return None
    groups = [f"Q{int(v)}" for v in q["quintile"]]
    before, after = (q[c].to_numpy(dtype=float) * fmt.PCT for c in ("burden_before",
                                                                   "burden_after"))
    alt = ("Bar chart of the mean energy burden by income quintile of districts, before and "
           "after the plan: " + "; ".join(
               f"{g} {fmt.percent(b / fmt.PCT, 2)} to {fmt.percent(a / fmt.PCT, 2)}"
               for g, b, a in zip(groups, before, after, strict=True)) + ".")
    return figures.grouped_bars(
        "chart_burden", groups, {"before the plan": before, "after the plan": after},
        "energy burden (% of income)", lambda v: f"{v:.2f}" if np.isfinite(v) else "n/a",
        "Mean energy burden (% of income) by income quintile of districts, before "
        "and after the plan; Q1 = the fifth of districts with the lowest income.", alt)


# ----------------------------------------------------------------------------- sections

def _top_districts(plan: Plan) -> Table:
    d = plan.districts[plan.districts["spend_usd"] > 0].sort_values(
        "spend_usd", ascending=False, kind="stable").head(TOP_DISTRICTS)
    rows = [[r.name, "yes" if r.disadvantaged else "no",
             Cell(fmt.amount(r.spend_usd), r.spend_usd),
             Cell(fmt.amount(r.abatement_t_co2_per_yr), r.abatement_t_co2_per_yr),
             Cell(fmt.amount(r.bill_savings_usd_per_yr), r.bill_savings_usd_per_yr)]
            for r in d.itertuples()]
    return _table("top", f"The {len(rows)} districts with the most spending", [
        "district", "disadvantaged", f"spending ({plan.currency})", "abatement (t CO2/yr)",
        f"bill savings ({plan.currency}/yr)"], rows, [False, False, True, True, True])


def _measures(ctx: CityContext, plan: Plan) -> Table:
    m, cur = plan.measures.set_index("intervention"), plan.currency
    units = ctx.catalogue["unit"]
    rows = [[r["label"], units[key], Cell(fmt.amount(r["units"]), r["units"]),
             Cell(fmt.amount(r["spend_usd"]), r["spend_usd"]),
             Cell(fmt.amount(r["abatement_t_co2_per_yr"]), r["abatement_t_co2_per_yr"]),
             Cell(fmt.amount(r["potential_t_co2_per_yr"]), r["potential_t_co2_per_yr"]),
             Cell(fmt.amount(r["mac_usd_per_t"]), r["mac_usd_per_t"])]
            for key, r in m.iterrows()]
    return _table("measures", "What each intervention does in the plan",
                  ["intervention", "unit", "units installed", f"spending ({cur})",
                   "abatement (t CO2/yr)", "potential at the caps (t CO2/yr)",
                   f"marginal abatement cost ({cur}/t CO2)"], rows,
                  [False, False, True, True, True, True, True])


def _equity(city: City, ctx: CityContext, plan: Plan, chart: figures.Figure | None) -> dict:
    t, sc, refs, cur = plan.totals, plan.scenario, ctx.references, plan.currency
    n_dac = int(ctx.dac.sum())
    dac_spend = float(plan.districts.loc[plan.districts["disadvantaged"], "spend_usd"].sum())
    rows = [[f"Q{int(r.quintile)}", Cell(fmt.percent(r.burden_before, 2), r.burden_before),
             Cell(fmt.percent(r.burden_after, 2), r.burden_after),
             Cell(fmt.points(r.burden_after - r.burden_before), r.burden_after - r.burden_before)]
            for r in plan.quintiles.itertuples()]
    rule = (f"burden at or above the {refs.threshold('dac_burden_percentile'):.0f}th "
            f"percentile and low income at or above the "
            f"{refs.threshold('dac_low_income_percentile'):.0f}th percentile")
    notes = (equity.burden_basis_note(city.districts), status.left_out_note(ctx),
             *status.city_notes(ctx))
    dac = (f"{n_dac:,} of the {city.n_with_data:,} districts with data are disadvantaged "
           f"under the CEJST-style rule ({rule}). They receive {fmt.money(dac_spend, cur)} of "
           f"the {fmt.money(t['cost_usd'], cur)} spent: {fmt.percent(t['dac_benefit_share'])} "
           f"(minimum asked: {fmt.percent(sc.justice40_share, 0)}).") if n_dac else (
        f"No district is disadvantaged under the CEJST-style rule ({rule}): no spending can "
        "be counted as reaching disadvantaged districts.")
    burden = _kpi(plan, "Energy burden")
    return {
        "dac": dac,
        "quintiles": _table("quintiles", "Energy burden by income quintile of districts",
                            ["quintile (Q1 = lowest income)", "before the plan",
                             "after the plan", "change"], rows, [False, True, True, True])
        if rows else None,
        "no_quintiles": None if rows else fmt.sentence(
            "energy burden by income quintile is not known: "
            + burden.help.removeprefix("unknown: ")),
        "chart": chart,
        "notes": [fmt.sentence(n) for n in dict.fromkeys(notes) if n],
    }


def _units(currency: str) -> dict[str, str]:
    """The unit of each scenario field: data/scenario_limits.csv's (money in ``currency``),
    else :data:`FIELD_UNITS`."""
    limits = reference_tables.table("scenario_limits").fillna({"currency": ""})
    return {**FIELD_UNITS, **{r.field: r.unit.replace(r.currency, currency) if r.currency
                              else r.unit for r in limits.itertuples()}}


def _cited(ref: Reference) -> str:
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
        value, source = v or refs.currency, f"the city's currency: {_cited(refs['currency'])}"
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
        source = _cited(ref) if v is None else \
            f"{SET_HERE}; the city's reference price is {ref.text} {ref.unit}: {_cited(ref)}"
    elif field == "justice40_share":
        ref = refs["justice40_share"]
        value = fmt.percent(v, 0)
        source = (f"{SET_HERE}; the reference share is {fmt.percent(float(ref.value), 0)}: "
                  f"{_cited(ref)}")
    elif field == "burden_ceiling":
        ref = refs["burden_high"]
        value = "none" if v is None else fmt.percent(v)
        source = (f"{SET_HERE}; a burden above {fmt.percent(float(ref.value), 0)} is high: "
                  f"{_cited(ref)}")
    elif field == "tech_cost_multipliers":
        labels = ctx.catalogue["label"]
        value = "; ".join(f"{labels.get(k, k)} x {m:g}" for k, m in v.items()) or \
            "none: the catalogue's costs (x 1)"
        source = f"{SET_HERE}; the costs: the intervention catalogue below"
    elif field == "objective":
        value = OBJECTIVES[v]
    elif field in ("diminishing_returns", "interactions"):
        value = "on" if v else "off"
        if field == "diminishing_returns" and v:
            step = reference_tables.table("optimizer_parameters").set_index("name")
            source += f"; tranches and step: {step.loc['diminishing_step', 'source']}"
    return [FIELD_LABELS.get(field, field.replace("_", " ")), Cell(value, _number(v)),
            units.get(field, ""), source]


def _number(v) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def parameter_fields() -> list[str]:
    """The scenario fields the assumptions table lists: every one but its name and notes."""
    return [f for f in Scenario.model_fields if f not in NOT_PARAMETERS]


def _reference_label(name: str) -> str:
    if name.startswith(rv.GRID_PREFIX):
        return f"Grid factor, {name.removeprefix(rv.GRID_PREFIX)}"
    return REFERENCE_LABELS.get(name, name.replace("_", " ").capitalize())


def _assumptions(ctx: CityContext, plan: Plan) -> dict:
    sc, refs = plan.scenario, ctx.references
    units = _units(refs.currency)
    params = _table("parameters", "Every parameter of the scenario",
                    ["parameter", "value", "unit", "source"],
                    [_assumption(f, sc, ctx, units) for f in parameter_fields()],
                    [False, True, False, False])
    rows = [[_reference_label(e.name), Cell(e.text, _number(e.value)), e.unit, _cited(e)]
            for e in refs.entries if not e.name.startswith(rv.COST_PREFIX)]
    horizon = sc.grid_kg_per_kwh(refs)
    rows.append([f"Grid factor at the horizon ({sc.horizon_year}) in this scenario",
                 Cell(f"{horizon:.6g}", horizon), rv.EMISSION_UNIT,
                 "the base-year factor x (1 - the grid decarbonisation above)"])
    reference = _table("reference", "The city's reference values: factors, prices, thresholds",
                       ["figure", "value", "unit", "source"], rows, [False, True, False, False])
    mult = sc.tech_cost_multipliers
    rows = []
    for k, r in ctx.catalogue.iterrows():
        cost = r["cost_usd_per_unit"] * mult.get(k, 1.0)
        cost_ref = refs[rv.COST_PREFIX + k]
        source = r["source"] if cost_ref.source == r["source"] else \
            f"cost: {_cited(cost_ref)}; effects: {r['source']}"
        rows.append([r["label"], r["unit"], Cell(f"{cost:,.0f}", cost),
                     Cell(f"{r['lifetime_years']:g}", float(r["lifetime_years"])),
                     Cell(fmt.percent(r["cap_share"], 0), float(r["cap_share"])),
                     _saving(r), source])
    catalogue = _table("interventions", "The intervention catalogue (data/interventions.csv; "
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


def _data(city: City, quality: QualityReport) -> dict:
    table = quality.problem_table()
    problems = table[table["severity"] != NOTE]  # the estimates are listed on their own
    rows = [[r.severity, r.check, r.column or "-", Cell(f"{r.districts:,}", r.districts),
             r.message] for r in problems.itertuples()]
    return {
        "name": city.name, "source": city.source, "illustrative": city.illustrative,
        "n": city.n, "n_with_data": city.n_with_data, "n_no_data": city.n - city.n_with_data,
        "predicted": predicted.summary(city),
        "score_text": f"{quality.score:.0f} / 100",
        "n_blocking": len(quality.blocking), "n_warnings": len(quality.warnings),
        "estimates": [e.caption() for e in city.estimates.values()],
        "problems": _table("quality", "What the quality check found",
                           ["severity", "check", "column", "districts", "message"], rows,
                           [False, False, False, True, False]) if rows else None,
        "lineage": list(city.lineage),
    }


def _model(card: dict) -> dict:
    rows, verdicts = [], []
    for target, tr in card["targets"].items():
        for name, m in tr["metrics"].items():
            cov = m.get("coverage_90")
            rows.append([cols.label_of(target),
                         cross_validation.MODEL_NAMES[name]
                         + (" (selected)" if name == tr["selected"] else ""),
                         Cell(fmt.percent(m["cv_rmse"]), m["cv_rmse"]),
                         Cell(fmt.percent(m["nmbe"]), m["nmbe"]),
                         Cell(f"{m['r2']:.3f}", m["r2"]),
                         Cell(fmt.percent(cov) if cov is not None else "-", cov)])
        if "verdict" in tr:
            v = model_card.Verdict.from_dict(tr["verdict"])
            verdicts.append({"band": v.band, "text": v.text})
    a, settings = card["ashrae_guideline_14"], card["settings"]
    return {
        "model": card["model"], "city": card["data"]["city"],
        "n_districts": card["data"]["n_districts"], "scale": card["target_scale"],
        "used": [f"{cols.label_of(t).lower()}: {tr['n_used']:,} districts used, "
                 f"{tr['n_left_out']:,} left out" for t, tr in card["targets"].items()],
        "features": [cols.label_of(f) for f in card["features"]],
        "folds": settings.get("folds_effective"), "members": settings.get("members"),
        "metrics": _table("metrics", "Cross-validated accuracy (out-of-fold predictions)",
                          ["target", "model", "CV(RMSE)", "NMBE", "R²", "90 % interval coverage"],
                          rows, [False, False, True, True, True, True]),
        "conventions": card["metric_conventions"],
        "yardstick": (f"ASHRAE Guideline 14 yardstick: CV(RMSE) at most "
                      f"{fmt.percent(a['cv_rmse_max'], 0)} and NMBE within "
                      f"±{fmt.percent(a['nmbe_abs_max'], 0)}."),
        "verdicts": verdicts, "unavailable": card["unavailable"], "limits": card["limits"],
    }


def _comparison(ctx: CityContext, all_plans: list[Plan]) -> dict:
    main, others = all_plans[0], all_plans[1:]
    names = [p.scenario.name for p in all_plans]
    header, numeric = ["figure (unit)", names[0]], [False, True]
    for name in names[1:]:
        header += [name, "difference"]
        numeric += [True, True]
    rows = []
    for k0 in main.kpis:
        row = [f"{k0.label} ({k0.unit})", Cell(fmt.figure(k0.value), k0.value)]
        for p in others:
            diff = _kpi(p, k0.label).value - k0.value
            row += [Cell(fmt.figure(_kpi(p, k0.label).value), _kpi(p, k0.label).value),
                    Cell(fmt.signed(diff), diff)]
        rows.append(row)
    kpi_table = _table("compare_kpis", "Headline figures, and each scenario's difference from "
                       f"{names[0]}", header, rows, numeric)
    units = _units(ctx.references.currency)
    differ = [f for f in parameter_fields()
              if any(getattr(p.scenario, f) != getattr(main.scenario, f) for p in others)]
    param_rows = [[FIELD_LABELS.get(f, f), units.get(f, ""),
                   *[_param_text(getattr(p.scenario, f), ctx) for p in all_plans]]
                  for f in differ]
    params = _table("compare_parameters", "The parameters that differ",
                    ["parameter", "unit", *names], param_rows,
                    [False, False, *[True] * len(all_plans)]) if param_rows else None
    labels = list(main.measures["label"])
    series = {p.scenario.name: p.measures["abatement_t_co2_per_yr"].to_numpy(dtype=float)
              for p in all_plans}
    alt = "Bar chart of abatement by intervention (t CO2/yr) for each scenario: " + "; ".join(
        f"{name}: " + ", ".join(f"{label} {fmt.amount(v)}" for label, v in
                                zip(labels, vals, strict=True))
        for name, vals in series.items()) + "."
    chart = figures.hbar_groups("chart_compare", labels, series, "abatement (t CO2/yr)",
                                "Abatement by intervention (t CO2/yr) in each "
                                "scenario.", alt)
    return {"names": names, "kpis": kpi_table, "parameters": params, "chart": chart,
            "figures": [chart]}


def _param_text(v, ctx: CityContext) -> str:
    """A parameter's value as the comparison shows it."""
    if isinstance(v, dict):
        labels = ctx.catalogue["label"]
        return "; ".join(f"{labels.get(k, k)} x {m:g}" for k, m in v.items()) or "none"
    if isinstance(v, bool):
        return "on" if v else "off"
    if v is None:
        return "the city's"
    if isinstance(v, float):
        return f"{v:,.6g}"
    return OBJECTIVES.get(v, v) if isinstance(v, str) else str(v)
