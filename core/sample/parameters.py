"""The generator's parameters table: public average figures, every row with a source.

``data/generator_parameters.csv`` has columns ``parameter,value,unit,source,note``;
:func:`load_generator_parameters` checks it and returns ``{parameter: value}``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core import paths

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

#: Columns of the parameters table, in order.
PARAMETER_COLUMNS: tuple[str, ...] = ("parameter", "value", "unit", "source", "note")


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
    path = Path(path) if path is not None else paths.GENERATOR_PARAMETERS
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in PARAMETER_COLUMNS if c not in table.columns]
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
