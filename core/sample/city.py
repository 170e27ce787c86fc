"""A seeded sample city of any size: a tessellation with generated attributes (benchmarks,
scale tests). Not a real city: its attributes are illustrative (see core.sample.attributes)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from core import paths
from core.intake.city import City, load_city
from core.intake.degree_day_table import read_degree_days
from core.sample.attributes import generate_attributes, round_attributes
from core.sample.parameters import load_generator_parameters
from core.sample.tessellation import tessellation


def sample_tables(n: int, seed: int = 1, rounded: bool = False
                  ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Boundaries of ``n`` districts and their generated attribute table (seeded)."""
    districts = tessellation(n, seed=seed)
    attributes = generate_attributes(districts, load_generator_parameters(),
                                     read_degree_days(paths.DEFAULT_DEGREE_DAYS), seed=seed)
    return districts, round_attributes(attributes) if rounded else attributes


def sample_city(n: int, seed: int = 1, rounded: bool = False) -> City:
    """The validated sample city of ``n`` districts, named after its size."""
    districts, attributes = sample_tables(n, seed, rounded)
    return load_city(districts, attributes, name=f"tessellation {n}")
