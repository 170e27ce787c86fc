"""What a city's data supports: each analysis as available, estimated or unavailable.

An analysis is *available* when the city has every column it reads, *estimated* when one
of those columns (or the income basis) is Greenprint's estimate (``City.estimates``,
:mod:`core.intake.estimates`), and *unavailable* otherwise; its reason then names the
columns that would unlock it. Each verdict comes from the module that runs the analysis:
the indicators' ``requires`` (:mod:`core.assess.indicators`), the Equity page's test
(:func:`core.assess.inequality.equity_unavailable`), the energy model's targets, features
and basis (:mod:`core.models.features`), the degree-day model's
(:func:`core.models.degree_days.unavailable_reason`), the optimizer's
(:func:`core.plan.problem.unavailable`) and the stock column of each intervention in
``data/interventions.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np

from core.assess import equity, indicators, inequality
from core.intake import columns as cols
from core.intake.city import City
from core.intake.estimates import INCOME
from core.models import degree_days, features
from core.plan import interventions

AVAILABLE, ESTIMATED, UNAVAILABLE = "available", "estimated", "unavailable"
STATUSES = (AVAILABLE, ESTIMATED, UNAVAILABLE)


@dataclass(frozen=True)
class Capability:
    """One analysis and whether this city's data supports it."""

    analysis: str
    status: str  # one of STATUSES
    reason: str  # the columns it uses (estimated ones named), or those that would unlock it

    def to_dict(self) -> dict:
        return asdict(self)


def _unique(columns: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(columns))


def _missing(city: City, columns: Iterable[str]) -> list[str]:
    return [c for c in _unique(columns) if not city.has(c)]


def _income_columns(city: City) -> tuple[str, ...]:
    """The columns of the city's income basis (empty without one)."""
    basis = equity.income_basis(city.districts)
    return basis.columns if basis else ()


def _income_unlock(city: City) -> str:
    """The columns that would give the city an income basis, e.g. ``median_household_income
    or per_capita_income`` (each basis less the columns the city has)."""
    return " or ".join(" and ".join(_missing(city, b.columns)) for b in equity.INCOME_BASES)


def _usable(analysis: str, city: City, uses: Iterable[str], income: bool = False) -> Capability:
    """An analysis the city can run from ``uses`` (and its income basis when ``income``):
    estimated when one of them is."""
    uses = _unique(uses)
    estimated = [c for c in uses if city.estimated(c)]
    if income and city.estimated(INCOME):
        estimated.append(INCOME)  # the aggregate income is built, e.g. population x per-capita
    if estimated:
        made = "; ".join(f"{c} ({city.estimates[c].formula})" for c in _unique(estimated))
        return Capability(analysis, ESTIMATED, f"relies on estimated {made}")
    return Capability(analysis, AVAILABLE, f"uses {', '.join(uses)}" if uses else "")


def _blocked(analysis: str, city: City, missing: list[str], income: bool = False) -> Capability:
    """An analysis that needs ``missing`` (and an income basis when ``income``)."""
    wanted = [", ".join(missing)] if missing else []
    if income:
        wanted.append(_income_unlock(city))
    return Capability(analysis, UNAVAILABLE, "map " + " and ".join(wanted))


def _indicator(city: City, ind: indicators.Indicator) -> Capability:
    """An Overview-map indicator, from its ``requires`` and ``requires_any``."""
    analysis = f"Overview map: {ind.label}"
    alternative = next((alt for alt in ind.requires_any if not _missing(city, alt)), None)
    missing = _missing(city, ind.requires)
    if missing or (ind.requires_any and alternative is None):
        return _blocked(analysis, city, missing,
                        income=bool(ind.requires_any) and alternative is None)
    return _usable(analysis, city, (*ind.requires, *(alternative or ())),
                   income=bool(ind.requires_any))


def _equity(city: City) -> Capability:
    """The Equity page: energy burden, inequality and disadvantaged districts."""
    analysis = "Equity: energy burden and disadvantaged districts"
    if inequality.equity_unavailable(city.districts):
        return _blocked(analysis, city, _missing(city, inequality.EQUITY_COLUMNS),
                        income=not _income_columns(city))
    return _usable(analysis, city, (*inequality.EQUITY_COLUMNS, *_income_columns(city)),
                   income=True)


