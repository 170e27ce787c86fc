"""The intervention catalogue (``data/interventions.csv``) and what one unit does in a district.

Savings are shares of a unit's baseline energy (the district's residential use per
housing unit or household), so the catalogue works on any city; rooftop PV yields a
fixed kWh per kW; a heat pump moves the space-heating share of gas to electricity as
``gas x replaced_efficiency / cop``. Costs are the city's (its reference values,
:mod:`core.intake.reference_values`), in its currency; the catalogue's ``cost_usd_per_unit``
column is the US default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import reference_tables
from core.assess import equity
from core.errors import InputError
from core.intake.reference_values import ReferenceValues

STOCKS = ("housing_units", "households", "floor_area_m2", "roof_area_m2")
ELIGIBILITY = ("all", "dac")
NUMBERS = ("units_per_stock", "cap_share", "cost_usd_per_unit", "lifetime_years",
           "electricity_saving_share", "gas_saving_share", "pv_kwh_per_unit",
           "heat_share_electrified", "cop", "replaced_efficiency")


def catalogue(refs: ReferenceValues | None = None) -> pd.DataFrame:
    """The validated catalogue, one row per intervention (index: intervention key), with
    ``cost_usd_per_unit`` the city's cost per unit in its currency when ``refs`` are given
    (the US table's, in USD, otherwise: for what the catalogue holds, not for money)."""
    t = reference_tables.table("interventions")
    if refs is not None:
        t["cost_usd_per_unit"] = [refs.cost(k) for k in t["intervention"]]
    missing = [c for c in ("intervention", "label", "unit", "stock_column", "eligibility", *NUMBERS)
               if c not in t]
    if missing:
        raise InputError(f"data/interventions.csv lacks columns {missing}")
    bad_stock = sorted(set(t["stock_column"]) - set(STOCKS))
    if bad_stock:
        raise InputError(f"data/interventions.csv: unknown stock_column {bad_stock}; use one of {STOCKS}")
    bad_elig = sorted(set(t["eligibility"]) - set(ELIGIBILITY))
    if bad_elig:
        raise InputError(f"data/interventions.csv: unknown eligibility {bad_elig}; use {ELIGIBILITY}")
    if (t["cost_usd_per_unit"] <= 0).any() or (t["lifetime_years"] <= 0).any():
        raise InputError("data/interventions.csv: cost_usd_per_unit and lifetime_years must be > 0")
    hp = t["heat_share_electrified"] > 0
    if (t.loc[hp, "cop"] <= 0).any():
        raise InputError("data/interventions.csv: a heat pump row needs cop > 0")
    return t.set_index("intervention")


@dataclass(frozen=True)
class Effects:
    """Per district (rows) and intervention (columns): what one unit does and how many fit."""

    keys: tuple[str, ...]
    electricity_kwh_per_unit: np.ndarray  # [N, K] change, negative = saving
    gas_kwh_per_unit: np.ndarray  # [N, K]
    cap_units: np.ndarray  # [N, K]
    heat_gas_kwh_per_unit: np.ndarray  # [N, K] gas a heat pump removes (before interactions)
    gas_kwh_per_home: np.ndarray  # [N] residential gas per housing unit


def _per(num: pd.Series, den: pd.Series) -> np.ndarray:
    den = den.astype(float)
    return (num.astype(float) / den.where(den > 0)).fillna(0).to_numpy()


def district_effects(d: pd.DataFrame, cat: pd.DataFrame, dac: np.ndarray) -> Effects:
    """Effects of one unit of every intervention in every district (missing data -> no stock)."""
    elec_res, gas_res = equity.residential_energy_kwh(d)
    total_e = d["electricity_kwh"].fillna(0) if "electricity_kwh" in d else elec_res
    total_g = d["gas_kwh"].fillna(0) if "gas_kwh" in d else gas_res
    n, k = len(d), len(cat)
    de, dg, cap, heat = (np.zeros((n, k)) for _ in range(4))
    for j, (_, row) in enumerate(cat.iterrows()):
        col = row["stock_column"]
        stock = d[col].fillna(0).astype(float).clip(lower=0).to_numpy() if col in d else np.zeros(n)
        if col == "floor_area_m2":
            e_unit, g_unit = _per(total_e, d.get(col, pd.Series(0, index=d.index))), \
                _per(total_g, d.get(col, pd.Series(0, index=d.index)))
        elif col == "roof_area_m2":
            e_unit = g_unit = np.zeros(n)
        else:
            e_unit, g_unit = _per(elec_res, d.get(col, pd.Series(0, index=d.index))), \
                _per(gas_res, d.get(col, pd.Series(0, index=d.index)))
        e_unit, g_unit = e_unit / row["units_per_stock"], g_unit / row["units_per_stock"]
        heat[:, j] = row["heat_share_electrified"] * g_unit
        moved = heat[:, j] * row["replaced_efficiency"] / row["cop"] if row["cop"] > 0 else 0.0
        de[:, j] = -row["electricity_saving_share"] * e_unit - row["pv_kwh_per_unit"] + moved
        dg[:, j] = -row["gas_saving_share"] * g_unit - heat[:, j]
        eligible = dac if row["eligibility"] == "dac" else np.ones(n, dtype=bool)
        cap[:, j] = np.where(eligible, np.floor(stock * row["units_per_stock"] * row["cap_share"]), 0)
    homes = d["housing_units"] if "housing_units" in d else d.get("households", pd.Series(0, index=d.index))
    return Effects(tuple(cat.index), de, dg, cap, heat, _per(gas_res, homes))
