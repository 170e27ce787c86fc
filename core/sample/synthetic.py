"""Seeded generator of illustrative district attributes and tessellations.

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
import shapely

from core import paths
from core.constants import EQUAL_AREA_CRS, WGS84
from core.intake.columns import CANONICAL, MONTHLY_ELECTRICITY, MONTHLY_GAS

DATA_DIR = paths.DATA_DIR
DEFAULT_PARAMETERS = DATA_DIR / "generator_parameters.csv"
DEFAULT_DEGREE_DAYS = DATA_DIR / "chicago" / "degree_days.csv"
DEFAULT_DISTRICTS = DATA_DIR / "chicago" / "districts.geojson"

_M_PER_DEG_LAT = 110_574.0  # metres per degree of latitude (WGS84, mid-latitudes)
_M_PER_DEG_LON_EQUATOR = 111_320.0  # metres per degree of longitude at the equator
_DAYS_PER_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)

#: Output columns of :func:`generate_attributes`, in canonical order.
ATTRIBUTE_COLUMNS: tuple[str, ...] = ("district_id",) + tuple(
    c for c in CANONICAL if c not in ("district_id", "name")
)
SHARE_COLUMNS: tuple[str, ...] = ("renter_share", "poverty_rate")
COUNT_COLUMNS: tuple[str, ...] = ("population", "households", "housing_units")

#: Parameters the generator reads; :func:`load_generator_parameters` checks them all.
REQUIRED_PARAMETERS: tuple[str, ...] = (
    "persons_per_household", "household_size_core_ratio", "household_size_outer_ratio",
    "household_size_noise_sigma",
    "vacancy_rate", "vacancy_income_elasticity", "vacancy_rate_min", "vacancy_rate_max",
    "median_household_income_usd", "income_log_sd", "income_noise_share",
    "income_bump_count", "income_bump_scale_km", "per_capita_to_median_household_income",
    "renter_share_city", "renter_core_effect_logit", "renter_income_effect_logit",
    "renter_noise_logit", "renter_share_min", "renter_share_max",
    "poverty_rate_city", "poverty_income_elasticity", "poverty_noise_sigma",
    "poverty_rate_min", "poverty_rate_max",
    "population_density_mean_per_km2", "population_density_decay_km",
    "population_density_floor_ratio", "population_density_area_elasticity",
    "population_noise_sigma",
    "residential_floor_m2_per_person_low_income", "residential_floor_m2_per_person_high_income",
    "floor_income_low_usd", "floor_income_high_usd",
    "commercial_floor_m2_per_resident", "commercial_core_decay_km",
    "commercial_background_share", "commercial_noise_sigma",
    "stories_core", "stories_outer", "stories_decay_km", "stories_noise_sigma",
    "building_age_core_years", "building_age_inner_years", "building_age_outer_years",
    "building_age_outer_decay_km", "building_age_noise_years",
    "residential_site_eui_kwh_per_m2", "residential_electricity_share",
    "commercial_electricity_kwh_per_m2", "commercial_gas_kwh_per_m2",
    "commercial_gas_cold_climate_factor", "gas_heating_age_ratio", "gas_age_new_years",
    "gas_age_old_years", "gas_base_share", "electricity_cooling_share",
    "electricity_heating_share", "energy_noise_sigma",
    "roof_suitable_share_small", "roof_suitable_share_large",
)

_PARAMETER_COLUMNS = ("parameter", "value", "unit", "source", "note")
_DEGREE_DAY_COLUMNS = ("month", "hdd_c", "cdd_c", "base_c", "source")


# --------------------------------------------------------------------------- loaders


def load_generator_parameters(path: str | Path | None = None) -> dict[str, float]:
    """Read the generator's reference figures.

    Parameters
    ----------
    path : str or Path, optional
        CSV with columns ``parameter,value,unit,source,note``. Defaults to
        ``data/generator_parameters.csv``.

    Returns
    -------
    dict of str to float
        Parameter name to value.

    Raises
    ------
    ValueError
        If a column is missing, a value is not numeric, a source is empty, a
        parameter is duplicated, or a parameter in :data:`REQUIRED_PARAMETERS`
        is absent. The message names the offending parameter.
    """
    path = Path(path) if path is not None else DEFAULT_PARAMETERS
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _PARAMETER_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    out: dict[str, float] = {}
    for row in table.itertuples(index=False):
        name = str(row.parameter).strip()
        if not name:
            raise ValueError(f"{path}: a row has an empty parameter name")
        if name in out:
            raise ValueError(f"{path}: parameter {name!r} appears twice")
        if not str(row.source).strip():
            raise ValueError(f"{path}: parameter {name!r} has no source")
        try:
            value = float(row.value)
        except ValueError:
            raise ValueError(f"{path}: parameter {name!r} has a non-numeric value "
                             f"{row.value!r}") from None
        if not np.isfinite(value):
            raise ValueError(f"{path}: parameter {name!r} is not finite")
        out[name] = value
    absent = [p for p in REQUIRED_PARAMETERS if p not in out]
    if absent:
        raise ValueError(f"{path}: missing parameter(s) {', '.join(absent)}")
    return out


def load_degree_days(path: str | Path | None = None) -> pd.DataFrame:
    """Read monthly heating and cooling degree days.

    Parameters
    ----------
    path : str or Path, optional
        CSV with columns ``month,hdd_c,cdd_c,base_c,source`` (degree days in
        °C-days). Defaults to ``data/chicago/degree_days.csv``.

    Returns
    -------
    pandas.DataFrame
        Twelve rows sorted by ``month`` (1..12).

    Raises
    ------
    ValueError
        If columns are missing, months are not exactly 1..12, a value is
        negative or not numeric, a source is empty, or all HDD are zero.
    """
    path = Path(path) if path is not None else DEFAULT_DEGREE_DAYS
    table = pd.read_csv(path)
    missing = [c for c in _DEGREE_DAY_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    for col in ("month", "hdd_c", "cdd_c", "base_c"):
        if not pd.api.types.is_numeric_dtype(table[col]) or table[col].isna().any():
            raise ValueError(f"{path}: column {col!r} must be numeric with no blanks")
    if sorted(table["month"].tolist()) != list(range(1, 13)):
        raise ValueError(f"{path}: column 'month' must hold each of 1..12 exactly once")
    if (table[["hdd_c", "cdd_c"]] < 0).any().any():
        raise ValueError(f"{path}: degree days must be non-negative")
    if table["source"].isna().any() or (table["source"].astype(str).str.strip() == "").any():
        raise ValueError(f"{path}: every row needs a source")
    if table["hdd_c"].sum() <= 0:
        raise ValueError(f"{path}: heating degree days sum to zero")
    table = table.sort_values("month").reset_index(drop=True)
    table["month"] = table["month"].astype(int)
    return table


# --------------------------------------------------------------------------- geometry helpers


def _local_km(lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection around (lon0, lat0), in km."""
    x = (lon - lon0) * _M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)) / 1000.0
    y = (lat - lat0) * _M_PER_DEG_LAT / 1000.0
    return x, y


