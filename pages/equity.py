"""Equity: energy burden, disadvantaged districts, inequality, clusters and threshold sensitivity."""

import streamlit as st

from core import i18n, money
from core.assess import equity, indicators, inequality, maps, summary
from core.i18n import _, number, unit
from core.intake import estimates
from core.release import shown as public
from dashboard import components, keys, portal, state, text
from dashboard.equity import charts, clusters

#: the figures the Equity page's group figures rest on (core.release: withheld together)
EQUITY_FIGURES = ("energy_burden", "disadvantaged")


def percent(share: float) -> str:
    """A share as percent with two decimals, with the locale's decimal sign; "n/a" for NaN
    (no district with an income)."""
    return number(share * 100, 2)


def group_metrics(columns, group: inequality.EquityReport, refs) -> None:
    """Gini, Theil and the shares of households with a high and a severe burden (at the
    thresholds of the city's reference values ``refs``)."""
    columns[0].metric(_("Gini of burden (0–1)"), number(group.gini, 3), border=True,
                      help=_("household-weighted; 0 = every household carries the same burden"))
    columns[1].metric(_("Theil index of burden (-)"), number(group.theil, 3), border=True,
                      help=_("household-weighted Theil T; 0 = equal"))
    columns[2].metric(_("High burden (share of households)"), i18n.percent(group.high_share, 1),
                      border=True, help=_(
                          "share of households living in districts whose average burden is at "
                          "least {threshold:.0%} of income").format(
                              threshold=refs.threshold('burden_high')))
    columns[3].metric(_("Severe burden (share of households)"), i18n.percent(group.severe_share, 1),
                      border=True, help=_(
                          "share of households living in districts whose average burden is at "
                          "least {threshold:.0%} of income").format(
                              threshold=refs.threshold('burden_severe')))


city = state.active_city()
refs = city.references
st.title(_("Equity"))
components.data_notice(city)

why = inequality.equity_unavailable(city.districts, refs)
if why:
    st.info(_("Equity indicators are unavailable: {why}. Map those columns on upload.").format(
        why=why))
    st.stop()
basis = equity.income_basis(city.districts)
components.estimate_captions(city, ("households", estimates.INCOME))

left, right = st.columns(2)
bp = left.slider(_("Burden threshold (percentile of districts)"), 50.0, 99.0,
                 refs.threshold("dac_burden_percentile"), 0.5, format="%.1f",
                 key=keys.EQUITY_BURDEN_PCT)
ip = right.slider(_("Low-income threshold (percentile of districts)"), 50.0, 99.0,
                  refs.threshold("dac_low_income_percentile"), 0.5, format="%.1f",
                  key=keys.EQUITY_LOW_INCOME_PCT)
report = inequality.equity_report(city.districts, bp, ip, refs=refs)
table, release = portal.indicator_table()  # released on the portal (None: the planner's)
# group figures (shares, Gini, Lorenz curve, quintiles): over the released districts only
released = public.released_districts(city.districts, release, EQUITY_FIGURES)
group = (report if len(released) == city.n else None
         if inequality.equity_unavailable(released, refs)
         else inequality.equity_report(released, bp, ip, refs=refs))
st.markdown(_("**Rule.** {rule}").format(rule=_(report.rule)))
st.caption(text.money(_("Bills at the city's prices: {amount}"
           "/kWh electricity ({source}), "
           "{amount2}/kWh gas "
           "({source2}). High burden: {threshold:.0%} of "
           "income ({source3}); severe: {threshold2:.0%} "
           "({source4}).").format(
               amount=money.amount(refs.electricity_price, refs.currency, 4),
               source=refs['electricity_price'].source,
               amount2=money.amount(refs.gas_price, refs.currency, 4),
               source2=refs['gas_price'].source,
               threshold=refs.threshold('burden_high'), source3=refs['burden_high'].source,
               threshold2=refs.threshold('burden_severe'), source4=refs['burden_severe'].source)))

