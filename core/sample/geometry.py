"""What the generator reads from district polygons: land area, and position from the core.

Areas are measured in the equal-area CRS. Positions are km east and north of the core
district's centroid, by an equirectangular projection around it (plenty for a city).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from core.constants import EQUAL_AREA_CRS, M2_PER_KM2, WGS84

M_PER_DEG_LAT = 110_574.0  # metres per degree of latitude (WGS84, mid-latitudes)
M_PER_DEG_LON_EQUATOR = 111_320.0  # metres per degree of longitude at the equator
_M_PER_KM = 1000.0


def local_km(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection around (lon0, lat0): km east and km north."""
    x = (lon - lon0) * M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)) / _M_PER_KM
    y = (lat - lat0) * M_PER_DEG_LAT / _M_PER_KM
    return x, y


def core_index(geoms_ea: np.ndarray, areas: np.ndarray, centroids_ea: np.ndarray) -> int:
    """Index of the district where an eastward ray from the area centroid leaves the city."""
    cx = float(np.sum(centroids_ea[:, 0] * areas) / np.sum(areas))
    cy = float(np.sum(centroids_ea[:, 1] * areas) / np.sum(areas))
    maxx = float(shapely.bounds(geoms_ea)[:, 2].max())
    ray = shapely.LineString([(cx, cy), (maxx + 1.0, cy)])
    hits = np.flatnonzero(shapely.intersects(geoms_ea, ray))
    if hits.size == 0:  # e.g. a ring-shaped city: fall back to the nearest centroid
        return int(np.argmin(np.hypot(centroids_ea[:, 0] - cx, centroids_ea[:, 1] - cy)))
    parts = shapely.intersection(geoms_ea[hits], ray)
    east = np.array([shapely.bounds(p)[2] if not p.is_empty else -np.inf for p in parts])
    return int(hits[int(np.argmax(east))])


def district_geometry(districts: gpd.GeoDataFrame) -> dict[str, np.ndarray | int]:
    """Land area (km², equal-area CRS), centroid km coordinates and the core index.

    Raises
    ------
    ValueError
        If the CRS is unset, there are no districts, or a district has zero area.
    """
    if districts.crs is None:
        raise ValueError("districts have no CRS; set one (e.g. EPSG:4326) before generating")
    if len(districts) == 0:
        raise ValueError("districts is empty")
    ea = districts.geometry.to_crs(EQUAL_AREA_CRS)
    geoms_ea = np.asarray(ea.values, dtype=object)
    areas = shapely.area(geoms_ea) / M2_PER_KM2
    if not np.all(areas > 0):
        bad = districts["district_id"].iloc[int(np.argmin(areas))]
        raise ValueError(f"district {bad!r} has zero area")
    cent_ea = shapely.get_coordinates(shapely.centroid(geoms_ea))
    # the centroids' coordinates straight through pyproj (what GeoSeries.to_crs does, without
    # building a million points and a GeoSeries around them)
    lon, lat = Transformer.from_crs(EQUAL_AREA_CRS, WGS84, always_xy=True).transform(
        cent_ea[:, 0], cent_ea[:, 1])
    lonlat = np.column_stack([lon, lat])
    core = core_index(geoms_ea, areas, cent_ea)
    x, y = local_km(lonlat[:, 0], lonlat[:, 1], lonlat[core, 0], lonlat[core, 1])
    return {"area_km2": areas, "x_km": x, "y_km": y, "core": core}
