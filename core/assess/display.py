"""What a map draws: a lighter copy of the district boundaries, and its compact GeoJSON text.

The figures, tooltips and downloads use the city's own boundaries and values; only the
polygons drawn on the map are simplified and their coordinates rounded:

* simplified with ``GeoSeries.simplify_coverage`` (shared edges stay shared: no gaps, no
  slivers) in metres of an equal-area projection, at a tolerance of
  ``GREENPRINT_DISPLAY_TOLERANCE_SHARE`` (core.settings) of the median district width,
  the square root of the median district area. The width is about the city's extent over
  the square root of its district count, so the tolerance follows both: 2 % of it is
  5 m for 10,000 districts on 625 km², 54 m for Chicago's 77 community areas;
* coordinates rounded to the fewest decimals of a degree whose step (at most
  :data:`M_PER_DEGREE` x 10^-decimals metres) is at most :data:`ROUNDING_SHARE` of that
  tolerance: 6 decimals (0.11 m) at 5 m, 5 decimals (1.1 m) at 54 m (Chicago's 77 areas).
  Shared vertices round alike, so shared edges stay shared; where neighbours do not share
  a vertex, slivers narrower than the step can open or overlap (under a millionth of the
  area). A district that rounding would make invalid (a ring crossing itself) keeps its
  unrounded coordinates.

The text helpers write GeoJSON without spaces, from geometry encoded once per city
(:func:`geometry_json`) and properties encoded column by column (:func:`properties_json`),
so that a map redrawn on every slider move never walks the polygons again.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring_ascii

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.constants import EQUAL_AREA_CRS, WGS84

#: metres per degree of latitude (and of longitude at the equator; less elsewhere)
M_PER_DEGREE = 111_320.0
#: the rounding step is at most this share of the simplification tolerance
ROUNDING_SHARE = 0.1
MAX_DECIMALS = 7  # 1 cm: below any display tolerance
_COMPACT = (",", ":")  # JSON separators without spaces
_encode = json.JSONEncoder(separators=_COMPACT).encode


def tolerance_m(projected: gpd.GeoSeries, tolerance_share: float) -> float:
    """The simplification tolerance (m): ``tolerance_share`` of the median district width
    (square root of the median area) of ``projected`` (an equal-area CRS, m²)."""
    return float(np.sqrt(np.median(projected.area))) * tolerance_share


def decimals_for(tolerance: float) -> int:
    """Decimals of a degree kept for a tolerance (m): the fewest whose step is at most
    :data:`ROUNDING_SHARE` of it (at most :data:`MAX_DECIMALS`)."""
    step = tolerance * ROUNDING_SHARE / M_PER_DEGREE  # degrees
    return min(MAX_DECIMALS, max(0, math.ceil(-math.log10(step))))


def rounded(geometry: gpd.GeoSeries, decimals: int) -> gpd.GeoSeries:
    """``geometry`` with every coordinate rounded to ``decimals`` (same index and CRS)."""
    values = shapely.transform(geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    return gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)


def display_geometry(gdf: gpd.GeoDataFrame, tolerance_share: float
                     ) -> tuple[gpd.GeoSeries, float, int]:
    """A lighter copy of the boundaries for the map (EPSG:4326), shared edges kept: the
    simplified, rounded series, the tolerance used (m) and the decimals kept (module
    docstring). A tolerance of 0 (or boundaries that are not a valid coverage: overlaps)
    gives back the original geometry, 0 m and no rounding (-1 decimals)."""
    projected = gdf.geometry.to_crs(EQUAL_AREA_CRS)
    tolerance = tolerance_m(projected, tolerance_share)
    if tolerance <= 0 or not np.isfinite(tolerance):
        return gdf.geometry, 0.0, -1
    try:
        simple = projected.simplify_coverage(tolerance)
    except Exception:  # not a valid coverage (overlaps): keep the original for display
        return gdf.geometry, 0.0, -1
    simple = simple.to_crs(WGS84)
    decimals = decimals_for(tolerance)
    shown = rounded(simple, decimals)
    broken = ~shown.is_valid & simple.is_valid
    return shown.where(~broken, simple), tolerance, decimals


def geometry_json(geometry: gpd.GeoSeries) -> tuple[str, ...]:
    """Each geometry as compact GeoJSON text ("null" when missing or empty), the geometry
    members of core.assess.maps.feature_collection. Prepared once per city and reused by
    every map of it."""
    texts = shapely.to_geojson(np.asarray(geometry, dtype=object))
    empty = shapely.is_missing(np.asarray(geometry, dtype=object)) | shapely.is_empty(
        np.asarray(geometry, dtype=object))
    return tuple("null" if e else t for t, e in zip(texts, empty, strict=True))


def _generic_json(values: list, missing: np.ndarray) -> list[str]:
    """JSON text of values of any JSON type (repeated lists, e.g. colours, encoded once)."""
    out, memo = [], {}
    for v, m in zip(values, missing, strict=True):
        if m or (isinstance(v, float) and not math.isfinite(v)):
            out.append("null")
        elif isinstance(v, str):
            out.append(encode_basestring_ascii(v))
        else:
            key = (type(v), tuple(v)) if isinstance(v, list) else (type(v), v)
            try:
                text = memo.get(key)
            except TypeError:  # an unhashable value: encoded every time
                out.append(_encode(v))
                continue
            if text is None:
                text = memo[key] = _encode(v)
            out.append(text)
    return out


def column_json(column: pd.Series) -> list[str]:
    """Each value of ``column`` as JSON text: missing and non-finite numbers as null."""
    values = column.tolist()
    kind = column.dtype.kind
    if kind == "f":
        return [repr(v) if math.isfinite(v) else "null" for v in values]
    missing = column.isna().to_numpy() if kind == "O" or column.hasnans else None
    if missing is None and kind in "iu":
        return [str(v) for v in values]
    if missing is None and kind == "b":
        return ["true" if v else "false" for v in values]
    return _generic_json(values, np.zeros(len(values), bool) if missing is None else missing)


def properties_json(properties: pd.DataFrame) -> list[str]:
    """Each row as compact GeoJSON ``properties`` text (missing values as null)."""
    if properties.columns.empty:
        return ["{}"] * len(properties)
    names = [encode_basestring_ascii(str(c)).replace("{", "{{").replace("}", "}}")
             for c in properties.columns]
    row = ("{{" + ",".join(f"{n}:{{}}" for n in names) + "}}").format
    columns = [column_json(properties.iloc[:, i]) for i in range(properties.shape[1])]
    return [row(*values) for values in zip(*columns, strict=True)]


def feature_collection_json(geometry: tuple[str, ...] | list[str], properties: pd.DataFrame,
                            lineage: tuple[str, ...] | list[str] | None = None) -> str:
    """core.assess.maps.feature_collection as compact text, from geometry prepared by
    :func:`geometry_json`."""
    features = ",".join(f'{{"type":"Feature","properties":{p},"geometry":{g}}}'
                        for p, g in zip(properties_json(properties), geometry, strict=True))
    extra = ("" if lineage is None
             else ',"properties":' + json.dumps({"lineage": list(lineage)}, separators=_COMPACT))
    return f'{{"type":"FeatureCollection","features":[{features}]{extra}}}'
