"""District profile: one district's values against the city distribution."""

import streamlit as st

from core.assess import indicators, maps
from core.i18n import _, unit
from core.release import shown as public
from dashboard import components, keys, portal, state, text
from dashboard.district import charts

city = state.active_city()
table, release = portal.indicator_table()  # released on the portal (None: the planner's)
names = dict(zip(table["district_id"], table["name"], strict=True))

st.title(_("District profile"))
components.data_notice(city)

ids = list(names)
chosen = state.selected_district()
district_id = st.selectbox(_("District"), ids, index=ids.index(chosen) if chosen in ids else 0,
                           format_func=lambda d: f"{names[d]} ({d})", key=keys.PROFILE_DISTRICT)
state.select_district(district_id)
profile = indicators.district_profile(table, district_id)
no_data = (table[indicators.DATA] == indicators.NO_DATA).to_numpy()

left, right = st.columns([3, 2])
with left:
    st.subheader(text.md(text.cut(names[district_id])))  # a name is data: never Markdown
    if no_data[ids.index(district_id)]:
        st.info(_("This district has no data (no attribute row or no population): it is shown "
                "as no data and left out of ranks, the disadvantaged rule and the optimizer. "
                "Add its row or its population on the Data page to include it."))
    rows = components.profile_table(profile)
    if release is not None:  # a withheld figure says so, and why
        rows["Value"] = [_("withheld: {why}").format(why=why) if why else value
                         for value, why in zip(
            rows["Value"], public.profile_values(profile, release, district_id), strict=True)]
    st.dataframe(rows, hide_index=True, column_config={
        "Indicator": st.column_config.TextColumn(_("Indicator")),
        "Value": st.column_config.TextColumn(_("Value")),
        "City median": st.column_config.TextColumn(_("City median")),
        "Rank": st.column_config.TextColumn(_("Rank (1 = highest)")),
        "Percentile": st.column_config.ProgressColumn(_("Percentile (%)"), format="%.0f",
                                                      min_value=0, max_value=100),
    })
    components.indicator_estimate_captions(city, indicators.in_table(table))
with right:
    st.caption(_("Click another district on the map to select it."))
    fill = components.highlight_fill(table["district_id"], district_id, no_data)
    picked = components.district_map(city, table[["district_id", "name"]], fill,
                                     "<b>{name}</b> ({district_id})", key=keys.PROFILE_MAP,
                                     height=380, highlight=district_id, pick=True)
    st.caption(_("The map marks {name} among the city's {n} districts; the list above "
                 "chooses another one.").format(name=text.quoted(names[district_id]), n=city.n))
    if no_data.any():
        components.legend([maps.no_data_row(int(no_data.sum()))], "Districts")
    if picked is not None and picked != district_id:
        state.select_district(picked, reset_profile_widget=True)
        st.rerun()

st.plotly_chart(charts.percentile_bars(profile, names[district_id]))
st.subheader(_("Against the distribution"))
cols = st.columns(2)
for i, row in enumerate(profile.dropna(subset=["percentile"]).itertuples()):
    cols[i % 2].plotly_chart(charts.distribution(table[row.key], row.value, _(row.indicator),
                                                 unit(row.unit)),
                             key=f"dist_{row.key}")