c = st.columns(5)
c[0].metric(_("Disadvantaged districts"), _("{sum} of {n_ranked}").format(
    sum=int(report.disadvantaged.sum()), n_ranked=report.n_ranked),
            border=True, help=_("of the districts ranked (with a burden and a low-income score)")
            + (_("; {n_without_data} without data are left out").format(
                n_without_data=report.n_without_data)
               if report.n_without_data else ""))
if group is None:
    st.info(_("On this portal, the release rule withholds {withheld:,} of the {n:,} districts: "
              "too few remain with an energy burden for the city's group figures (shares of "
              "households, Gini and Theil indices, Lorenz curve, quintiles) to be "
              "published.").format(withheld=city.n - len(released), n=city.n))
else:
    if len(released) < city.n:
        st.caption(_("On this portal, the shares of households, the Gini and Theil indices, "
                     "the energy burden of the city and of its lowest-income fifth, the Lorenz "
                     "curve and the quintiles cover the {released:,} districts released of "
                     "{n:,}; {withheld:,} are withheld under the release rule (Methods & "
                     "sources).").format(released=len(released), n=city.n,
                                         withheld=city.n - len(released)))
    group_metrics(c[1:], group, refs)

burden_ind = indicators.INDICATORS["energy_burden"]
burden_map, dac_map = st.columns(2)
with burden_map:
    st.markdown(_("**Energy burden** (household energy bill / median household income)")
                if basis is equity.HOUSEHOLD_BASIS else
                _("**Energy burden** (energy cost per resident / per-capita income)"))
    view = maps.choropleth(table, "energy_burden", _(burden_ind.label), unit(burden_ind.unit), 1,
                           no_data=~city.with_data.to_numpy(),
                           predicted=city.predicted_mask(*indicators.uses(burden_ind)))
    tooltip = _("<b>{name}</b><br/>burden: {value_text} % of income")
    if release is not None:  # withheld districts: their own colour, legend entry and reason
        view = public.on_map(view, release, "energy_burden")
        tooltip += f"<br/>{{{public.WITHHELD_PROPERTY}}}"
    described = summary.of_choropleth(view, 1)
    components.district_map(city, view.properties, view.fill, tooltip, key="equity_burden_map",
                            height=560, outlined=view.outlined, label=described.summary)
    components.legend(view.legend, components.indicator_label(burden_ind))
    components.map_text(described)
with dac_map:
    st.markdown(_("**Disadvantaged districts** (the rule above)"))
    labels = report.disadvantaged.map({True: _("disadvantaged"),
                                       False: _("not disadvantaged")}).where(
        city.with_data.to_numpy(), _("no data"))
    dac_colors = {_("disadvantaged"): "#b2182b", _("not disadvantaged"): "#d1e5f0"}
    props = table[["district_id", "name"]]
    if release is not None:  # a withheld flag is drawn as withheld, with the reason
        labels, why = public.on_labels(labels, release, "disadvantaged", props["district_id"])
        fill, legend_rows = public.categorical(labels, dac_colors)
        props = props.assign(**{public.WITHHELD_PROPERTY: why})
    else:
        fill, legend_rows = maps.categorical(labels, dac_colors)
    props = props.assign(status=list(labels))
    described = summary.of_map(props, fill, legend_rows, _("Status"))
    components.district_map(
        city, props, fill, "<b>{name}</b><br/>{status}"
        + ("" if release is None else f"<br/>{{{public.WITHHELD_PROPERTY}}}"),
        key="equity_dac_map", height=560, label=described.summary)
    components.legend(legend_rows, _("Status"))
    components.map_text(described)

