"""The figures a release knows: for each, the data it rests on (its bases), whether a total
over districts means something (only then may a total be published), and its unit.

Bases: ``electricity`` and ``gas`` (the utility's customers), ``residents`` (census-type
data about the people of a district). The district indicators (:mod:`core.assess.indicators`)
get theirs from the columns they read; a plan's district table (:mod:`core.plan.results`)
rests on all three (the optimizer allocates by energy use, housing and income).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.assess import indicators
from core.errors import InputError
from core.intake import columns as cols

ELECTRICITY, GAS, RESIDENTS = "electricity", "gas", "residents"
BASES: tuple[str, ...] = (ELECTRICITY, GAS, RESIDENTS)
#: columns of a figure table that identify a district rather than being a figure
IDENTIFIERS: tuple[str, ...] = ("district_id", "name", indicators.DATA)
#: the column whose use by a fuel's customers the 15 % condition divides by
FUEL_USE = {ELECTRICITY: "electricity_kwh", GAS: "gas_kwh"}
_RESIDENT_COLUMNS = frozenset({"population", "households", "housing_units",
                               "median_household_income", "per_capita_income", "renter_share",
                               "poverty_rate"})
#: indicators whose district values add up to a meaningful city total
_ADDITIVE_INDICATORS = frozenset({"population", "electricity_kwh", "gas_kwh", "emissions_t_co2",
                                  "emissions_electricity_t_co2", "emissions_gas_t_co2"})
#: a plan's district figures (core.plan.results.district_table) and their units; a column
#: ``<intervention>_units`` (units installed) is one too
PLAN_FIGURES: dict[str, str] = {"spend_usd": "{currency}", "abatement_t_co2_per_yr": "t CO2/yr",
                                "bill_savings_usd_per_yr": "{currency}/yr"}
PLAN_UNITS_SUFFIX = "_units"


@dataclass(frozen=True)
class Figure:
    """A publishable district figure: ``bases`` it rests on, whether it is ``additive``
    (a sum over districts is a total of the same quantity), its ``unit``."""

    key: str
    bases: frozenset[str]
    additive: bool
    unit: str = ""

    def __post_init__(self):
        unknown = sorted(set(self.bases) - set(BASES))
        if unknown:
            raise InputError(f"figure {self.key!r}: unknown basis {', '.join(unknown)}; the "
                             f"bases are {', '.join(BASES)}")


def bases_of_columns(columns: Iterable[str]) -> frozenset[str]:
    """The bases of a figure that reads ``columns`` (canonical names)."""
    out = set()
    for c in columns:
        if c.startswith("electricity_kwh") or c.endswith("electricity_kwh"):
            out.add(ELECTRICITY)
        elif c.startswith("gas_kwh") or c.endswith("gas_kwh"):
            out.add(GAS)
        elif c in _RESIDENT_COLUMNS:
            out.add(RESIDENTS)
    return frozenset(out)


def _indicator_figure(ind: indicators.Indicator, currency: str) -> Figure:
    return Figure(ind.key, bases_of_columns(indicators.uses(ind)),
                  ind.key in _ADDITIVE_INDICATORS, ind.in_currency(currency).unit)


def known(currency: str, extra: Iterable[Figure] = ()) -> dict[str, Figure]:
    """Every figure known by key (indicators, a plan's figures, then ``extra``), money in
    ``currency``."""
    out = {k: _indicator_figure(ind, currency) for k, ind in indicators.INDICATORS.items()}
    every = frozenset(BASES)
    out.update({k: Figure(k, every, True, unit.format(currency=currency))
                for k, unit in PLAN_FIGURES.items()})
    out.update({f.key: f for f in extra})
    return out


def figures_of(columns: Iterable[str], currency: str,
               extra: Iterable[Figure] = ()) -> dict[str, Figure]:
    """The figures of a table's columns (identifiers left out); InputError naming each column
    that is no known figure."""
    registry = known(currency, extra)
    out, unknown = {}, []
    for c in columns:
        if c in IDENTIFIERS:
            continue
        if c in registry:
            out[c] = registry[c]
        elif c.endswith(PLAN_UNITS_SUFFIX):
            out[c] = Figure(c, frozenset(BASES), True, "units installed")
        else:
            unknown.append(str(c))
    if unknown:
        raise InputError(f"unknown figure(s) {', '.join(map(repr, unknown))}: a release must "
                         "know what each figure rests on; give each as a Figure (key, bases "
                         f"among {', '.join(BASES)}, additive, unit) in extra, or leave it out "
                         "of the table")
    return out


def additive(figures: Mapping[str, Figure]) -> list[str]:
    """The keys of the figures whose totals may be published."""
    return [k for k, f in figures.items() if f.additive]


def customer_columns(basis: str) -> tuple[str, str]:
    """(count, largest share) columns of a fuel basis."""
    return cols.CUSTOMERS[basis]
