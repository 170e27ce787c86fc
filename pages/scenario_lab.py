"""Scenario lab: the sidebar sliders drive the optimizer; where measures go, what they do, who gains."""

from functools import partial

import streamlit as st

from core.assess import maps
from core.plan import lab, problem, results
from dashboard import components, keys, sidebar, state
from dashboard.scenario_lab import charts, solve

city = state.active_city()
st.title("Scenario lab")
components.data_notice(city)
if reason := problem.unavailable(city.districts):
    st.info(f"The Scenario lab is not available for this city: {reason}. Map them on the "
            "Data page.")
    st.stop()
ctx = solve.context()
sc = sidebar.current_scenario()
res = solve.solve(sc)
totals = res.totals()

st.caption("Move the scenario sliders in the sidebar: the plan is re-optimised at once. "
           "Spending is the benefit counted for Justice40.")
solve.badge(totals, solve.highs_check(sc, res))
solve.status_message(totals)
if not totals["exact"] or ctx.district_ids.size > solve.HIGHS_AUTO_MAX_DISTRICTS:
    if st.button("Check the linear part against HiGHS", key=keys.LAB_CHECK_HIGHS):
        solve.highs_check(sc, res, force=True)
        st.rerun()

solve.kpi_delta_cards(lab.kpis(ctx, res))

table = results.district_table(ctx, res)
layer = st.radio("Map", list(solve.MAP_LAYERS), horizontal=True, key=keys.LAB_MAP_LAYER,
                 format_func=lambda k: "{} ({})".format(*solve.MAP_LAYERS[k]))
label, unit = solve.MAP_LAYERS[layer]
view = maps.choropleth(table, layer, label, unit, 0, "natural_breaks", 5)
tooltip = (f"<b>{{name}}</b> ({{district_id}})<br/>{label}: {{value_text}} {unit}")
map_col, legend_col = st.columns([5, 1])
with map_col:
    st.pydeck_chart(components.district_deck(city, view.properties, view.fill, tooltip),
                    key=keys.LAB_MAP, height=480)
with legend_col:
    components.legend(view.legend, f"{label} ({unit})")
    st.caption(f"{int(ctx.dac.sum())} disadvantaged districts (CEJST-style rule)")

per_measure = results.by_intervention(ctx, res)
left, right = st.columns(2)
left.plotly_chart(charts.abatement_by_intervention(per_measure))
right.plotly_chart(charts.macc(per_measure))
st.plotly_chart(charts.burden_by_quintile(results.burden_by_quintile(ctx, res)))

st.subheader("Sweeps")
st.caption(f"The Pareto front ({lab.PARETO_LEVELS} budgets) and the Monte Carlo band "
           f"({lab.MC_LEVELS} budgets x {lab.MC_DRAWS} draws of prices and grid path) are "
           "each one batched solve.")
if st.button("Run Pareto and Monte Carlo sweeps", key=keys.LAB_RUN_SWEEPS):
    solve.sweeps(sc, st.progress(0.0, text="Starting…"))
sweep = solve.stored_sweeps(sc)
if sweep:
    pareto, n_pareto, t_pareto, band, n_band, t_band = sweep
    left, right = st.columns(2)
    left.plotly_chart(charts.pareto(pareto, sc.budget_usd_per_capita))
    left.caption(f"{n_pareto} scenarios in one solve: {t_pareto * 1000:,.0f} ms on {res.device}")
    right.plotly_chart(charts.monte_carlo_band(band))
    right.caption(f"{n_band} scenarios in one solve: {t_band * 1000:,.0f} ms on {res.device}")

st.subheader("Downloads")
csv_col, geo_col, json_col = st.columns(3)
# the results files are built when their button is clicked, not on every slider move
csv_col.download_button("Results (CSV)", partial(table.to_csv, index=False),
                        file_name=f"greenprint_plan_{sc.id}.csv", mime="text/csv")
geo_col.download_button("Results (GeoJSON)",
                        components.geojson_file(city.districts, table, city.lineage,
                                                city.estimates),
                        file_name=f"greenprint_plan_{sc.id}.geojson", mime="application/geo+json")
json_col.download_button("Scenario (JSON)", sc.to_json().encode(),
                         file_name=f"scenario_{sc.id}.json", mime="application/json")
