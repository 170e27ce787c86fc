"""Which districts a basis withholds: primary suppression (a district below the rule) and
complementary suppression (more districts, until those withheld pass the rule as a group).
The rule and its reasons are explained in :mod:`core.release.rule`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.release import figures as figs
from core.release.rule import ReleaseRule

COUNT, SHARE = "count", "share"  # kinds of failure: too few contributors, one too large


@dataclass(frozen=True)
class BasisData:
    """A basis's data per district (arrays in the table's row order; NaN: unknown).

    ``households`` is None when the city gives none (or Greenprint estimated them);
    ``customers``, ``largest_kwh`` (the largest customer's use) and ``use_kwh`` are None
    for the residents basis and where the city lacks the column."""

    basis: str
    population: np.ndarray
    households: np.ndarray | None
    customers: np.ndarray | None
    largest_kwh: np.ndarray | None
    use_kwh: np.ndarray | None
    domain: np.ndarray  # the districts it has data for: nothing to protect elsewhere


@dataclass(frozen=True)
class Suppression:
    """A basis's outcome: ``withheld`` per district, ``reasons`` ("" when released), and a
    ``note`` on what could not be checked (None when everything could)."""

    basis: str
    withheld: np.ndarray
    reasons: tuple[str, ...]
    note: str | None


def _column(d: pd.DataFrame, name: str) -> np.ndarray | None:
    if name not in d or d[name].isna().all():
        return None
    return pd.to_numeric(d[name], errors="coerce").to_numpy(dtype=float)


def basis_data(d: pd.DataFrame, basis: str, households_given: bool) -> BasisData:
    """The data of ``basis`` from a city's district table ``d`` (rows as the figures')."""
    population = _column(d, "population")
    population = np.full(len(d), np.nan) if population is None else population
    households = _column(d, "households") if households_given else None
    if basis == figs.RESIDENTS:
        return BasisData(basis, population, households, None, None, None, ~np.isnan(population))
    use = _column(d, figs.FUEL_USE[basis])
    count_col, share_col = figs.customer_columns(basis)
    share = _column(d, share_col)
    largest = share * use if share is not None and use is not None else None
    domain = np.zeros(len(d), bool) if use is None else ~np.isnan(use)
    return BasisData(basis, population, households, _column(d, count_col), largest, use, domain)


def failures(data: BasisData, idx: np.ndarray, rule: ReleaseRule) -> list[tuple[str, str]]:
    """Why the districts ``idx`` together fail the rule, as (kind, words); empty: they pass."""
    out = []
    counted = (np.zeros(len(idx), bool) if data.customers is None
               else ~np.isnan(data.customers[idx]))
    if counted.any():
        n = float(np.nansum(data.customers[idx]))
        if n < rule.min_customers:
            out.append((COUNT, f"{n:,.0f} {data.basis} customers, fewer than {rule.min_customers}"))
    if data.basis == figs.RESIDENTS or not counted.all():
        unknown = "" if data.basis == figs.RESIDENTS else f" ({data.basis} customers unknown)"
        people = float(np.nansum(data.population[idx]))
        if np.isnan(data.population[idx]).all():
            out.append((COUNT, f"population unknown{unknown}"))
        elif people < rule.min_population:
            out.append((COUNT, f"{people:,.0f} residents, fewer than "
                               f"{rule.min_population:,.0f}{unknown}"))
        if data.households is not None and not np.isnan(data.households[idx]).all():
            homes = float(np.nansum(data.households[idx]))
            if homes < rule.min_households:
                out.append((COUNT, f"{homes:,.0f} households, fewer than "
                                   f"{rule.min_households:,.0f}{unknown}"))
    if data.largest_kwh is not None and not np.isnan(data.largest_kwh[idx]).all():
        total = float(np.nansum(data.use_kwh[idx]))
        top = float(np.nanmax(data.largest_kwh[idx]))
        if total > 0 and top / total > rule.max_customer_share:
            out.append((SHARE, f"its largest {data.basis} customer uses {top / total:.0%} of it, "
                               f"more than {rule.max_customer_share:.0%}"))
    return out


def _next_candidate(data: BasisData, candidates: np.ndarray, kinds: set[str]) -> int:
    """The district to withhold next: the largest user when only a dominant customer fails
    the group (it dilutes fastest), else the smallest district (it hides least)."""
    if kinds == {SHARE}:
        return int(candidates[np.argmax(np.nan_to_num(data.use_kwh[candidates], nan=0.0))])
    size = data.population if data.customers is None else np.where(
        np.isnan(data.customers), data.population, data.customers)
    return int(candidates[np.argmin(np.nan_to_num(size[candidates], nan=0.0))])


def suppress(data: BasisData, rule: ReleaseRule) -> Suppression:
    """Primary, then complementary suppression of one basis."""
    n = len(data.domain)
    reasons = [""] * n
    for i in np.flatnonzero(data.domain):
        reasons[i] = "; ".join(words for _kind, words in failures(data, np.array([i]), rule))
    withheld = np.array([bool(r) for r in reasons])
    primary = int(withheld.sum())
    while withheld.any():
        kinds = {kind for kind, _words in failures(data, np.flatnonzero(withheld), rule)}
        candidates = np.flatnonzero(data.domain & ~withheld)
        if not kinds or candidates.size == 0:
            break
        i = _next_candidate(data, candidates, kinds)
        withheld[i] = True
        reasons[i] = (f"withheld with the {primary} district(s) below the rule, so that no total "
                      "minus the published districts can reveal them (complementary suppression)")
    return Suppression(data.basis, withheld, tuple(reasons), _note(data, rule))


def _note(data: BasisData, rule: ReleaseRule) -> str | None:
    if data.basis == figs.RESIDENTS or not data.domain.any():
        return None
    if data.customers is None:
        return (f"{data.basis}: the city gives no customer counts, so the small-area threshold "
                f"(at least {rule.min_population:,.0f} residents) stands in for the "
                f"{rule.min_customers}-customer rule, and no customer's share could be checked")
    if data.largest_kwh is None:
        return (f"{data.basis}: the city gives no largest-customer shares, so the "
                f"{rule.max_customer_share:.0%} condition could not be checked")
    return None
