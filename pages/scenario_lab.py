"""Scenario lab: the sidebar sliders drive the optimizer; where measures go, what they do, who gains."""

from functools import partial

import streamlit as st

from core.assess import maps, summary
from core.i18n import _
from core.models import predicted
from core.plan import lab, problem, results
from core.release import shown
from core.report import withheld
from dashboard import address, components, downloads, keys, portal, sidebar, state
from dashboard.scenario_lab import charts, saving, solve

city = state.active_city()
st.title(_("Scenario lab"))
components.data_notice(city)
if reason := problem.unavailable(city.districts):
    st.info(_("The Scenario lab is not available for this city: {reason}. Map them on the "
            "Data page.").format(reason=reason))
    st.stop()
n_predicted = int(predicted.any_predicted(city).sum())
observed_only = solve.observed_only(n_predicted)
ctx = solve.context(observed_only)
sc = sidebar.current_scenario()
try:
    res = solve.solve(sc, observed_only)
except portal.Busy as exc:  # the portal's bounded solves
    st.warning(str(exc))
    st.stop()
totals = res.totals()

st.caption(_("Move the scenario sliders in the sidebar: the plan is re-optimised at once. "
           "Spending is the benefit counted for Justice40."))
solve.badge(totals, solve.highs_check(sc, res, observed_only), city.n_without_data, n_predicted,
            observed_only)
solve.status_message(totals)
if not totals["exact"] or ctx.district_ids.size > solve.HIGHS_AUTO_MAX_DISTRICTS:
    if st.button(_("Check the linear part against HiGHS"), key=keys.LAB_CHECK_HIGHS):
        solve.highs_check(sc, res, observed_only, force=True)
        st.rerun()

table = results.district_table(ctx, res)
currency = totals["currency"]
# the portal: every district figure through the release rule (None in the planner's mode)
release = portal.released(city, table, f"plan {sc.id}", solve.plan_key(observed_only) + sc.id)
kpis = lab.kpis(ctx, res)  # the whole city's: what a saved result is compared with
saved = address.matching(sc)  # the open saved scenario, while the sliders hold it
saving.saved_panel(state.open_scenario(), saved, kpis)
where = None  # the districts the sums and groups below cover (None: all)
if release is not None:  # the figures the portal may publish (as its briefings do)
    table = release.table
    held = withheld.of(release, ctx.district_ids)
    kpis = withheld.plan_kpis(ctx, res, 0, held)[1]
    where = held.released
solve.kpi_delta_cards(kpis)
if release is not None and held.n:
    st.caption(withheld.kpi_note(held, len(ctx.district_ids)))
layers = solve.map_layers(currency)
layer = st.radio(_("Map"), list(layers), horizontal=True, key=keys.LAB_MAP_LAYER,
                 format_func=lambda k: "{} ({})".format(*layers[k]))
label, unit = layers[layer]
view = maps.choropleth(table, layer, label, unit, 0, "natural_breaks", 5,
                       no_data=~ctx.with_data,
                       predicted=city.predicted_mask(*problem.REQUIRED_COLUMNS))
tooltip = (_("<b>{{name}}</b> ({{district_id}})<br/>{label}: {{value_text}} {unit}").format(
    label=label, unit=unit))
if release is not None:
    view = shown.on_map(view, release, layer)
    tooltip += f"<br/>{{{shown.WITHHELD_PROPERTY}}}"
properties = view.properties
if n_predicted:  # say which energy is the model's, with its interval
    properties = properties.assign(**{f: predicted.status(city, f).to_numpy()
                                      for f in ("electricity_kwh", "gas_kwh")})
    if release is not None:  # a withheld district's energy is not shown either
        properties.loc[properties["data"] == shown.WITHHELD_LABEL,
                       ["electricity_kwh", "gas_kwh"]] = shown.BLANK
    tooltip += _("<br/>electricity: {electricity_kwh}<br/>gas: {gas_kwh}")
