"""A test city shaped like Chicago's 801 census tracts (issue 10): the real tract ids of
data/build/chicago_tract_to_community_area_2010.csv on a grid of squares, and an attribute
table as real tract data comes: electricity (kWh), gas (therms), population and floor area
(ft²) for 795 tracts, 6 tracts without a row, some tracts with zero population (industrial
areas, the airport), and no income column.

The values are seeded draws (not Chicago's): floor area, then population and energy from
it, so that a model can learn energy from floor area and population.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from core import paths
from core.intake.city import City, load_city
from core.intake.mapping import ColumnMapping

TRACTS = paths.ROOT / "data" / "build" / "chicago_tract_to_community_area_2010.csv"
N_TRACTS = 801
#: tracts with no attribute row (positions in the tract list)
WITHOUT_ROW = (17, 130, 288, 455, 612, 790)
#: tracts with a row and zero population (positions in the tract list)
ZERO_POPULATION = (40, 41, 300, 520, 700)
N_WITH_DATA = N_TRACTS - len(WITHOUT_ROW)
COLUMNS_PER_ROW = 29  # 29 x 28 cells hold the 801 tracts
CELL_DEG = 0.01
SQFT_PER_M2 = 10.7639

#: how the table's columns map onto canonical ones, and their units
MAPPING = {"id_column": "tract", "attributes_id": "TRACT",
           "columns": {"TOTAL POPULATION": "population", "TOTAL KWH": "electricity_kwh",
                       "TOTAL THERMS": "gas_kwh", "TOTAL SQFT": "floor_area_m2"},
           "units": {"gas_kwh": "therm", "floor_area_m2": "ft2"}}


def tract_ids() -> list[str]:
    """The 801 six-digit tract ids (text, leading zeros kept)."""
    return pd.read_csv(TRACTS, dtype=str)["tract"].tolist()


def without_row_ids() -> list[str]:
    ids = tract_ids()
    return [ids[i] for i in WITHOUT_ROW]


def zero_population_ids() -> list[str]:
    ids = tract_ids()
    return [ids[i] for i in ZERO_POPULATION]


def boundaries() -> gpd.GeoDataFrame:
    """801 squares around Chicago (EPSG:4326), id column ``tract``, no other attribute."""
    ids = tract_ids()
    cells = [box(-87.94 + c * CELL_DEG, 41.64 + r * CELL_DEG,
                 -87.94 + (c + 1) * CELL_DEG, 41.64 + (r + 1) * CELL_DEG)
             for r, c in (divmod(i, COLUMNS_PER_ROW) for i in range(len(ids)))]
    return gpd.GeoDataFrame({"tract": ids}, geometry=cells, crs="EPSG:4326")


def attributes(seed: int = 0) -> pd.DataFrame:
    """The table of the 795 tracts with a row (ids in column ``TRACT``, as text)."""
    rng = np.random.default_rng(seed)
    ids = tract_ids()
    n = len(ids)
    floor_m2 = rng.lognormal(np.log(150_000), 0.6, n)
    population = np.round(floor_m2 / 55 * rng.lognormal(0, 0.35, n))
    population[list(ZERO_POPULATION)] = 0
    electricity_kwh = floor_m2 * 95 * rng.lognormal(0, 0.2, n)
    gas_therm = floor_m2 * 160 * rng.lognormal(0, 0.15, n) / 29.3071
    table = pd.DataFrame({"TRACT": ids, "TOTAL POPULATION": population.astype(int),
                          "TOTAL KWH": electricity_kwh.round(), "TOTAL THERMS": gas_therm.round(),
                          "TOTAL SQFT": (floor_m2 * SQFT_PER_M2).round()})
    return table.drop(index=list(WITHOUT_ROW)).reset_index(drop=True)


def mapping() -> ColumnMapping:
    return ColumnMapping(**MAPPING)


def write(folder: Path) -> tuple[Path, Path, Path]:
    """The boundaries (GeoJSON), the table (CSV) and the mapping (JSON) written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    b, a, m = folder / "tracts.geojson", folder / "tracts.csv", folder / "tracts_mapping.json"
    boundaries().to_file(b, driver="GeoJSON")
    attributes().to_csv(a, index=False)
    m.write_text(json.dumps(MAPPING))
    return b, a, m


def cli_args(folder: Path) -> list[str]:
    """The city options of every command for the files :func:`write` puts in ``folder``."""
    b, a, m = write(folder)
    return [str(b), "--attributes", str(a), "--mapping", str(m)]


def city() -> City:
    """The validated tract-shaped city."""
    table = attributes()
    return load_city(boundaries(), table, mapping(), name="Tract shape (801)",
                     source="tests/tract_shape.py")
