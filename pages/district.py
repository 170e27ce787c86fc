"""District profile: one district's values against the city distribution."""

import streamlit as st

from core import indicators
from dashboard import charts, components, keys, state

city = state.active_city()
table = state.indicator_table()
names = dict(zip(table["district_id"], table["name"], strict=True))

st.title("District profile")
components.data_notice(city)

ids = list(names)
chosen = st.session_state.get(keys.SELECTED_DISTRICT)
district_id = st.selectbox("District", ids, index=ids.index(chosen) if chosen in ids else 0,
                           format_func=lambda d: f"{names[d]} ({d})", key=keys.PROFILE_DISTRICT)
st.session_state[keys.SELECTED_DISTRICT] = district_id
profile = indicators.district_profile(table, district_id)

left, right = st.columns([3, 2])
with left:
    st.subheader(names[district_id])
    st.dataframe(profile[["indicator", "value", "unit", "rank", "of", "percentile", "city_median"]],
                 hide_index=True, column_config={
                     "value": st.column_config.NumberColumn("Value", format="%,.1f"),
                     "rank": st.column_config.NumberColumn("Rank (1 = highest)"),
                     "of": st.column_config.NumberColumn("of districts"),
                     "percentile": st.column_config.NumberColumn("Percentile (%)", format="%.0f"),
                     "city_median": st.column_config.NumberColumn("City median", format="%,.1f"),
                 })
with right:
    st.caption("Click another district on the map to select it.")
    fill = [[236, 112, 20, 230] if d == district_id else [180, 190, 200, 160] for d in table["district_id"]]
    deck = components.district_deck(city, table[["district_id", "name"]], fill,
                                    "<b>{name}</b> ({district_id})", highlight=district_id)
    event = st.pydeck_chart(deck, on_select="rerun", key=keys.PROFILE_MAP, height=380)
    picked = event.selection.objects.get(components.LAYER_ID, []) if event else []
    if picked and picked[0]["properties"]["district_id"] != district_id:
        st.session_state[keys.SELECTED_DISTRICT] = picked[0]["properties"]["district_id"]
        st.session_state.pop(keys.PROFILE_DISTRICT, None)
        st.rerun()

st.plotly_chart(charts.percentile_bars(profile, names[district_id]))
st.subheader("Against the distribution")
cols = st.columns(2)
for i, row in enumerate(profile.dropna(subset=["value"]).itertuples()):
    cols[i % 2].plotly_chart(charts.distribution(table[row.key], row.value, row.indicator, row.unit),
                             key=f"dist_{row.key}")
