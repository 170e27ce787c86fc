"""Emissions: energy x the city's emission factors.

The factors are the city's reference values (:mod:`core.intake.reference_values`): by
default the US tables of data/emission_factors.csv (eGRID2022 for the grid, falling to zero
by 2050 under Illinois' Climate and Equitable Jobs Act; 5.3 kg CO2 per therm of natural
gas), or the city's own with their sources. The grid factor follows a path by year (linear
between the given years, flat outside them); present emissions use the first year of the
path, the base year. Natural gas has one factor.
"""

from __future__ import annotations

import pandas as pd

from core.intake.reference_values import ReferenceValues

KG_PER_T = 1000.0


def grid_factor_kg_per_kwh(refs: ReferenceValues, year: int | None = None) -> float:
    """The city's grid emission factor (kg CO2/kWh) in ``year`` (the base year when None),
    interpolated along its path."""
    return refs.grid_factor(year)


def gas_factor_kg_per_kwh(refs: ReferenceValues) -> float:
    """The city's natural-gas emission factor, kg CO2/kWh."""
    return refs.gas_factor


def district_emissions(d: pd.DataFrame, refs: ReferenceValues, year: int | None = None,
                       grid_kg_per_kwh: float | None = None) -> pd.DataFrame:
    """Emissions per district and fuel, in t CO2/yr.

    Parameters
    ----------
    d
        Districts with ``electricity_kwh`` and ``gas_kwh`` (kWh/yr; missing counts as none).
    refs
        The city's reference values (its emission factors).
    year
        Year of the grid factor on the path (the base year when None).
    grid_kg_per_kwh
        Override of the grid factor (a scenario's own path).
    """
    grid = grid_factor_kg_per_kwh(refs, year) if grid_kg_per_kwh is None else grid_kg_per_kwh
    elec = d["electricity_kwh"].fillna(0).astype(float) * grid / KG_PER_T
    gas = d["gas_kwh"].fillna(0).astype(float) * gas_factor_kg_per_kwh(refs) / KG_PER_T
    return pd.DataFrame({"electricity_t_co2": elec, "gas_t_co2": gas,
                         "total_t_co2": elec + gas}, index=d.index)
