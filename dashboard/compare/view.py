"""The Compare page's plumbing: the saved scenarios chosen, their maps on one colour scale
and the difference map, the comparison's files, and its briefing."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from core.assess import summary
from core.i18n import _
from core.intake.city import City
from core.plan import compare, optimizer
from core.plan.problem import CityContext
from core.release import Released
from core.release import shown as public
from core.store import Store, StoredScenario
from dashboard import briefing, components, keys, state, text
from dashboard import store as app_store
from dashboard.scenario_lab import solve

DEFAULT_CHOSEN = 3  # scenarios chosen when the page opens (the newest ones)
MAP_HEIGHT_PX = 330
SCHEME, CLASSES = "natural_breaks", 5


def label(record: StoredScenario) -> str:
    return f"{text.cut(record.name, 60)} · {record.created_at:%Y-%m-%d %H:%M} · {record.id}"


def entries(store: Store, ids: Sequence[str]) -> list[compare.Entry]:
    """The chosen saved scenarios with their saved allocations (raises StoreError,
    InputError)."""
    saved = [store.get_scenario(i) for i in ids]
    return compare.entries(saved, [app_store.allocation(store, s) for s in saved])


def contexts(compared: Sequence[compare.Entry]) -> list[CityContext]:
    """Each scenario's city context: the active city's, with the districts it planned for."""
    return [solve.context(e.saved.observed_only) for e in compared]


def district_figures(compared: Sequence[compare.Entry], ctx: CityContext) -> pd.DataFrame:
    """A's district figures (core.plan.compare.DISTRICT_FIGURES), one row per district of
    ``ctx``: what the portal releases to know which districts' plan figures it withholds (they
    rest on the same data in every scenario, so the same districts are withheld in each)."""
    return pd.DataFrame({"district_id": ctx.district_ids, **{
        f: compare.district_values(compared, f)[0] for f in compare.DISTRICT_FIGURES}})


def _withheld(ctx: CityContext, release: Released | None, figure: str) -> np.ndarray:
    """Per district of ``ctx``: whether the portal's release withholds ``figure`` there."""
    if release is None:
        return np.zeros(len(ctx.district_ids), dtype=bool)
    return np.array([bool(r) for r in public.withheld_reasons(release, figure,
                                                              ctx.district_ids)])


def maps(city: City, compared: Sequence[compare.Entry], ctx: CityContext, figure: str,
         label_: str, unit: str, release: Released | None = None) -> None:
    """One map per scenario on one colour scale, side by side, with their shared legend.
    On the portal (``release``: the plans' district figures as released), the districts it
    withholds are drawn as withheld, out of the scale."""
    values = compare.district_values(compared, figure)
    views = compare.shared_maps(ctx.district_ids, ctx.names, values, label_, unit,
                                no_data=~ctx.with_data | _withheld(ctx, release, figure),
                                scheme=SCHEME, k=CLASSES)
    if release is not None:
        views = [public.on_map(v, release, figure) for v in views]
    columns = st.columns(len(compared))
    for col, e, view in zip(columns, compared, views, strict=True):
        with col:
            st.markdown(f"**{e.letter}: {text.md(text.cut(e.name, 40))}**")
            tooltip = _("<b>{{name}}</b> ({{district_id}})<br/>{letter}: "
                        "{{value_text}} {unit}").format(letter=e.letter, unit=unit)
            if release is not None:
                tooltip += f"<br/>{{{public.WITHHELD_PROPERTY}}}"
            described = summary.of_choropleth(view)
            components.district_map(city, view.properties, view.fill, tooltip,
                                    key=f"{keys.COMPARE_MAP}_{e.letter}", height=MAP_HEIGHT_PX,
                                    label=described.summary)
            components.map_text(described)
    legend_rows = views[0].legend
    st.markdown(" ".join(
        f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:14px">'
        f'<span style="width:14px;height:14px;background:{r["color"]};border:1px solid #999;'
        f'display:inline-block"></span>{html.escape(r["label"])}</span>' for r in legend_rows),
        unsafe_allow_html=True)
    st.caption(_("{label_} ({unit}) per district: one colour scale for every map (natural "
               "breaks over all the scenarios' values), so a colour is the same "
               "amount on each.").format(label_=label_, unit=unit))


