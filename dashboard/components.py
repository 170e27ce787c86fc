"""Reusable UI pieces: the data notice, estimate captions, KPI cards, the district map and
its legend, exports."""

from __future__ import annotations

import html
import json
import threading
import weakref
from collections.abc import Callable
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st

from core.assess import equity, indicators, maps
from core.assess.indicators import Indicator, Kpi
from core.intake import estimates
from core.intake.city import City
from core.settings import get_settings

LAYER_ID = "districts"
HIGHLIGHT_LINE_M = 150
OUTLINE_LINE_M = 100_000  # clamped to core.assess.maps.PREDICTED_*_PX pixels
ILLUSTRATIVE_NOTICE = ("**Illustrative data, not official statistics.** The attributes of this "
                       "city are generated from public average figures to show how Greenprint "
                       "works; see *Methods & sources*.")


def data_notice(city: City) -> None:
    """Say which city is shown and, when it is generated, that it is illustrative."""
    if city.illustrative:
        st.warning(ILLUSTRATIVE_NOTICE)
    st.caption(f"City: {city.name} · {city.n} districts · source: {city.source}")
    st.caption(f"Reference values: {city.references.summary()} (every value and its source "
               "on the Data page).")
    if coverage := city.coverage():
        st.caption(f"{coverage}.")
    if city.estimates:
        st.caption(f"Estimated, not in the city's data: {', '.join(city.estimates)} (figures "
                   "and sources beside the numbers they feed, and on *Methods & sources*).")
    if note := equity.burden_basis_note(city.districts):
        st.caption(f"Note: {note}.")


def estimate_captions(city: City, keys: tuple[str, ...] | None = None) -> None:
    """A caption per estimate among ``keys`` (all when None): how it was made, with the
    figures and their sources."""
    for text in estimates.captions(city.estimates, keys):
        st.caption(text + ".")


def _columns_used(ind: Indicator, city: City) -> set[str]:
    """The columns an indicator reads for this city (its income basis' when it has one)."""
    alternative = next((alt for alt in ind.requires_any if all(city.has(c) for c in alt)), ())
    return {*ind.requires, *alternative}


def indicator_estimate_captions(city: City, indicator_list: list[Indicator]) -> None:
    """A caption per estimate that feeds one of the indicators, naming them."""
    for key, e in city.estimates.items():
        fed = [ind.label for ind in indicator_list
               if key in _columns_used(ind, city)
               or (key == estimates.INCOME and set(e.inputs) <= _columns_used(ind, city))]
        if fed:
            st.caption(f"{e.caption()}; feeds {', '.join(fed)}.")


def kpi_cards(kpis: list[Kpi]) -> None:
    for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
        column.metric(f"{kpi.label} ({kpi.unit})", kpi.text, help=kpi.help, border=True)


def map_style() -> str:
    s = get_settings()
    return maps.blank_style(s.blank_color) if s.basemap == "blank" else s.basemap


