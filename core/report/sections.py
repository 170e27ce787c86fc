"""The briefing's sections after the first page: where the money goes, what each
intervention does, equity outcomes, the data and its quality, the energy model and how well
it validated, and the comparison of several plans."""

from __future__ import annotations

from core.assess import equity
from core.i18n import N_, _, number_text, unit
from core.intake import columns as cols
from core.intake import lineage
from core.intake.city import City
from core.intake.quality import QualityReport
from core.models import cross_validation, model_card, predicted
from core.plan import status
from core.plan.problem import CityContext
from core.plan.scenario import OBJECTIVES
from core.report import figures
from core.report import text as fmt
from core.report.assumptions import FIELD_LABELS, parameter_fields, units_of
from core.report.plans import Plan, kpi
from core.report.tables import Cell, Table, make_table

TOP_DISTRICTS = 10  # rows of the table of the districts that get the most
#: the quality report's severities (core.intake.quality), as the table of problems shows them
SEVERITIES = {"blocking": N_("blocking"), "warning": N_("warning")}


def top_districts(plan: Plan) -> Table:
    d = plan.districts[plan.districts["spend_usd"] > 0].sort_values(
        "spend_usd", ascending=False, kind="stable").head(TOP_DISTRICTS)
    rows = [[r.name, _("yes") if r.disadvantaged else _("no"),
             Cell(fmt.amount(r.spend_usd), r.spend_usd),
             Cell(fmt.amount(r.abatement_t_co2_per_yr), r.abatement_t_co2_per_yr),
             Cell(fmt.amount(r.bill_savings_usd_per_yr), r.bill_savings_usd_per_yr)]
            for r in d.itertuples()]
    caption = _("The {n_rows} districts with the most spending").format(n_rows=len(rows))
    if plan.withheld is not None and plan.withheld.n:
        caption += _(" (of the released districts: the {n:,} withheld are not listed)").format(
            n=plan.withheld.n)
    return make_table("top", caption, [
        _("district"), _("disadvantaged"), _("spending ({currency})").format(currency=plan.currency),
        _("abatement (t CO2/yr)"),
        _("bill savings ({currency}/yr)").format(currency=plan.currency)], rows,
        [False, False, True, True, True])


def measures(ctx: CityContext, plan: Plan) -> Table:
    m, cur = plan.measures.set_index("intervention"), plan.currency
    units = ctx.catalogue["unit"]
    rows = [[r["label"], unit(units[key]), Cell(fmt.amount(r["units"]), r["units"]),
             Cell(fmt.amount(r["spend_usd"]), r["spend_usd"]),
             Cell(fmt.amount(r["abatement_t_co2_per_yr"]), r["abatement_t_co2_per_yr"]),
             Cell(fmt.amount(r["potential_t_co2_per_yr"]), r["potential_t_co2_per_yr"]),
             Cell(fmt.amount(r["mac_usd_per_t"]), r["mac_usd_per_t"])]
            for key, r in m.iterrows()]
    return make_table("measures", _("What each intervention does in the plan"),
                  [_("intervention"), _("unit"), _("units installed"),
                   _("spending ({cur})").format(cur=cur),
                   _("abatement (t CO2/yr)"), _("potential at the caps (t CO2/yr)"),
                   _("marginal abatement cost ({cur}/t CO2)").format(cur=cur)], rows,
                  [False, False, True, True, True, True, True])


