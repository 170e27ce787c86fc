"""The illustrative Chicago (every canonical column) exported the way a city's own files often look
(helper for tests)."""

from __future__ import annotations

from pathlib import Path

from core.intake import units
from core.sample.chicago import illustrative_chicago

RENAMES = {"district_id": "CA", "population": "pop_2010_census", "households": "TOTAL HOUSEHOLDS",
           "median_household_income": "MEDIAN_HH_INCOME",
           "per_capita_income": "per_capita_income_2008_12", "renter_share": "RENTER_PCT",
           "poverty_rate": "POVERTY_PCT", "floor_area_m2": "SQFT", "electricity_kwh": "TOTAL_KWH",
           "gas_kwh": "TOTAL_THERMS"}


def write_renamed_export(folder: Path) -> tuple[Path, Path]:
    """Boundaries (``area_numbe``, ``community``) and a CSV with renamed columns in therms,
    square feet and percent; ids as numbers (1, 2, ...)."""
    city = illustrative_chicago()
    d = city.districts
    bounds = d[["district_id", "name", "geometry"]].rename(
        columns={"district_id": "area_numbe", "name": "community"})
    bounds["area_numbe"] = bounds["area_numbe"].astype(int)
    table = d[list(RENAMES)].rename(columns=RENAMES)
    table["CA"] = table["CA"].astype(int)
    table["TOTAL_THERMS"] = d["gas_kwh"] / units.KWH_PER_THERM
    table["SQFT"] = d["floor_area_m2"] / units.M2_PER_FT2
    table["RENTER_PCT"] = d["renter_share"] * 100
    table["POVERTY_PCT"] = d["poverty_rate"] * 100
    b_path, a_path = folder / "community_areas.geojson", folder / "energy_2010.csv"
    bounds.to_file(b_path)
    table.to_csv(a_path, index=False)
    return b_path, a_path