def difference(city: City, compared: Sequence[compare.Entry], ctx: CityContext, figure: str,
               label_: str, unit: str, release: Released | None = None) -> None:
    """The chosen scenario's per-district figure minus A's, on a diverging scale (withheld
    districts drawn as withheld on the portal, as in :func:`maps`)."""
    others = {e.letter: i for i, e in enumerate(compared) if i}
    letter = st.radio(_("Difference from A"), list(others), horizontal=True,
                      format_func=lambda c: f"{c} − A", key=keys.COMPARE_DIFFERENCE)
    view = compare.difference_map(ctx.district_ids, ctx.names,
                                  compare.district_values(compared, figure), others[letter],
                                  unit, no_data=~ctx.with_data | _withheld(ctx, release, figure))
    if release is not None:
        view = public.on_map(view, release, figure)
    if view.identical:
        st.info(_("{letter} gives every district the same {lower} as A.").format(
            letter=letter, lower=label_.lower()))
        return
    map_col, legend_col = st.columns([5, 1])
    tooltip = _("<b>{{name}}</b> ({{district_id}})<br/>{letter} − A: "
                "{{value_text}} {unit}").format(letter=letter, unit=unit)
    if release is not None:
        tooltip += f"<br/>{{{public.WITHHELD_PROPERTY}}}"
    described = summary.of_map(view.properties, view.fill, view.legend,
                               f"{label_}: {letter} − A", unit, view.properties["value"])
    with map_col:
        components.district_map(city, view.properties, view.fill, tooltip,
                                key=f"{keys.COMPARE_MAP}_difference",
                                height=MAP_HEIGHT_PX + 100, label=described.summary)
    with legend_col:
        components.legend(view.legend, f"{label_}: {letter} − A ({unit})")
    components.map_text(described)
    st.caption(_("Red: {letter} gives the district more than A; blue: less.").format(letter=letter))


def _without_districts(tidy: pd.DataFrame) -> pd.DataFrame:
    """The comparison's long table without its per-district rows."""
    return tidy[~tidy["section"].str.startswith("district:")].reset_index(drop=True)


def downloads(compared: Sequence[compare.Entry], ctxs: Sequence[CityContext],
              per_district: bool = True) -> None:
    """The comparison as CSV (every figure, one row per figure and scenario) and XLSX (one
    sheet per table), built when their button is clicked; without the per-district figures
    unless ``per_district`` (the portal publishes those through the release rule, from
    each scenario's Scenario lab page)."""
    ctx = ctxs[0]
    labels = ctx.catalogue["label"].to_dict()
    stem = "greenprint_comparison_" + "_".join(e.saved.id for e in compared)

    def tidy_file() -> bytes:
        tidy = compare.tidy(compared, ctxs, labels, ctx.names)
        return compare.to_csv(tidy if per_district else _without_districts(tidy))

    csv_col, xlsx_col = st.columns(2)
    csv_col.download_button(
        _("Comparison (CSV)"), tidy_file,
        file_name=f"{stem}.csv", mime="text/csv", on_click="ignore")
    xlsx_col.download_button(
        _("Comparison (XLSX)"), lambda: compare.to_xlsx(
            {k: t for k, t in compare.tables(compared, ctxs, labels, ctx.names).items()
             if per_district or k != "Districts"}),
        file_name=f"{stem}.xlsx", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def briefing_section(city: City, compared: Sequence[compare.Entry],
                     ctxs: Sequence[CityContext]) -> None:
    """The comparison as a policy briefing: A's briefing, compared with the others (the
    scenarios are solved again for it)."""
    ids = [e.saved.id for e in compared]
    if len({e.saved.observed_only for e in compared}) > 1:
        st.caption(_("The scenarios were planned with and without the predicted districts: the "
                   "briefing solves them all on A's districts."))
    if changed := [e.letter for e in compared if e.saved.changes()]:
        st.caption(_("Saved with another version: {join}; the briefing solves "
                   "them again now, so its figures may differ from the saved ones above.").format(
                       join=', '.join(changed)))

    def build(progress):
        progress(0.02, _("Solving the scenarios again (the briefing's maps and tables need the "
                       "whole result)"))
        result = optimizer.optimize(ctxs[0], [e.saved.scenario for e in compared])
        result = briefing.renamed(result, [e.name for e in compared])
        return briefing.make(city, ctxs[0], result, ids, progress)

    briefing.section(state.cache_key(state.active_city_key(), ids),
                     "greenprint_briefing_" + "_".join(ids), build, keys.COMPARE_BRIEFING)