def equity_outcomes(city: City, ctx: CityContext, plan: Plan, chart: figures.Figure | None) -> dict:
    t, sc, refs, cur = plan.totals, plan.scenario, ctx.references, plan.currency
    n_dac = int(plan.counted(ctx.dac).sum())
    n_with_data = int(plan.counted(ctx.with_data).sum())
    dac_spend = float(plan.districts.loc[plan.districts["disadvantaged"], "spend_usd"].sum())
    rows = [[f"Q{int(r.quintile)}", Cell(fmt.percent(r.burden_before, 2), r.burden_before),
             Cell(fmt.percent(r.burden_after, 2), r.burden_after),
             Cell(fmt.points(r.burden_after - r.burden_before), r.burden_after - r.burden_before)]
            for r in plan.quintiles.itertuples()]
    rule = (_("burden at or above the {threshold:.0f}th "
            "percentile and low income at or above the "
            "{threshold2:.0f}th percentile").format(
                threshold=refs.threshold('dac_burden_percentile'),
                threshold2=refs.threshold('dac_low_income_percentile')))
    notes = (equity.burden_basis_note(city.districts), status.left_out_note(ctx),
             *status.city_notes(ctx))
    released = plan.withheld is not None and plan.withheld.n
    dac = (_("{n_dac:,} of the {n_with_data:,} districts with data are disadvantaged "
           "under the CEJST-style rule ({rule}). They receive {money} of "
           "the {money2} spent: {percent} "
           "(minimum asked: {percent2}).").format(
               n_dac=n_dac, n_with_data=n_with_data, rule=rule, money=fmt.money(dac_spend, cur),
               money2=fmt.money(t['cost_usd'], cur), percent=fmt.percent(t['dac_benefit_share']),
               percent2=fmt.percent(sc.justice40_share, 0))
        + (_(" These sums leave out the withheld districts.") if released else "")) if n_dac else (
        _("No district is disadvantaged under the CEJST-style rule ({rule}): no spending can "
        "be counted as reaching disadvantaged districts.").format(rule=rule))
    burden = kpi(plan, "Energy burden")
    return {
        "dac": dac,
        "quintiles": make_table("quintiles", _("Energy burden by income quintile of districts"),
                            [_("quintile (Q1 = lowest income)"), _("before the plan"),
                             _("after the plan"), _("change")], rows, [False, True, True, True])
        if rows else None,
        "no_quintiles": None if rows else fmt.sentence(
            _("energy burden by income quintile is not known: ")
            + burden.help.removeprefix("unknown: ")),
        "chart": chart,
        "notes": [fmt.sentence(n) for n in dict.fromkeys(notes) if n],
    }


def data_section(city: City, quality: QualityReport) -> dict:
    # the problems themselves, not quality.problem_table(): the briefing lists the estimates,
    # the report's notes, on their own; each check and message in the reader's language
    rows = [[_(SEVERITIES["blocking" if p.blocking else "warning"]), _(p.check), p.column or "-",
             Cell(number_text(f"{len(p.district_ids):,}"), len(p.district_ids)), _(p.message)]
            for p in quality.problems]
    return {
        "name": city.name, "source": city.source, "illustrative": city.illustrative,
        "n": city.n, "n_with_data": city.n_with_data, "n_no_data": city.n - city.n_with_data,
        "predicted": predicted.summary(city),
        "score_text": f"{quality.score:.0f} / 100",
        "n_blocking": len(quality.blocking), "n_warnings": len(quality.warnings),
        "estimates": [e.caption() for e in city.estimates.values()],
        "problems": make_table("quality", _("What the quality check found"),
                           [_("severity"), _("check"), _("column"), _("districts"),
                            _("message")], rows,
                           [False, False, False, True, False]) if rows else None,
        "lineage": [lineage.shown(e) for e in city.lineage],
    }


