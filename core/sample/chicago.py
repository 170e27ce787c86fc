"""The illustrative Chicago: the bundled 77 community areas with every canonical column filled
by the seeded generator (seed 2026). Before the real 2010 data became the default city this
was the default; tests and benchmarks that need every column on real boundaries use it."""

from __future__ import annotations

from dataclasses import replace

from core import paths
from core.intake.city import City, load_city
from core.intake.degree_day_table import read_degree_days
from core.sample.attributes import generate_city_tables

SEED = 2026


def illustrative_chicago() -> City:
    """Chicago's 77 community areas with generated (illustrative) attributes and degree days."""
    districts, attributes = generate_city_tables(seed=SEED)
    city = load_city(districts[["district_id", "name", "geometry"]], attributes,
                     name="Chicago, 77 community areas (illustrative)",
                     source="Boundaries: City of Chicago via libpysal (BSD-3-Clause); "
                            "attributes: Greenprint's seeded generator (illustrative)",
                     illustrative=True)
    return replace(city, degree_days=read_degree_days(paths.DEFAULT_DEGREE_DAYS))
