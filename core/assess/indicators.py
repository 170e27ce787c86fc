"""District indicators, city KPIs and district profiles.

Every indicator has a unit; pages show only what this module computes. A district without
data (no attribute row or no population, :attr:`core.intake.city.City.with_data`) has no
value for any indicator: the indicator table says "no data" for it, maps draw it as such,
and ranks, percentiles and city KPIs leave it out. A value that rests on an energy column
the model predicted (:attr:`core.intake.city.City.predicted`) is marked "predicted".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.assess import carbon, equity
from core.i18n import N_, _, number
from core.intake import geometry
from core.intake.city import City
from core.intake.columns import label_of
from core.intake.reference_values import ReferenceValues

KWH_PER_GWH = 1e6
#: stands for the city's currency in an indicator's unit (:meth:`Indicator.in_currency`)
CURRENCY = "{currency}"
#: the attribute of an :func:`indicator_table` that names its city's currency
CURRENCY_ATTR = "currency"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str
    requires: tuple[str, ...]
    #: the values from the districts and the city's reference values (factors, prices, ...)
    compute: Callable[[pd.DataFrame, ReferenceValues], pd.Series]
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

    def in_currency(self, currency: str) -> Indicator:
        """This indicator with :data:`CURRENCY` in its unit replaced by the city's code."""
        return replace(self, unit=self.unit.replace(CURRENCY, currency))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return (num.astype(float) / den.where(den > 0)).astype(float)


def _total_energy(d: pd.DataFrame) -> pd.Series:
    return d["electricity_kwh"].fillna(0) + d["gas_kwh"].fillna(0)


INCOME_COLUMNS = tuple(b.columns for b in equity.INCOME_BASES)

_BASE_INDICATORS: tuple[Indicator, ...] = (
    Indicator("population", N_("Population"), "persons", ("population",),
              lambda d, refs: d["population"]),
    Indicator("population_density", N_("Population density"), "persons/km²", ("population",),
              lambda d, refs: _ratio(d["population"], d["land_area_km2"]),
              description=N_("population / land area (equal-area projection)")),
    Indicator("electricity_kwh", N_("Electricity use"), "kWh/yr", ("electricity_kwh",),
              lambda d, refs: d["electricity_kwh"]),
    Indicator("gas_kwh", N_("Gas use"), "kWh/yr", ("gas_kwh",), lambda d, refs: d["gas_kwh"]),
    Indicator("energy_per_capita", N_("Energy per resident"), "kWh/person/yr",
              ("electricity_kwh", "gas_kwh", "population"),
              lambda d, refs: _ratio(_total_energy(d), d["population"]),
              description=N_("(electricity + gas) / population")),
    Indicator("energy_intensity", N_("Energy use intensity"), "kWh/m²/yr",
              ("electricity_kwh", "gas_kwh", "floor_area_m2"),
              lambda d, refs: _ratio(_total_energy(d), d["floor_area_m2"]), digits=1,
              description=N_("(electricity + gas) / floor area")),
    Indicator("emissions_t_co2", N_("Emissions"), "t CO2/yr", ("electricity_kwh", "gas_kwh"),
              lambda d, refs: carbon.district_emissions(d, refs)["total_t_co2"],
              description=N_("electricity x the city's grid factor (first year of its path) + gas "
                          "x its gas factor (reference values)")),
    Indicator("emissions_per_capita", N_("Emissions per resident"), "t CO2/person/yr",
              ("electricity_kwh", "gas_kwh", "population"),
              lambda d, refs: _ratio(carbon.district_emissions(d, refs)["total_t_co2"], d["population"]),
              digits=2, description=N_("emissions / population")),
    Indicator("household_energy_cost", N_("Household energy bill"), f"{CURRENCY}/household/yr",
              ("electricity_kwh", "gas_kwh", "households"),
              lambda d, refs: equity.household_energy_cost_usd(d, equity.Prices.of(refs)),
              description=N_("residential energy x the city's prices (reference values) / "
                          "households")),
    Indicator("energy_burden", N_("Energy burden"), "% of income",
              ("electricity_kwh", "gas_kwh"),
              lambda d, refs: equity.energy_burden(d, equity.Prices.of(refs)) * 100, digits=1,
              description=N_("household energy bill / median household income, or energy cost "
                          "per resident / per-capita income (core.assess.equity)"),
              requires_any=INCOME_COLUMNS),
    Indicator("disadvantaged", N_("Disadvantaged (CEJST-style)"), "",
              ("electricity_kwh", "gas_kwh"),
              lambda d, refs: equity.disadvantaged(
                  equity.energy_burden(d, equity.Prices.of(refs)), equity.low_income_score(d),
                  refs.threshold("dac_burden_percentile"),
                  refs.threshold("dac_low_income_percentile")).astype(float),
              description=N_("burden at or above its percentile threshold AND low income at or "
                          "above its own (the city's thresholds; 90th and 65th by default)"),
              categories=(N_("no"), N_("yes")), requires_any=INCOME_COLUMNS),
    Indicator("median_household_income", N_("Median household income"), f"{CURRENCY}/yr",
              ("median_household_income",), lambda d, refs: d["median_household_income"]),
    Indicator("per_capita_income", N_("Per-capita income"), f"{CURRENCY}/yr",
              ("per_capita_income",),
              lambda d, refs: d["per_capita_income"]),
    Indicator("renter_share", N_("Renter share"), "%", ("renter_share",),
              lambda d, refs: d["renter_share"] * 100, digits=1),
    Indicator("poverty_rate", N_("Poverty rate"), "%", ("poverty_rate",),
              lambda d, refs: d["poverty_rate"] * 100, digits=1),
    Indicator("building_age_years", N_("Median building age"), "years", ("building_age_years",),
              lambda d, refs: d["building_age_years"]),
)