def _core_index(geoms_ea: np.ndarray, areas: np.ndarray, centroids_ea: np.ndarray) -> int:
    """Index of the district where an eastward ray from the area centroid leaves the city."""
    cx = float(np.sum(centroids_ea[:, 0] * areas) / np.sum(areas))
    cy = float(np.sum(centroids_ea[:, 1] * areas) / np.sum(areas))
    maxx = float(shapely.bounds(geoms_ea)[:, 2].max())
    ray = shapely.LineString([(cx, cy), (maxx + 1.0, cy)])
    hits = np.flatnonzero(shapely.intersects(geoms_ea, ray))
    if hits.size == 0:  # e.g. a ring-shaped city: fall back to the nearest centroid
        return int(np.argmin(np.hypot(centroids_ea[:, 0] - cx, centroids_ea[:, 1] - cy)))
    parts = shapely.intersection(geoms_ea[hits], ray)
    east = np.array([shapely.bounds(p)[2] if not p.is_empty else -np.inf for p in parts])
    return int(hits[int(np.argmax(east))])


def _district_geometry(districts: gpd.GeoDataFrame) -> dict[str, np.ndarray | int]:
    """Land area (km², equal-area CRS), centroid km coordinates and the core index."""
    if districts.crs is None:
        raise ValueError("districts have no CRS; set one (e.g. EPSG:4326) before generating")
    if len(districts) == 0:
        raise ValueError("districts is empty")
    ea = districts.geometry.to_crs(EQUAL_AREA_CRS)
    geoms_ea = np.asarray(ea.values, dtype=object)
    areas = shapely.area(geoms_ea) / 1e6
    if not np.all(areas > 0):
        bad = districts["district_id"].iloc[int(np.argmin(areas))]
        raise ValueError(f"district {bad!r} has zero area")
    cent_ea = shapely.get_coordinates(shapely.centroid(geoms_ea))
    cent_ll = gpd.GeoSeries(shapely.points(cent_ea), crs=EQUAL_AREA_CRS).to_crs(WGS84)
    lonlat = shapely.get_coordinates(cent_ll.values)
    core = _core_index(geoms_ea, areas, cent_ea)
    x, y = _local_km(lonlat[:, 0], lonlat[:, 1], lonlat[core, 0], lonlat[core, 1])
    return {"area_km2": areas, "x_km": x, "y_km": y, "core": core}