described = summary.of_choropleth(view)
map_col, legend_col = st.columns([5, 1])
with map_col:
    components.district_map(city, properties, view.fill, tooltip, key=keys.LAB_MAP, height=480,
                            outlined=view.outlined, label=described.summary)
with legend_col:
    components.legend(view.legend, f"{label} ({unit})")
    if note := maps.sample_note(view.classes):  # a large city's natural breaks
        st.caption(note)
    st.caption(_("{sum} disadvantaged districts (CEJST-style rule)").format(sum=int(ctx.dac.sum())))
components.map_text(described)

per_measure = results.by_intervention(ctx, res, where=where)
left, right = st.columns(2)
left.plotly_chart(charts.abatement_by_intervention(per_measure, currency))
right.plotly_chart(charts.macc(per_measure, currency))
st.plotly_chart(charts.burden_by_quintile(results.burden_by_quintile(ctx, res, where=where)))

st.subheader(_("Sweeps"))
st.caption(_("The Pareto front ({pareto_levels} budgets) and the Monte Carlo band "
           "({mc_levels} budgets x {mc_draws} draws of prices and grid path) are "
           "each one batched solve.").format(**dict(zip(("pareto_levels", "mc_levels", "mc_draws"),
                                                       solve.sweep_sizes(), strict=True))))
if st.button(_("Run Pareto and Monte Carlo sweeps"), key=keys.LAB_RUN_SWEEPS):
    try:
        solve.sweeps(sc, st.progress(0.0, text=_("Starting…")), observed_only)
    except portal.Busy as exc:
        st.warning(str(exc))
sweep = solve.stored_sweeps(sc, observed_only)
if sweep:
    pareto, n_pareto, t_pareto, band, n_band, t_band, sweep_footprint, where = sweep
    left, right = st.columns(2)
    left.plotly_chart(charts.pareto(pareto, res.scenarios[0].budget_usd_per_capita, currency))
    left.caption(_("{n_pareto} scenarios in one solve: {t_pareto:,.0f} ms on {device}").format(
        n_pareto=n_pareto, t_pareto=t_pareto * 1000, device=where))
    right.plotly_chart(charts.monte_carlo_band(band, currency))
    right.caption(_("{n_band} scenarios in one solve: {t_band:,.0f} ms on {device}").format(
        n_band=n_band, t_band=t_band * 1000, device=where))
    st.caption(_("These sweeps: {footprint}").format(footprint=sweep_footprint.text()))

st.subheader(_("Downloads"))
if release is not None:  # the portal: open data, released
    downloads.buttons(city, release, f"greenprint_plan_{sc.id}", _("Scenario lab plan"),
                      keys.LAB_DOWNLOADS, interventions=ctx.catalogue["label"].to_dict(),
                      renamed=dict(zip(table.columns,
                                       results.export_table(table.head(0), currency).columns,
                                       strict=True)))
    json_col = st
else:  # the planner's mode: the plan's files as they are
    csv_col, geo_col, json_col = st.columns(3)
    # the results files are built when their button is clicked, not on every slider move
    exported = results.export_table(table, currency)  # money columns named by the currency
    csv_col.download_button(_("Results (CSV)"), partial(exported.to_csv, index=False),
                            file_name=f"greenprint_plan_{sc.id}.csv", mime="text/csv")
    geo_col.download_button(_("Results (GeoJSON)"),
                            components.geojson_file(city.districts, exported, city.lineage,
                                                    city.estimates),
                            file_name=f"greenprint_plan_{sc.id}.geojson",
                            mime="application/geo+json")
json_col.download_button(_("Scenario (JSON)"), sc.to_json().encode(),
                         file_name=f"scenario_{sc.id}.json", mime="application/json")

if not portal.active():  # the portal saves nothing
    saving.save_section(sc, observed_only)

saving.briefing_section(city, ctx, res, sc, observed_only, saved, release)