if group is not None:  # the city's group figures (None: too few districts released)
    group_help = (_("all households' energy bills / their aggregate income, with a district's "
                  "income taken as {formula} (DOE mean group burden)").format(formula=_(basis.formula)))
    city_col, low_col = st.columns(2)
    city_col.metric(_("Energy burden, whole city (% of income)"), percent(group.mean_burden),
                    border=True, help=group_help)
    low_col.metric(_("Energy burden, lowest-income fifth of districts (% of income)"),
                   percent(group.lowest_quintile_burden), border=True,
                   help=_("{group_help}; districts ranked by {ranked_by}").format(
                       group_help=group_help, ranked_by=_(basis.ranked_by)))

    lorenz_col, quintile_col = st.columns(2)
    lorenz_col.plotly_chart(charts.lorenz_curve(group.lorenz, group.gini))
    quintile_col.plotly_chart(charts.quintile_bars(
        group.quintiles, refs.threshold("burden_high"), refs.threshold("burden_severe"),
        refs.currency))

st.subheader(_("Where burden clusters (local Moran's I)"))
try:
    spatial = clusters.clusters(city)
except ValueError as exc:
    st.info(_("Spatial clusters are unavailable: {exc}.").format(exc=exc))
else:
    st.markdown(_("Global Moran's I of burden: **{moran_i:.3f}** (expected "
                "{expected_i:.3f} without spatial pattern; permutation p-value "
                "{p_value:.3f}, {permutations} permutations, Queen contiguity).").format(
                    moran_i=spatial.moran_i, expected_i=spatial.expected_i, p_value=spatial.p_value,
                    permutations=spatial.permutations))
    cluster_by_id = dict(zip(spatial.district_ids, spatial.cluster, strict=True))
    cluster = table["district_id"].map(cluster_by_id).fillna(_("no data"))
    cluster_props = table[["district_id", "name"]]
    if release is not None:  # a withheld burden's cluster is withheld too
        cluster, why = public.on_labels(cluster, release, "energy_burden",
                                        cluster_props["district_id"])
        fill, legend_rows = public.categorical(cluster, inequality.CLUSTER_COLORS)
        cluster_props = cluster_props.assign(**{public.WITHHELD_PROPERTY: why})
    else:
        fill, legend_rows = maps.categorical(cluster, inequality.CLUSTER_COLORS)
    described = summary.of_map(cluster_props, fill, legend_rows, _("Local cluster of burden"))
    lisa_map, lisa_legend = st.columns([3, 1])
    with lisa_map:
        components.district_map(
            city, cluster_props.assign(cluster=list(cluster)), fill,
            "<b>{name}</b><br/>{cluster}"
            + ("" if release is None else f"<br/>{{{public.WITHHELD_PROPERTY}}}"),
            key="equity_lisa_map", height=560, label=described.summary)
    with lisa_legend:
        components.legend(legend_rows, _("Local cluster of burden (p ≤ {significance:g})").format(
            significance=spatial.significance))
        st.caption(_("High-high: a high-burden district among high-burden neighbours; low-high: "
                   "a low-burden district among high-burden ones (and so on)."))
    components.map_text(described)
    if spatial.islands:
        st.caption(_("Districts without neighbours (left out): {join}").format(
            join=', '.join(spatial.islands)))

st.subheader(_("How sensitive is the disadvantaged flag to its thresholds?"))
st.caption(_("One threshold moves while the other stays at its default; counts are districts "
           "that gain or lose the status against the default rule."))
sensitivity = report.sensitivity.assign(threshold=lambda f: f["threshold"].map(_))
st.dataframe(sensitivity, hide_index=True, column_config={
    "threshold": st.column_config.TextColumn(_("Threshold")),
    "percentile": st.column_config.NumberColumn(_("Threshold (percentile)"), format="%.1f"),
    "disadvantaged": st.column_config.NumberColumn(_("Disadvantaged (districts)")),
    "gained": st.column_config.NumberColumn(_("Gained (districts)")),
    "lost": st.column_config.NumberColumn(_("Lost (districts)")),
    "changed": st.column_config.NumberColumn(_("Changed (districts)"))})
