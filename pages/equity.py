"""Equity: energy burden, disadvantaged districts, inequality, clusters and threshold sensitivity."""

import math

import streamlit as st

from core import money
from core.assess import equity, indicators, inequality, maps
from core.intake import estimates
from dashboard import components, keys, state
from dashboard.equity import charts, clusters


def percent(share: float) -> str:
    """A share as percent with two decimals; "n/a" for NaN (no district with an income)."""
    return "n/a" if math.isnan(share) else f"{share * 100:.2f}"


city = state.active_city()
refs = city.references
st.title("Equity")
components.data_notice(city)

why = inequality.equity_unavailable(city.districts, refs)
if why:
    st.info(f"Equity indicators are unavailable: {why}. Map those columns on upload.")
    st.stop()
basis = equity.income_basis(city.districts)
components.estimate_captions(city, ("households", estimates.INCOME))

left, right = st.columns(2)
bp = left.slider("Burden threshold (percentile of districts)", 50.0, 99.0,
                 refs.threshold("dac_burden_percentile"), 0.5, key=keys.EQUITY_BURDEN_PCT)
ip = right.slider("Low-income threshold (percentile of districts)", 50.0, 99.0,
                  refs.threshold("dac_low_income_percentile"), 0.5,
                  key=keys.EQUITY_LOW_INCOME_PCT)
report = inequality.equity_report(city.districts, bp, ip, refs=refs)
st.markdown(f"**Rule.** {report.rule}")
st.caption(f"Bills at the city's prices: {money.amount(refs.electricity_price, refs.currency, 4)}"
           f"/kWh electricity ({refs['electricity_price'].source}), "
           f"{money.amount(refs.gas_price, refs.currency, 4)}/kWh gas "
           f"({refs['gas_price'].source}). High burden: {refs.threshold('burden_high'):.0%} of "
           f"income ({refs['burden_high'].source}); severe: {refs.threshold('burden_severe'):.0%} "
           f"({refs['burden_severe'].source}).")

c = st.columns(5)
c[0].metric("Disadvantaged districts", f"{int(report.disadvantaged.sum())} of {report.n_ranked}",
            border=True, help="of the districts ranked (with a burden and a low-income score)"
            + (f"; {report.n_without_data} without data are left out"
               if report.n_without_data else ""))
c[1].metric("Gini of burden (0–1)", f"{report.gini:.3f}", border=True,
            help="household-weighted; 0 = every household carries the same burden")
c[2].metric("Theil index of burden (-)", f"{report.theil:.3f}", border=True,
            help="household-weighted Theil T; 0 = equal")
c[3].metric("High burden (share of households)", f"{report.high_share:.1%}", border=True,
            help="share of households living in districts whose average burden is at least "
                 f"{refs.threshold('burden_high'):.0%} of income")
c[4].metric("Severe burden (share of households)", f"{report.severe_share:.1%}", border=True,
            help="share of households living in districts whose average burden is at least "
                 f"{refs.threshold('burden_severe'):.0%} of income")

table = state.indicator_table()
burden_ind = indicators.INDICATORS["energy_burden"]
burden_map, dac_map = st.columns(2)
with burden_map:
    st.markdown("**Energy burden** (household energy bill / median household income)"
                if basis is equity.HOUSEHOLD_BASIS else
                "**Energy burden** (energy cost per resident / per-capita income)")
    view = maps.choropleth(table, "energy_burden", burden_ind.label, burden_ind.unit, 1,
                           no_data=~city.with_data.to_numpy(),
                           predicted=city.predicted_mask(*indicators.uses(burden_ind)))
    st.pydeck_chart(components.district_deck(
        city, view.properties, view.fill, "<b>{name}</b><br/>burden: {value_text} % of income",
        outlined=view.outlined), height=560, key="equity_burden_map")
    components.legend(view.legend, components.indicator_label(burden_ind))
with dac_map:
    st.markdown("**Disadvantaged districts** (the rule above)")
    labels = report.disadvantaged.map({True: "disadvantaged", False: "not disadvantaged"}).where(
        city.with_data.to_numpy(), "no data")
    fill, legend_rows = maps.categorical(labels, {"disadvantaged": "#b2182b",
                                                  "not disadvantaged": "#d1e5f0"})
    props = table[["district_id", "name"]].assign(status=labels.to_numpy())
    st.pydeck_chart(components.district_deck(city, props, fill, "<b>{name}</b><br/>{status}"),
                    height=560, key="equity_dac_map")
    components.legend(legend_rows, "Status")

group_help = ("all households' energy bills / their aggregate income, with a district's "
              f"income taken as {basis.formula} (DOE mean group burden)")
city_col, low_col = st.columns(2)
city_col.metric("Energy burden, whole city (% of income)", percent(report.mean_burden),
                border=True, help=group_help)
low_col.metric("Energy burden, lowest-income fifth of districts (% of income)",
               percent(report.lowest_quintile_burden), border=True,
               help=f"{group_help}; districts ranked by {basis.ranked_by}")

lorenz_col, quintile_col = st.columns(2)
lorenz_col.plotly_chart(charts.lorenz_curve(report.lorenz, report.gini))
quintile_col.plotly_chart(charts.quintile_bars(
    report.quintiles, refs.threshold("burden_high"), refs.threshold("burden_severe"),
    refs.currency))

st.subheader("Where burden clusters (local Moran's I)")
try:
    spatial = clusters.clusters(city)
except ValueError as exc:
    st.info(f"Spatial clusters are unavailable: {exc}.")
else:
    st.markdown(f"Global Moran's I of burden: **{spatial.moran_i:.3f}** (expected "
                f"{spatial.expected_i:.3f} without spatial pattern; permutation p-value "
                f"{spatial.p_value:.3f}, {spatial.permutations} permutations, Queen contiguity).")
    cluster_by_id = dict(zip(spatial.district_ids, spatial.cluster, strict=True))
    cluster = table["district_id"].map(cluster_by_id).fillna("no data")
    fill, legend_rows = maps.categorical(cluster, inequality.CLUSTER_COLORS)
    lisa_map, lisa_legend = st.columns([3, 1])
    lisa_map.pydeck_chart(components.district_deck(
        city, table[["district_id", "name"]].assign(cluster=cluster.to_numpy()), fill,
        "<b>{name}</b><br/>{cluster}"), height=560, key="equity_lisa_map")
    with lisa_legend:
        components.legend(legend_rows, f"Local cluster of burden (p ≤ {spatial.significance:g})")
        st.caption("High-high: a high-burden district among high-burden neighbours; low-high: "
                   "a low-burden district among high-burden ones (and so on).")
    if spatial.islands:
        st.caption(f"Districts without neighbours (left out): {', '.join(spatial.islands)}")

st.subheader("How sensitive is the disadvantaged flag to its thresholds?")
st.caption("One threshold moves while the other stays at its default; counts are districts "
           "that gain or lose the status against the default rule.")
st.dataframe(report.sensitivity, hide_index=True, column_config={
    "percentile": st.column_config.NumberColumn("Threshold (percentile)", format="%.1f"),
    "disadvantaged": st.column_config.NumberColumn("Disadvantaged (districts)"),
    "gained": st.column_config.NumberColumn("Gained (districts)"),
    "lost": st.column_config.NumberColumn("Lost (districts)"),
    "changed": st.column_config.NumberColumn("Changed (districts)")})
