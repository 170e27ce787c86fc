"""Choropleth classification, colours, legends and GeoJSON for the map.

Pure functions: the page draws their output with its map component (dashboard.map), and
tests read it as plain data.

Districts without data, and predicted values
--------------------------------------------
A district without data (no attribute row or no population) is filled with the neutral
:data:`NO_DATA` grey, takes no part in the classes, and has its own legend entry, "no data
(N districts)", which counts every district drawn grey. A district whose value rests on
the energy model's prediction keeps its class colour and is outlined (the map draws no
hatch): a white halo under a dark line (:data:`PREDICTED_HALO`, :data:`PREDICTED_LINE`),
so that one of the two stands out against any fill (contrast at least 3:1 against every
class colour, checked by a test); its legend entry reads "predicted (N districts)".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from core.i18n import N_, _, ngettext, number
from core.settings import get_settings

#: classification schemes: key -> name (marked; translated where shown, with ``_()``)
SCHEMES = {
    "quantiles": N_("Quantiles"),
    "natural_breaks": N_("Natural breaks (Fisher-Jenks)"),
    "equal_interval": N_("Equal interval"),
}

# Viridis stops (perceptually uniform, colour-blind safe), light = low.
_VIRIDIS = ["#fde725", "#90d743", "#35b779", "#21918c", "#31688e", "#443983", "#440154"]
FILL_ALPHA = 210
#: neutral grey of districts without a value (no chroma: told apart from every class colour)
NO_DATA = [189, 189, 189, FILL_ALPHA]
#: outline of districts whose value is predicted: a dark line over a white halo (RGBA)
PREDICTED_LINE = [31, 41, 51, 255]
PREDICTED_HALO = [255, 255, 255, 235]
PREDICTED_LINE_PX, PREDICTED_HALO_PX = 2, 5


@dataclass(frozen=True)
class Classes:
    """Upper bounds of each class, the class of each district (-1 = no data), colours."""

    scheme: str
    bins: tuple[float, ...]
    lower: float
    index: np.ndarray
    colors: tuple[tuple[int, int, int], ...]
    sample: int = 0  # natural breaks: how many sampled values they were computed on (0: all)


def _hex_to_rgb(h: str) -> tuple[int, int, int]:
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in rgb[:3])


def palette(k: int) -> tuple[tuple[int, int, int], ...]:
    """k colours spread evenly over the viridis stops."""
    if k <= 1:
        return (_hex_to_rgb(_VIRIDIS[3]),)
    picks = np.linspace(0, len(_VIRIDIS) - 1, k).round().astype(int)
    return tuple(_hex_to_rgb(_VIRIDIS[i]) for i in picks)


def classify(values: pd.Series | np.ndarray, scheme: str = "quantiles", k: int = 5) -> Classes:
    """Classify values into at most ``k`` classes.

    Quantiles and equal intervals follow mapclassify's rules, and natural breaks are
    mapclassify's Fisher-Jenks, all computed here (importing mapclassify costs ~1.2 s).

    Missing values get class -1. With fewer distinct values than ``k``, fewer classes are used.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification '{scheme}'; choose one of {', '.join(SCHEMES)}")
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    index = np.full(v.shape, -1, dtype=int)
    if not ok.any():
        return Classes(scheme, (), math.nan, index, ())
    x = v[ok]
    k_eff = int(min(k, np.unique(x).size))
    if k_eff <= 1:
        index[ok] = 0
        return Classes(scheme, (float(x.max()),), float(x.min()), index, palette(1))
    if scheme == "quantiles":
        # the same rule as mapclassify.Quantiles, without its ~1.2 s import (scipy, sklearn)
        bins_arr = np.unique(np.quantile(x, np.arange(1, k_eff + 1) / k_eff))
        return _classes(scheme, x, bins_arr, ok, index)
    if scheme == "equal_interval":  # as mapclassify.EqualInterval
        lo, hi = float(x.min()), float(x.max())
        bins_arr = lo + (hi - lo) * np.arange(1, k_eff + 1) / k_eff
        bins_arr[-1] = hi
        return _classes(scheme, x, bins_arr, ok, index)
    exact_max = get_settings().natural_breaks_exact_max
    if x.size > exact_max:  # exact Fisher-Jenks is O(k n^2): break an evenly spaced
        # sample of the sorted values (their quantiles), then classify every value
        sample = np.quantile(x, np.linspace(0, 1, exact_max))
        breaks = fisher_jenks(sample, min(k_eff, np.unique(sample).size))
        bins_arr = np.array(list(breaks[:-1]) + [x.max()])
        return replace(_classes(scheme, x, bins_arr, ok, index), sample=exact_max)
    return _classes(scheme, x, fisher_jenks(x, k_eff), ok, index)


