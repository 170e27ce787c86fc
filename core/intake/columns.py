"""Canonical district columns: names, units, and how much each one is needed.

Every table that enters Greenprint is mapped onto these names. The unit in a
name (``_kwh``, ``_m2``) is the unit the value is stored in after conversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from core.i18n import N_

Need = Literal["required", "recommended", "optional"]
Kind = Literal["id", "text", "count", "money", "share", "area", "energy", "years", "number"]

MONTHS = tuple(f"{m:02d}" for m in range(1, 13))


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    unit: str  # unit as shown on screen
    kind: Kind
    need: Need
    description: str


_BASE: tuple[Column, ...] = (
    Column("district_id", N_("District id"), "", "id", "required", "Unique district identifier"),
    Column("name", N_("Name"), "", "text", "required", "District name"),
    Column("population", N_("Population"), "persons", "count", "required", "Resident population"),
    Column("households", N_("Households"), "households", "count", "recommended",
           "Occupied households"),
    Column("housing_units", N_("Housing units"), "units", "count", "recommended",
           "Housing units, occupied or not"),
    Column("median_household_income", N_("Median household income"), "currency/yr", "money",
           "recommended", "Median annual household income, in the city's currency"),
    Column("per_capita_income", N_("Per-capita income"), "currency/yr", "money", "recommended",
           "Annual income per resident, in the city's currency"),
    Column("renter_share", N_("Renter share"), "share", "share", "recommended",
           "Share of occupied households that rent (0..1)"),
    Column("poverty_rate", N_("Poverty rate"), "share", "share", "recommended",
           "Share of residents below the poverty line (0..1)"),
    Column("floor_area_m2", N_("Floor area"), "m²", "area", "recommended",
           "Total building floor area"),
    Column("building_age_years", N_("Median building age"), "years", "years", "optional",
           "Median age of the building stock"),
    Column("stories_mean", N_("Mean stories"), "stories", "number", "optional",
           "Mean number of stories"),
    Column("electricity_kwh", N_("Electricity use"), "kWh/yr", "energy", "optional",
           "Observed annual electricity consumption"),
    Column("gas_kwh", N_("Gas use"), "kWh/yr", "energy", "optional",
           "Observed annual natural-gas consumption"),
    Column("residential_electricity_kwh", N_("Residential electricity"), "kWh/yr", "energy",
           "optional",
           "Part of electricity_kwh used in homes (energy burden); total used when absent"),
    Column("residential_gas_kwh", N_("Residential gas"), "kWh/yr", "energy", "optional",
           "Part of gas_kwh used in homes (energy burden); total used when absent"),
    Column("nonresidential_electricity_kwh", N_("Non-residential electricity"), "kWh/yr", "energy",
           "optional", "Electricity used outside homes (non-domestic: commercial, industrial); "
           "with the residential part it gives electricity_kwh when that is absent"),
    Column("nonresidential_gas_kwh", N_("Non-residential gas"), "kWh/yr", "energy", "optional",
           "Gas used outside homes (non-domestic: commercial, industrial); with the "
           "residential part it gives gas_kwh when that is absent"),
    Column("roof_area_m2", N_("Roof area"), "m²", "area", "optional",
           "Roof area usable for solar (estimated from footprint when absent)"),
    Column("electricity_customers", N_("Electricity customers"), "customers", "count", "optional",
           "Utility electricity customers (accounts) whose use electricity_kwh sums; the "
           "release rule's 15/15 test (core.release)"),
    Column("gas_customers", N_("Gas customers"), "customers", "count", "optional",
           "Utility gas customers (accounts) whose use gas_kwh sums; the release rule's "
           "15/15 test (core.release)"),
    Column("largest_electricity_customer_share", N_("Largest electricity customer"), "share",
           "share",
           "optional", "Share of electricity_kwh used by the district's largest electricity "
           "customer (0..1); the release rule's 15/15 test (core.release)"),
    Column("largest_gas_customer_share", N_("Largest gas customer"), "share", "share", "optional",
           "Share of gas_kwh used by the district's largest gas customer (0..1); the release "
           "rule's 15/15 test (core.release)"),
)

_MONTHLY: tuple[Column, ...] = tuple(
    Column(f"{fuel}_kwh_{m}", f"{label} month {m}", "kWh/month", "energy", "optional",
           f"Observed {label.lower()} consumption in month {m}")
    for fuel, label in (("electricity", "Electricity"), ("gas", "Gas"))
    for m in MONTHS
)

CANONICAL: dict[str, Column] = {c.name: c for c in _BASE + _MONTHLY}
REQUIRED: tuple[str, ...] = tuple(c.name for c in _BASE if c.need == "required")
NUMERIC: tuple[str, ...] = tuple(c.name for c in CANONICAL.values() if c.kind not in ("id", "text"))
MONTHLY_ELECTRICITY: tuple[str, ...] = tuple(f"electricity_kwh_{m}" for m in MONTHS)
MONTHLY_GAS: tuple[str, ...] = tuple(f"gas_kwh_{m}" for m in MONTHS)
#: the non-residential (non-domestic) parts: read from utility data, never generated
NONRESIDENTIAL: tuple[str, ...] = ("nonresidential_electricity_kwh", "nonresidential_gas_kwh")
#: utility customer counts and largest-customer shares, by fuel: read from utility data, never
#: generated; they decide what the public portal may publish (core.release)
CUSTOMERS: dict[str, tuple[str, str]] = {
    "electricity": ("electricity_customers", "largest_electricity_customer_share"),
    "gas": ("gas_customers", "largest_gas_customer_share"),
}
CUSTOMER_COLUMNS: tuple[str, ...] = tuple(c for pair in CUSTOMERS.values() for c in pair)


#: The column whose value says that a district has data. A district without it (no attribute
#: row, or no population) stays on the map as "no data" and is left out of every analysis:
#: model training, percentile ranks and the disadvantaged rule, inequality statistics, the
#: optimizer (see :func:`with_data`).
DATA_COLUMN = "population"


def with_data(d: pd.DataFrame) -> pd.Series:
    """True for each district (row of ``d``) that has data: a value in :data:`DATA_COLUMN`.
    A table without that column counts every row as having data."""
    if DATA_COLUMN not in d:
        return pd.Series(True, index=d.index)
    return d[DATA_COLUMN].notna()


def unit_of(name: str) -> str:
    """Unit shown on screen for a canonical or derived column (empty when unknown)."""
    col = CANONICAL.get(name)
    return col.unit if col else ""


def label_of(name: str) -> str:
    col = CANONICAL.get(name)
    return col.label if col else name.replace("_", " ")


def missing_reason(d, required: tuple[str, ...], what: str) -> str | None:
    """Why ``what`` cannot be computed for table ``d`` (columns absent or empty), or None."""
    missing = [c for c in required if c not in d or d[c].isna().all()]
    if missing:
        return f"{what} needs {', '.join(required)}; this city lacks {', '.join(missing)}"
    return None
