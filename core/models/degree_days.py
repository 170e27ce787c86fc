"""Monthly degree-day model: base load, heating and cooling per district and fuel.

For each district, monthly electricity is fitted as

    E_m = base x days_m + heating x HDD_m + cooling x CDD_m,   all three >= 0

and monthly gas as

    G_m = base x days_m + heating x HDD_m,                      both >= 0

by non-negative least squares (kWh per day, per HDD and per CDD; degree days in
°C-days). Gas has no cooling term: gas is not used for cooling in these building
stocks (air conditioning runs on electricity), so a cooling term on gas would only
fit noise that happens to rise in summer, such as the lag of billing periods behind
calendar months, and would take that energy from the base load. With at most three
coefficients the NNLS optimum is the best feasible unconstrained least-squares fit
over the non-empty subsets of coefficients (KKT), so every district is solved at
once with a few matrix products; tests check the result against
``scipy.optimize.nnls``. No coefficient can be negative.

Goodness of fit follows ASHRAE Guideline 14 for in-sample regressions: CV(RMSE)
and NMBE with ``p`` = the number of terms (3 for electricity, 2 for gas; see
:mod:`core.models.metrics`). A fuel's split is reported as implausible, and not
shown as a split, when

* the fit of the city's monthly totals is beyond the monthly limits of ASHRAE
  Guideline 14 in ``data/model_criteria.csv`` (CV(RMSE) or |NMBE|);
* most districts get no base load although each of their months uses energy (the
  fit has put everything on heating or cooling);
* gas gets no heating although the coldest month uses more gas than the warmest.

The monthly table itself is read and checked by :mod:`core.intake.degree_day_table`.
"""

from __future__ import annotations

import calendar
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.i18n import lazy
from core.intake import columns as cols
from core.intake.city import City
from core.models import metrics, yardstick

FUELS: dict[str, tuple[str, ...]] = {"electricity_kwh": cols.MONTHLY_ELECTRICITY,
                                     "gas_kwh": cols.MONTHLY_GAS}
#: The terms fitted per fuel: gas heats but does not cool.
TERMS: dict[str, tuple[str, ...]] = {"electricity_kwh": ("base", "heating", "cooling"),
                                     "gas_kwh": ("base", "heating")}
#: Each term's driver (column of :func:`design_matrix`) and its coefficient's name.
_DRIVER = {"base": 0, "heating": 1, "cooling": 2}
COEFFICIENTS = {"base": "base_kwh_per_day", "heating": "heating_kwh_per_hdd",
                "cooling": "cooling_kwh_per_cdd"}
COMPONENTS = ("base_kwh", "heating_kwh", "cooling_kwh")
#: More than this share of districts without a base load makes the city's split implausible
#: (a judgement: the split is the sum of the district fits, most of them degenerate then).
MAX_ZERO_BASE_SHARE = 0.5
_NON_LEAP_YEAR = 2023  # any non-leap year: days per month of a normal year
DAYS_PER_MONTH = np.array([calendar.monthrange(_NON_LEAP_YEAR, m)[1] for m in range(1, 13)],
                          dtype=float)


def unavailable_reason(city: City) -> str | None:
    """Why the degree-day model cannot run on this city, or None when it can."""
    if city.degree_days is None:
        # each door says where to give one (Data page upload, --degree-days FILE)
        return lazy("the city has no monthly degree-day table (month, hdd_c, cdd_c in °C-days)")
    if not any(all(city.has(c) for c in months) for months in FUELS.values()):
        return (lazy("the city has no monthly observations (electricity_kwh_01..12 or "
                "gas_kwh_01..12)"))
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
    terms: tuple[str, ...]  # the fitted terms, as in TERMS
    table: pd.DataFrame  # district_id, coefficients, annual components (kWh/yr), cv_rmse, nmbe
    monthly: pd.DataFrame  # month, observed_kwh and one kWh column per term (city totals)
    city_cv_rmse: float  # monthly CV(RMSE) of the city total, p = number of terms
    city_nmbe: float
    district_cv_rmse_median: float
    n_fitted: int
    issues: tuple[str, ...]  # why the split is implausible; empty when it is plausible

    @property
    def plausible(self) -> bool:
        return not self.issues


