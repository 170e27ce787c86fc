"""Scenario lab: the sidebar sliders drive the optimizer; where measures go, what they do, who gains."""

from functools import partial

import streamlit as st

from core.assess import maps
from core.models import predicted
from core.plan import lab, problem, results
from dashboard import address, components, keys, sidebar, state
from dashboard.scenario_lab import charts, saving, solve

city = state.active_city()
st.title("Scenario lab")
components.data_notice(city)
if reason := problem.unavailable(city.districts):
    st.info(f"The Scenario lab is not available for this city: {reason}. Map them on the "
            "Data page.")
    st.stop()
n_predicted = int(predicted.any_predicted(city).sum())
observed_only = solve.observed_only(n_predicted)
ctx = solve.context(observed_only)
sc = sidebar.current_scenario()
res = solve.solve(sc, observed_only)
totals = res.totals()

st.caption("Move the scenario sliders in the sidebar: the plan is re-optimised at once. "
           "Spending is the benefit counted for Justice40.")
solve.badge(totals, solve.highs_check(sc, res, observed_only), city.n_without_data, n_predicted,
            observed_only)
solve.status_message(totals)
if not totals["exact"] or ctx.district_ids.size > solve.HIGHS_AUTO_MAX_DISTRICTS:
    if st.button("Check the linear part against HiGHS", key=keys.LAB_CHECK_HIGHS):
        solve.highs_check(sc, res, observed_only, force=True)
        st.rerun()

kpis = lab.kpis(ctx, res)
saved = address.matching(sc)  # the open saved scenario, while the sliders hold it
saving.saved_panel(state.open_scenario(), saved, kpis)
solve.kpi_delta_cards(kpis)

table = results.district_table(ctx, res)
currency = totals["currency"]
layers = solve.map_layers(currency)
layer = st.radio("Map", list(layers), horizontal=True, key=keys.LAB_MAP_LAYER,
                 format_func=lambda k: "{} ({})".format(*layers[k]))
label, unit = layers[layer]
view = maps.choropleth(table, layer, label, unit, 0, "natural_breaks", 5,
                       no_data=~ctx.with_data,
                       predicted=city.predicted_mask(*problem.REQUIRED_COLUMNS))
tooltip = (f"<b>{{name}}</b> ({{district_id}})<br/>{label}: {{value_text}} {unit}")
properties = view.properties
if n_predicted:  # say which energy is the model's, with its interval
    properties = properties.assign(**{f: predicted.status(city, f).to_numpy()
                                      for f in ("electricity_kwh", "gas_kwh")})
    tooltip += "<br/>electricity: {electricity_kwh}<br/>gas: {gas_kwh}"
map_col, legend_col = st.columns([5, 1])
with map_col:
    st.pydeck_chart(components.district_deck(city, properties, view.fill, tooltip,
                                             outlined=view.outlined),
                    key=keys.LAB_MAP, height=480)
with legend_col:
    components.legend(view.legend, f"{label} ({unit})")
    st.caption(f"{int(ctx.dac.sum())} disadvantaged districts (CEJST-style rule)")

per_measure = results.by_intervention(ctx, res)
left, right = st.columns(2)
left.plotly_chart(charts.abatement_by_intervention(per_measure, currency))
right.plotly_chart(charts.macc(per_measure, currency))
st.plotly_chart(charts.burden_by_quintile(results.burden_by_quintile(ctx, res)))

st.subheader("Sweeps")
st.caption(f"The Pareto front ({lab.PARETO_LEVELS} budgets) and the Monte Carlo band "
           f"({lab.MC_LEVELS} budgets x {lab.MC_DRAWS} draws of prices and grid path) are "
           "each one batched solve.")
if st.button("Run Pareto and Monte Carlo sweeps", key=keys.LAB_RUN_SWEEPS):
    solve.sweeps(sc, st.progress(0.0, text="Starting…"), observed_only)
sweep = solve.stored_sweeps(sc, observed_only)
if sweep:
    pareto, n_pareto, t_pareto, band, n_band, t_band = sweep
    left, right = st.columns(2)
    left.plotly_chart(charts.pareto(pareto, res.scenarios[0].budget_usd_per_capita, currency))
    left.caption(f"{n_pareto} scenarios in one solve: {t_pareto * 1000:,.0f} ms on {res.device}")
    right.plotly_chart(charts.monte_carlo_band(band, currency))
    right.caption(f"{n_band} scenarios in one solve: {t_band * 1000:,.0f} ms on {res.device}")

st.subheader("Downloads")
csv_col, geo_col, json_col = st.columns(3)
# the results files are built when their button is clicked, not on every slider move
exported = results.export_table(table, currency)  # money columns named by the currency
csv_col.download_button("Results (CSV)", partial(exported.to_csv, index=False),
                        file_name=f"greenprint_plan_{sc.id}.csv", mime="text/csv")
geo_col.download_button("Results (GeoJSON)",
                        components.geojson_file(city.districts, exported, city.lineage,
                                                city.estimates),
                        file_name=f"greenprint_plan_{sc.id}.geojson", mime="application/geo+json")
json_col.download_button("Scenario (JSON)", sc.to_json().encode(),
                         file_name=f"scenario_{sc.id}.json", mime="application/json")

saving.save_section(sc, observed_only)

saving.briefing_section(city, ctx, res, sc, observed_only, saved)
