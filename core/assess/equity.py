"""Equity: household energy cost and burden, disadvantaged districts, benefit shares.

Energy bill of a district (currency/yr): residential electricity and gas (the domestic
energy when the city has it, else all its energy) x the city's prices (its reference values,
:mod:`core.intake.reference_values`; by default data/energy_prices.csv). Money is in the
city's currency throughout; names ending in ``_usd`` hold amounts in that currency (the US
dollar of the default tables).

Income basis
------------
A district's *aggregate income* (currency/yr) is built from whichever income the city has:

* household basis, when the city has ``households`` and ``median_household_income``::

      aggregate income = households x median household income

  (the median stands in for the mean, which districts do not report, so this
  approximates the true aggregate);
* per-capita basis, when it has no median household income but ``per_capita_income``::

      aggregate income = population x per-capita income

  (the US Census Bureau defines per-capita income as aggregate income / total
  population, so this is the aggregate itself).

A district's energy burden (share of income) is its energy cost per member over its
income per member: household energy cost (bill / households) over median household
income on the household basis, energy cost per resident over per-capita income on the
per-capita basis. Both equal the district's bills over its aggregate income.

A group's energy burden (the whole city, an income quintile of districts) is DOE's
*mean group burden* (Buildings Energy Data Book, table 2.9.2 "Energy Burden
Definitions"; DOE's LEAD tool likewise divides average energy cost by average
income): the aggregate energy bills of the group divided by its aggregate income.
Equivalently, the group burden is the mean of the district burdens weighted by each
district's aggregate income. Districts without a known income or without members
(households, or residents on the per-capita basis) count in no group.

Income quintiles rank the districts with a known income and members by income per
member (median household income, or per-capita income) and split them into five
groups of (nearly) equal count, 1 = lowest income.

Districts without data (no attribute row or no population,
core.intake.columns.with_data) have no income, burden or low-income score: they are not
ranked, never disadvantaged, and count in no group.

Thresholds are the city's reference values (by default data/equity_thresholds.csv).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import i18n, reference_tables
from core.intake.columns import with_data
from core.intake.reference_values import ReferenceValues


@dataclass(frozen=True)
class Prices:
    """Energy prices (currency/kWh): floats, or arrays/tensors that broadcast against the energy
    (one price per scenario in the optimizer's batch)."""

    electricity_usd_per_kwh: float
    gas_usd_per_kwh: float

    @classmethod
    def of(cls, refs: ReferenceValues) -> Prices:
        """The city's reference prices."""
        return cls(refs.electricity_price, refs.gas_price)


def threshold(name: str) -> float:
    """A figure of data/equity_thresholds.csv (the method's own: sensitivity ranges, slider
    ranges, significance); a city's thresholds are :meth:`ReferenceValues.threshold`."""
    return reference_tables.value("equity_thresholds", name)


@dataclass(frozen=True)
class IncomeBasis:
    """Which columns a district's aggregate income is built from (module docstring)."""

    members: str  # column counting who the income belongs to: households or residents
    income: str  # column of income per member, currency/yr
    formula: str  # aggregate income, in words
    ranked_by: str  # what income quintiles rank districts by

    @property
    def columns(self) -> tuple[str, str]:
        return self.members, self.income


HOUSEHOLD_BASIS = IncomeBasis("households", "median_household_income",
                              i18n.N_("households x median household income"),
                              i18n.N_("median household income"))
PER_CAPITA_BASIS = IncomeBasis("population", "per_capita_income",
                               i18n.N_("population x per-capita income"),
                               i18n.N_("per-capita income"))
#: in order of preference: the first one whose columns the city has is used
INCOME_BASES: tuple[IncomeBasis, ...] = (HOUSEHOLD_BASIS, PER_CAPITA_BASIS)


#: the fuels' names in sentences (translated where shown)
FUEL_WORDS = {"electricity_kwh": i18n.N_("electricity"), "gas_kwh": i18n.N_("gas")}


def _has(d: pd.DataFrame, column: str) -> bool:
    return column in d and d[column].notna().any()


def income_basis(d: pd.DataFrame) -> IncomeBasis | None:
    """The income basis of a district table: the first of :data:`INCOME_BASES` whose two
    columns hold values; None when it has neither."""
    return next((b for b in INCOME_BASES if all(_has(d, c) for c in b.columns)), None)


def income_unavailable(d: pd.DataFrame) -> str | None:
    """Why a district table has no income basis (which columns would give one), or None."""
    if income_basis(d) is not None:
        return None
    options = " or ".join(" and ".join(b.columns) for b in INCOME_BASES)
    return i18n._("an income needs {options}").format(options=options)


def district_income_usd(d: pd.DataFrame) -> pd.Series:
    """Aggregate income of each district (currency/yr) on the table's income basis; NaN where
    unknown or not positive, and everywhere when the table has no basis."""
    basis = income_basis(d)
    if basis is None:
        return pd.Series(np.nan, index=d.index)
    return pd.Series(aggregate_income_usd(d[basis.members], d[basis.income]),
                     index=d.index).where(with_data(d))


#: fuel total -> its residential (domestic) part
RESIDENTIAL = {"electricity_kwh": "residential_electricity_kwh", "gas_kwh": "residential_gas_kwh"}


def residential_energy_kwh(d: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Residential (domestic) electricity and gas (kWh/yr): for each fuel, its residential
    column when the city has one with values, else the district totals (missing counts as
    none)."""
    elec, gas = (d[part] if _has(d, part) else d[total] if total in d
                 else pd.Series(0.0, index=d.index) for total, part in RESIDENTIAL.items())
    return elec.fillna(0).astype(float), gas.fillna(0).astype(float)


def burden_basis_note(d: pd.DataFrame) -> str | None:
    """A warning when household bills must be built from all of a district's energy.

    Without ``residential_electricity_kwh`` / ``residential_gas_kwh`` (the domestic energy)
    the bill counts commercial energy too, which overstates burden where there is much
    commerce; the note names each fuel without its split.
    """
    without = [(total, part) for total, part in RESIDENTIAL.items()
               if _has(d, total) and not _has(d, part)]
    if not without:
        return None
    fuels = i18n._(" and ").join(i18n._(FUEL_WORDS[total]) for total, _ in without)
    parts = i18n._(" and ").join(part for _, part in without)
    return (i18n._("household bills and energy burden count all of each district's {fuels}, "
            "commercial included, because the data has no residential (domestic) split for "
            "it; map {parts} for household figures").format(fuels=fuels, parts=parts))


def energy_bill_usd(electricity_kwh, gas_kwh, prices: Prices):
    """Energy bill (currency/yr) of the given electricity and gas use (kWh/yr) at ``prices``;
    arrays or Series in, the same out."""
    return electricity_kwh * prices.electricity_usd_per_kwh + gas_kwh * prices.gas_usd_per_kwh


def district_bills_usd(d: pd.DataFrame, prices: Prices) -> pd.Series:
    """Residential energy bill of each district, all its households together (currency/yr)."""
    return energy_bill_usd(*residential_energy_kwh(d), prices)


def household_energy_cost_usd(d: pd.DataFrame, prices: Prices) -> pd.Series:
    """Average annual energy bill per household (currency/yr): district bill / households."""
    households = d["households"].astype(float)
    return district_bills_usd(d, prices) / households.where(households > 0)


def energy_burden(d: pd.DataFrame, prices: Prices) -> pd.Series:
    """Energy burden of each district (share of income): energy cost per member / income per
    member on the table's income basis (household energy cost / median household income, or
    energy cost per resident / per-capita income); NaN everywhere without a basis."""
    basis = income_basis(d)
    if basis is None:
        return pd.Series(np.nan, index=d.index)
    members = d[basis.members].astype(float)
    income = d[basis.income].astype(float)
    burden = district_bills_usd(d, prices) / members.where(members > 0) / income.where(income > 0)
    return burden.where(with_data(d))


def low_income_score(d: pd.DataFrame) -> pd.Series:
    """Higher = lower income. Poverty rate when present, else minus the income per member of
    the income basis (median household income, or per-capita income)."""
    if _has(d, "poverty_rate"):
        return d["poverty_rate"].astype(float).where(with_data(d))
    basis = income_basis(d)
    if basis is None:
        return pd.Series(np.nan, index=d.index)
    return -d[basis.income].astype(float).where(with_data(d))


def low_income_measure(d: pd.DataFrame) -> str:
    """What :func:`low_income_score` ranks, in words."""
    if _has(d, "poverty_rate"):
        return i18n._("poverty rate")
    basis = income_basis(d)
    return (i18n._("lowness of {ranked_by}").format(ranked_by=i18n._(basis.ranked_by)) if basis
            else i18n._("low income (no income column)"))


def percentile_rank(values: pd.Series) -> pd.Series:
    """Percentile (0-100) of each value: share of districts with a value at or below it
    (NaN, e.g. a district without data, is not ranked and counts in no share)."""
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


# --------------------------------------------------------------------------- groups

QUINTILES = 5


def aggregate_income_usd(members, income_usd) -> np.ndarray:
    """Aggregate income of each district (currency/yr): members x income per member, i.e.
    households x median household income, or population x per-capita income (see
    :class:`IncomeBasis`); NaN where either is unknown or not positive (no group counts it)."""
    hh = np.asarray(members, dtype=float)
    inc = np.asarray(income_usd, dtype=float)
    known = np.isfinite(hh) & np.isfinite(inc) & (hh > 0) & (inc > 0)
    return np.where(known, hh * inc, np.nan)


def mean_household_burden_change(bill_change_usd, income_usd, households_total: float):
    """Change of the *mean household burden* (the household-weighted mean of district burdens,
    share of income) when district bills change by ``bill_change_usd`` (currency/yr, all its
    households): ``bill_change / median income / all households``, per district; arrays or
    tensors that broadcast.

    The optimizer's ``min_burden`` objective uses it, not the mean group burden that the
    pages show: a change in the group burden is bill savings / the city's total income, so
    minimising it would rank measures exactly as bill savings do; the household mean values
    a dollar saved where incomes are low more, which is what minimising burden is for."""
    return bill_change_usd / income_usd / households_total


def group_burden(bills_usd, income_usd) -> float:
    """Mean group burden (share of income): aggregate bills / aggregate income of a group.

    ``bills_usd`` and ``income_usd`` are per member (currency/yr; e.g. district bills and
    :func:`aggregate_income_usd`); members missing either are left out. NaN when no member
    has a positive income.
    """
    bills = np.asarray(bills_usd, dtype=float)
    income = np.asarray(income_usd, dtype=float)
    ok = np.isfinite(bills) & np.isfinite(income) & (income > 0)
    return float(bills[ok].sum() / income[ok].sum()) if ok.any() else float("nan")


def income_quintiles(members, income_usd) -> np.ndarray:
    """Income quintile of each district (1 = lowest income, 0 = in none).

    Districts with a known income per member > 0 (median household income, or per-capita
    income) and members > 0 are ranked by that income (ties in input order) and split into
    five groups of (nearly) equal count; fewer groups when there are fewer than five such
    districts.
    """
    ranked = np.isfinite(aggregate_income_usd(members, income_usd))
    out = np.zeros(ranked.size, dtype=int)
    n = int(ranked.sum())
    if n:
        rank = pd.Series(np.asarray(income_usd, dtype=float)[ranked]).rank(method="first")
        out[ranked] = pd.qcut(rank, min(QUINTILES, n), labels=False) + 1
    return out


def burden_by_income_quintile(bills_usd, members, income_usd) -> pd.DataFrame:
    """Mean group burden (share of income) of each income quintile of districts.

    ``bills_usd``: each district's residential energy bill, all households together
    (currency/yr); ``members`` and ``income_usd``: the income basis' members (households, or
    residents) and income per member (median household income, or per-capita income;
    currency/yr). One row per quintile (1 = lowest income): districts, members (in the column
    ``households``; residents on the per-capita basis), income range (currency/yr) and
    ``mean_burden``.
    """
    bills = np.asarray(bills_usd, dtype=float)
    hh = np.asarray(members, dtype=float)
    income = np.asarray(income_usd, dtype=float)
    aggregate = aggregate_income_usd(hh, income)
    quintile = income_quintiles(hh, income)
    rows = []
    for q in range(1, quintile.max(initial=0) + 1):
        m = quintile == q
        rows.append({"quintile": q, "districts": int(m.sum()), "households": float(hh[m].sum()),
                     "income_min_usd": float(income[m].min()),
                     "income_max_usd": float(income[m].max()),
                     "mean_burden": group_burden(bills[m], aggregate[m])})
    return pd.DataFrame(rows, columns=["quintile", "districts", "households", "income_min_usd",
                                       "income_max_usd", "mean_burden"])


def city_mean_burden(bills_usd, members, income_usd) -> float:
    """Mean group burden of the whole city (share of income): all districts' bills over
    their aggregate income (arguments as :func:`burden_by_income_quintile`)."""
    return group_burden(bills_usd, aggregate_income_usd(members, income_usd))
