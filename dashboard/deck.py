"""The district maps: pydeck specs written compactly, from geometry encoded once per city.

A slider move redraws a map, and ``st.pydeck_chart`` sends the whole spec on every rerun.
What it costs the server per move is kept to the colours and values: the polygons' GeoJSON
text is written once per geometry array (:func:`_geometry_json`); the rest of the deck (the
layers' settings, the view, the basemap) is written by pydeck once per view
(:func:`_frame`), with slots where the layer data goes; a move writes the features'
properties column by column and splices everything into one compact spec
(:class:`DistrictDeck`). Getting geometry across to the browser once per city would need a
custom component: ``st.pydeck_chart`` has no way to keep data between reruns.
"""

from __future__ import annotations

import json
import threading
import weakref
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from core.assess import display, maps
from core.intake.city import City
from core.settings import get_settings

LAYER_ID = "districts"
HIGHLIGHT_LINE_M = 150
OUTLINE_LINE_M = 100_000  # clamped to core.assess.maps.PREDICTED_*_PX pixels
LINE = [255, 255, 255, 200]  # the districts' white edges
HIGHLIGHT_LINE = [20, 20, 20, 255]
TOOLTIP_STYLE = {"backgroundColor": "#1f2933", "color": "#ffffff", "fontSize": "13px"}

_DATA_SLOT = "gp-layer-data"  # stands in for the districts' GeoJSON in the cached frame
_OUTLINE_SLOT = "gp-outline-data"  # the same for the outlined (predicted) districts
_GEOMETRY_CACHE_MAX = 16
_geometry_cache: dict[int, tuple[weakref.ref, tuple[str, ...]]] = {}
_geometry_lock = threading.Lock()


def map_style() -> str:
    """The basemap (core.settings: GREENPRINT_BASEMAP), blank and offline by default."""
    s = get_settings()
    return maps.blank_style(s.blank_color) if s.basemap == "blank" else s.basemap


class DistrictDeck:
    """A district map as ``st.pydeck_chart`` draws it: the spec as compact JSON text
    (``to_json``) and the tooltip (``_tooltip``: pydeck's attribute, which Streamlit
    reads and sends beside the spec).

    ``frame`` is the deck's spec written by pydeck with slots in place of the layer data;
    ``data`` maps each slot to its GeoJSON text.
    """

    def __init__(self, frame: str, data: dict[str, str], tooltip: dict):
        self._frame = frame
        self._data = data
        self._tooltip = tooltip

    def to_json(self) -> str:
        spec = self._frame
        for slot, text in self._data.items():  # a slot may serve several layers
            spec = spec.replace(json.dumps(slot), text)
        return spec


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
    prepared = display.geometry_json(geometry)
    with _geometry_lock:
        while len(_geometry_cache) >= _GEOMETRY_CACHE_MAX:
            _geometry_cache.pop(next(iter(_geometry_cache)))
        _geometry_cache[key] = (weakref.ref(array, lambda _: _geometry_cache.pop(key, None)),
                                prepared)
    return prepared


def _districts_layer(highlighted: bool) -> pdk.Layer:
    """The filled districts (pickable: tooltips, selections); edges drawn per district
    only when one is highlighted, else one colour for all."""
    lines = (dict(get_line_color="properties.line", get_line_width="properties.line_width")
             if highlighted else dict(get_line_color=LINE, get_line_width=0))
    return pdk.Layer(
        "GeoJsonLayer", data=_DATA_SLOT, id=LAYER_ID, pickable=True, stroked=True, filled=True,
        get_fill_color="properties.fill",
        line_width_min_pixels=1,  # pydeck turns any string argument into an expression,
        line_width_max_pixels=5,  # so line widths are metres clamped to pixels
        auto_highlight=True, highlight_color=[255, 140, 0, 160], **lines)


def _outline_layers() -> list[pdk.Layer]:
    """Two line-only layers over the outlined districts: a white halo under a dark line
    (core.assess.maps.PREDICTED_*)."""
    # a string argument becomes an expression in pydeck (no line_width_units="pixels"): a
    # width in metres too wide for any zoom, clamped to the pixels wanted
    return [pdk.Layer("GeoJsonLayer", data=_OUTLINE_SLOT, id=f"{LAYER_ID}-{name}",
                      pickable=False, stroked=True, filled=False, get_line_color=color,
                      get_line_width=OUTLINE_LINE_M, line_width_min_pixels=width,
                      line_width_max_pixels=width)
            for name, color, width in (("halo", maps.PREDICTED_HALO, maps.PREDICTED_HALO_PX),
                                       ("predicted", maps.PREDICTED_LINE,
                                        maps.PREDICTED_LINE_PX))]


@lru_cache(maxsize=64)
def _frame(view: tuple[tuple[str, float], ...], style: str, highlighted: bool,
           outlined: bool) -> str:
    """The deck's spec without its layer data (slots instead), written by pydeck once per
    view and compacted (pydeck indents every value on its own line)."""
    deck = pdk.Deck(layers=[_districts_layer(highlighted),
                            *(_outline_layers() if outlined else [])],
                    initial_view_state=pdk.ViewState(**dict(view), pitch=0, bearing=0),
                    map_style=style, map_provider=None)
    return json.dumps(json.loads(deck.to_json()), separators=(",", ":"))


def district_deck(city: City, properties: pd.DataFrame, fill: list[list[int]],
                  tooltip_html: str, highlight: str | None = None,
                  width_px: int = 800, height_px: int = 560, outlined=None) -> DistrictDeck:
    """A map of the districts filled with the given colours (RGBA per district).

    ``properties`` (one row per district, in city order) become GeoJSON properties that the
    tooltip template refers to as ``{column}``; ``highlight`` (a district id) draws that
    district's edge dark and wide; ``outlined`` (bool per district, e.g.
    ``Choropleth.outlined``) draws the predicted districts' outline over them.
    """
    props = properties.reset_index(drop=True).assign(fill=fill)
    if highlight is not None:
        chosen = (props["district_id"] == highlight).to_numpy()
        props = props.assign(line=[HIGHLIGHT_LINE if c else LINE for c in chosen],
                             line_width=np.where(chosen, HIGHLIGHT_LINE_M, 0))
    geometry = _geometry_json(city.map_geometry)
    data = {_DATA_SLOT: display.feature_collection_json(geometry, props)}
    picked = np.flatnonzero(np.asarray(outlined, dtype=bool)) if outlined is not None else []
    if len(picked):
        data[_OUTLINE_SLOT] = display.feature_collection_json(
            [geometry[i] for i in picked], pd.DataFrame(index=range(len(picked))))
    view = maps.view_for_bounds(city.districts.total_bounds, width_px, height_px)
    frame = _frame(tuple(view.items()), map_style(), highlight is not None, bool(len(picked)))
    return DistrictDeck(frame, data, {"html": tooltip_html, "style": TOOLTIP_STYLE})


def highlight_fill(district_ids: pd.Series, chosen: str, no_data=None) -> list[list[int]]:
    """Accent colour for the chosen district, a quiet colour for the others, the no-data
    grey for districts without data (``no_data``: bool per district)."""
    gone = np.zeros(len(district_ids), dtype=bool) if no_data is None else np.asarray(no_data)
    return [list(maps.CATEGORY_COLORS[1]) + [230] if d == chosen
            else list(maps.NO_DATA) if g else list(maps.CATEGORY_COLORS[0]) + [160]
            for d, g in zip(district_ids, gone, strict=True)]