def sample_note(classes: Classes) -> str | None:
    """What a legend's caption adds when natural breaks were computed on a sample, e.g.
    "natural breaks on a 1,000-value sample of 10,000 values"; None when on every value."""
    if not classes.sample:
        return None
    return _("natural breaks on a {sample}-value sample of {n} values (evenly spaced "
             "quantiles)").format(sample=number(classes.sample),
                                  n=number(int((classes.index >= 0).sum())))


def fisher_jenks(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` natural-breaks (Fisher-Jenks) classes of ``values``.

    The same numbers as mapclassify.FisherJenks (its float32 sums and tie rule, checked by a
    test), computed a class at a time over all districts at once: O(k n^2) array operations
    instead of O(k n^2) Python steps, and no import of mapclassify (scipy, scikit-learn).
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    rows = np.arange(n)[:, None] - np.arange(n)[None, :]  # [l-1, m-1] -> index l-m
    valid = rows >= 0
    # row l sums x[l-1], x[l-2], ..., x[l-m] in that order, in float32, as mapclassify does
    a = np.where(valid, x.astype(np.float32)[np.maximum(rows, 0)], np.float32(0))
    s1 = np.cumsum(a, axis=1, dtype=np.float32)
    s2 = np.cumsum(a * a, axis=1, dtype=np.float32)
    w = np.arange(1, n + 1, dtype=np.float32)[None, :]
    var = s2 - (s1 * s1) / w  # [l-1, m-1]: within-class variance of x[l-m .. l-1]
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)  # mapclassify's mat2
    start = np.zeros((n + 1, k + 1), dtype=np.int64)  # its mat1
    cost[2:, 1:] = np.inf
    start[1, 1:] = 1
    cost[2:, 1] = np.diagonal(var)[1:]
    start[2:, 1] = 1
    # a class of m values ending at value l leaves i4 = l - m values to the other classes;
    # only i4 >= 1 is a candidate (others cost inf)
    var = np.where(rows >= 1, var, np.float32(np.inf))
    for j in range(2, k + 1):
        total = var + _by_remainder(cost[:n, j - 1])  # [l-1, m-1]: var + cost[l - m, j - 1]
        # mapclassify keeps the last m that reaches the minimum (its test is ">="): the first
        # minimum of each row read backwards
        last = n - np.argmin(total[:, ::-1], axis=1)
        best = total[np.arange(n), last - 1]
        cost[2:, j] = best[1:]
        start[2:, j] = (np.arange(1, n + 1) - last + 1)[1:]
    bounds = np.zeros(k + 1)
    bounds[k] = x[-1]
    bounds[0] = x[0]
    row = n
    for count in range(k, 1, -1):
        pivot = start[row, count]
        bounds[count - 1] = x[int(pivot - 2)]
        row = int(pivot - 1)
    return bounds[1:]


def _by_remainder(column: np.ndarray) -> np.ndarray:
    """The (n, n) read-only view ``out[l-1, m-1] = column[l - m]`` of a length-n column
    (``column[0]`` where ``l < m``, a cell the caller masks): Fisher-Jenks' cost of the values
    left before a class, without gathering n² numbers."""
    n = column.size
    padded = np.concatenate([np.full(n - 1, column[0]), column])[::-1]  # [u] = col[n-1-u]
    return np.lib.stride_tricks.sliding_window_view(padded, n)[::-1]


def _classes(scheme: str, x: np.ndarray, bins: np.ndarray, ok: np.ndarray,
             index: np.ndarray) -> Classes:
    """Class of each value: the first upper bound at or above it."""
    index[ok] = np.minimum(np.searchsorted(bins, x, side="left"), len(bins) - 1)
    return Classes(scheme, tuple(float(b) for b in bins), float(x.min()), index,
                   palette(len(bins)))


def format_value(value: float, digits: int = 0) -> str:
    """``value`` with ``digits`` decimals for the locale of the language in effect; billions
    and millions as ``1.23 bn`` and ``4.56 M``; "no data" when unknown."""
    if value is None or not np.isfinite(value):
        return _("no data")
    a = abs(value)
    if a >= 1e9:
        return _("{value} bn").format(value=number(value / 1e9, 2))
    if a >= 1e6:
        return _("{value} M").format(value=number(value / 1e6, 2))
    return number(value, digits)


#: relative quantities below this share are shown as "below" it (float64 rounding, not error)
RELATIVE_FLOOR = 1e-9


def format_relative(share: float) -> str:
    """A relative quantity (a gap, a violation: share of 1) as a percentage a reader can take in:
    no scientific notation; zero and float64 noise read as "0 %" and "< 0.0000001 %"."""
    if share is None or not np.isfinite(share):
        return _("not computed")
    a = abs(share)
    if a == 0:
        return "0 %"
    if a < RELATIVE_FLOOR:
        return f"< {RELATIVE_FLOOR * 100:.7f} %"
    return f"{share * 100:,.{max(2, int(-np.floor(np.log10(a * 100))) + 1)}f} %"


def _districts(n: int) -> str:
    return ngettext("{n} district", "{n} districts", n).format(n=number(n))


def no_data_row(n: int) -> dict:
    """The legend row of the ``n`` districts drawn as no data."""
    return {"color": _hex(NO_DATA[:3]),
            "label": _("no data ({districts})").format(districts=_districts(n))}


def predicted_row(n: int) -> dict:
    """The legend row of the ``n`` districts outlined as predicted (``outline``: line colour)."""
    return {"color": "#ffffff", "outline": _hex(PREDICTED_LINE[:3]),
            "label": _("predicted ({districts})").format(districts=_districts(n))}


def legend(classes: Classes, unit: str, digits: int = 0) -> list[dict]:
    """Legend rows: colour (hex) and range label with unit; then "no data (N districts)"."""
    rows = []
    lower = classes.lower
    for bound, rgb in zip(classes.bins, classes.colors, strict=True):
        lo, hi = format_value(lower, digits), format_value(bound, digits)
        rows.append({"color": _hex(rgb), "label": f"{hi} {unit}" if lo == hi else f"{lo} – {hi} {unit}"})
        lower = bound
    if (missing := int((classes.index == -1).sum())):
        rows.append(no_data_row(missing))
    return rows


def fill_colors(classes: Classes) -> list[list[int]]:
    return [list(classes.colors[i]) + [FILL_ALPHA] if i >= 0 else list(NO_DATA)
            for i in classes.index]


def feature_collection(districts: gpd.GeoDataFrame | gpd.GeoSeries, properties: pd.DataFrame,
                       lineage: tuple[str, ...] | list[str] | None = None) -> dict:
    """GeoJSON FeatureCollection of the districts with the given properties (aligned by row).

    ``lineage`` (the city's change log), when given, goes into the collection's top-level
    ``properties`` so that an export carries where its data came from.
    """
    gdf = gpd.GeoDataFrame(properties.reset_index(drop=True),
                           geometry=districts.geometry.reset_index(drop=True), crs=districts.crs)
    collection = json.loads(gdf.to_json(drop_id=True))
    if lineage is not None:
        collection["properties"] = {"lineage": list(lineage)}
    return collection


@dataclass(frozen=True)
class Choropleth:
    """Everything a map of one indicator shows: per-district properties, colours, legend, and
    the districts to outline as predicted."""

    key: str
    label: str
    unit: str
    classes: Classes
    properties: pd.DataFrame  # district_id, name, value, value_text, class, data
    fill: list[list[int]]
    legend: list[dict]
    outlined: np.ndarray  # bool per district: value rests on a prediction (PREDICTED_LINE)


def _flags(mask, n: int) -> np.ndarray:
    return np.zeros(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)


def data_labels(index: np.ndarray, predicted: np.ndarray) -> list[str]:
    """Per district: ``no data`` (no class), ``predicted`` or ``observed``."""
    return [_("no data") if i < 0 else _("predicted") if p else _("observed")
            for i, p in zip(index, predicted, strict=True)]


def choropleth(table: pd.DataFrame, key: str, label: str, unit: str, digits: int = 0,
               scheme: str = "quantiles", k: int = 5, categories: tuple[str, ...] = (),
               no_data=None, predicted=None) -> Choropleth:
    """Classify column ``key`` of an indicator table and colour every district.

    With ``categories``, the values are category codes 0..m-1 shown with those names.
    ``no_data`` (bool per row): districts without data, drawn as no data whatever their
    value (an optimizer's zero, say) and left out of the classes; ``predicted`` (bool per
    row): districts whose value rests on the energy model's prediction, outlined.
    """
    gone = _flags(no_data, len(table))
    values = table[key].astype(float).where(~gone)
    if categories:
        return _categorical(table, key, label, unit, values, categories,
                            _flags(predicted, len(table)))
    classes = classify(values, scheme, k)
    outlined = _flags(predicted, len(table)) & (classes.index >= 0)
    props = pd.DataFrame({
        "district_id": table["district_id"].astype(str).to_numpy(),
        "name": table["name"].astype(str).to_numpy(),
        "value": values.to_numpy(),
        "value_text": [format_value(v, digits) for v in values],
        "class": classes.index + 1,  # 1-based for people; 0 = no data
        "data": data_labels(classes.index, outlined),
    })
    rows = legend(classes, unit, digits) + ([predicted_row(int(outlined.sum()))]
                                            if outlined.any() else [])
    return Choropleth(key, label, unit, classes, props, fill_colors(classes), rows, outlined)


# Light blue for "no" (told apart from the no-data grey), dark orange, teal, purple.
CATEGORY_COLORS = ((158, 202, 225), (217, 72, 15), (33, 145, 140), (68, 57, 131))


def _categorical(table: pd.DataFrame, key: str, label: str, unit: str, values: pd.Series,
                 categories: tuple[str, ...], predicted: np.ndarray) -> Choropleth:
    codes = values.to_numpy()
    index = np.where(np.isfinite(codes), np.nan_to_num(codes, nan=-1), -1).astype(int)
    colors = CATEGORY_COLORS[:len(categories)]
    classes = Classes("categories", tuple(range(len(categories))), 0.0, index, colors)
    outlined = predicted & (index >= 0)
    props = pd.DataFrame({
        "district_id": table["district_id"].astype(str).to_numpy(),
        "name": table["name"].astype(str).to_numpy(),
        "value": codes,
        "value_text": [categories[i] if i >= 0 else "no data" for i in index],
        "class": index + 1,
        "data": data_labels(index, outlined),
    })
    rows = [{"color": _hex(c), "label": name}
            for c, name in zip(colors, categories, strict=True)]
    if (missing := int((index == -1).sum())):
        rows.append(no_data_row(missing))
    if outlined.any():
        rows.append(predicted_row(int(outlined.sum())))
    return Choropleth(key, label, unit, classes, props, fill_colors(classes), rows, outlined)


# Diverging blue-white-red (ColorBrewer RdBu, colour-blind safe) for signed values.
_DIVERGING = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"]


def diverging(values: pd.Series | np.ndarray, unit: str, digits: int = 0,
              limit: float | None = None) -> tuple[list[list[int]], list[dict]]:
    """Fill colours and legend of signed values in 7 symmetric classes around zero.

    ``limit`` (default: the 95th percentile of |value|) bounds the outer classes.
    """
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    lim = limit if limit is not None else (float(np.quantile(np.abs(v[ok]), 0.95)) if ok.any() else 1.0)
    lim = lim if lim > 0 else 1.0
    edges = np.linspace(-lim, lim, len(_DIVERGING) + 1)[1:-1]
    idx = np.digitize(np.where(ok, v, 0), edges)
    colors = [_hex_to_rgb(h) for h in _DIVERGING]
    fill = [list(colors[i]) + [FILL_ALPHA] if o else list(NO_DATA) for i, o in zip(idx, ok, strict=True)]
    bounds = [-np.inf, *edges, np.inf]
    legend_rows = []
    for i, h in enumerate(_DIVERGING):
        lo, hi = bounds[i], bounds[i + 1]
        label = (f"below {format_value(hi, digits)}" if i == 0 else
                 f"{format_value(lo, digits)} or more" if i == len(_DIVERGING) - 1 else
                 f"{format_value(lo, digits)} – {format_value(hi, digits)}")
        legend_rows.append({"color": h, "label": f"{label} {unit}"})
    if (~ok).any():
        legend_rows.append(no_data_row(int((~ok).sum())))
    return fill, legend_rows


def categorical(labels, colors: dict[str, str]) -> tuple[list[list[int]], list[dict]]:
    """Fill colours and legend of category labels (``colors``: label -> hex, in legend order);
    a label without a colour (e.g. "no data") is drawn as no data, with its legend row."""
    fill = [list(_hex_to_rgb(colors[str(lab)])) + [FILL_ALPHA] if str(lab) in colors
            else list(NO_DATA) for lab in labels]
    present = {str(lab) for lab in labels}
    legend_rows = [{"color": h, "label": lab} for lab, h in colors.items() if lab in present]
    if (missing := sum(str(lab) not in colors for lab in labels)):
        legend_rows.append(no_data_row(missing))
    return fill, legend_rows
