"""Seeded generator of illustrative district attributes.

The default city ships with boundaries but no real attribute table. This module
fills every canonical column of :mod:`core.intake.columns` with *illustrative* values:
plausible in structure and magnitude, derived from geometry only, driven by public
average figures (``data/generator_parameters.csv``, every row with a source) and
monthly degree days (``data/chicago/degree_days.csv``). The values are not official
statistics and are not tuned to match any real table.

Model in one paragraph. The *core* is the district where a ray running due east
from the area-weighted centroid of all districts leaves the city (for Chicago, a
lakefront district). Distance from the core's centroid drives population density
(negative exponential with a floor, damped in large districts), household size, the commercial floor share,
stories and building age. Median household income is a seeded smooth field (a sum
of a few random gaussian bumps) plus district noise; renter share, vacancy and
poverty follow income. Floor area is residents times floor per person (rising with
income) plus commercial floor concentrated at the core. Energy is floor area times
residential and commercial intensities times lognormal noise; monthly values split
the annual totals by days, heating and cooling degree days, so they sum exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from core import paths
from core.intake.columns import (
    CANONICAL,
    CUSTOMER_COLUMNS,
    MONTHLY_ELECTRICITY,
    MONTHLY_GAS,
    NONRESIDENTIAL,
)
from core.intake.degree_day_table import read_degree_days
from core.models.degree_days import DAYS_PER_MONTH
from core.sample.geometry import district_geometry
from core.sample.parameters import load_generator_parameters

#: Output columns of :func:`generate_attributes`, in canonical order (the non-residential
#: parts left out: the totals and the residential parts say it all; utility customer counts
#: left out: only a utility knows them).
ATTRIBUTE_COLUMNS: tuple[str, ...] = ("district_id",) + tuple(
    c for c in CANONICAL if c not in ("district_id", "name", *NONRESIDENTIAL, *CUSTOMER_COLUMNS)
)
SHARE_COLUMNS: tuple[str, ...] = ("renter_share", "poverty_rate")
COUNT_COLUMNS: tuple[str, ...] = ("population", "households", "housing_units")


def _monthly_shares(degree_days: pd.DataFrame, params: Mapping[str, float]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Monthly split of annual electricity and gas; each vector sums to one."""
    dd = degree_days.sort_values("month")
    hdd = dd["hdd_c"].to_numpy(float)
    cdd = dd["cdd_c"].to_numpy(float)
    days = DAYS_PER_MONTH / DAYS_PER_MONTH.sum()
    hdd_share = hdd / hdd.sum()
    cdd_share = cdd / cdd.sum() if cdd.sum() > 0 else days
    base_gas = params["gas_base_share"]
    gas = base_gas * days + (1.0 - base_gas) * hdd_share
    c, h = params["electricity_cooling_share"], params["electricity_heating_share"]
    elec = (1.0 - c - h) * days + c * cdd_share + h * hdd_share
    return elec / elec.sum(), gas / gas.sum()


def _income_field(rng: np.random.Generator, x: np.ndarray, y: np.ndarray,
                  params: Mapping[str, float]) -> np.ndarray:
    """Smooth random field: a sum of gaussian bumps centred in the city's extent."""
    k = int(params["income_bump_count"])
    scale = params["income_bump_scale_km"]
    cx = rng.uniform(x.min(), x.max(), k) if k else np.empty(0)
    cy = rng.uniform(y.min(), y.max(), k) if k else np.empty(0)
    amp = rng.uniform(-1.0, 1.0, k)
    radius = scale * rng.uniform(0.5, 1.5, k)
    d2 = (x[:, None] - cx[None, :]) ** 2 + (y[:, None] - cy[None, :]) ** 2
    return np.sum(amp[None, :] * np.exp(-d2 / (2.0 * radius[None, :] ** 2)), axis=1)


