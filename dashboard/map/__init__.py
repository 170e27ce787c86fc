"""The district maps: our own canvas component (Streamlit components v2), geometry sent once.

Every map of the app is :func:`district_map`. Its JavaScript (``district_map.js``, no
third-party code) draws the districts on a 2D canvas in Web Mercator, fitted to the city,
with pan (drag), zoom (wheel and buttons), a tooltip and picking by click.

What crosses to the browser: a city's geometry and the tooltip's columns once per session
(their keys are remembered by dashboard.state.map_data_sent; the script caches them by key
for the page's life); on later reruns only their keys, the fills (RGBA bytes) and the
outlined and highlighted districts. Where the script lacks data it was sent (reloaded, or a
message superseded by a newer one before it was drawn) it asks (the ``need`` trigger) and
the rerun that follows sends everything again.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core.assess import maps
from core.i18n import _, ngettext
from core.intake.city import City
from core.settings import get_settings
from dashboard import state
from dashboard.map import encode

COMPONENT = "greenprint_district_map"
LINE = [255, 255, 255, 200]  # the districts' white edges
LINE_PX = 1
HIGHLIGHT_LINE = [20, 20, 20, 255]  # the highlighted district's edge
HIGHLIGHT_LINE_PX = 4
TOOLTIP_ID = "district_id"  # the column a click picks
_HERE = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

_mount = st.components.v2.component(
    COMPONENT, html='<div class="gp-map" data-testid="gp-map"></div>',
    css=(_HERE / "district_map.css").read_text(encoding="utf-8"),
    js=(_HERE / "district_map.js").read_text(encoding="utf-8"))


def _style() -> dict:
    """Colours (RGBA) and widths (px) the script draws with."""
    s = get_settings()
    return {"background": s.blank_color, "line": LINE, "line_px": LINE_PX,
            "highlight": HIGHLIGHT_LINE, "highlight_px": HIGHLIGHT_LINE_PX,
            "predicted": maps.PREDICTED_LINE, "predicted_px": maps.PREDICTED_LINE_PX,
            "halo": maps.PREDICTED_HALO, "halo_px": maps.PREDICTED_HALO_PX}


def _texts() -> dict:
    """The buttons' labels, in the reader's language."""
    return {"zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"), "reset": _("Reset the map view")}


def tooltip_columns(properties: pd.DataFrame, tooltip_html: str) -> list[str]:
    """The columns the tooltip template refers to (``{column}``), and the district id."""
    named = [c for c in dict.fromkeys(_PLACEHOLDER.findall(tooltip_html))
             if c in properties.columns]
    return list(dict.fromkeys([TOOLTIP_ID, *named])) if TOOLTIP_ID in properties else named


def payload(city: City, properties: pd.DataFrame, fill, tooltip_html: str, sent: set[str],
            highlight: str | None = None, outlined=None, label: str | None = None) -> dict:
    """The component's data (JSON): the geometry and tooltip columns by key, with their
    values only for keys not in ``sent`` (which gains them), and the fills."""
    props = properties.reset_index(drop=True)
    named = tooltip_columns(props, tooltip_html)
    blobs = [encode.geometry(city.map_geometry), *(encode.column(props[c]) for c in named)]
    columns = dict(zip(named, (b.key for b in blobs[1:]), strict=True))
    new = {b.key: b.value for b in blobs if b.key not in sent}
    sent.update(new)
    chosen = (np.flatnonzero((props[TOOLTIP_ID] == highlight).to_numpy())
              if highlight is not None and TOOLTIP_ID in props else [])
    n = len(props)
    return {"geometry": blobs[0].key, "columns": columns, "blobs": new,
            "fill": encode.rgba(fill),
            "outlined": ([] if outlined is None
                         else np.flatnonzero(np.asarray(outlined, dtype=bool)).tolist()),
            "highlight": int(chosen[0]) if len(chosen) else -1,
            "tooltip": tooltip_html, "texts": _texts(), "style": _style(),
            "label": label or ngettext("Map of {n} district", "Map of {n} districts",
                                       n).format(n=n)}


def _rerun() -> None:
    """A click's rerun is all a pick needs (its value is read from the result)."""


def district_map(city: City, properties: pd.DataFrame, fill, tooltip_html: str, *, key: str,
                 height: int = 560, highlight: str | None = None, outlined=None,
                 label: str | None = None, pick: bool = False) -> str | None:
    """Draw a map of the districts filled with the given colours (RGBA per district);
    return the district id a click picked on this run (None: none, or ``pick`` off).

    ``properties`` (one row per district, in city order) hold the columns the tooltip
    template refers to as ``{column}`` (trusted HTML; the values are escaped);
    ``highlight`` (a district id) draws that district's edge dark and wide; ``outlined``
    (bool per district, e.g. ``Choropleth.outlined``) draws the predicted districts'
    outline; ``label`` is the map's summary sentence for screen readers (core.assess.
    summary), else "Map of N districts"; ``height`` in px.
    """
    data = payload(city, properties, fill, tooltip_html, state.map_data_sent(), highlight,
                   outlined, label)
    data.update(pick=pick, height=height)
    result = _mount(key=key, data=data, height=height, on_need_change=state.forget_map_data,
                    **({"on_pick_change": _rerun} if pick else {}))
    return result.pick if pick else None


def highlight_fill(district_ids: pd.Series, chosen: str, no_data=None) -> list[list[int]]:
    """Accent colour for the chosen district, a quiet colour for the others, the no-data
    grey for districts without data (``no_data``: bool per district)."""
    gone = np.zeros(len(district_ids), dtype=bool) if no_data is None else np.asarray(no_data)
    return [list(maps.CATEGORY_COLORS[1]) + [230] if d == chosen
            else list(maps.NO_DATA) if g else list(maps.CATEGORY_COLORS[0]) + [160]
            for d, g in zip(district_ids, gone, strict=True)]
