"""District indicators, city KPIs and district profiles.

Every indicator has a unit; pages show only what this module computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.assess import carbon, equity
from core.intake import geometry
from core.intake.city import City

KWH_PER_GWH = 1e6


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    requires: tuple[str, ...]
    compute: Callable[[pd.DataFrame], pd.Series]
    digits: int = 0
    description: str = ""
    #: names of the codes 0..m-1 of a categorical indicator (empty: a continuous one)
    categories: tuple[str, ...] = ()
    #: alternative column sets, one of which the city must have in full (an income basis)
    requires_any: tuple[tuple[str, ...], ...] = ()

    @property
    def needs(self) -> str:
        """The columns it needs, in words."""
        alternatives = " or ".join(f"({', '.join(alt)})" for alt in self.requires_any)
        return ", ".join(self.requires) + (f" and {alternatives}" if alternatives else "")


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return (num.astype(float) / den.where(den > 0)).astype(float)


def _total_energy(d: pd.DataFrame) -> pd.Series:
    return d["electricity_kwh"].fillna(0) + d["gas_kwh"].fillna(0)


INCOME_COLUMNS = tuple(b.columns for b in equity.INCOME_BASES)

_BASE_INDICATORS: tuple[Indicator, ...] = (
    Indicator("population", "Population", "persons", ("population",), lambda d: d["population"]),
    Indicator("population_density", "Population density", "persons/km²", ("population",),
              lambda d: _ratio(d["population"], d["land_area_km2"]),
              description="population / land area (equal-area projection)"),
    Indicator("electricity_kwh", "Electricity use", "kWh/yr", ("electricity_kwh",),
              lambda d: d["electricity_kwh"]),
    Indicator("gas_kwh", "Gas use", "kWh/yr", ("gas_kwh",), lambda d: d["gas_kwh"]),
    Indicator("energy_per_capita", "Energy per resident", "kWh/person/yr",
              ("electricity_kwh", "gas_kwh", "population"),
              lambda d: _ratio(_total_energy(d), d["population"]),
              description="(electricity + gas) / population"),
    Indicator("energy_intensity", "Energy use intensity", "kWh/m²/yr",
              ("electricity_kwh", "gas_kwh", "floor_area_m2"),
              lambda d: _ratio(_total_energy(d), d["floor_area_m2"]), digits=1,
              description="(electricity + gas) / floor area"),
    Indicator("emissions_t_co2", "Emissions", "t CO2/yr", ("electricity_kwh", "gas_kwh"),
              lambda d: carbon.district_emissions(d)["total_t_co2"],
              description=f"electricity x grid factor ({carbon.BASE_YEAR}) + gas x gas factor; "
                          "data/emission_factors.csv"),
    Indicator("emissions_per_capita", "Emissions per resident", "t CO2/person/yr",
              ("electricity_kwh", "gas_kwh", "population"),
              lambda d: _ratio(carbon.district_emissions(d)["total_t_co2"], d["population"]),
              digits=2, description="emissions / population"),
    Indicator("household_energy_cost", "Household energy bill", "USD/household/yr",
              ("electricity_kwh", "gas_kwh", "households"),
              lambda d: equity.household_energy_cost_usd(d),
              description="residential energy x prices (data/energy_prices.csv) / households"),
    Indicator("energy_burden", "Energy burden", "% of income",
              ("electricity_kwh", "gas_kwh"),
              lambda d: equity.energy_burden(d) * 100, digits=1,
              description="household energy bill / median household income, or energy cost "
                          "per resident / per-capita income (core.assess.equity)",
              requires_any=INCOME_COLUMNS),
    Indicator("disadvantaged", "Disadvantaged (CEJST-style)", "",
              ("electricity_kwh", "gas_kwh"),
              lambda d: equity.disadvantaged(equity.energy_burden(d),
                                             equity.low_income_score(d)).astype(float),
              description="burden >= 90th percentile AND low income >= 65th percentile "
                          "(data/equity_thresholds.csv)",
              categories=("no", "yes"), requires_any=INCOME_COLUMNS),
    Indicator("median_household_income", "Median household income", "USD/yr",
              ("median_household_income",), lambda d: d["median_household_income"]),
    Indicator("per_capita_income", "Per-capita income", "USD/yr", ("per_capita_income",),
              lambda d: d["per_capita_income"]),
    Indicator("renter_share", "Renter share", "%", ("renter_share",),
              lambda d: d["renter_share"] * 100, digits=1),
    Indicator("poverty_rate", "Poverty rate", "%", ("poverty_rate",),
              lambda d: d["poverty_rate"] * 100, digits=1),
    Indicator("building_age_years", "Median building age", "years", ("building_age_years",),
              lambda d: d["building_age_years"]),
)

#: Registry of indicators; later modules (carbon, equity) add theirs with :func:`register`.
INDICATORS: dict[str, Indicator] = {i.key: i for i in _BASE_INDICATORS}


def register(indicator: Indicator) -> None:
    INDICATORS[indicator.key] = indicator


def available(city: City) -> list[Indicator]:
    """Indicators whose inputs the city has."""
    return [i for i in INDICATORS.values() if all(city.has(c) for c in i.requires)
            and (not i.requires_any
                 or any(all(city.has(c) for c in alt) for alt in i.requires_any))]


def in_table(table: pd.DataFrame) -> list[Indicator]:
    """The indicators of an :func:`indicator_table`, in its column order: the same list as
    :func:`available` for its city, without looking at the city's columns again."""
    return [INDICATORS[key] for key in table.columns if key in INDICATORS]


