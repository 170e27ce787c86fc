"""Compare scenarios: two to four saved scenarios of the city side by side, from their saved
results: headline figures and differences, maps on one colour scale, a difference map,
abatement by intervention, burden by income quintile, spending in disadvantaged districts."""

import streamlit as st

from core.errors import InputError
from core.i18n import _
from core.plan import compare
from dashboard import components, keys, portal, state, text
from dashboard import store as app_store
from dashboard.compare import charts, view
from dashboard.scenario_lab import solve

city = state.active_city()
st.title(_("Compare scenarios"))
components.data_notice(city)
store = app_store.get()
if store is None:
    st.info(app_store.off_reason())
    st.stop()
city_id = state.city_id()
# the portal compares the published scenarios only
records = store.list_scenarios(city_id=city_id, published_only=portal.active()) if city_id else []
if len(records) < compare.MIN_SCENARIOS and portal.active():
    st.info(_("At least {min_scenarios} published scenarios of {name} are needed to compare "
              "them here; {n_records} published so far.").format(
        min_scenarios=compare.MIN_SCENARIOS, name=text.inline(city.name), n_records=len(records)))
    st.stop()
if len(records) < compare.MIN_SCENARIOS:
    st.info(_("Save at least {min_scenarios} scenarios of {name} in the Scenario lab "
            "(“Save scenario”) to compare them here; {n_records} saved so far. The "
            "Scenarios page opens another city's.").format(
                min_scenarios=compare.MIN_SCENARIOS, name=text.inline(city.name), n_records=len(records)))
    st.stop()
by_id = {r.id: r for r in records}
pick = st.multiselect(
    _("Saved scenarios of {name} ({min_scenarios} to {max_scenarios}; the "
    "first is A, the one the others are measured against)").format(
        name=text.inline(city.name), min_scenarios=compare.MIN_SCENARIOS,
        max_scenarios=compare.MAX_SCENARIOS), list(by_id),
    default=list(by_id)[:view.DEFAULT_CHOSEN][::-1], max_selections=compare.MAX_SCENARIOS,
    format_func=lambda i: view.label(by_id[i]), key=keys.COMPARE_PICK)
if len(pick) < compare.MIN_SCENARIOS:
    st.info(_("Choose at least {min_scenarios} scenarios.").format(
        min_scenarios=compare.MIN_SCENARIOS))
    st.stop()
try:
    compared = view.entries(store, pick)
    ctxs = view.contexts(compared)
except InputError as exc:
    st.error(_("These scenarios cannot be compared: {exc}.").format(exc=exc))
    st.stop()
names = {e.letter: e.name for e in compared}
currency = compared[0].currency
# the portal: the plans' district figures through the release rule (None: the planner's)
release = portal.released(city, view.district_figures(compared, ctxs[0]), "comparison",
                          "_".join(pick))

scenarios = compare.scenario_table(compared)[["scenario", "name", "tags", "saved", "status"]]
st.dataframe(scenarios.assign(status=scenarios["status"].map(_)), hide_index=True,
             column_config={"scenario": _("Scenario"), "name": _("Name"), "tags": _("Tags"),
                            "saved": _("Saved"), "status": _("Plan")})
st.subheader(_("Headline figures"))
st.caption(_("Each scenario's saved result; a difference is the scenario minus A, in the same "
           "unit (percentage points for %). Money in millions of the city's currency."))
kpis = compare.kpi_table(compared)
st.dataframe(kpis, hide_index=True, column_config={
    "figure": _("Figure"), "unit": _("Unit"),
    **{c: st.column_config.NumberColumn(c, format="%,.2f") for c in kpis.columns[2:]}})
params = compare.parameter_table(compared)
if params.empty:
    st.caption(_("The scenarios have the same parameters."))
else:
    st.markdown(_("**Parameters that differ**"))
    st.dataframe(params, hide_index=True, column_config={"parameter": _("Parameter"),
                                                         "unit": _("Unit")})

st.subheader(_("Per district"))
layers = solve.map_layers(currency)
figure = st.radio(_("Map"), list(layers), horizontal=True, key=keys.COMPARE_LAYER,
                  format_func=lambda k: "{} ({})".format(*layers[k]))
label, unit = layers[figure]
view.maps(city, compared, ctxs[0], figure, label, unit, release)
view.difference(city, compared, ctxs[0], figure, label, unit, release)

st.subheader(_("Abatement by intervention"))
interventions = {k: _(label) for k, label in ctxs[0].catalogue["label"].items()}
measures = compare.by_intervention(compared, interventions)
st.plotly_chart(charts.abatement_by_intervention(measures, names))
st.subheader(_("Energy burden by income quintile"))
st.plotly_chart(charts.burden_by_quintile(compare.burden_by_quintile(compared, ctxs), names))
st.subheader(_("Spending in disadvantaged districts"))
st.dataframe(compare.disadvantaged_spending(compared).drop(columns="name"), hide_index=True,
             column_config={
                 "scenario": _("Scenario"),
                 "spend_m_usd": st.column_config.NumberColumn(
                     _("Spent (M {currency})").format(currency=currency),
                                                              format="%,.2f"),
                 "spend_dac_m_usd": st.column_config.NumberColumn(
                     _("In disadvantaged districts (M {currency})").format(currency=currency),
                     format="%,.2f"),
                 "dac_share_pct": st.column_config.NumberColumn(_("Share (%)"), format="%.1f"),
                 "justice40_pct": st.column_config.NumberColumn(_("Justice40 minimum (%)"),
                                                                format="%.0f"),
                 "dac_districts_reached": _("Reached (districts)"),
                 "dac_districts": _("Disadvantaged (districts)")})

st.subheader(_("Downloads"))
view.downloads(compared, ctxs, per_district=release is None)
st.subheader(_("Policy briefing"))
view.briefing_section(city, compared, ctxs)  # on the portal: released (dashboard.briefing)