# --------------------------------------------------------------------------- generator


def _monthly_shares(degree_days: pd.DataFrame, params: Mapping[str, float]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Monthly split of annual electricity and gas; each vector sums to one."""
    dd = degree_days.sort_values("month")
    hdd = dd["hdd_c"].to_numpy(float)
    cdd = dd["cdd_c"].to_numpy(float)
    days = _DAYS_PER_MONTH / _DAYS_PER_MONTH.sum()
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
        Monthly ``hdd_c`` and ``cdd_c``, as returned by :func:`load_degree_days`.
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
        If ``district_id`` is missing or not unique, the CRS is unset, or a
        district has zero area.
    """
    if "district_id" not in districts.columns:
        raise ValueError("districts need a 'district_id' column")
    ids = districts["district_id"].astype(str).to_numpy()
    if len(set(ids)) != len(ids):
        raise ValueError("district_id values must be unique")
    geo = _district_geometry(districts)
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


# --------------------------------------------------------------------------- tessellation


def tessellation(n: int, seed: int = 0, side_km: float = 25.0,
                 center: tuple[float, float] = (-87.7, 41.85)) -> gpd.GeoDataFrame:
    """Generate a gap-free tessellation of ``n`` polygon districts.

    Voronoi cells of ``n`` seeded uniform points, clipped to a square of
    ``side_km`` (default 25 km, about Chicago's 590 km² of land) centred at
    ``center`` (lon, lat). Cells are built in local metres and mapped to
    longitude/latitude by an affine map, so shared edges stay shared.

    Parameters
    ----------
    n : int
        Number of districts (>= 1).
    seed : int, default 0
        Seed for the point locations.
    side_km : float, default 25.0
        Side of the square.
    center : tuple of float, default (-87.7, 41.85)
        Longitude and latitude of the square's centre.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``district_id`` ("1".."n"), ``name`` ("District 1"...) and
        ``geometry``, in EPSG:4326.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    half = side_km * 500.0  # metres
    box = shapely.box(-half, -half, half, half)
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-half, half, size=(n, 2))
    if n == 1:
        cells = np.array([box], dtype=object)
    else:
        diagram = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box, ordered=True)
        cells = shapely.intersection(np.asarray(shapely.get_parts(diagram)), box)
    lon0, lat0 = center
    sx = 1.0 / (_M_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)))
    sy = 1.0 / _M_PER_DEG_LAT
    cells = shapely.transform(cells, lambda c: c * np.array([sx, sy]) + np.array([lon0, lat0]))
    ids = [str(i) for i in range(1, n + 1)]
    return gpd.GeoDataFrame({"district_id": ids, "name": [f"District {i}" for i in ids]},
                            geometry=cells, crs=WGS84)


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
        Overrides for the default data files.

    Returns
    -------
    tuple of (geopandas.GeoDataFrame, pandas.DataFrame)
        The districts and their rounded illustrative attributes.
    """
    districts = gpd.read_file(districts_path or DEFAULT_DISTRICTS)
    districts["district_id"] = districts["district_id"].astype(str)
    attrs = generate_attributes(districts, load_generator_parameters(parameters_path),
                                load_degree_days(degree_days_path), seed=seed)
    return districts, round_attributes(attrs)