#: Registry of indicators; later modules (carbon, equity) add theirs with :func:`register`.
INDICATORS: dict[str, Indicator] = {i.key: i for i in _BASE_INDICATORS}


def register(indicator: Indicator) -> None:
    INDICATORS[indicator.key] = indicator


def available(city: City) -> list[Indicator]:
    """Indicators whose inputs the city has, their units in its currency."""
    return [i.in_currency(city.references.currency) for i in INDICATORS.values()
            if all(city.has(c) for c in i.requires)
            and (not i.requires_any
                 or any(all(city.has(c) for c in alt) for alt in i.requires_any))]


def in_table(table: pd.DataFrame) -> list[Indicator]:
    """The indicators of an :func:`indicator_table`, in its column order: the same list as
    :func:`available` for its city, without looking at the city's columns again."""
    currency = table.attrs[CURRENCY_ATTR]
    return [INDICATORS[key].in_currency(currency) for key in table.columns if key in INDICATORS]


def land_area_km2(city: City) -> pd.Series:
    return geometry.area_km2(city.districts)


#: the column of :func:`indicator_table` that says what a district's figures rest on
DATA = "data"
NO_DATA, OBSERVED, PREDICTED = "no data", "observed", "predicted"


def uses(ind: Indicator) -> tuple[str, ...]:
    """Every column an indicator may read (its ``requires`` and each alternative)."""
    return tuple(dict.fromkeys([*ind.requires, *(c for alt in ind.requires_any for c in alt)]))


def data_status(city: City) -> pd.Series:
    """Per district: ``no data``, ``predicted: <columns>`` (the energy columns the model
    predicted for it) or ``observed``."""
    ids = city.districts["district_id"].astype(str)
    status = pd.Series(OBSERVED, index=city.districts.index, dtype=object)
    for column in city.predicted:
        hit = ids.isin(set(city.predicted[column])).to_numpy()
        label = label_of(column).lower()
        status[hit] = [f"{s}, {label}" if s.startswith(PREDICTED) else f"{PREDICTED}: {label}"
                       for s in status[hit]]
    status[~city.with_data.to_numpy()] = NO_DATA
    return status