class _PreparedDeck(pdk.Deck):
    """A Deck whose layer data is prepared GeoJSON text, written into a compact spec.

    pydeck's own ``to_json`` indents every coordinate on its own line and walks the
    polygons on every rerun; here only the small rest of the deck is serialised.
    """

    def __init__(self, data_json: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self._data_json = data_json  # slot -> GeoJSON text

    def to_json(self) -> str:
        data_json = self.__dict__.pop("_data_json")  # pydeck writes every attribute it finds
        try:
            spec = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
        finally:
            self._data_json = data_json
        for slot, text in data_json.items():  # a slot may serve several layers
            spec = spec.replace(json.dumps(slot), text)
        return spec


_DATA_SLOT = "gp-layer-data"  # stands in for the GeoJSON while pydeck serialises the deck
_OUTLINE_SLOT = "gp-outline-data"  # the same for the outlined (predicted) districts
_GEOMETRY_CACHE_MAX = 16
_geometry_cache: dict[int, tuple[weakref.ref, tuple[str, ...]]] = {}
_geometry_lock = threading.Lock()


def _geometry_json(geometry: gpd.GeoSeries) -> tuple[str, ...]:
    """The districts' GeoJSON geometry text, prepared once per geometry array.

    Cities are shared read-only (cached or kept in session state), so every rerun draws the
    same geometry array (a GeoSeries taken from a frame is new each time; its array is
    not); the entry goes when the array does.
    """
    array = geometry.array
    key = id(array)
    with _geometry_lock:
        hit = _geometry_cache.get(key)
    if hit is not None and hit[0]() is array:
        return hit[1]
    prepared = maps.geometry_json(geometry)
    with _geometry_lock:
        while len(_geometry_cache) >= _GEOMETRY_CACHE_MAX:
            _geometry_cache.pop(next(iter(_geometry_cache)))
        _geometry_cache[key] = (weakref.ref(array, lambda _: _geometry_cache.pop(key, None)),
                                prepared)
    return prepared


def _outline_layers(geometry: tuple[str, ...], outlined) -> tuple[list[pdk.Layer], dict[str, str]]:
    """Two line-only layers over the outlined districts (a white halo under a dark line,
    core.assess.maps.PREDICTED_*), and their data; none when no district is outlined."""
    chosen = np.flatnonzero(np.asarray(outlined, dtype=bool)) if outlined is not None else []
    if not len(chosen):
        return [], {}
    data = maps.feature_collection_json([geometry[i] for i in chosen],
                                        pd.DataFrame(index=range(len(chosen))))
    # a string argument becomes an expression in pydeck (no line_width_units="pixels"): a
    # width in metres too wide for any zoom, clamped to the pixels wanted
    layers = [pdk.Layer("GeoJsonLayer", data=_OUTLINE_SLOT, id=f"{LAYER_ID}-{name}",
                        pickable=False, stroked=True, filled=False, get_line_color=color,
                        get_line_width=OUTLINE_LINE_M, line_width_min_pixels=width,
                        line_width_max_pixels=width)
              for name, color, width in (("halo", maps.PREDICTED_HALO, maps.PREDICTED_HALO_PX),
                                         ("predicted", maps.PREDICTED_LINE,
                                          maps.PREDICTED_LINE_PX))]
    return layers, {_OUTLINE_SLOT: data}


def district_deck(city: City, properties: pd.DataFrame, fill: list[list[int]],
                  tooltip_html: str, highlight: str | None = None,
                  width_px: int = 800, height_px: int = 560, outlined=None) -> pdk.Deck:
    """A pydeck map of the districts filled with the given colours.

    ``properties`` (one row per district, in city order) become GeoJSON properties that the
    tooltip template refers to as ``{column}``; ``outlined`` (bool per district, e.g.
    ``Choropleth.outlined``) draws the predicted districts' outline over them.
    """
    props = properties.reset_index(drop=True)
    chosen = (props["district_id"] == highlight).to_numpy() if highlight is not None \
        else np.zeros(len(props), dtype=bool)
    props = props.assign(
        fill=fill,
        line=[[20, 20, 20, 255] if c else [255, 255, 255, 200] for c in chosen],
        line_width=np.where(chosen, HIGHLIGHT_LINE_M, 0))
    layer = pdk.Layer(
        "GeoJsonLayer",
        data=_DATA_SLOT,
        id=LAYER_ID,
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        get_line_width="properties.line_width",
        line_width_min_pixels=1,  # pydeck turns any string argument into an expression,
        line_width_max_pixels=5,  # so line widths are metres clamped to pixels
        auto_highlight=True,
        highlight_color=[255, 140, 0, 160],
    )
    view = maps.view_for_bounds(city.districts.total_bounds, width_px, height_px)
    geometry = _geometry_json(city.map_geometry)
    outlines, outline_data = _outline_layers(geometry, outlined)
    return _PreparedDeck(
        {_DATA_SLOT: maps.feature_collection_json(geometry, props), **outline_data},
        layers=[layer, *outlines],
        initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        map_style=map_style(),
        map_provider=None,
        tooltip={"html": tooltip_html,
                 "style": {"backgroundColor": "#1f2933", "color": "#ffffff", "fontSize": "13px"}},
    )


def highlight_fill(district_ids: pd.Series, chosen: str, no_data=None) -> list[list[int]]:
    """Accent colour for the chosen district, a quiet colour for the others, the no-data
    grey for districts without data (``no_data``: bool per district)."""
    gone = np.zeros(len(district_ids), dtype=bool) if no_data is None else np.asarray(no_data)
    return [list(maps.CATEGORY_COLORS[1]) + [230] if d == chosen
            else list(maps.NO_DATA) if g else list(maps.CATEGORY_COLORS[0]) + [160]
            for d, g in zip(district_ids, gone, strict=True)]


#: Metric labels wrap instead of ending in "...": every KPI's title carries its unit, and
#: the unit is what a cut-off title loses first.
PAGE_STYLE = ("<style>[data-testid='stMetricLabel'] *{white-space:normal !important;"
              "overflow:visible !important;text-overflow:clip !important}</style>")


def page_style() -> None:
    """The app's few style rules, once per run (before the page draws)."""
    st.markdown(PAGE_STYLE, unsafe_allow_html=True)


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
    return f"{ind.label} ({ind.unit})" if ind.unit else ind.label


def column_config(indicator_list: list[Indicator]) -> dict:
    cfg = {"district_id": st.column_config.TextColumn("Id"),
           "name": st.column_config.TextColumn("District"),
           indicators.DATA: st.column_config.TextColumn(
               "Data", help="no data (no attribute row or no population: left out of the "
                            "analyses), predicted (the energy model's value) or observed")}
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
    def with_unit(v: float, unit: str, digits: int) -> str:
        return f"{maps.format_value(v, digits)} {unit}".strip() if np.isfinite(v) else "no data"

    digits = [1 if abs(v) < 100 else 0 for v in profile["value"].fillna(0)]
    values = [text if isinstance(text, str) else with_unit(v, u, d)
              for text, v, u, d in zip(profile["value_text"], profile["value"], profile["unit"],
                                       digits, strict=True)]
    medians = [with_unit(v, u, d) if not isinstance(text, str) else "–"
               for text, v, u, d in zip(profile["value_text"], profile["city_median"],
                                        profile["unit"], digits, strict=True)]
    return pd.DataFrame({
        "Indicator": profile["indicator"],
        "Value": values,
        "Rank": [f"{int(r)} of {int(n)}" if pd.notna(r) else "–"
                 for r, n in zip(profile["rank"], profile["of"], strict=True)],
        "Percentile": profile["percentile"],
        "City median": medians,
    })
