"""The briefing's maps and charts of a plan: spending and abatement per district, abatement
by intervention, energy burden by income quintile; each with a caption and an alt text
written from the same numbers (drawn by :mod:`core.report.figures`)."""

from __future__ import annotations

import numpy as np

from core.i18n import _, number, unit
from core.intake.city import City
from core.models import predicted
from core.plan.problem import CityContext
from core.report import figures
from core.report import text as fmt
from core.report.plans import Plan
from core.report.text import NOT_KNOWN


def _place(city: City) -> str:
    return _("{name}'s {n:,} districts").format(name=city.name, n=city.n)


def plan_figures(city: City, ctx: CityContext, plan: Plan) -> list[figures.Figure]:
    """Maps of spending and abatement per district; on the portal (``plan.withheld``), the
    withheld districts in the withheld colour, without their value, outline or hatching."""
    hidden = (plan.withheld.mask if plan.withheld is not None
              else np.zeros(city.n, dtype=bool))
    no_data = ~city.with_data.to_numpy() & ~hidden
    guessed = predicted.any_predicted(city) & ~hidden
    dac = ctx.dac & ~hidden
    table = plan.districts
    out = []
    for key, label, shown_unit, column in (
            ("map_spending", _("Spending"), plan.currency, "spend_usd"),
            ("map_abatement", _("Abatement"), unit("t CO2/yr"), "abatement_t_co2_per_yr")):
        values = table[column].to_numpy(dtype=float)
        layer = figures.MapLayer(city.map_geometry, values, no_data, dac, guessed, hidden)
        top = figures.top_districts(table["name"], np.where(no_data | hidden, np.nan, values))
        none = int(((values <= 0) & ~no_data & ~hidden).sum())
        tops = "; ".join(f"{name} ({fmt.amount(v)} {shown_unit})" for name, v in top)
        alt = (_("Map of {place} coloured by {lower} ({unit}) in "
               "natural-breaks classes. ").format(place=_place(city), lower=label.lower(),
                                                  unit=shown_unit)
               + (_("Largest: {tops}. ").format(tops=tops) if tops else _("Nothing is "
                                             "placed. "))
               + _("{none:,} districts with data get none").format(none=none)
               + (_("; {sum:,} disadvantaged districts are outlined").format(sum=int(dac.sum()))
                  if dac.any() else "")
               + (_("; {sum:,} withheld by the release rule are pink").format(sum=int(hidden.sum()))
                  if hidden.any() else "")
               + (_("; {sum:,} without data are grey").format(sum=int(no_data.sum()))
                  if no_data.any() else "")
               + (_("; {sum:,} with predicted energy are hatched").format(sum=int(guessed.sum()))
                  if guessed.any() else "") + ".")
        caption = (_("{label} per district ({unit}), in natural-breaks "
                     "classes.").format(label=label, unit=shown_unit)
                   + (_(" Outlined: disadvantaged districts (CEJST-style rule).")
                      if dac.any() else "")
                   + (_(" Pink: withheld by the release rule (see Small areas).")
                      if hidden.any() else "")
                   + (_(" Light grey: none.") if none else "")
                   + (_(" Grey: no data.") if no_data.any() else "")
                   + (_(" Hatched: energy predicted by the model, not observed.")
                      if guessed.any() else ""))
        out.append(figures.district_map(key, layer, label, shown_unit, caption, alt))
    return out


def measure_chart(plan: Plan) -> figures.Figure | None:
    """Abatement by intervention (None when the plan abates nothing)."""
    m, cur = plan.measures, plan.currency
    ab = m["abatement_t_co2_per_yr"].to_numpy(dtype=float)
    if not (ab > 0).any():
        return None
    per_yr = unit("t/yr")
    notes = [f"{fmt.amount(a)} {per_yr} · {fmt.money(s, cur)}"
             for a, s in zip(ab, m["spend_usd"], strict=True)]
    alt = _("Bar chart of abatement by intervention: {bars}.").format(bars="; ".join(
        _("{label} {amount} {unit} for {money}").format(
            label=m["label"].iloc[i], amount=fmt.amount(ab[i]), unit=unit("t CO2/yr"),
            money=fmt.money(m["spend_usd"].iloc[i], cur)) for i in np.argsort(-ab)))
    return figures.bar_chart("chart_measures", list(m["label"]), ab, _("abatement (t CO2/yr)"),
                             notes, _("Abatement by intervention (t CO2/yr), with the "
                                      "spending on each ({currency}).").format(currency=cur),
                             alt)


def burden_chart(plan: Plan) -> figures.Figure | None:
    """Energy burden by income quintile, before and after (None without incomes)."""
    q = plan.quintiles
    if q.empty:
        return None
    groups = [f"Q{int(v)}" for v in q["quintile"]]
    before, after = (q[c].to_numpy(dtype=float) * fmt.PCT for c in ("burden_before",
                                                                   "burden_after"))
    alt = _("Bar chart of the mean energy burden by income quintile of districts, before and "
            "after the plan: {bars}.").format(bars="; ".join(
                _("{group} {before} to {after}").format(
                    group=g, before=fmt.percent(b / fmt.PCT, 2), after=fmt.percent(a / fmt.PCT, 2))
                for g, b, a in zip(groups, before, after, strict=True)))
    return figures.grouped_bars(
        "chart_burden", groups, {_("before the plan"): before, _("after the plan"): after},
        _("energy burden (% of income)"), lambda v: number(v, 2) if np.isfinite(v) else _(NOT_KNOWN),
        _("Mean energy burden (% of income) by income quintile of districts, before "
          "and after the plan; Q1 = the fifth of districts with the lowest income."), alt)
