"""Small, exact fixtures shared by the tests."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import settings
from shapely.geometry import box

# CI replays the same examples every run (a failure there is reproducible); locally,
# hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def square_grid(n_side: int = 2, size: float = 0.01, x0: float = -87.7, y0: float = 41.8):
    """n_side x n_side lon/lat squares with ids "1".."n" (a gap-free tessellation)."""
    cells = [box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
             for j in range(n_side) for i in range(n_side)]
    ids = [str(k + 1) for k in range(len(cells))]
    return gpd.GeoDataFrame({"district_id": ids, "name": [f"Area {i}" for i in ids]},
                            geometry=cells, crs="EPSG:4326")


@pytest.fixture
def grid4() -> gpd.GeoDataFrame:
    return square_grid(2)


@pytest.fixture
def attrs4() -> pd.DataFrame:
    return pd.DataFrame({
        "district_id": ["1", "2", "3", "4"],
        "population": [1000, 2000, 3000, 4000],
        "households": [400, 800, 1200, 1600],
        "renter_share": [0.1, 0.5, 0.6, 0.9],
        "floor_area_m2": [50_000.0, 80_000.0, 90_000.0, 120_000.0],
        "electricity_kwh": [2e6, 3e6, 4e6, 5e6],
        "gas_kwh": [4e6, 5e6, 6e6, 8e6],
    })
