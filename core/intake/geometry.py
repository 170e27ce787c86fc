"""District geometry checks: CRS, repair, overlaps and gaps, equal-area areas.

Overlaps and gaps use a spatial index (STRtree): only pairs of districts whose
envelopes meet are intersected, so 10,000 districts take seconds, not hours.
Areas are computed in an equal-area projection (EPSG:6933).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core.constants import EQUAL_AREA_CRS, M2_PER_KM2, WGS84, WGS84_EPSG
from core.errors import InputError
from core.i18n import lazy

POLYGONAL = ("Polygon", "MultiPolygon")
# A CRS given by a user: an authority code only (EPSG:3435, ESRI:102671 or a bare 3435).
AUTHORITY_CODE = re.compile(r"^(?:(?:EPSG|ESRI):)?\d{4,6}$", re.IGNORECASE)


def to_wgs84(gdf: gpd.GeoDataFrame, lineage: list[str], crs: str | None = None) -> gpd.GeoDataFrame:
    """Bring boundaries to EPSG:4326.

    ``crs`` (e.g. "EPSG:3435") is the user's statement of the file's CRS: it is used when
    the file has none and overrides the file's own. Without either, the CRS is inferred
    only when every coordinate is a valid longitude/latitude; otherwise an
    :class:`InputError` asks for the EPSG code.
    """
    if crs is not None:
        crs = crs.strip()
        try:
            if not AUTHORITY_CODE.match(crs):  # no PROJ strings, files or URLs from users
                raise ValueError(crs)
            from pyproj import CRS
            given = CRS.from_user_input(crs if ":" in crs else f"EPSG:{crs}")
        except Exception as exc:
            raise InputError(lazy("'{crs}' is not a coordinate reference system; give an EPSG "
                                  "code such as EPSG:3435", crs=crs)) from exc
        if gdf.crs is not None and gdf.crs != given:
            lineage.append(f"crs: file said {gdf.crs.to_string()}; the given {crs} was used")
        elif gdf.crs is None:
            lineage.append(f"crs: none in file; {crs} given by the user")
        gdf = gdf.set_crs(given, allow_override=True)
    if gdf.crs is None:
        if _lonlat(gdf):
            lineage.append("crs: none in file; coordinates are lon/lat, EPSG:4326 assumed")
            return gdf.set_crs(WGS84)
        raise InputError(lazy("the boundaries have no coordinate reference system and the "
                              "coordinates are not longitude/latitude; give the EPSG code of "
                              "the file (e.g. EPSG:3435 for Illinois East, US feet)"),
                         setting="crs")
    if gdf.crs.is_geographic and not _lonlat(gdf):
        # GeoJSON readers assume EPSG:4326 when a file says nothing; projected numbers then
        # land far outside the globe
        raise InputError(lazy("the boundaries say {crs} (longitude/latitude) but their "
                              "coordinates are not; give the EPSG code of the file (e.g. "
                              "EPSG:3435 for Illinois East, US feet)", crs=gdf.crs.to_string()),
                         setting="crs")
    if gdf.crs.to_epsg() != WGS84_EPSG:
        lineage.append(f"crs: reprojected from {gdf.crs.to_string()} to EPSG:4326")
        return gdf.to_crs(WGS84)
    return gdf


def _lonlat(gdf: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = gdf.total_bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def unusable(geom: gpd.GeoSeries) -> np.ndarray:
    """True where a geometry is missing, empty, or not a polygon (points, lines)."""
    return (geom.isna() | geom.is_empty | ~geom.geom_type.isin(POLYGONAL)).to_numpy()


def repair(gdf: gpd.GeoDataFrame, lineage: list[str]) -> gpd.GeoDataFrame:
    """Repair invalid polygons with ``make_valid`` (keeping polygonal parts); record which."""
    geom = gdf.geometry
    polygonal = ~unusable(geom)
    invalid = polygonal & ~geom.is_valid.to_numpy()
    if not invalid.any():
        return gdf
    fixed = shapely.make_valid(geom.to_numpy()[invalid])
    fixed = np.array([_polygonal_part(g) for g in fixed], dtype=object)
    out = gdf.copy()
    out.loc[invalid, out.geometry.name] = fixed
    ids = ", ".join(map(str, gdf["district_id"].to_numpy()[invalid][:20]))
    more = f" and {int(invalid.sum()) - 20} more" if invalid.sum() > 20 else ""
    lineage.append(f"geometry: {int(invalid.sum())} invalid polygon(s) repaired with make_valid "
                   f"(districts {ids}{more})")
    return out


def _polygonal_part(g):
    if g is None or g.geom_type in POLYGONAL:
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass(frozen=True)
class Topology:
    """Overlaps (pairs of districts) and gaps (holes enclosed by the city), with areas in m²."""

    overlaps: pd.DataFrame  # district_a, district_b, area_m2
    gaps: pd.DataFrame  # gap, area_m2, district_ids (touching districts, comma-separated)

    @property
    def overlap_m2(self) -> float:
        return float(self.overlaps["area_m2"].sum())

    @property
    def gap_m2(self) -> float:
        return float(self.gaps["area_m2"].sum())


def topology(gdf: gpd.GeoDataFrame, min_area_m2: float) -> Topology:
    """Overlaps and gaps between districts larger than ``min_area_m2`` (slivers below are noise)."""
    usable = ~unusable(gdf.geometry)
    ids = gdf["district_id"].astype(str).to_numpy()[usable]
    geoms = gdf.geometry[usable].to_crs(EQUAL_AREA_CRS).to_numpy()
    geoms = shapely.make_valid(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    overlaps = pd.DataFrame({"district_a": pd.Series([], dtype=str),
                             "district_b": pd.Series([], dtype=str),
                             "area_m2": pd.Series([], dtype=float)})
    if left.size:
        shared = shapely.intersection(geoms[left], geoms[right])
        area = shapely.area(shared)
        big = area > min_area_m2
        overlaps = pd.DataFrame({"district_a": ids[left[big]], "district_b": ids[right[big]],
                                 "area_m2": area[big]})
    return Topology(overlaps.reset_index(drop=True), _gaps(geoms, ids, tree, min_area_m2))


def _gaps(geoms: np.ndarray, ids: np.ndarray, tree: shapely.STRtree,
          min_area_m2: float) -> pd.DataFrame:
    empty = pd.DataFrame({"gap": pd.Series([], dtype=int), "area_m2": pd.Series([], dtype=float),
                          "district_ids": pd.Series([], dtype=str)})
    if geoms.size == 0:
        return empty
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(part.interiors[k]) for part in shapely.get_parts(union)
             if part.geom_type == "Polygon" for k in range(len(part.interiors))]
    holes = np.array(holes, dtype=object)
    if holes.size == 0:
        return empty
    areas = shapely.area(holes)
    big = areas > min_area_m2
    holes, areas = holes[big], areas[big]
    if holes.size == 0:
        return empty
    hole_idx, district_idx = tree.query(holes, predicate="intersects")
    touching = pd.Series(ids[district_idx]).groupby(hole_idx).agg(lambda s: ", ".join(sorted(s)))
    return pd.DataFrame({"gap": np.arange(1, holes.size + 1), "area_m2": areas,
                         "district_ids": [touching.get(i, "") for i in range(holes.size)]})


def area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """District areas in km², computed in an equal-area projection."""
    return gdf.geometry.to_crs(EQUAL_AREA_CRS).area / M2_PER_KM2