def _issues(fuel: str, terms: tuple[str, ...], coef: np.ndarray, obs: np.ndarray, cv: float,
            nmbe: float, degree_days: pd.DataFrame) -> tuple[str, ...]:
    """Why a fuel's split is implausible (see the module docstring); () when it is not."""
    limit = yardstick.criteria("monthly")
    out = []
    if not cv <= limit["cv_rmse_max"]:  # a NaN fails too
        out.append(lazy("the fit misses the city's monthly totals by a CV(RMSE) of {cv:.0%}, "
                        "beyond ASHRAE Guideline 14's monthly limit of {cv_rmse_max:.0%}",
                        cv=cv, cv_rmse_max=limit['cv_rmse_max']))
    if not abs(nmbe) <= limit["nmbe_abs_max"]:
        out.append(lazy("the fit is biased by {nmbe:+.1%} (NMBE), beyond ASHRAE Guideline 14's "
                   "±{nmbe_abs_max:.0%}", nmbe=nmbe, nmbe_abs_max=limit['nmbe_abs_max']))
    no_base = (coef[:, terms.index("base")] <= 0) & (obs.min(axis=1) > 0)
    if no_base.mean() > MAX_ZERO_BASE_SHARE:
        weather = " and ".join(t for t in terms if t != "base")
        out.append(lazy("{sum} of {n_no_base} districts get no base load although "
                   "every month uses energy: the fit puts it all on {weather}",
                   sum=int(no_base.sum()), n_no_base=len(no_base), weather=weather))
    if fuel == "gas_kwh":
        hdd = degree_days.sort_values("month")["hdd_c"].to_numpy(float)
        monthly = obs.sum(axis=0)
        coldest, warmest = int(np.argmax(hdd)), int(np.argmin(hdd))
        if coef[:, terms.index("heating")].sum() <= 0 and monthly[coldest] > monthly[warmest]:
            out.append(lazy("no gas goes to heating although month {coldest}, the coldest, uses "
                       "{monthly:.0%} more gas than month "
                       "{warmest}, the warmest", coldest=coldest + 1,
                       monthly=monthly[coldest] / monthly[warmest] - 1, warmest=warmest + 1))
    return tuple(out)


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
    terms = TERMS[fuel]
    p = len(terms)
    A = design_matrix(city.degree_days)[:, [_DRIVER[t] for t in terms]]
    obs = Y[ok]
    coef = nnls_many(A, obs)
    parts = coef[:, :, None] * A.T[None, :, :]  # (N, terms, 12) monthly kWh by component
    pred = parts.sum(axis=1)
    table = pd.DataFrame({"district_id": d.loc[ok, "district_id"].astype(str).to_numpy()})
    for i, t in enumerate(terms):
        table[COEFFICIENTS[t]] = coef[:, i]
    for i, t in enumerate(terms):
        table[f"{t}_kwh"] = parts[:, i].sum(1)
    table["observed_kwh"] = obs.sum(1)
    table["cv_rmse"] = [metrics.cv_rmse(o, q, p=p) for o, q in zip(obs, pred, strict=True)]
    table["nmbe"] = [metrics.nmbe(o, q, p=p) for o, q in zip(obs, pred, strict=True)]
    monthly = pd.DataFrame({"month": np.arange(1, 13), "observed_kwh": obs.sum(0)}
                           | {f"{t}_kwh": parts[:, i].sum(0) for i, t in enumerate(terms)})
    total_pred = pred.sum(0)
    cv = metrics.cv_rmse(obs.sum(0), total_pred, p=p)
    nmbe = metrics.nmbe(obs.sum(0), total_pred, p=p)
    issues = _issues(fuel, terms, coef, obs, cv, nmbe, city.degree_days)
    return FuelFit(fuel, terms, table, monthly, cv, nmbe,
                   float(np.nanmedian(table["cv_rmse"])), int(ok.sum()), issues)


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
    """One row per fuel: city totals of base, heating and cooling (kWh/yr) and monthly fit.

    A component the fuel has no term for (cooling of gas) is NaN; so are all three of a
    fuel whose split is implausible, with the reasons in ``issues``.
    """
    rows = []
    for fuel, f in fits.items():
        split = {c: f.table[c].sum() if c in f.table and f.plausible else np.nan
                 for c in COMPONENTS}
        rows.append({"fuel": cols.label_of(fuel), "districts": f.n_fitted,
                     "plausible": f.plausible, **split,
                     "monthly_cv_rmse_pct": f.city_cv_rmse * 100,
                     "monthly_nmbe_pct": f.city_nmbe * 100,
                     "district_cv_rmse_median_pct": f.district_cv_rmse_median * 100,
                     "issues": "; ".join(f.issues)})
    return pd.DataFrame(rows)
