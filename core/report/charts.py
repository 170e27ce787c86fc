"""The briefing's maps and charts of a plan: spending and abatement per district, abatement
by intervention, energy burden by income quintile; each with a caption and an alt text
written from the same numbers (drawn by :mod:`core.report.figures`)."""

from __future__ import annotations

import numpy as np

from core.i18n import _
from core.intake.city import City
from core.models import predicted
from core.plan.problem import CityContext
from core.report import figures
from core.report import text as fmt
from core.report.plans import Plan


def _place(city: City) -> str:
    return f"{city.name}'s {city.n:,} districts"


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
    for key, label, unit, column in (
            ("map_spending", _("Spending"), plan.currency, "spend_usd"),
            ("map_abatement", _("Abatement"), "t CO2/yr", "abatement_t_co2_per_yr")):
        values = table[column].to_numpy(dtype=float)
        layer = figures.MapLayer(city.map_geometry, values, no_data, dac, guessed, hidden)
        top = figures.top_districts(table["name"], np.where(no_data | hidden, np.nan, values))
        none = int(((values <= 0) & ~no_data & ~hidden).sum())
        tops = "; ".join(f"{name} ({fmt.amount(v)} {unit})" for name, v in top)
        alt = (_("Map of {place} coloured by {lower} ({unit}) in "
               "natural-breaks classes. ").format(place=_place(city), lower=label.lower(),
                                                  unit=unit)
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
                     "classes.").format(label=label, unit=unit)
                   + (_(" Outlined: disadvantaged districts (CEJST-style rule).")
                      if dac.any() else "")
                   + (_(" Pink: withheld by the release rule (see Small areas).")
                      if hidden.any() else "")
                   + (_(" Light grey: none.") if none else "")
                   + (_(" Grey: no data.") if no_data.any() else "")
                   + (_(" Hatched: energy predicted by the model, not observed.")
                      if guessed.any() else ""))
        out.append(figures.district_map(key, layer, label, unit, caption, alt))
    return out


def measure_chart(plan: Plan) -> figures.Figure | None:
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


def burden_chart(plan: Plan) -> figures.Figure | None:
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