def model_section(card: dict) -> dict:
    rows, verdicts = [], []
    for target, tr in card["targets"].items():
        for name, m in tr["metrics"].items():
            cov = m.get("coverage_90")
            rows.append([_(cols.label_of(target)),
                         _(cross_validation.MODEL_NAMES[name])
                         + (_(" (selected)") if name == tr["selected"] else ""),
                         Cell(fmt.percent(m["cv_rmse"]), m["cv_rmse"]),
                         Cell(fmt.percent(m["nmbe"]), m["nmbe"]),
                         Cell(number_text(f"{m['r2']:.3f}"), m["r2"]),
                         Cell(fmt.percent(cov) if cov is not None else "-", cov)])
        if "verdict" in tr:
            v = model_card.Verdict.from_dict(tr["verdict"])
            verdicts.append({"band": v.band, "text": v.text})
    a, settings = card["ashrae_guideline_14"], card["settings"]
    return {
        "model": _(card["model"]), "city": card["data"]["city"],
        "n_districts": card["data"]["n_districts"], "scale": _(card["target_scale"]),
        "used": [_("{lower}: {n_used:,} districts used, "
                 "{n_left_out:,} left out").format(
                     lower=_(cols.label_of(t)).lower(), n_used=tr['n_used'],
                     n_left_out=tr['n_left_out'])
                 for t, tr in card["targets"].items()],
        "features": [_(cols.label_of(f)) for f in card["features"]],
        "folds": settings.get("folds_effective"), "members": settings.get("members"),
        "metrics": make_table("metrics", _("Cross-validated accuracy (out-of-fold predictions)"),
                          [_("target"), _("model"), "CV(RMSE)", "NMBE", "R²",
                           _("90 % interval coverage")],
                          rows, [False, False, True, True, True, True]),
        "conventions": _(card["metric_conventions"]),
        "yardstick": (_("ASHRAE Guideline 14 yardstick: CV(RMSE) at most "
                      "{percent} and NMBE within "
                      "±{percent2}.").format(percent=fmt.percent(a['cv_rmse_max'], 0),
                                             percent2=fmt.percent(a['nmbe_abs_max'], 0))),
        "verdicts": verdicts, "limits": [_(x) for x in card["limits"]],
        "unavailable": {t: _(why) for t, why in card["unavailable"].items()},
    }


def comparison(ctx: CityContext, all_plans: list[Plan]) -> dict:
    main, others = all_plans[0], all_plans[1:]
    names = [p.scenario.name for p in all_plans]
    header, numeric = [_("figure (unit)"), names[0]], [False, True]
    for name in names[1:]:
        header += [name, _("difference")]
        numeric += [True, True]
    rows = []
    for k0 in main.kpis:
        row = [f"{_(k0.label)} ({unit(k0.unit)})", Cell(fmt.figure(k0.value), k0.value)]
        for p in others:
            diff = kpi(p, k0.label).value - k0.value
            row += [Cell(fmt.figure(kpi(p, k0.label).value), kpi(p, k0.label).value),
                    Cell(fmt.signed(diff), diff)]
        rows.append(row)
    kpi_table = make_table("compare_kpis",
                           _("Headline figures, and each scenario's difference from "
                       "{names}").format(names=names[0]), header, rows, numeric)
    units = units_of(ctx.references.currency)
    differ = [f for f in parameter_fields()
              if any(getattr(p.scenario, f) != getattr(main.scenario, f) for p in others)]
    param_rows = [[_(FIELD_LABELS.get(f, f)), units.get(f, ""),
                   *[_param_text(getattr(p.scenario, f), ctx) for p in all_plans]]
                  for f in differ]
    params = make_table("compare_parameters", _("The parameters that differ"),
                    [_("parameter"), _("unit"), *names], param_rows,
                    [False, False, *[True] * len(all_plans)]) if param_rows else None
    labels = list(main.measures["label"])
    series = {p.scenario.name: p.measures["abatement_t_co2_per_yr"].to_numpy(dtype=float)
              for p in all_plans}
    alt = _("Bar chart of abatement by intervention (t CO2/yr) for each scenario: ") + "; ".join(
        f"{name}: " + ", ".join(f"{label} {fmt.amount(v)}" for label, v in
                                zip(labels, vals, strict=True))
        for name, vals in series.items()) + "."
    chart = figures.hbar_groups("chart_compare", labels, series, _("abatement (t CO2/yr)"),
                                _("Abatement by intervention (t CO2/yr) in each "
                                "scenario."), alt)
    return {"names": names, "kpis": kpi_table, "parameters": params, "chart": chart,
            "figures": [chart]}


def _param_text(v, ctx: CityContext) -> str:
    """A parameter's value as the comparison shows it."""
    if isinstance(v, dict):
        labels = ctx.catalogue["label"]
        return "; ".join(f"{_(labels.get(k, k))} x {number_text(f'{m:g}')}"
                         for k, m in v.items()) or _("none")
    if isinstance(v, bool):
        return _("on") if v else _("off")
    if v is None:
        return _("the city's")
    if isinstance(v, float):
        return number_text(f"{v:,.6g}")
    return _(OBJECTIVES.get(v, v)) if isinstance(v, str) else str(v)
