"""Inequality and spatial statistics of energy burden.

Districts without data (no attribute row or no population) have no burden
(core.assess.equity), so every statistic here leaves them out.

Weighting: a district's burden is the burden of its average household (of its
average resident on the per-capita income basis, core.assess.equity), so Gini,
Lorenz and Theil weight each district by its households (pass ``weights=None``
for one weight per district). Spatial statistics (Moran's I, LISA) use the
PySAL libraries: libpysal contiguity weights (row-standardised) and esda with
seeded permutation inference. The burden of a group of districts (the city, an
income quintile) is DOE's mean group burden, defined in core.assess.equity.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from core import reference_tables
from core.assess import equity
from core.i18n import N_, lazy
from core.intake import columns as cols
from core.intake import reference_values
from core.intake.reference_values import ReferenceValues


def _clean(values, weights=None) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    if (v[ok] < 0).any():
        raise ValueError("inequality measures need non-negative values")
    return v[ok], w[ok]


def lorenz(values, weights=None) -> pd.DataFrame:
    """Lorenz curve: cumulative share of weight (population) against cumulative share of value.

    Starts at (0, 0) and ends at (1, 1); districts sorted from lowest to highest value.
    """
    v, w = _clean(values, weights)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    mass = v * w
    x = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    y = np.concatenate([[0.0], np.cumsum(mass) / mass.sum()]) if mass.sum() > 0 else x.copy()
    return pd.DataFrame({"population_share": x, "value_share": y})


def gini(values, weights=None) -> float:
    """Gini coefficient: 1 - 2 x area under the Lorenz curve (0 = equal; trapezoid rule, exact
    for grouped data)."""
    curve = lorenz(values, weights)
    if len(curve) < 2:
        return float("nan")
    x, y = curve["population_share"].to_numpy(), curve["value_share"].to_numpy()
    return float(1 - np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])))


def theil(values, weights=None) -> float:
    """Theil T index: sum_i s_i (v_i / mean) ln(v_i / mean), with s_i the weight shares.

    0 = equal; ln(N) at most for N equal-weight units. Zero values contribute 0.
    """
    v, w = _clean(values, weights)
    s = w / w.sum()
    mean = float(np.sum(s * v))
    if mean <= 0:
        return float("nan")
    r = v / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)
    return float(np.sum(s * terms))


def threshold_sensitivity(burden: pd.Series, low_income: pd.Series,
                          burden_percentiles=None, low_income_percentiles=None,
                          refs: ReferenceValues | None = None) -> pd.DataFrame:
    """How many districts change disadvantaged status when each percentile threshold moves.

    One threshold moves at a time over its range in data/equity_thresholds.csv (burden
    85-95, low income 55-75 by default) while the other stays at its default. ``gained``/``lost`` count districts that become / stop
    being disadvantaged against the default rule (the city's thresholds, ``refs``; the US
    defaults when None).
    """
    refs = refs or reference_values.defaults()
    bp0 = refs.threshold("dac_burden_percentile")
    ip0 = refs.threshold("dac_low_income_percentile")
    step = equity.threshold("sensitivity_percentile_step")

    def grid(name: str) -> np.ndarray:
        lo = equity.threshold(f"sensitivity_{name}_percentile_min")
        hi = equity.threshold(f"sensitivity_{name}_percentile_max")
        return np.arange(lo, hi + step / 2, step)

    bps = grid("burden") if burden_percentiles is None else np.asarray(burden_percentiles, float)
    ips = grid("low_income") if low_income_percentiles is None else np.asarray(
        low_income_percentiles, float)
    base = equity.disadvantaged(burden, low_income, bp0, ip0)
    rows = []
    for which, values in ((N_("burden percentile"), bps), (N_("low-income percentile"), ips)):
        for p in values:
            bp, ip = (p, ip0) if which == "burden percentile" else (bp0, p)
            flag = equity.disadvantaged(burden, low_income, bp, ip)
            rows.append({"threshold": which, "percentile": float(p),
                         "disadvantaged": int(flag.sum()),
                         "gained": int((flag & ~base).sum()), "lost": int((~flag & base).sum()),
                         "changed": int((flag != base).sum())})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- spatial

CLUSTER_LABELS = {0: "not significant", 1: "high-high", 2: "low-high", 3: "low-low",
                  4: "high-low"}  # esda's quadrant codes 1..4


@dataclass(frozen=True)
class SpatialResult:
    moran_i: float
    expected_i: float
    p_value: float  # pseudo p-value from permutations
    z_score: float
    permutations: int
    district_ids: np.ndarray
    cluster: np.ndarray  # labels of CLUSTER_LABELS per district (not significant included)
    local_p: np.ndarray
    islands: tuple[str, ...]
    significance: float


def contiguity_weights(gdf: gpd.GeoDataFrame, kind: str = "queen"):
    """Row-standardised contiguity weights of polygons (libpysal)."""
    from libpysal import weights

    cls = {"queen": weights.Queen, "rook": weights.Rook}[kind]
    with warnings.catch_warnings():  # islands and disconnected parts: reported, not warned
        warnings.simplefilter("ignore")
        w = cls.from_dataframe(gdf.reset_index(drop=True), use_index=False)
        w.transform = "r"
    return w


def spatial_autocorrelation(gdf: gpd.GeoDataFrame, values: pd.Series, *, kind: str = "queen",
                            permutations: int = 999, seed: int = 0,
                            significance: float | None = None) -> SpatialResult:
    """Global Moran's I and local clusters (LISA) of ``values`` over the districts.

    Districts with a missing value are left out (and their neighbours' links to them).
    A local cluster is reported when its pseudo p-value is at most ``significance``
    (default from data/equity_thresholds.csv).
    """
    import esda

    alpha = reference_tables.value("equity_thresholds", "lisa_significance") if significance is None \
        else significance
    v = pd.Series(np.asarray(values, dtype=float))
    ok = v.notna().to_numpy()
    sub = gdf.loc[ok].reset_index(drop=True)
    y = v[ok].to_numpy()
    if len(y) < 3:
        raise ValueError("spatial autocorrelation needs at least 3 districts with a value")
    w = contiguity_weights(sub, kind)
    islands = tuple(str(sub["district_id"].iloc[i]) for i in w.islands)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        state = np.random.get_state()  # noqa: NPY002 (esda.Moran draws from the global generator)
        np.random.seed(seed)  # noqa: NPY002
        try:
            mi = esda.Moran(y, w, permutations=permutations)
        finally:
            np.random.set_state(state)  # noqa: NPY002
        li = esda.Moran_Local(y, w, permutations=permutations, seed=seed)
    q = np.asarray(li.q, dtype=int)
    sig = np.asarray(li.p_sim) <= alpha
    codes = np.where(sig, q, 0)
    if islands:
        codes[list(w.islands)] = 0
    return SpatialResult(float(mi.I), float(mi.EI), float(mi.p_sim), float(mi.z_sim),
                         permutations, sub["district_id"].astype(str).to_numpy(),
                         np.array([CLUSTER_LABELS[c] for c in codes]), np.asarray(li.p_sim),
                         islands, float(alpha))


# --------------------------------------------------------------------------- page summary

#: besides an income basis (core.assess.equity.INCOME_BASES)
EQUITY_COLUMNS = ("electricity_kwh", "gas_kwh", "households")


def equity_unavailable(d: pd.DataFrame, refs: ReferenceValues | None = None) -> str | None:
    """Why burden cannot be computed for these districts, or None (``refs``: the city's
    reference values, the US defaults when None)."""
    prices = equity.Prices.of(refs or reference_values.defaults())
    reasons = [cols.missing_reason(d, EQUITY_COLUMNS, "energy burden"),
               equity.income_unavailable(d)]
    if not any(reasons) and not (equity.energy_burden(d, prices) > 0).any():
        reasons.append("no district has an energy burden above zero (every district lacks "
                       "energy, members or a positive income): check those columns' values")
    return "; ".join(r for r in reasons if r) or None


@dataclass(frozen=True)
class EquityReport:
    burden: pd.Series  # share of income, per district
    low_income: pd.Series
    low_income_measure: str
    disadvantaged: pd.Series
    burden_percentile: float
    low_income_percentile: float
    rule: str
    gini: float
    theil: float
    high_share: float  # share of households in districts at or above the "high" burden
    severe_share: float
    lorenz: pd.DataFrame
    mean_burden: float  # the city's mean group burden (share of income), core.assess.equity
    quintiles: pd.DataFrame  # equity.burden_by_income_quintile
    sensitivity: pd.DataFrame
    n_ranked: int  # districts with a burden and a low-income score: those the rule ranks
    n_without_data: int  # districts without data (no row or no population): left out

    @property
    def lowest_quintile_burden(self) -> float:
        """Mean group burden of the lowest-income quintile (share of income; NaN without one)."""
        lowest = self.quintiles.loc[self.quintiles["quintile"] == 1, "mean_burden"]
        return float(lowest.iloc[0]) if len(lowest) else float("nan")


def equity_report(d: pd.DataFrame, burden_percentile: float | None = None,
                  low_income_percentile: float | None = None,
                  refs: ReferenceValues | None = None) -> EquityReport:
    """Everything the Equity page shows, for the given percentile thresholds (for districts
    that :func:`equity_unavailable` accepts) at the city's prices and thresholds (``refs``,
    the US defaults when None)."""
    refs = refs or reference_values.defaults()
    prices = equity.Prices.of(refs)
    bp = refs.threshold("dac_burden_percentile") if burden_percentile is None \
        else burden_percentile
    ip = refs.threshold("dac_low_income_percentile") if low_income_percentile is None \
        else low_income_percentile
    burden = equity.energy_burden(d, prices)
    basis = equity.income_basis(d)
    has = cols.with_data(d)
    bills, members, income = (equity.district_bills_usd(d, prices), d[basis.members].where(has),
                              d[basis.income].where(has))
    low = equity.low_income_score(d)
    measure = equity.low_income_measure(d)
    flags = equity.disadvantaged(burden, low, bp, ip)
    hh = d["households"].astype(float)
    valid = burden.notna() & hh.gt(0)
    high, severe = refs.threshold("burden_high"), refs.threshold("burden_severe")
    rule = (lazy("A district is disadvantaged when its energy burden is at or above the "
            "{bp:g}th percentile of districts AND its {measure} is at or above the {ip:g}th "
            "percentile (CEJST-style rule; the city's defaults "
            "{threshold:g} and "
            "{threshold2:g}: its reference values).", bp=bp, measure=measure,
            ip=ip, threshold=refs.threshold('dac_burden_percentile'),
            threshold2=refs.threshold('dac_low_income_percentile')))
    return EquityReport(
        burden, low, measure, flags, bp, ip, rule,
        gini(burden, hh), theil(burden, hh),
        float(hh[valid & (burden >= high)].sum() / hh[valid].sum()),
        float(hh[valid & (burden >= severe)].sum() / hh[valid].sum()),
        lorenz(burden, hh), equity.city_mean_burden(bills, members, income),
        equity.burden_by_income_quintile(bills, members, income),
        threshold_sensitivity(burden, low, refs=refs), int((burden.notna() & low.notna()).sum()),
        int((~has).sum()))

#: Map colours of the local clusters (ColorBrewer RdBu ends for HH/LL, light tones for outliers).
CLUSTER_COLORS = {"high-high": "#b2182b", "low-low": "#2166ac", "high-low": "#f4a582",
                  "low-high": "#92c5de", "not significant": "#e6e6e6"}
