"""Equity: household energy cost and burden, disadvantaged districts, benefit shares.

Thresholds and prices come from data/equity_thresholds.csv and data/energy_prices.csv.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import reference_tables


@dataclass(frozen=True)
class Prices:
    electricity_usd_per_kwh: float
    gas_usd_per_kwh: float

    @classmethod
    def reference(cls) -> Prices:
        return cls(reference_tables.value("energy_prices", "electricity", "fuel", "usd_per_kwh"),
                   reference_tables.value("energy_prices", "natural_gas", "fuel", "usd_per_kwh"))


def threshold(name: str) -> float:
    return reference_tables.value("equity_thresholds", name)


def residential_energy_kwh(d: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Residential electricity and gas (kWh/yr); the district totals when no split is given."""
    elec = d["residential_electricity_kwh"] if "residential_electricity_kwh" in d else d["electricity_kwh"]
    gas = d["residential_gas_kwh"] if "residential_gas_kwh" in d else d["gas_kwh"]
    return elec.fillna(0).astype(float), gas.fillna(0).astype(float)


def burden_basis_note(d: pd.DataFrame) -> str | None:
    """A warning when household bills must be built from all of a district's energy.

    Without ``residential_electricity_kwh`` / ``residential_gas_kwh`` the bill counts
    commercial energy too, which overstates burden where there is much commerce.
    """
    has_energy = any(c in d and d[c].notna().any() for c in ("electricity_kwh", "gas_kwh"))
    split = any(c in d and d[c].notna().any()
                for c in ("residential_electricity_kwh", "residential_gas_kwh"))
    if has_energy and not split:
        return ("household bills and energy burden count all of each district's energy, "
                "commercial included, because the data has no residential split; map "
                "residential_electricity_kwh and residential_gas_kwh for household figures")
    return None


def household_energy_cost_usd(d: pd.DataFrame, prices: Prices | None = None) -> pd.Series:
    """Average annual energy bill per household (USD/yr): residential energy x price / households."""
    p = prices or Prices.reference()
    elec, gas = residential_energy_kwh(d)
    households = d["households"].astype(float)
    cost = elec * p.electricity_usd_per_kwh + gas * p.gas_usd_per_kwh
    return cost / households.where(households > 0)


def energy_burden(d: pd.DataFrame, prices: Prices | None = None) -> pd.Series:
    """Energy burden (share of income): household energy cost / median household income."""
    income = d["median_household_income"].astype(float)
    return household_energy_cost_usd(d, prices) / income.where(income > 0)


def low_income_score(d: pd.DataFrame) -> pd.Series:
    """Higher = lower income. Poverty rate when present, else minus median household income."""
    if "poverty_rate" in d and d["poverty_rate"].notna().any():
        return d["poverty_rate"].astype(float)
    return -d["median_household_income"].astype(float)


def percentile_rank(values: pd.Series) -> pd.Series:
    """Percentile (0-100) of each value: share of districts at or below it."""
    return values.rank(method="max", pct=True) * 100


def disadvantaged(burden: pd.Series, low_income: pd.Series,
                  burden_percentile: float | None = None,
                  low_income_percentile: float | None = None) -> pd.Series:
    """CEJST-style rule: burden at or above its percentile AND low income at or above its own."""
    bp = threshold("dac_burden_percentile") if burden_percentile is None else burden_percentile
    ip = threshold("dac_low_income_percentile") if low_income_percentile is None else low_income_percentile
    flag = (percentile_rank(burden) >= bp) & (percentile_rank(low_income) >= ip)
    return flag & burden.notna() & low_income.notna()


def benefit_share(benefit: np.ndarray | pd.Series, dac: np.ndarray | pd.Series) -> float:
    """Share of a benefit (e.g. abatement or spending per district) reaching disadvantaged districts."""
    b = np.asarray(benefit, dtype=float)
    total = b.sum()
    return float(b[np.asarray(dac, dtype=bool)].sum() / total) if total > 0 else 0.0