def _energy_models(city: City) -> list[Capability]:
    """One per target of the energy model: observed target, a basis, enough districts."""
    basis = features.basis_of(city)
    targets = features.available_targets(city)
    out = []
    for target in features.TARGETS:
        analysis = f"Energy model: {cols.label_of(target)}"
        if target not in targets:
            out.append(_blocked(analysis, city, [target]))
        elif basis is None:
            out.append(Capability(analysis, UNAVAILABLE, "map " + " or ".join(features.BASES)
                                  + " with positive values for most districts"))
        elif (rows := _rows(city, target, basis)) < features.MIN_ROWS:
            out.append(Capability(analysis, UNAVAILABLE, f"only {rows} districts have a "
                                  f"positive {target} and {basis}; at least {features.MIN_ROWS} are needed"))
        else:
            out.append(_usable(analysis, city, (target, basis, *features.feature_columns(city))))
    return out


def _rows(city: City, target: str, basis: str) -> int:
    """Districts with data, a positive target and a positive basis (the model's rows)."""
    d = city.districts
    y, b = (d[c].astype(float).to_numpy() for c in (target, basis))
    return int((np.isfinite(y) & (y > 0) & np.isfinite(b) & (b > 0)
                & city.with_data.to_numpy()).sum())


def _degree_day_split(city: City) -> Capability:
    analysis = "Degree-day split (base, heating, cooling)"
    if degree_days.unavailable_reason(city) is None:
        split = [c for c in degree_days.FUELS if all(city.has(m) for m in degree_days.FUELS[c])]
        used = _usable(analysis, city, [m for c in split for m in degree_days.FUELS[c]])
        return used if used.status == ESTIMATED else Capability(
            analysis, AVAILABLE, "uses the degree-day table and "
            + ", ".join(f"{c}_01..12" for c in split))
    wanted = [] if city.degree_days is not None else \
        ["add a monthly degree-day table (month, hdd_c, cdd_c in °C-days)"]
    if not any(all(city.has(c) for c in months) for months in degree_days.FUELS.values()):
        wanted.append("map " + " or ".join(f"{fuel}_01..12" for fuel in degree_days.FUELS))
    return Capability(analysis, UNAVAILABLE, "; ".join(wanted))


def _plan(city: City) -> list[Capability]:
    """The optimizer, then each intervention it can place (sized by its stock column)."""
    from core.plan import problem  # imports torch: only when asked

    cat = interventions.catalogue()
    needed = _missing(city, problem.REQUIRED_COLUMNS)
    income = _income_columns(city)
    rows = []
    for _, row in cat.iterrows():
        analysis = f"Scenario lab: {row['label']}"
        stock = row["stock_column"]
        dac_only = row["eligibility"] == "dac" and not income
        if needed or not city.has(stock) or dac_only:
            rows.append(_blocked(analysis, city, _unique([*needed, *_missing(city, [stock])]),
                                 income=dac_only))
        else:
            dac = row["eligibility"] == "dac"
            rows.append(_usable(analysis, city, (*problem.REQUIRED_COLUMNS, stock,
                                                 *(income if dac else ())), income=dac))
    placeable = [r for r in rows if r.status != UNAVAILABLE]
    analysis = "Scenario lab (optimizer)"
    if needed:
        optimizer = _blocked(analysis, city, needed)
    elif not placeable:
        optimizer = Capability(analysis, UNAVAILABLE, "map " + " or ".join(
            _unique(cat["stock_column"])) + " (no intervention has a stock to place)")
    else:
        stocks = _unique(cat.loc[[r.status != UNAVAILABLE for r in rows], "stock_column"])
        optimizer = _usable(analysis, city, (*problem.REQUIRED_COLUMNS, *stocks, *income),
                            income=bool(income))
        if not income:
            optimizer = Capability(analysis, optimizer.status, optimizer.reason + "; no income, "
                                   "so no district counts as disadvantaged (map "
                                   f"{_income_unlock(city)})")
    return [optimizer, *rows]


def capabilities(city: City) -> list[Capability]:
    """Every analysis Greenprint offers, with what this city's data makes of it."""
    return [*(_indicator(city, ind) for ind in indicators.INDICATORS.values()),
            _equity(city), *_energy_models(city), _degree_day_split(city), *_plan(city)]