def _standardise(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / sd if sd > 1e-12 else np.zeros_like(v)


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def generate_attributes(districts: gpd.GeoDataFrame, params: Mapping[str, float],
                        degree_days: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Generate one row of illustrative attributes per district.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        Polygons with a ``district_id`` column and a CRS. Only geometry is used.
    params : mapping of str to float
        Reference figures, as returned by :func:`load_generator_parameters`.
    degree_days : pandas.DataFrame
        Monthly ``hdd_c`` and ``cdd_c`` (°C-days), as returned by
        :func:`core.intake.degree_day_table.read_degree_days`; heating degree days
        must not all be zero (gas is split by them).
    seed : int, default 0
        Seed of the random generator; the same seed gives an identical frame.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ATTRIBUTE_COLUMNS` (``district_id`` as str, then every
        numeric canonical column), in the input's row order. Counts are
        integers, shares lie in [0, 1], monthly energy sums to the annual value.
        The values are illustrative, not official statistics.

    Raises
    ------
    ValueError
        If ``district_id`` is missing or not unique, the CRS is unset, a
        district has zero area, or the heating degree days sum to zero.
    """
    if degree_days["hdd_c"].sum() <= 0:
        raise ValueError("the heating degree days sum to zero; the generator splits gas by them")
    if "district_id" not in districts.columns:
        raise ValueError("districts need a 'district_id' column")
    ids = districts["district_id"].astype(str).to_numpy()
    if len(set(ids)) != len(ids):
        raise ValueError("district_id values must be unique")
    geo = district_geometry(districts)
    area, x, y = geo["area_km2"], geo["x_km"], geo["y_km"]
    n = len(ids)
    d = np.hypot(x, y)  # km from the core's centroid
    rng = np.random.default_rng(seed)
    p = params

    # Population: negative exponential density with a floor, scaled to the mean density.
    shape = (1.0 - p["population_density_floor_ratio"]) * np.exp(
        -d / p["population_density_decay_km"]) + p["population_density_floor_ratio"]
    # Large districts hold more non-residential land (airports, industry, parks).
    shape = shape * (area / np.median(area)) ** -p["population_density_area_elasticity"]
    shape = shape * np.exp(rng.normal(0.0, p["population_noise_sigma"], n))
    density = p["population_density_mean_per_km2"] * shape * area.sum() / np.sum(shape * area)
    population = np.maximum(np.rint(density * area), 1).astype(np.int64)

    # Income: smooth field plus independent noise, median district = city median.
    w = p["income_noise_share"]
    z = (np.sqrt(1.0 - w) * _standardise(_income_field(rng, x, y, p))
         + np.sqrt(w) * rng.normal(0.0, 1.0, n))
    log_rel = p["income_log_sd"] * z
    log_rel = log_rel - np.median(log_rel)
    median_income = np.rint(p["median_household_income_usd"] * np.exp(log_rel))
    median_income = np.maximum(median_income, 1.0)
    log_rel = np.log(median_income / p["median_household_income_usd"])

    # Households: smaller near the core, normalised to the city's persons per household.
    near = np.exp(-d / p["population_density_decay_km"])  # 1 at the core, -> 0 far out
    pph_rel = (p["household_size_outer_ratio"]
               + (p["household_size_core_ratio"] - p["household_size_outer_ratio"]) * near)
    pph_rel = pph_rel * np.exp(rng.normal(0.0, p["household_size_noise_sigma"], n))
    pph = p["persons_per_household"] * pph_rel * (
        np.sum(population / pph_rel) / population.sum())
    households = np.clip(np.rint(population / pph), 1, population).astype(np.int64)
    pph = population / households

    vacancy = np.clip(p["vacancy_rate"] * np.exp(-p["vacancy_income_elasticity"] * log_rel),
                      p["vacancy_rate_min"], p["vacancy_rate_max"])
    housing_units = np.maximum(np.rint(households / (1.0 - vacancy)), households).astype(np.int64)

    per_capita = np.rint(p["per_capita_to_median_household_income"] * median_income
                         * p["persons_per_household"] / pph)

    renter_logit = (_logit(p["renter_share_city"])
                    + p["renter_core_effect_logit"] * (near - near.mean())
                    - p["renter_income_effect_logit"] * log_rel
                    + rng.normal(0.0, p["renter_noise_logit"], n))
    renter = np.clip(1.0 / (1.0 + np.exp(-renter_logit)),
                     p["renter_share_min"], p["renter_share_max"])

    poverty = np.clip(p["poverty_rate_city"] * np.exp(-p["poverty_income_elasticity"] * log_rel)
                      * np.exp(rng.normal(0.0, p["poverty_noise_sigma"], n)),
                      p["poverty_rate_min"], p["poverty_rate_max"])

    # Floor area: residents x floor per person (rising with income) + commercial floor.
    lo, hi = np.log(p["floor_income_low_usd"]), np.log(p["floor_income_high_usd"])
    t = np.clip((np.log(median_income) - lo) / (hi - lo), 0.0, 1.0)
    floor_pp = (p["residential_floor_m2_per_person_low_income"]
                + t * (p["residential_floor_m2_per_person_high_income"]
                       - p["residential_floor_m2_per_person_low_income"]))
    res_floor = population * floor_pp
    core_w = np.exp(-d / p["commercial_core_decay_km"]) * area
    bg = p["commercial_background_share"]
    com_w = (1.0 - bg) * core_w / core_w.sum() + bg * population / population.sum()
    com_floor = (p["commercial_floor_m2_per_resident"] * population.sum() * com_w
                 * np.exp(rng.normal(0.0, p["commercial_noise_sigma"], n)))
    floor = res_floor + com_floor
    com_share = com_floor / floor

    stories = (p["stories_outer"] + (p["stories_core"] - p["stories_outer"])
               * np.exp(-d / p["stories_decay_km"]))
    stories = np.maximum(stories * np.exp(rng.normal(0.0, p["stories_noise_sigma"], n)), 1.0)

    age = (p["building_age_inner_years"]
           - (p["building_age_inner_years"] - p["building_age_core_years"])
           * np.exp(-d / p["commercial_core_decay_km"])
           - (p["building_age_inner_years"] - p["building_age_outer_years"])
           * (1.0 - np.exp(-d / p["building_age_outer_decay_km"])))
    age = np.clip(age + rng.normal(0.0, p["building_age_noise_years"], n), 1.0, None)

    # Energy: floor x intensities; older stock burns more gas for heating.
    a_new, a_old = p["gas_age_new_years"], p["gas_age_old_years"]
    age_pos = (np.clip(age, a_new, a_old) - a_new) / (a_old - a_new) - 0.5
    gas_age = p["gas_heating_age_ratio"] ** age_pos
    res_eui = p["residential_site_eui_kwh_per_m2"]
    e_share = p["residential_electricity_share"]
    noise_e = np.exp(rng.normal(0.0, p["energy_noise_sigma"], n))
    noise_g = np.exp(rng.normal(0.0, p["energy_noise_sigma"], n))
    res_electricity = res_floor * res_eui * e_share * noise_e
    res_gas = res_floor * res_eui * (1.0 - e_share) * gas_age * noise_g
    electricity = res_electricity + com_floor * p["commercial_electricity_kwh_per_m2"] * noise_e
    gas = res_gas + (com_floor * p["commercial_gas_kwh_per_m2"]
                     * p["commercial_gas_cold_climate_factor"] * gas_age * noise_g)

    roof_share = (p["roof_suitable_share_small"]
                  + (p["roof_suitable_share_large"] - p["roof_suitable_share_small"]) * com_share)
    roof = floor / stories * roof_share

    elec_split, gas_split = _monthly_shares(degree_days, p)
    elec_m = electricity[:, None] * elec_split[None, :]
    gas_m = gas[:, None] * gas_split[None, :]

    out = pd.DataFrame({
        "district_id": pd.array(ids, dtype="str"),
        "population": population,
        "households": households,
        "housing_units": housing_units,
        "median_household_income": median_income.astype(np.int64),
        "per_capita_income": per_capita.astype(np.int64),
        "renter_share": renter,
        "poverty_rate": poverty,
        "floor_area_m2": floor,
        "building_age_years": age,
        "stories_mean": stories,
        "electricity_kwh": elec_m.sum(axis=1),
        "gas_kwh": gas_m.sum(axis=1),
        "roof_area_m2": roof,
        "residential_electricity_kwh": res_electricity,
        "residential_gas_kwh": res_gas,
    })
    monthly = pd.DataFrame(np.hstack([elec_m, gas_m]),
                           columns=list(MONTHLY_ELECTRICITY) + list(MONTHLY_GAS))
    return pd.concat([out, monthly], axis=1)[list(ATTRIBUTE_COLUMNS)]


def round_attributes(attributes: pd.DataFrame) -> pd.DataFrame:
    """Round generated attributes for publication, keeping monthly sums exact.

    kWh to 0.1, shares to 4 decimals, areas to 0.1 m², ages to 0.1 year, stories
    to 0.01. Each annual total is replaced by the sum of its rounded months.

    Parameters
    ----------
    attributes : pandas.DataFrame
        Output of :func:`generate_attributes`.

    Returns
    -------
    pandas.DataFrame
        A rounded copy.
    """
    out = attributes.copy()
    for col in SHARE_COLUMNS:
        out[col] = out[col].round(4)
    for col in ("floor_area_m2", "roof_area_m2", "building_age_years"):
        out[col] = out[col].round(1)
    out["stories_mean"] = out["stories_mean"].round(2)
    for annual, months in (("electricity_kwh", MONTHLY_ELECTRICITY), ("gas_kwh", MONTHLY_GAS)):
        out[list(months)] = out[list(months)].round(1)
        out[annual] = out[list(months)].sum(axis=1).round(1)
        out[f"residential_{annual}"] = np.minimum(out[f"residential_{annual}"].round(1), out[annual])
    return out


def generate_city_tables(seed: int = 2026, districts_path: str | Path | None = None,
                         parameters_path: str | Path | None = None,
                         degree_days_path: str | Path | None = None
                         ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load the default city's boundaries and generate its rounded attributes.

    Parameters
    ----------
    seed : int, default 2026
        Seed used for the committed ``data/chicago/attributes.csv``.
    districts_path, parameters_path, degree_days_path : str or Path, optional
        Overrides for the default data files. The degree-day table must give a
        source on every row.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, pandas.DataFrame)
        The districts and their rounded illustrative attributes.
    """
    districts = gpd.read_file(districts_path or paths.DEFAULT_BOUNDARIES)
    districts["district_id"] = districts["district_id"].astype(str)
    attrs = generate_attributes(districts, load_generator_parameters(parameters_path),
                                read_degree_days(degree_days_path or paths.DEFAULT_DEGREE_DAYS,
                                                 require_source=True), seed=seed)
    return districts, round_attributes(attrs)
