"""Compare scenarios: two to four saved scenarios of the city side by side, from their saved
results: headline figures and differences, maps on one colour scale, a difference map,
abatement by intervention, burden by income quintile, spending in disadvantaged districts."""

import streamlit as st

from core.errors import InputError
from core.plan import compare
from dashboard import components, keys, state
from dashboard import store as app_store
from dashboard.compare import charts, view
from dashboard.scenario_lab import solve

city = state.active_city()
st.title("Compare scenarios")
components.data_notice(city)
store = app_store.get()
if store is None:
    st.info(app_store.off_reason())
    st.stop()
city_id = state.city_id()
records = store.list_scenarios(city_id=city_id) if city_id else []
if len(records) < compare.MIN_SCENARIOS:
    st.info(f"Save at least {compare.MIN_SCENARIOS} scenarios of {city.name} in the Scenario lab "
            f"(“Save scenario”) to compare them here; {len(records)} saved so far. The "
            "Scenarios page opens another city's.")
    st.stop()
by_id = {r.id: r for r in records}
pick = st.multiselect(
    f"Saved scenarios of {city.name} ({compare.MIN_SCENARIOS} to {compare.MAX_SCENARIOS}; the "
    "first is A, the one the others are measured against)", list(by_id),
    default=list(by_id)[:view.DEFAULT_CHOSEN][::-1], max_selections=compare.MAX_SCENARIOS,
    format_func=lambda i: view.label(by_id[i]), key=keys.COMPARE_PICK)
if len(pick) < compare.MIN_SCENARIOS:
    st.info(f"Choose at least {compare.MIN_SCENARIOS} scenarios.")
    st.stop()
try:
    compared = view.entries(store, pick)
    ctxs = view.contexts(compared)
except InputError as exc:
    st.error(f"These scenarios cannot be compared: {exc}.")
    st.stop()
names = {e.letter: e.name for e in compared}
currency = compared[0].currency

st.dataframe(compare.scenario_table(compared)[["scenario", "name", "tags", "saved", "status"]],
             hide_index=True, column_config={"scenario": "Scenario", "name": "Name", "tags": "Tags",
                                             "saved": "Saved", "status": "Plan"})
st.subheader("Headline figures")
st.caption("Each scenario's saved result; a difference is the scenario minus A, in the same "
           "unit (percentage points for %). Money in millions of the city's currency.")
kpis = compare.kpi_table(compared)
st.dataframe(kpis, hide_index=True, column_config={
    "figure": "Figure", "unit": "Unit",
    **{c: st.column_config.NumberColumn(c, format="%,.2f") for c in kpis.columns[2:]}})
params = compare.parameter_table(compared)
if params.empty:
    st.caption("The scenarios have the same parameters.")
else:
    st.markdown("**Parameters that differ**")
    st.dataframe(params, hide_index=True, column_config={"parameter": "Parameter",
                                                         "unit": "Unit"})

st.subheader("Per district")
layers = solve.map_layers(currency)
figure = st.radio("Map", list(layers), horizontal=True, key=keys.COMPARE_LAYER,
                  format_func=lambda k: "{} ({})".format(*layers[k]))
label, unit = layers[figure]
view.maps(city, compared, ctxs[0], figure, label, unit)
view.difference(city, compared, ctxs[0], figure, label, unit)

st.subheader("Abatement by intervention")
measures = compare.by_intervention(compared, ctxs[0].catalogue["label"].to_dict())
st.plotly_chart(charts.abatement_by_intervention(measures, names))
st.subheader("Energy burden by income quintile")
st.plotly_chart(charts.burden_by_quintile(compare.burden_by_quintile(compared, ctxs), names))
st.subheader("Spending in disadvantaged districts")
st.dataframe(compare.disadvantaged_spending(compared).drop(columns="name"), hide_index=True,
             column_config={
                 "scenario": "Scenario",
                 "spend_m_usd": st.column_config.NumberColumn(f"Spent (M {currency})",
                                                              format="%,.2f"),
                 "spend_dac_m_usd": st.column_config.NumberColumn(
                     f"In disadvantaged districts (M {currency})", format="%,.2f"),
                 "dac_share_pct": st.column_config.NumberColumn("Share (%)", format="%.1f"),
                 "justice40_pct": st.column_config.NumberColumn("Justice40 minimum (%)",
                                                                format="%.0f"),
                 "dac_districts_reached": "Reached (districts)",
                 "dac_districts": "Disadvantaged (districts)"})

st.subheader("Downloads")
view.downloads(compared, ctxs)
st.subheader("Policy briefing")
view.briefing_section(city, compared, ctxs)
