"""The briefing's maps and charts as static SVG images, drawn offline with matplotlib.

Each figure comes with a caption and an alt text written from the same numbers, so a
reader who cannot see the image reads what it shows. Text stays text in the SVG (the
document's fonts render it, and a PDF reader can search it); a map of more than
:data:`RASTER_ABOVE` districts embeds its polygons as a raster image, to keep the file
small. Maps use the app's classes and colours (:mod:`core.assess.maps`): natural
breaks in viridis, grey for no data.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Patch

from core.assess import maps
from core.i18n import _
from core.release.shown import WITHHELD
from core.report import text

RASTER_ABOVE = 2000  # districts: above this, map polygons are embedded as an image
RASTER_DPI = 200  # resolution of what is embedded as an image
FONT = ["Liberation Sans", "DejaVu Sans",  # Debian's fonts-liberation, fonts-dejavu-core
        "WenQuanYi Micro Hei"]  # fonts-wqy-microhei: Chinese (core.i18n), glyph by glyph
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "greenprint", "font.family": FONT,
         "font.size": 7.5, "axes.titlesize": 8.5, "axes.labelsize": 7.5,
         "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#6b7280",
         "xtick.color": "#374151", "ytick.color": "#374151", "axes.labelcolor": "#374151",
         "legend.frameon": False}
MAP_SIZE_IN = (3.3, 4.3)  # two maps side by side on A4
CHART_WIDTH_IN = 6.6  # the text width of A4 with the document's margins
INK, MUTED, LIGHT = "#1f2937", "#31688e", "#adb5bd"
DAC_EDGE = "#111827"
DAC_WIDTH_PT, DAC_WIDTH_FULL_UP_TO = 0.9, 300  # outline width, and up to how many districts
PREDICTED_HATCH = "/////"
SERIES = ("#31688e", "#35b779", "#443983", "#90d743")  # viridis stops that read on white
NONE_HEX = "#e9ecef"  # districts with data that get nothing: lighter than no data's grey
WITHHELD_HEX = "#{:02x}{:02x}{:02x}".format(*WITHHELD[:3])  # the portal's withheld colour


@dataclass(frozen=True)
class Figure:
    """One image of the briefing: SVG bytes, a caption (the document numbers it) and an alt
    text."""

    key: str
    svg: bytes
    caption: str
    alt: str

    @property
    def data_uri(self) -> str:
        """The image inline, so the document fetches nothing."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _svg(fig: MplFigure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", dpi=RASTER_DPI, metadata={"Date": None},
                bbox_inches="tight", pad_inches=0.02)
    return buf.getvalue()


@dataclass(frozen=True)
class MapLayer:
    """A district map's data: one value per district (NaN = no data), and which districts
    are disadvantaged or have predicted (not observed) energy."""

    geometry: gpd.GeoSeries
    values: np.ndarray
    no_data: np.ndarray  # bool
    dac: np.ndarray  # bool
    predicted: np.ndarray  # bool
    withheld: np.ndarray | None = None  # bool: withheld by the portal's release rule


def district_map(key: str, layer: MapLayer, label: str, unit: str, caption: str,
                 alt: str) -> Figure:
    """A choropleth of ``layer.values`` (natural breaks of the positive values, the app's
    colours); districts that get nothing in a light grey of their own, no-data districts in
    the app's grey, disadvantaged districts outlined, predicted-energy districts hatched;
    withheld districts (the portal's release rule) in its withheld colour, out of the
    classes, with a legend entry."""
    withheld = (np.zeros(len(layer.values), dtype=bool) if layer.withheld is None
                else np.asarray(layer.withheld, dtype=bool))
    values = np.where(layer.no_data | withheld, np.nan, layer.values)
    none = ~layer.no_data & ~withheld & ~(values > 0)  # a district with data that gets nothing
    classes = maps.classify(np.where(none, np.nan, values), "natural_breaks", 5)
    fill = [WITHHELD_HEX if w else NONE_HEX if z else "#{:02x}{:02x}{:02x}".format(*c[:3])
            for w, z, c in zip(withheld, none, maps.fill_colors(classes), strict=True)]
    raster = len(values) > RASTER_ABOVE
    with matplotlib.rc_context(STYLE):
        fig = MplFigure(figsize=MAP_SIZE_IN)
        ax = fig.add_axes((0, 0.2, 1, 0.8))
        gdf = gpd.GeoDataFrame(geometry=layer.geometry.reset_index(drop=True))
        gdf.plot(ax=ax, color=fill, edgecolor="white", linewidth=0.3, rasterized=raster)
        if layer.dac.any():
            gdf[layer.dac].plot(ax=ax, facecolor="none", edgecolor=DAC_EDGE,
                                linewidth=_outline_width(len(values)), rasterized=raster)
        if layer.predicted.any():
            gdf[layer.predicted].plot(ax=ax, facecolor="none", edgecolor=INK, linewidth=0,
                                      hatch=PREDICTED_HATCH, rasterized=raster)
        ax.set_axis_off()
        rows = [r for r in maps.legend(classes, unit) if not r["label"].startswith(_("no data"))]
        if none.any():
            rows.append({"color": NONE_HEX, "label": _("none ({n:,} districts)").format(
                n=int(none.sum()))})
        if layer.no_data.any():
            rows.append(maps.no_data_row(int(layer.no_data.sum())))
        if withheld.any():
            rows.append({"color": WITHHELD_HEX, "label": _("withheld ({n:,} districts)").format(
                n=int(withheld.sum()))})
        handles = [Patch(facecolor=row["color"], label=row["label"]) for row in rows]
        if layer.dac.any():
            handles.append(Patch(facecolor="white", edgecolor=DAC_EDGE, linewidth=0.9,
                                 label=_("disadvantaged district")))
        if layer.predicted.any():
            guessed = maps.predicted_row(int(layer.predicted.sum()))["label"]
            handles.append(Patch(facecolor="white", edgecolor=INK, hatch=PREDICTED_HATCH,
                                 linewidth=0.4, label=_("energy {predicted}").format(
                                     predicted=guessed)))
        fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=6.5,
                   title=f"{label} ({unit})", title_fontsize=7, handlelength=1.4,
                   columnspacing=1.0, bbox_to_anchor=(0.5, 0.0))
        svg = _svg(fig)
    return Figure(key, svg, caption, alt)


