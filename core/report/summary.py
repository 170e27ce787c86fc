"""The briefing's first page in words: the question in one sentence, the answer in three,
the headline figures, and what the figures rest on (data, model, solver)."""

from __future__ import annotations

from core import footprint
from core.assess import maps
from core.i18n import N_, _, lazy_list, unit
from core.intake import columns as cols
from core.intake.city import City
from core.intake.quality import QualityReport
from core.models import model_card, predicted
from core.plan import lab
from core.plan.problem import CityContext
from core.report import text as fmt
from core.report.plans import Plan, kpi

#: what each objective asks, for the question
GOALS = {"min_emissions": N_("cut CO2 emissions the most"),
         "min_cost": N_("save the most in total cost (energy bills, carbon and annualised "
                        "capital cost)"),
         "min_burden": N_("lower households' energy burden the most")}


def _join(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the language in effect."""
    return _(lazy_list(words))


def lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


def question(city: City, ctx: CityContext, plan: Plan) -> str:
    """The question the plan answers, in one sentence."""
    sc, cur = plan.scenario, plan.currency
    measures = _join([lower_first(_(x)) for x in ctx.catalogue["label"]])
    where = (_("its {n:,} districts").format(n=city.n) if city.n_with_data == city.n else
             _("the {n_with_data:,} of its {n:,} districts that have data").format(
                 n_with_data=city.n_with_data, n=city.n))
    asks = [_("at least {percent} of spending in disadvantaged "
            "districts").format(
                percent=fmt.percent(sc.justice40_share, 0))] if sc.justice40_share > 0 else []
    if sc.burden_ceiling:
        asks.append(_("no district's energy burden above {percent} of "
                    "income").format(percent=fmt.percent(sc.burden_ceiling)))
    tail = _(", with {join}").format(join=_(" and ").join(asks)) if asks else ""
    return (_("How should {name} spend {money} "
            "({money2} per resident) on {measures} "
            "across {where} to {goals}, counted at the {horizon_year} grid "
            "mix{tail}?").format(name=city.name, money=fmt.money(plan.totals['budget_usd'], cur),
                                 money2=fmt.money(sc.budget_usd_per_capita, cur), measures=measures,
                                 where=where, goals=_(GOALS[sc.objective]),
                                 horizon_year=sc.horizon_year, tail=tail))


def _value(k: lab.KpiDelta) -> str:
    return f"{fmt.figure(k.value)} {unit(k.unit)}"


def answer(ctx: CityContext, plan: Plan) -> list[str]:
    """The answer in three sentences with figures (or why there is no plan)."""
    t, sc, cur = plan.totals, plan.scenario, plan.currency
    emissions = kpi(plan, "Emissions")
    bills, burden, dac = (kpi(plan, x) for x in ("Bill savings", "Energy burden",
                                                   "To disadvantaged"))
    base_kt = emissions.value - emissions.delta
    before_burden = burden.value - burden.delta if fmt.known(burden.delta) else float("nan")
    unknown_burden = fmt.sentence(_("the energy burden is not known: ")
                                  + burden.help.removeprefix("unknown: "))
    if plan.empty:
        why = t["message"].split(". ")[0].removeprefix(t["status"].capitalize() + ": ")
        return [fmt.sentence(_("there is no plan to fund ({status}): {why}").format(
            status=_(t['status']), why=why)),
                _("Without a plan the city emits {figure} {unit} at the "
                "{horizon_year} grid factor.").format(
                    figure=fmt.figure(base_kt), unit=unit(emissions.unit), horizon_year=sc.horizon_year),
                _("The mean energy burden stays at {figure} {unit}.").format(
                    figure=fmt.figure(before_burden), unit=unit(burden.unit))
                if fmt.known(before_burden) else unknown_burden]
    cut = -emissions.delta
    m = plan.measures.sort_values("abatement_t_co2_per_yr", ascending=False).iloc[0]
    top_share = m["abatement_t_co2_per_yr"] / t["abatement_t_co2_per_yr"] \
        if t["abatement_t_co2_per_yr"] > 0 else float("nan")
    first = (_("Emissions fall by {figure} {unit}, "
             "{percent} of the "
             "{figure2} {unit} the city would emit at the "
             "{horizon_year} grid factor without the plan.").format(
                 figure=fmt.figure(cut), unit=unit(emissions.unit),
                 percent=fmt.percent(cut / base_kt if base_kt > 0 else float('nan')),
                 figure2=fmt.figure(base_kt), horizon_year=sc.horizon_year))
    second = (_("{money} of the {money2} "
              "budget is spent; {lower_first} gives "
              "{percent} of the cut, and {value} of the spending goes "
              "to the {sum:,} disadvantaged districts (minimum asked: "
              "{percent2}).").format(
                  money=fmt.money(t['cost_usd'], cur), money2=fmt.money(t['budget_usd'], cur),
                  lower_first=lower_first(m['label']), percent=fmt.percent(top_share, 0),
                  value=_value(dac), sum=int(plan.counted(ctx.dac).sum()),
                  percent2=fmt.percent(sc.justice40_share, 0)))
    if not fmt.known(burden.value):
        return [first, second,
                _("Households save {value} on energy bills. ").format(value=_value(bills))
                               + unknown_burden]
    q1 = plan.quintiles.iloc[0]
    third = (_("Households save {value} on energy bills; the mean energy burden "
             "falls from {figure} to {value2}, and in the "
             "lowest-income fifth of districts from {percent} "
             "to {percent2}.").format(
                 value=_value(bills), figure=fmt.figure(before_burden), value2=_value(burden),
                 percent=fmt.percent(q1['burden_before'], 2),
                 percent2=fmt.percent(q1['burden_after'], 2)))
    return [first, second, third]


def kpi_text(kpis: list[lab.KpiDelta]) -> list[dict]:
    """Each KPI as the cards show it: value, unit, change and what it means."""
    return [{"label": k.label, "value": k.value, "text": fmt.figure(k.value), "unit": unit(k.unit),
             "delta": f"{fmt.signed(k.delta)} {unit(k.unit)}" if fmt.known(k.delta) else None,
             "help": k.help} for k in kpis]


def solver_line(plan: Plan) -> str:
    t = plan.totals
    exact = (_("no plan") if plan.empty else _("the exact optimum of the linear problem")
             if t["exact"] else _("a feasible plan by an approximate method "
                                  "({approximation})").format(approximation=_(t["approximation"])))
    binding = ", ".join(t["binding"]) or _("none")
    return (_("status {status}: {exact}; binding constraints: {binding}; solved on "
            "{device} in {seconds:,.0f} ms, largest constraint violation "
            "{format_relative}.").format(
                status=_(t['status']), exact=exact, binding=binding, device=t['device'],
                seconds=t['seconds'] * 1000,
                format_relative=maps.format_relative(t['max_constraint_violation_rel'])))


def glance(city: City, quality: QualityReport, card: dict, plan: Plan) -> list[tuple[str, str]]:
    """What the figures rest on, in a few lines for the first page."""
    coverage = city.coverage() or _("all {n:,} districts have data").format(n=city.n)
    energy = predicted.summary(city) or _("energy observed in every district with data")
    verdicts = []
    for target, tr in card["targets"].items():
        chosen = tr["metrics"][tr["selected"]]
        band = tr["verdict"]["band"] if "verdict" in tr else _("not graded")
        verdicts.append(_("{lower} {band} (CV(RMSE) "
                        "{percent}, NMBE {percent2})").format(
                            lower=_(cols.label_of(target)).lower(), band=_(band),
                            percent=fmt.percent(chosen['cv_rmse']),
                            percent2=fmt.percent(chosen['nmbe'])))
    model_line = ("; ".join(verdicts) + _(" against ASHRAE Guideline 14")) if verdicts else \
        _("no energy target could be modelled")
    used = max((tr["n_used"] for tr in card["targets"].values()), default=0)
    return [(_("Data"), _("quality score {score:.0f} / 100; {coverage}; {energy}.").format(
        score=quality.score, coverage=coverage, energy=energy)),
            (_("Energy model"), _("cross-validated on {used:,} districts with observed energy: "
                             "{model_line}.").format(used=used, model_line=model_line)),
            (_("Plan"), solver_line(plan))] + computing(plan, card)


def computing(plan: Plan, card: dict) -> list[tuple[str, str]]:
    """What the computing behind the briefing cost (Wh, g CO2, measured or estimated), beside
    the abatement the plan buys (t CO2/yr); nothing for a plan or card saved without it."""
    t = plan.totals
    parts = []
    if "compute_energy_wh" in t:
        parts.append(footprint.beside_abatement(
            _("This plan's solve"), t["compute_energy_wh"], t["compute_co2_g"],
            t["compute_footprint_method"], t["abatement_t_co2_per_yr"]))
    if training := model_card.computation_text(card):
        parts.append(training)
    return [(_("Computing"), "; ".join(parts) + ".")] if parts else []
