"""Emissions: energy x emission factors from data/emission_factors.csv.

The grid factor follows a decarbonisation path by year (linear between the
table's years, flat outside them); natural gas has one factor.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from core import reference_tables


def _base_year() -> int:
    t = reference_tables.table("emission_factors")
    return int(t.loc[t["fuel"] == "electricity", "year"].min())


BASE_YEAR = _base_year()  # the first year of the grid path in data/emission_factors.csv
KG_PER_T = 1000.0


@lru_cache(maxsize=1)
def _grid_path() -> tuple[tuple[float, ...], tuple[float, ...]]:
    # read once per process: every rerun asks for it several times (immutable tuples)
    t = reference_tables.table("emission_factors")
    path = t[t["fuel"] == "electricity"].sort_values("year")
    return (tuple(path["year"].astype(float)), tuple(path["kg_co2_per_kwh"].astype(float)))


def grid_factor_kg_per_kwh(year: int = BASE_YEAR) -> float:
    """Grid emission factor for a year, interpolated along the sourced path."""
    years, factors = _grid_path()
    return float(np.interp(year, years, factors))


@lru_cache(maxsize=1)
def gas_factor_kg_per_kwh() -> float:
    return reference_tables.value("emission_factors", "natural_gas", "fuel", "kg_co2_per_kwh")


def district_emissions(d: pd.DataFrame, year: int = BASE_YEAR,
                       grid_kg_per_kwh: float | None = None) -> pd.DataFrame:
    """Emissions per district and fuel, in t CO2/yr.

    Parameters
    ----------
    d
        Districts with ``electricity_kwh`` and ``gas_kwh`` (kWh/yr; missing counts as none).
    year
        Year of the grid factor on the decarbonisation path.
    grid_kg_per_kwh
        Override of the grid factor (a scenario's own path).
    """
    grid = grid_factor_kg_per_kwh(year) if grid_kg_per_kwh is None else grid_kg_per_kwh
    elec = d["electricity_kwh"].fillna(0).astype(float) * grid / KG_PER_T
    gas = d["gas_kwh"].fillna(0).astype(float) * gas_factor_kg_per_kwh() / KG_PER_T
    return pd.DataFrame({"electricity_t_co2": elec, "gas_t_co2": gas,
                         "total_t_co2": elec + gas}, index=d.index)
