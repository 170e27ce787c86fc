"""Monthly degree-day model: base load, heating and cooling per district and fuel.

For each district and fuel, monthly energy is fitted as

    E_m = base x days_m + heating x HDD_m + cooling x CDD_m,   all three >= 0

by non-negative least squares. With three coefficients the NNLS optimum is the best
feasible unconstrained least-squares fit over the 7 non-empty subsets of
coefficients (KKT), so every district is solved at once with a few matrix
products; tests check the result against ``scipy.optimize.nnls``.

Goodness of fit follows ASHRAE Guideline 14 for in-sample regressions: CV(RMSE)
and NMBE with ``p = 3`` parameters (see :mod:`core.models.metrics`). The monthly
table itself is read and checked by :mod:`core.intake.degree_day_table`.
"""

from __future__ import annotations

import calendar
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.intake import columns as cols
from core.intake.city import City
from core.models import metrics

FUELS: dict[str, tuple[str, ...]] = {"electricity_kwh": cols.MONTHLY_ELECTRICITY,
                                     "gas_kwh": cols.MONTHLY_GAS}
N_PARAMS = 3
_NON_LEAP_YEAR = 2023  # any non-leap year: days per month of a normal year
DAYS_PER_MONTH = np.array([calendar.monthrange(_NON_LEAP_YEAR, m)[1] for m in range(1, 13)],
                          dtype=float)
COMPONENTS = ("base_kwh", "heating_kwh", "cooling_kwh")


def unavailable_reason(city: City) -> str | None:
    """Why the degree-day model cannot run on this city, or None when it can."""
    if city.degree_days is None:
        return ("the city has no monthly degree-day table; upload one (month, hdd_c, cdd_c in "
                "°C-days) on the Data page with the city's files, or pass --degree-days FILE to "
                "the command line")
    if not any(all(city.has(c) for c in months) for months in FUELS.values()):
        return ("the city has no monthly observations (electricity_kwh_01..12 or "
                "gas_kwh_01..12)")
    return None


def design_matrix(degree_days: pd.DataFrame) -> np.ndarray:
    """(12, 3): days, HDD and CDD of each month."""
    dd = degree_days.sort_values("month")
    return np.column_stack([DAYS_PER_MONTH, dd["hdd_c"].to_numpy(float),
                            dd["cdd_c"].to_numpy(float)])


def nnls_many(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Non-negative least squares of each row of ``Y`` (N, m) on ``A`` (m, p), p small.

    Returns (N, p) coefficients: for each row the feasible subset fit with the least
    squared error, which is the NNLS optimum.
    """
    N, p = Y.shape[0], A.shape[1]
    best = np.zeros((N, p))
    best_sse = np.sum(Y ** 2, axis=1)  # the empty subset: all coefficients zero
    for size in range(1, p + 1):
        for subset in itertools.combinations(range(p), size):
            S = list(subset)
            coef = Y @ np.linalg.pinv(A[:, S]).T  # (N, |S|)
            ok = np.all(coef >= 0, axis=1)
            full = np.zeros((N, p))
            full[:, S] = coef
            sse = np.sum((Y - full @ A.T) ** 2, axis=1)
            take = ok & (sse < best_sse - 1e-9 * np.maximum(best_sse, 1.0))
            best[take] = full[take]
            best_sse[take] = sse[take]
    return best


@dataclass(frozen=True)
class FuelFit:
    fuel: str
    table: pd.DataFrame  # district_id, coefficients, annual components (kWh/yr), cv_rmse, nmbe
    monthly: pd.DataFrame  # month, observed_kwh, base_kwh, heating_kwh, cooling_kwh (city totals)
    city_cv_rmse: float  # monthly CV(RMSE) of the city total, p = 3
    city_nmbe: float
    district_cv_rmse_median: float
    n_fitted: int


def fit_fuel(city: City, fuel: str) -> FuelFit | None:
    """Fit every district with 12 observed months of ``fuel``; None when there are none."""
    months = list(FUELS[fuel])
    if city.degree_days is None or not all(c in city.districts for c in months):
        return None
    d = city.districts
    Y = d[months].astype(float).to_numpy()
    ok = np.isfinite(Y).all(axis=1)
    if not ok.any():
        return None
    A = design_matrix(city.degree_days)
    coef = nnls_many(A, Y[ok])
    parts = coef[:, :, None] * A.T[None, :, :]  # (N, 3, 12) monthly kWh by component
    pred = parts.sum(axis=1)
    obs = Y[ok]
    table = pd.DataFrame({
        "district_id": d.loc[ok, "district_id"].astype(str).to_numpy(),
        "base_kwh_per_day": coef[:, 0], "heating_kwh_per_hdd": coef[:, 1],
        "cooling_kwh_per_cdd": coef[:, 2],
        "base_kwh": parts[:, 0].sum(1), "heating_kwh": parts[:, 1].sum(1),
        "cooling_kwh": parts[:, 2].sum(1), "observed_kwh": obs.sum(1),
        "cv_rmse": [metrics.cv_rmse(o, q, p=N_PARAMS) for o, q in zip(obs, pred, strict=True)],
        "nmbe": [metrics.nmbe(o, q, p=N_PARAMS) for o, q in zip(obs, pred, strict=True)],
    })
    monthly = pd.DataFrame({"month": np.arange(1, 13), "observed_kwh": obs.sum(0),
                            "base_kwh": parts[:, 0].sum(0), "heating_kwh": parts[:, 1].sum(0),
                            "cooling_kwh": parts[:, 2].sum(0)})
    total_pred = pred.sum(0)
    return FuelFit(fuel, table, monthly, metrics.cv_rmse(obs.sum(0), total_pred, p=N_PARAMS),
                   metrics.nmbe(obs.sum(0), total_pred, p=N_PARAMS),
                   float(np.nanmedian(table["cv_rmse"])), int(ok.sum()))


def fit(city: City) -> dict[str, FuelFit]:
    """Degree-day fits for every fuel with monthly data (empty when unavailable)."""
    if unavailable_reason(city) is not None:
        return {}
    out = {}
    for fuel in FUELS:
        f = fit_fuel(city, fuel)
        if f is not None:
            out[fuel] = f
    return out


def summary(fits: dict[str, FuelFit]) -> pd.DataFrame:
    """One row per fuel: city totals of base, heating and cooling (kWh/yr) and monthly fit."""
    rows = []
    for fuel, f in fits.items():
        t = f.table
        rows.append({"fuel": cols.label_of(fuel), "districts": f.n_fitted,
                     "base_kwh": t["base_kwh"].sum(), "heating_kwh": t["heating_kwh"].sum(),
                     "cooling_kwh": t["cooling_kwh"].sum(),
                     "monthly_cv_rmse_pct": f.city_cv_rmse * 100, "monthly_nmbe_pct": f.city_nmbe * 100,
                     "district_cv_rmse_median_pct": f.district_cv_rmse_median * 100})
    return pd.DataFrame(rows)