def land_area_km2(city: City) -> pd.Series:
    return geometry.area_km2(city.districts)


def indicator_table(city: City) -> pd.DataFrame:
    """One row per district: id, name and every available indicator (column = indicator key)."""
    d = pd.DataFrame(city.districts.drop(columns="geometry"))
    d["land_area_km2"] = land_area_km2(city).to_numpy()
    out = d[["district_id", "name"]].copy()
    for ind in available(city):
        out[ind.key] = ind.compute(d).astype(float).to_numpy()
    return out


@dataclass(frozen=True)
class Kpi:
    label: str
    value: float
    unit: str
    help: str

    @property
    def text(self) -> str:
        """The value as the app and the CLI show it: one decimal below 100, else whole."""
        return f"{self.value:,.{1 if abs(self.value) < 100 else 0}f}"


def city_kpis(city: City) -> list[Kpi]:
    """Headline figures for the whole city (only those its data supports)."""
    d = city.districts
    kpis = [Kpi("Population", float(d["population"].sum()), "persons",
                f"sum over {city.n} districts")]
    if city.has("electricity_kwh"):
        kpis.append(Kpi("Electricity", float(d["electricity_kwh"].sum()) / KWH_PER_GWH, "GWh/yr",
                        "observed annual electricity, all districts"))
    if city.has("gas_kwh"):
        kpis.append(Kpi("Gas", float(d["gas_kwh"].sum()) / KWH_PER_GWH, "GWh/yr",
                        "observed annual natural gas, all districts"))
    if city.has("electricity_kwh") and city.has("gas_kwh"):
        total = float(_total_energy(d).sum())
        kpis.append(Kpi("Energy per resident", total / float(d["population"].sum()),
                        "kWh/person/yr", "(electricity + gas) / population, city-wide"))
    return kpis


def district_profile(table: pd.DataFrame, district_id: str) -> pd.DataFrame:
    """A district's indicators against the city: value, rank (1 = highest), percentile, median.

    Percentile is the share of districts with a value at or below this one (0-100).
    """
    row = table.loc[table["district_id"] == district_id]
    if row.empty:
        raise KeyError(f"no district with id '{district_id}'")
    records = []
    for key in table.columns.drop(["district_id", "name"]):
        ind = INDICATORS.get(key)
        values = table[key].astype(float)
        v = float(row[key].iloc[0])
        valid = values.dropna()
        if np.isnan(v) or valid.empty or (ind is not None and ind.categories):
            rank = pct = np.nan
        else:
            rank = int((valid > v).sum() + 1)
            pct = float((valid <= v).mean() * 100)
        records.append({
            "indicator": ind.label if ind else key, "key": key, "value": v,
            "value_text": ind.categories[int(v)] if ind and ind.categories and not np.isnan(v)
            else None,
            "unit": ind.unit if ind else "", "rank": rank, "of": int(valid.size),
            "percentile": pct, "city_median": float(valid.median()) if valid.size else np.nan,
        })
    return pd.DataFrame.from_records(records)

# Emissions by fuel (issue 4): the Overview map shows each fuel's share of the total.
register(Indicator("emissions_electricity_t_co2", "Emissions from electricity", "t CO2/yr",
                   ("electricity_kwh",),
                   lambda d: d["electricity_kwh"] * carbon.grid_factor_kg_per_kwh() / carbon.KG_PER_T,
                   description=f"electricity x grid factor ({carbon.BASE_YEAR}); "
                               "data/emission_factors.csv"))
register(Indicator("emissions_gas_t_co2", "Emissions from gas", "t CO2/yr", ("gas_kwh",),
                   lambda d: d["gas_kwh"] * carbon.gas_factor_kg_per_kwh() / carbon.KG_PER_T,
                   description="gas x 5.3 kg CO2 per therm; data/emission_factors.csv"))
