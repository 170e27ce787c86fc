"""Overview map: any indicator as a choropleth, KPIs, a sortable table and downloads."""

from functools import partial

import streamlit as st

from core.assess import indicators, maps
from dashboard import components, keys, nav, state

city = state.active_city()
table = state.indicator_table()
available = {ind.key: ind for ind in indicators.in_table(table)}

st.title("Overview map")
components.data_notice(city)
components.kpi_cards(indicators.city_kpis(city))

pick, how, count = st.columns([2, 2, 1])
key = pick.selectbox("Indicator", list(available), key=keys.OVERVIEW_INDICATOR,
                     format_func=lambda k: components.indicator_label(available[k]))
scheme = how.selectbox("Classification", list(maps.SCHEMES), key=keys.OVERVIEW_SCHEME,
                       format_func=maps.SCHEMES.get)
k = count.slider("Classes", 3, 7, 5, key=keys.OVERVIEW_CLASSES)

ind = available[key]
view = maps.choropleth(table, key, ind.label, ind.unit, ind.digits, scheme, k, ind.categories,
                       no_data=~city.with_data.to_numpy(),
                       predicted=city.predicted_mask(*indicators.uses(ind)))
tooltip = (f"<b>{{name}}</b> ({{district_id}})<br/>{ind.label}: {{value_text}} {ind.unit}"
           "<br/>data: {data}")

map_col, legend_col = st.columns([5, 1])
with map_col:
    deck = components.district_deck(city, view.properties, view.fill, tooltip,
                                    outlined=view.outlined)
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object",
                            key=keys.OVERVIEW_MAP, height=560)
with legend_col:
    components.legend(view.legend, components.indicator_label(ind))
    if not ind.categories:
        st.caption(f"{maps.SCHEMES[scheme]}, {len(view.classes.bins)} classes")

picked = event.selection.objects.get(components.LAYER_ID, []) if event else []
if picked:
    state.select_district(picked[0]["properties"]["district_id"])
    st.page_link(nav.DISTRICT, label=f"Open the profile of {picked[0]['properties']['name']}")

st.subheader("All districts")
st.caption("Click a column header to sort.")
st.dataframe(table, hide_index=True, column_config=components.column_config(list(available.values())))
components.indicator_estimate_captions(city, list(available.values()))

csv_col, geo_col = st.columns(2)
# files are built when a button is clicked, not on every rerun
csv_col.download_button("Download table (CSV)", partial(table.to_csv, index=False),
                        file_name="greenprint_indicators.csv", mime="text/csv")
shown = view.properties.assign(indicator=ind.label, unit=ind.unit)
geo_col.download_button("Download map (GeoJSON)",
                        components.geojson_file(city.districts, shown, city.lineage,
                                                city.estimates),
                        file_name=f"greenprint_{key}.geojson", mime="application/geo+json")
