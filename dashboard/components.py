"""Reusable UI pieces: the data notice, estimate captions, KPI cards, the district map and
its legend, exports."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from core import i18n, methods
from core.assess import equity, indicators, maps, summary
from core.assess.indicators import Indicator, Kpi
from core.i18n import N_, _, unit
from core.intake import estimates
from core.intake.city import City
from dashboard import keys, text
from dashboard.map import district_map, highlight_fill  # noqa: F401 (the pages' maps)
from dashboard.text import inline

ILLUSTRATIVE_NOTICE = (N_("**Illustrative data, not official statistics.** The attributes of this "
                       "city are generated from public average figures to show how Greenprint "
                       "works; see *Methods & sources*."))


def data_notice(city: City) -> None:
    """Say which city is shown and, when it is generated, that it is illustrative."""
    if city.illustrative:
        st.warning(_(ILLUSTRATIVE_NOTICE))
    st.caption(_("City: {name} · {n} districts · source: {source}").format(
        name=text.inline(city.name), n=city.n, source=text.inline(city.source)))
    st.caption(_("Reference values: {summary} (every value and its source "
               "on the Data page).").format(summary=text.money(city.references.summary())))
    if coverage := city.coverage():
        st.caption(f"{coverage}.")
    if city.estimates:
        st.caption(_("Estimated, not in the city's data: {join} (figures "
                   "and sources beside the numbers they feed, and on *Methods & sources*).").format(
                       join=', '.join(city.estimates)))
    if note := equity.burden_basis_note(city.districts):
        st.caption(_("Note: {note}.").format(note=note))


def estimate_captions(city: City, keys: tuple[str, ...] | None = None) -> None:
    """A caption per estimate among ``keys`` (all when None): how it was made, with the
    figures and their sources."""
    for caption in estimates.captions(city.estimates, keys):
        st.caption(caption + ".")


def _columns_used(ind: Indicator, city: City) -> set[str]:
    """The columns an indicator reads for this city (its income basis' when it has one)."""
    alternative = next((alt for alt in ind.requires_any if all(city.has(c) for c in alt)), ())
    return {*ind.requires, *alternative}


def indicator_estimate_captions(city: City, indicator_list: list[Indicator]) -> None:
    """A caption per estimate that feeds one of the indicators, naming them."""
    for key, e in city.estimates.items():
        fed = [_(ind.label) for ind in indicator_list
               if key in _columns_used(ind, city)
               or (key == estimates.INCOME and set(e.inputs) <= _columns_used(ind, city))]
        if fed:
            st.caption(_("{caption}; feeds {join}.").format(caption=e.caption(),
                                                            join=', '.join(fed)))


def english_only_notice(note: methods.Note) -> None:
    """Above a method note or the data README shown in English to a reader of another
    language (its translation missing or out of date): say so, in the reader's language."""
    if note.language != i18n.language():
        st.caption(_("This section is available in English only."))


def kpi_cards(kpis: list[Kpi]) -> None:
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        column.metric(f"{kpi.label} ({unit(kpi.unit)})", kpi.text, help=kpi.help, border=True)


#: Text on the app's two backgrounds (white, the sidebar's #f8f8f7) at 4.5:1 or more (WCAG
#: 1.4.3), for what Streamlit greys out: 6.3:1 on the sidebar, lighter than the body text.
MUTED_TEXT = "#5c5c5c"
FOCUS = "#18706c"  # the focus outline: the theme's primary colour, 5.5:1 on the sidebar

#: The app's style rules (the theme's colours are in .streamlit/config.toml):
#: - metric labels wrap instead of ending in "...": every KPI's title carries its unit, and
#:   the unit is what a cut-off title loses first;
#: - a disabled control's label stays readable (Streamlit fades it to 2.3:1);
#: - code blocks wrap: a region that scrolls sideways cannot be reached by keyboard;
#: - the menu's section headings are small, like Streamlit's own menu;
#: - what has the keyboard focus is outlined (WCAG 2.4.7), sliders' thumbs included.
PAGE_STYLE = (
    "<style>"
    "[data-testid='stMetricLabel'] *{white-space:normal !important;"
    "overflow:visible !important;text-overflow:clip !important}"
    f"label[disabled],label[disabled] p{{color:{MUTED_TEXT} !important}}"
    "[data-testid='stMarkdownPre'] pre,[data-testid='stMarkdownPre'] code"
    "{white-space:pre-wrap !important;overflow-wrap:anywhere}"
    f".st-key-{keys.MENU} h3{{font-size:0.8rem;font-weight:600;text-transform:uppercase;"
    f"letter-spacing:0.04em;color:{MUTED_TEXT};padding:0.75rem 0 0.1rem 0}}"
    "a:focus-visible,button:focus-visible,summary:focus-visible,[tabindex]:focus-visible,"
    "[data-focus-visible]"
    f"{{outline:3px solid {FOCUS} !important;outline-offset:2px}}"
    "</style>")


def page_style() -> None:
    """The app's few style rules, once per run (before the page draws)."""
    st.markdown(PAGE_STYLE, unsafe_allow_html=True)


def map_text(text: summary.MapText) -> None:
    """A map's text alternative, under it: one sentence, and the map as a table (district,
    value, class) in an expander (core.assess.summary)."""
    st.caption(inline(text.summary))  # district names are data: never Markdown
    config = {} if text.value_column is None else {
        text.value_column: st.column_config.NumberColumn(format=f"%,.{text.digits}f")}
    with st.expander(_("Map as a table")):  # rows sent as they are scrolled to, past 1,000
        st.dataframe(text.table, hide_index=True, column_config=config, lazy=True)


def _swatch_border(row: dict) -> str:
    """A legend swatch's border: the row's outline (predicted districts), else a thin grey."""
    return f'2px solid {row["outline"]}' if row.get("outline") else "1px solid #999"


def legend(rows: list[dict], title: str) -> None:
    items = "".join(
        f'<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
        f'<span style="width:14px;height:14px;background:{r["color"]};display:inline-block;'
        f'box-sizing:border-box;border:{_swatch_border(r)}"></span>'
        f'<span>{html.escape(r["label"])}</span></div>'
        for r in rows)
    # st.markdown renders with the page (st.html waits for a lazily loaded chunk)
    st.markdown(f'<div data-testid="gp-legend" style="font-size:0.85rem">'
                f'<strong>{html.escape(title)}</strong>{items}</div>', unsafe_allow_html=True)


def indicator_label(ind: Indicator) -> str:
    """An indicator's label and unit in the language in effect."""
    return f"{_(ind.label)} ({unit(ind.unit)})" if ind.unit else _(ind.label)


def column_config(indicator_list: list[Indicator]) -> dict:
    cfg = {"district_id": st.column_config.TextColumn(_("Id")),
           "name": st.column_config.TextColumn(_("District")),
           indicators.DATA: st.column_config.TextColumn(
               _("Data"), help=_("no data (no attribute row or no population: left out of the "
                            "analyses), predicted (the energy model's value) or observed"))}
    for ind in indicator_list:
        cfg[ind.key] = st.column_config.NumberColumn(  # the indicator's own precision
            indicator_label(ind), format=f"%,.{ind.digits}f")
    return cfg


def geojson_bytes(collection: dict) -> bytes:
    return json.dumps(collection).encode()


def geojson_file(districts: gpd.GeoDataFrame, properties: pd.DataFrame,
                 lineage: tuple[str, ...] | None = None,
                 estimated: dict[str, estimates.Estimate] | None = None) -> Callable[[], bytes]:
    """A download button's GeoJSON, built only when the user clicks (never on a rerun).

    The city's lineage and its estimates (``City.estimates``: formula, figures, sources)
    go into the collection's top-level ``properties``."""
    return partial(_geojson_file, districts, properties, lineage, estimated)


def _geojson_file(districts, properties, lineage, estimated) -> bytes:
    collection = maps.feature_collection(districts, properties, lineage)
    if estimated:
        collection.setdefault("properties", {})["estimates"] = {
            k: e.to_dict() for k, e in estimated.items()}
    return geojson_bytes(collection)


def profile_table(profile: pd.DataFrame) -> pd.DataFrame:
    """A district profile (core.assess.indicators.district_profile) laid out for reading."""
    def with_unit(v: float, unit: str, digits: int) -> str:  # unit: already translated
        return f"{maps.format_value(v, digits)} {unit}".strip() if np.isfinite(v) else _("no data")

    digits = [1 if abs(v) < 100 else 0 for v in profile["value"].fillna(0)]
    values = [_(text) if isinstance(text, str) else with_unit(v, unit(u), d)
              for text, v, u, d in zip(profile["value_text"], profile["value"], profile["unit"],
                                       digits, strict=True)]
    medians = [with_unit(v, unit(u), d) if not isinstance(text, str) else "–"
               for text, v, u, d in zip(profile["value_text"], profile["city_median"],
                                        profile["unit"], digits, strict=True)]
    return pd.DataFrame({
        "Indicator": [_(label) for label in profile["indicator"]],
        "Value": values,
        "Rank": [_("{rank} of {n}").format(rank=int(r), n=int(n)) if pd.notna(r) else "–"
                 for r, n in zip(profile["rank"], profile["of"], strict=True)],
        "Percentile": profile["percentile"],
        "City median": medians,
    })
