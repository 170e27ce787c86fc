"""What a district map sends to the browser, encoded compactly (dashboard.map).

Geometry: every district's polygons (holes and multi-polygons kept) as Web Mercator
metres from the south-west corner of the city's bounds, float32 x, y pairs, with int32
offsets: where each ring starts (in points), each polygon (in rings), each district (in
polygons); each array base64 in the JSON data. Encoded once per geometry array
(:func:`geometry`) and keyed by a digest of its content, so the same boundaries get the
same key in any session.

Values: the tooltip's columns as JSON lists, keyed by a digest of their text; fills as
RGBA bytes (base64).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import threading
import weakref
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: the Web Mercator sphere's radius (m), EPSG:3857
EARTH_RADIUS_M = 6_378_137.0
MAX_LATITUDE = 85.051129  # Web Mercator's limit (degrees)
_CACHE_MAX = 16
_cache: dict[int, tuple[weakref.ref, Blob]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Blob:
    """Data sent once per session and referred to by ``key`` afterwards."""

    key: str
    value: object  # JSON-able


def digest(text: str | bytes) -> str:
    """16 hex digits of a BLAKE2b digest of ``text``."""
    data = text.encode() if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def b64(array: np.ndarray) -> str:
    """The array's bytes (little-endian, as typed arrays read them) as base64 text."""
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def mercator(lonlat: np.ndarray) -> np.ndarray:
    """Web Mercator metres (x east, y north) of longitude, latitude pairs (degrees)."""
    lon = np.radians(lonlat[:, 0])
    lat = np.radians(np.clip(lonlat[:, 1], -MAX_LATITUDE, MAX_LATITUDE))
    return np.column_stack([lon, np.log(np.tan(np.pi / 4 + lat / 2))]) * EARTH_RADIUS_M


def _offsets(index: np.ndarray, n: int) -> np.ndarray:
    """int32 start offsets (n + 1) of ``n`` groups, from each member's group ``index``."""
    return np.concatenate([[0], np.cumsum(np.bincount(index, minlength=n))]).astype("<i4")


def encode_geometry(geometry: gpd.GeoSeries) -> dict:
    """The districts' polygons as typed arrays (module docstring), in EPSG:4326 order of
    ``geometry``; a district without polygons has none (drawn as nothing)."""
    geoms = np.asarray(geometry.to_crs(4326) if geometry.crs else geometry, dtype=object)
    parts, district = shapely.get_parts(geoms, return_index=True)
    polygon = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, district = parts[polygon], district[polygon]
    rings, polygon_of = shapely.get_rings(parts, return_index=True)
    lonlat, ring_of = shapely.get_coordinates(rings, return_index=True)
    xy = mercator(lonlat) if len(lonlat) else np.zeros((0, 2))
    origin = xy.min(axis=0) if len(xy) else np.zeros(2)
    extent = (xy.max(axis=0) - origin) if len(xy) else np.zeros(2)
    return {"n": len(geoms), "extent": [float(extent[0]), float(extent[1])],
            "coords": b64((xy - origin).astype("<f4")),
            "rings": b64(_offsets(ring_of, len(rings))),
            "polygons": b64(_offsets(polygon_of, len(parts))),
            "districts": b64(_offsets(district, len(geoms)))}


def geometry(geometry: gpd.GeoSeries) -> Blob:
    """The encoded geometry and its key, once per geometry array.

    Cities are shared read-only (cached or kept in session state), so every rerun draws the
    same geometry array (a GeoSeries taken from a frame is new each time; its array is
    not); the entry goes when the array does.
    """
    array = geometry.array
    key = id(array)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0]() is array:
        return hit[1]
    value = encode_geometry(geometry)
    blob = Blob("g" + digest(json.dumps(value, sort_keys=True)), value)
    with _lock:
        while len(_cache) >= _CACHE_MAX:
            _cache.pop(next(iter(_cache)))
        _cache[key] = (weakref.ref(array, lambda _: _cache.pop(key, None)), blob)
    return blob


def _json_value(v):
    """A JSON value: numpy scalars as Python ones, missing and non-finite numbers as None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v if isinstance(v, (str, int, float, bool)) else str(v)


def column(values: pd.Series) -> Blob:
    """A tooltip column as a JSON list, keyed by a digest of its text."""
    listed = [_json_value(v) for v in values.tolist()]
    return Blob("c" + digest(json.dumps(listed)), listed)


def rgba(fill) -> str:
    """Fills (RGBA 0-255 per district) as base64 bytes."""
    return b64(np.asarray(fill, dtype=float).reshape(-1, 4).clip(0, 255).round().astype("u1"))
