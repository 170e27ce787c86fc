"""The data dictionary of a published table: one row per column with its meaning, unit,
source and licence, from the indicator definitions (:mod:`core.assess.indicators`), the
canonical columns (:mod:`core.intake.columns`), a plan's figures and the city's source and
lineage. Every download of the public portal carries one (:mod:`core.release.package`).

A column the dictionary cannot describe is an error that names it: a published file never
has an undocumented column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from core.assess import indicators
from core.errors import InputError
from core.intake import columns as cols
from core.intake.city import City
from core.settings import get_settings

COLUMNS = ("column", "meaning", "unit", "source", "licence")
GREENPRINT = "Greenprint (computed from the city's data; method on the Methods & sources page)"
#: a published table's own columns, beside the indicators and canonical columns
_OWN: dict[str, tuple[str, str]] = {
    indicators.DATA: ("what the district's figures rest on: observed, predicted (the energy "
                      "model's value, with the columns it predicted) or no data", ""),
    "geometry": ("the district's boundary (polygons, WGS 84 longitude/latitude, EPSG:4326)",
                 "degrees"),
    "withheld_figures": ("the columns of this row that the release rule withholds (left blank); "
                         "why, in the release note", ""),
    "spend_usd": ("money the plan spends in the district", "{currency}"),
    "abatement_t_co2_per_yr": ("emissions the plan avoids in the district each year",
                               "t CO2/yr"),
    "bill_savings_usd_per_yr": ("energy bills the plan saves the district's households each "
                                "year", "{currency}/yr"),
}
UNITS_SUFFIX = "_units"


def licence(city: City) -> str:
    """The licence the data is published under: GREENPRINT_DATA_LICENCE, else the terms of
    the city's data source."""
    given = get_settings().data_licence
    return given or f"the terms of use of the data's source ({city.source})"


def _lineage(city: City, column: str) -> list[str]:
    """The lineage entries (changes made on the way in) about ``column``: those headed by it
    ("name: no name column") or whose first word after the head is it ("units: gas_kwh
    converted from therm")."""
    about = re.compile(rf"^(?:\w+: )?{re.escape(column)}\b")
    return [e for e in city.lineage if about.match(e)]


def _source(city: City, column: str, computed: bool) -> str:
    text = (f"{GREENPRINT}; data: {city.source}" if computed else city.source)
    if steps := _lineage(city, column):
        text += "; lineage: " + "; ".join(steps)
    return text


def _describe(column: str, city: City, currency: str,
              interventions: Mapping[str, str]) -> tuple[str, str, bool] | None:
    """(meaning, unit, computed by Greenprint) of ``column``, or None when unknown."""
    if column in indicators.INDICATORS and column not in cols.CANONICAL:
        ind = indicators.INDICATORS[column].in_currency(currency)
        meaning = ind.label + (f": {ind.description}" if ind.description else "")
        if ind.categories:
            meaning += f" (0 = {ind.categories[0]}, 1 = {ind.categories[1]})"
        return meaning, ind.unit, True
    if column in cols.CANONICAL:
        c = cols.CANONICAL[column]
        unit = currency + "/yr" if c.unit == "currency/yr" else c.unit
        if column in indicators.INDICATORS:  # an indicator shown in its own unit (% for shares)
            unit = indicators.INDICATORS[column].in_currency(currency).unit
        return f"{c.label}: {c.description}", unit, False
    if column in _OWN:
        meaning, unit = _OWN[column]
        return meaning, unit.format(currency=currency), column not in (indicators.DATA,
                                                                       "geometry")
    if column.endswith(UNITS_SUFFIX) and column[:-len(UNITS_SUFFIX)] in interventions:
        return (f"units of {interventions[column[:-len(UNITS_SUFFIX)]]} the plan installs in "
                "the district", "units", True)
    return None


def dictionary(columns: Iterable[str], city: City, *, currency: str | None = None,
               interventions: Mapping[str, str] | None = None,
               renamed: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The data dictionary of a table with ``columns`` about ``city``: column, meaning, unit,
    source, licence. Money is in ``currency`` (default: the city's); ``interventions`` (key
    -> label) names a plan's ``<key>_units`` columns; ``renamed`` maps a column as the file
    names it to the name it is described under (``spend_gbp`` -> ``spend_usd``).

    Raises InputError naming each column it cannot describe."""
    currency = currency or city.references.currency
    renamed = renamed or {}
    terms = licence(city)
    rows, unknown = [], []
    for column in columns:
        described = _describe(renamed.get(column, column), city, currency, interventions or {})
        if described is None:
            unknown.append(str(column))
            continue
        meaning, unit, computed = described
        rows.append({"column": column, "meaning": meaning, "unit": unit,
                     "source": _source(city, renamed.get(column, column), computed),
                     "licence": terms})
    if unknown:
        raise InputError(f"the data dictionary has no entry for {', '.join(map(repr, unknown))}: "
                         "describe each column of a published table (core.assess.dictionary)")
    return pd.DataFrame(rows, columns=list(COLUMNS))
