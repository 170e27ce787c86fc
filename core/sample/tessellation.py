"""Seeded gap-free tessellations of N districts, for scale tests and benchmarks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from core.constants import WGS84
from core.sample.geometry import M_PER_DEG_LAT, M_PER_DEG_LON_EQUATOR


def tessellation(n: int, seed: int = 0, side_km: float = 25.0,
                 center: tuple[float, float] = (-87.7, 41.85)) -> gpd.GeoDataFrame:
    """Generate a gap-free tessellation of ``n`` polygon districts.

    Voronoi cells of ``n`` seeded uniform points, clipped to a square of
    ``side_km`` (default 25 km, about Chicago's 590 km² of land) centred at
    ``center`` (lon, lat). Cells are built in local metres and mapped to
    longitude/latitude by an affine map, so shared edges stay shared.

    Parameters
    ----------
    n : int
        Number of districts (>= 1).
    seed : int, default 0
        Seed for the point locations.
    side_km : float, default 25.0
        Side of the square.
    center : tuple of float, default (-87.7, 41.85)
        Longitude and latitude of the square's centre.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``district_id`` ("1".."n"), ``name`` ("District 1"...) and
        ``geometry``, in EPSG:4326.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    half = side_km * 500.0  # metres
    box = shapely.box(-half, -half, half, half)
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-half, half, size=(n, 2))
    if n == 1:
        cells = np.array([box], dtype=object)
    else:
        diagram = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box, ordered=True)
        cells = np.asarray(shapely.get_parts(diagram))
        # only the cells that reach past the square are clipped (about 4 sqrt(n) of them):
        # clipping the others, inside it, changed nothing and took most of the time
        b = shapely.bounds(cells)
        outside = (b[:, 0] < -half) | (b[:, 1] < -half) | (b[:, 2] > half) | (b[:, 3] > half)
        cells[outside] = shapely.intersection(cells[outside], box)
    lon0, lat0 = center
    sx = 1.0 / (M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)))
    sy = 1.0 / M_PER_DEG_LAT
    cells = shapely.transform(cells, lambda c: c * np.array([sx, sy]) + np.array([lon0, lat0]))
    ids = [str(i) for i in range(1, n + 1)]
    return gpd.GeoDataFrame({"district_id": ids, "name": [f"District {i}" for i in ids]},
                            geometry=cells, crs=WGS84)