def _outline_width(n: int) -> float:
    """Outline width (pt) of disadvantaged districts: thinner as districts get smaller, so
    that the outlines of a fine city do not cover its colours."""
    return DAC_WIDTH_PT * min(1.0, float(np.sqrt(DAC_WIDTH_FULL_UP_TO / max(n, 1))))


def bar_chart(key: str, labels: list[str], values: np.ndarray, axis_label: str,
              notes: list[str], caption: str, alt: str) -> Figure:
    """Horizontal bars, largest on top, each with its value and a note at its end."""
    order = np.argsort(values)
    n = len(labels)
    with matplotlib.rc_context(STYLE):
        fig = MplFigure(figsize=(CHART_WIDTH_IN, 0.45 + 0.32 * n))
        ax = fig.add_subplot()
        y = np.arange(n)
        ax.barh(y, values[order], color=MUTED, height=0.62)
        ax.set_yticks(y, [labels[i] for i in order])
        ax.set_xlabel(axis_label)
        top = float(np.nanmax(values)) if n and np.nanmax(values) > 0 else 1.0
        ax.set_xlim(0, top * 1.45)
        for yi, i in zip(y, order, strict=True):
            ax.text(values[i] + top * 0.01, yi, notes[i], va="center", fontsize=6.8, color=INK)
        ax.tick_params(axis="y", length=0)
        ax.xaxis.set_major_formatter(_tick_format(top))
        svg = _svg(fig)
    return Figure(key, svg, caption, alt)


def _tick_format(top: float) -> matplotlib.ticker.Formatter:
    """Axis numbers as the briefing writes them: ``12.5 M`` from a million up, else with
    thousands separators."""
    if top >= text.MILLION:
        return matplotlib.ticker.FuncFormatter(lambda v, _: text.amount(v))
    return matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.10g}")


def grouped_bars(key: str, groups: list[str], series: dict[str, np.ndarray], axis_label: str,
                 value_text, caption: str, alt: str, colors: tuple[str, ...] = (LIGHT, MUTED),
                 height_in: float = 2.4) -> Figure:
    """Vertical bars grouped by ``groups``, one bar per series, each labelled with
    ``value_text(value)``."""
    k = len(series)
    width = 0.8 / max(k, 1)
    x = np.arange(len(groups))
    with matplotlib.rc_context(STYLE):
        fig = MplFigure(figsize=(CHART_WIDTH_IN, height_in))
        ax = fig.add_subplot()
        for j, (name, vals) in enumerate(series.items()):
            pos = x - 0.4 + width * (j + 0.5)
            bars = ax.bar(pos, np.nan_to_num(vals), width * 0.92, label=name,
                          color=colors[j % len(colors)])
            ax.bar_label(bars, labels=[value_text(v) for v in vals], fontsize=6.5, padding=1.5,
                         color=INK)
        ax.set_xticks(x, groups)
        ax.set_ylabel(axis_label)
        ax.tick_params(axis="x", length=0)
        ax.margins(y=0.18)
        ax.legend(loc="upper right", fontsize=7, ncol=k)
        svg = _svg(fig)
    return Figure(key, svg, caption, alt)


def hbar_groups(key: str, labels: list[str], series: dict[str, np.ndarray], axis_label: str,
                caption: str, alt: str) -> Figure:
    """Horizontal bars per label, one per series (scenarios side by side)."""
    k, n = len(series), len(labels)
    height = 0.8 / max(k, 1)
    with matplotlib.rc_context(STYLE):
        fig = MplFigure(figsize=(CHART_WIDTH_IN, 0.6 + n * (0.18 * k + 0.12)))
        ax = fig.add_subplot()
        y = np.arange(n)
        for j, (name, vals) in enumerate(series.items()):
            ax.barh(y - 0.4 + height * (j + 0.5), vals, height * 0.9, label=name,
                    color=SERIES[j % len(SERIES)])
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel(axis_label)
        ax.tick_params(axis="y", length=0)
        top = max((float(np.nanmax(v)) for v in series.values() if len(v)), default=0.0)
        ax.xaxis.set_major_formatter(_tick_format(top))
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=k, fontsize=7)
        svg = _svg(fig)
    return Figure(key, svg, caption, alt)


def top_districts(names: pd.Series, values: np.ndarray, n: int = 3) -> list[tuple[str, float]]:
    """The ``n`` districts with the largest value (name, value), for alt texts."""
    v = np.where(np.isfinite(values), values, -np.inf)
    order = np.argsort(-v, kind="stable")[:n]
    return [(str(names.iloc[i]), float(values[i])) for i in order if v[i] > 0]