def indicator_table(city: City) -> pd.DataFrame:
    """One row per district: id, name, :data:`DATA` (``no data``, ``predicted: ...`` or
    ``observed``) and every available indicator (column = indicator key); a district
    without data has no value (NaN) for any indicator. ``attrs[CURRENCY_ATTR]`` names the
    currency of its money (:func:`in_table` puts it in the units)."""
    d = pd.DataFrame(city.districts.drop(columns="geometry"))
    d["land_area_km2"] = land_area_km2(city).to_numpy()
    out = d[["district_id", "name"]].copy()
    out[DATA] = data_status(city).to_numpy()
    has = city.with_data.to_numpy()
    for ind in available(city):
        out[ind.key] = np.where(has, ind.compute(d, city.references).astype(float).to_numpy(),
                                np.nan)
    out.attrs[CURRENCY_ATTR] = city.references.currency  # the unit of its money columns
    return out


@dataclass(frozen=True)
class Kpi:
    label: str
    value: float
    unit: str
    help: str

    @property
    def text(self) -> str:
        """The value as the app and the CLI show it: one decimal below 100, else whole, for
        the locale of the language in effect."""
        return number(self.value, 1 if abs(self.value) < 100 else 0)


def city_kpis(city: City) -> list[Kpi]:
    """Headline figures for the whole city (only those its data supports), over the districts
    with data (those without are left out, and the help says how many)."""
    d = city.districts.loc[city.with_data]
    which = (_("all {n} districts").format(n=city.n) if city.n_without_data == 0 else
             _("the {n} districts with data ({without} without data left out)").format(
                 n=city.n_with_data, without=city.n_without_data))
    population = float(d["population"].sum())
    kpis = [Kpi(_("Population"), population, "persons", _("sum over {which}").format(which=which))]
    if city.has("electricity_kwh"):
        kpis.append(Kpi(_("Electricity"), float(d["electricity_kwh"].sum()) / KWH_PER_GWH,
                        "GWh/yr", _("observed annual electricity, {which}").format(which=which)))
    if city.has("gas_kwh"):
        kpis.append(Kpi(_("Gas"), float(d["gas_kwh"].sum()) / KWH_PER_GWH, "GWh/yr",
                        _("observed annual natural gas, {which}").format(which=which)))
    if city.has("electricity_kwh") and city.has("gas_kwh") and population > 0:
        total = float(_total_energy(d).sum())
        kpis.append(Kpi(_("Energy per resident"), total / population, "kWh/person/yr",
                        _("(electricity + gas) / population, {which}").format(which=which)))
    return kpis


def district_profile(table: pd.DataFrame, district_id: str) -> pd.DataFrame:
    """A district's indicators against the city: value, rank (1 = highest), percentile, median.

    Percentile is the share of districts with a value at or below this one (0-100).
    """
    row = table.loc[table["district_id"] == district_id]
    if row.empty:
        raise KeyError(f"no district with id '{district_id}'")
    records = []
    for key in table.columns.drop(["district_id", "name", DATA], errors="ignore"):
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
            "unit": ind.in_currency(table.attrs[CURRENCY_ATTR]).unit if ind else "",
            "rank": rank, "of": int(valid.size),
            "percentile": pct, "city_median": float(valid.median()) if valid.size else np.nan,
        })
    return pd.DataFrame.from_records(records)

# Emissions by fuel (issue 4): the Overview map shows each fuel's share of the total.
register(Indicator("emissions_electricity_t_co2", N_("Emissions from electricity"), "t CO2/yr",
                   ("electricity_kwh",),
                   lambda d, refs: d["electricity_kwh"] * carbon.grid_factor_kg_per_kwh(refs) / carbon.KG_PER_T,
                   description=N_("electricity x the city's grid factor (first year of its path; "
                               "reference values)")))
register(Indicator("emissions_gas_t_co2", N_("Emissions from gas"), "t CO2/yr", ("gas_kwh",),
                   lambda d, refs: d["gas_kwh"] * carbon.gas_factor_kg_per_kwh(refs) / carbon.KG_PER_T,
                   description=N_("gas x the city's gas factor (reference values)")))
