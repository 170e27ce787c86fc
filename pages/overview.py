"""Overview map: any indicator as a choropleth, KPIs, a sortable table and downloads."""

from functools import partial

import streamlit as st

from core.assess import indicators, maps, summary
from core.i18n import _, unit
from core.release import shown as public
from dashboard import components, downloads, keys, nav, portal, state

city = state.active_city()
table, release = portal.indicator_table()  # released on the portal (None: the planner's)
available = {ind.key: ind for ind in indicators.in_table(table)}

st.title(_("Overview map"))
components.data_notice(city)
components.kpi_cards(indicators.city_kpis(city) if release is None else public.kpis(release))

pick, how, count = st.columns([2, 2, 1])
key = pick.selectbox(_("Indicator"), list(available), key=keys.OVERVIEW_INDICATOR,
                     format_func=lambda k: components.indicator_label(available[k]))
scheme = how.selectbox(_("Classification"), list(maps.SCHEMES), key=keys.OVERVIEW_SCHEME,
                       format_func=lambda s: _(maps.SCHEMES[s]))
k = count.slider(_("Classes"), 3, 7, 5, key=keys.OVERVIEW_CLASSES)

ind = available[key]
view = maps.choropleth(table, key, _(ind.label), unit(ind.unit), ind.digits, scheme, k,
                       tuple(_(c) for c in ind.categories),
                       no_data=~city.with_data.to_numpy(),
                       predicted=city.predicted_mask(*indicators.uses(ind)))
tooltip = (_("<b>{{name}}</b> ({{district_id}})<br/>{label}: {{value_text}} {unit}"
           "<br/>data: {{data}}").format(label=_(ind.label), unit=unit(ind.unit)))
if release is not None:  # withheld districts: their own colour, legend entry and reason
    view = public.on_map(view, release, key)
    tooltip += f"<br/>{{{public.WITHHELD_PROPERTY}}}"

described = summary.of_choropleth(view, ind.digits)
map_col, legend_col = st.columns([5, 1])
with map_col:
    picked = components.district_map(city, view.properties, view.fill, tooltip,
                                     key=keys.OVERVIEW_MAP, height=560, outlined=view.outlined,
                                     label=described.summary, pick=True)
with legend_col:
    components.legend(view.legend, components.indicator_label(ind))
    if not ind.categories:
        st.caption(_("{schemes}, {n_bins} classes").format(schemes=_(maps.SCHEMES[scheme]),
                                                           n_bins=len(view.classes.bins))
                   + (f" ({note})" if (note := maps.sample_note(view.classes)) else ""))

components.map_text(described)

names = dict(zip(table["district_id"], table["name"], strict=True))
if picked in names:
    state.select_district(picked)
    st.page_link(nav.DISTRICT, label=_("Open the profile of {name}").format(name=names[picked]))

st.subheader(_("All districts"))
st.caption(_("Click a column header to sort."))
st.dataframe(table, hide_index=True, column_config=components.column_config(list(available.values())))
components.indicator_estimate_captions(city, list(available.values()))

if release is not None:  # the portal: open data, released
    st.caption(_(portal.BLANK_NOTE))
    downloads.buttons(city, release, "greenprint_indicators", _("District indicators"),
                      keys.OVERVIEW_DOWNLOADS)
else:
    csv_col, geo_col = st.columns(2)
    # files are built when a button is clicked, not on every rerun
    csv_col.download_button(_("Download table (CSV)"), partial(table.to_csv, index=False),
                            file_name="greenprint_indicators.csv", mime="text/csv")
    shown = view.properties.assign(indicator=ind.label, unit=ind.unit)
    geo_col.download_button(_("Download map (GeoJSON)"),
                            components.geojson_file(city.districts, shown, city.lineage,
                                                    city.estimates),
                            file_name=f"greenprint_{key}.geojson", mime="application/geo+json")
