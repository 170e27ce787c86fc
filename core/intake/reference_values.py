"""A city's reference values: its currency, grid and gas emission factors, energy prices,
equity thresholds and intervention costs, each with its source.

Defaults
--------
Without a file, a city uses the sourced US tables: the grid path and the gas factor of
``data/emission_factors.csv``, the prices of ``data/energy_prices.csv`` (US dollars), the
thresholds of ``data/equity_thresholds.csv`` and the costs of ``data/interventions.csv``.

A city's own values
-------------------
A city elsewhere gives its own in a small CSV file, one row per value, with the columns
``name, value, unit, source`` (``data/examples/references_uk.csv`` is a real example)::

    name,value,unit,source
    currency,GBP,ISO 4217,"Pound sterling"
    usd_exchange_rate,0.8039,GBP per US dollar,"US Federal Reserve, G.5A: 2023 average"
    grid_factor_2023,0.20707,kg CO2e/kWh,"DESNZ, conversion factors 2023"
    grid_factor_2035,0,kg CO2e/kWh,"HM Government, Net Zero Strategy (2021)"
    electricity_price,0.2486,GBP/kWh,"Ofgem, price cap January-March 2025"

The names:

* ``currency`` (ISO 4217 code in use today, unit ``ISO 4217``): the currency of every
  amount, the city's income columns included;
* ``usd_exchange_rate`` (units of the currency per US dollar, unit ``GBP per US dollar``):
  needed for any currency but the US dollar. Scenario limits stated in US dollars
  (``data/scenario_limits.csv``) and the bundled example scenarios are converted with it,
  and so are the default prices and costs a file does not give (their source then says
  so: a US figure converted, to be replaced by the city's own);
* ``grid_factor_<year>`` (kg CO2/kWh; also g/kWh, t/MWh, lb/MWh, and the CO2e variants):
  the grid's path, linear between the given years and flat outside them; a file that
  gives any year replaces the whole default path. The first year is the base year, whose
  factor the city's present emissions use;
* ``gas_factor`` (kg CO2/kWh, or per therm);
* ``electricity_price``, ``gas_price`` (currency per kWh, MWh or therm): what households
  pay per unit (standing charges left out);
* ``burden_high``, ``burden_severe`` (share of income, or %), ``dac_burden_percentile``,
  ``dac_low_income_percentile`` (percentile), ``justice40_share`` (share of benefits);
* ``cost_<intervention>`` (currency per unit of ``data/interventions.csv``, e.g.
  ``GBP per housing unit`` for ``cost_heat_pump``).

A factor given in CO2e counts as CO2 (it then includes methane and nitrous oxide; every
figure is labelled t CO2). A file overrides only what it gives; every value must have a
source. Unknown names, wrong units, negative prices, blank sources, a grid factor not named
by year and an unknown currency are refused with a message that says what to fix. The Data
page shows the values in use with their sources and accepts edits or an upload; the
command line takes ``--references FILE``. A city saved with ``validate --write`` keeps
them.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from core import i18n, money, reference_tables
from core.errors import InputError
from core.intake import documents, readers
from core.intake.units import KWH_PER_THERM

COLUMNS = ("name", "value", "unit", "source")
DEFAULT = i18n.N_("default")  # origin of a value of the US tables
CONVERTED = i18n.N_("converted")  # origin of a US money default converted at the exchange rate
USD = "USD"
CURRENCY = "currency"
RATE = "usd_exchange_rate"
GRID_PREFIX = "grid_factor_"
GAS_FACTOR = "gas_factor"
ELECTRICITY_PRICE = "electricity_price"
GAS_PRICE = "gas_price"
COST_PREFIX = "cost_"
#: the equity thresholds a city may set, with their unit
THRESHOLDS: dict[str, str] = {
    "burden_high": "share of income", "burden_severe": "share of income",
    "dac_burden_percentile": "percentile", "dac_low_income_percentile": "percentile",
    "justice40_share": "share of benefits",
}
YEARS = (1990, 2100)  # a grid factor's year must lie in this range (a typing check)
KG_PER_LB = 0.45359237  # exact (NIST SP 811, B.8)
#: accepted emission-factor units -> factor to kg CO2/kWh
EMISSION_UNITS: dict[str, float] = {
    "kg CO2/kWh": 1.0, "kg CO2e/kWh": 1.0, "g CO2/kWh": 1e-3, "g CO2e/kWh": 1e-3,
    "t CO2/MWh": 1.0, "t CO2e/MWh": 1.0, "kg CO2/MWh": 1e-3, "kg CO2e/MWh": 1e-3,
    "lb CO2/MWh": KG_PER_LB / 1000, "kg CO2/therm": 1 / KWH_PER_THERM,
    "kg CO2e/therm": 1 / KWH_PER_THERM,
}
EMISSION_UNIT = "kg CO2/kWh"
SHARE_UNITS = {"share": 1.0, "%": 0.01, "percent": 0.01}


@dataclass(frozen=True)
class Reference:
    """One reference value in canonical units, where it comes from and how it was given."""

    name: str
    value: float | str  # the currency code for ``currency``, else a number
    unit: str  # canonical unit, e.g. "kg CO2/kWh", "GBP/kWh", "GBP per housing unit"
    source: str
    origin: str  # DEFAULT, CONVERTED, or what gave it (a file's name, "the Data page")
    given: str = ""  # the value and unit as written, when they were converted

    @property
    def text(self) -> str:
        """The value as the table shows it (numbers at up to 6 significant digits)."""
        return self.value if isinstance(self.value, str) else f"{self.value:.6g}"

    @property
    def user_given(self) -> bool:
        return self.origin not in (DEFAULT, CONVERTED)


# --------------------------------------------------------------------------- the catalogue

@lru_cache(maxsize=1)
def _catalogue_units() -> dict[str, tuple[str, float, str]]:
    """Intervention key -> (unit, default cost in USD, source) of data/interventions.csv."""
    t = reference_tables.table("interventions")
    return {r.intervention: (r.unit, float(r.cost_usd_per_unit), r.source) for r in t.itertuples()}


def known_names() -> list[str]:
    """Every name a reference file may use (grid factors as ``grid_factor_<year>``)."""
    return [CURRENCY, RATE, f"{GRID_PREFIX}<year>", GAS_FACTOR, ELECTRICITY_PRICE, GAS_PRICE,
            *THRESHOLDS, *(COST_PREFIX + k for k in _catalogue_units())]


# --------------------------------------------------------------------------- the values

@dataclass(frozen=True)
class ReferenceValues:
    """Every reference value in force for a city, by name (see the module docstring)."""

    entries: tuple[Reference, ...]

    @cached_property
    def _by_name(self) -> dict[str, Reference]:
        return {e.name: e for e in self.entries}

    def __getitem__(self, name: str) -> Reference:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def currency(self) -> str:
        return str(self[CURRENCY].value)

    @property
    def usd_rate(self) -> float:
        """Units of the city's currency per US dollar (1 for USD)."""
        return 1.0 if self.currency == USD else float(self[RATE].value)

    @cached_property
    def grid_path(self) -> tuple[tuple[int, float], ...]:
        """(year, kg CO2/kWh) of the grid's path, by year."""
        return tuple(sorted((int(e.name.removeprefix(GRID_PREFIX)), float(e.value))
                            for e in self.entries if e.name.startswith(GRID_PREFIX)))

    @property
    def base_year(self) -> int:
        """The first year of the grid path: present emissions use its factor."""
        return self.grid_path[0][0]

    def grid_factor(self, year: int | None = None) -> float:
        """Grid factor (kg CO2/kWh) in ``year`` (the base year when None), linear along the
        path and flat outside it."""
        years, factors = zip(*self.grid_path, strict=True)
        return float(np.interp(self.base_year if year is None else year, years, factors))

    @property
    def grid_source(self) -> str:
        """The source of the base year's grid factor."""
        return self[f"{GRID_PREFIX}{self.base_year}"].source

    @property
    def gas_factor(self) -> float:
        """kg CO2 per kWh of natural gas."""
        return float(self[GAS_FACTOR].value)

    @property
    def electricity_price(self) -> float:
        """Household electricity price, currency per kWh."""
        return float(self[ELECTRICITY_PRICE].value)

    @property
    def gas_price(self) -> float:
        """Household gas price, currency per kWh."""
        return float(self[GAS_PRICE].value)

    def threshold(self, name: str) -> float:
        """One of :data:`THRESHOLDS` (share or percentile)."""
        if name not in THRESHOLDS:
            raise KeyError(f"'{name}' is not a city's equity threshold; use one of {list(THRESHOLDS)}")
        return float(self[name].value)

    def cost(self, intervention: str) -> float:
        """Cost of one unit of an intervention, in the city's currency."""
        return float(self[COST_PREFIX + intervention].value)

    @property
    def given(self) -> tuple[Reference, ...]:
        """The values the city gave (not the defaults, nor converted defaults)."""
        return tuple(e for e in self.entries if e.user_given)

    @property
    def converted(self) -> tuple[Reference, ...]:
        return tuple(e for e in self.entries if e.origin == CONVERTED)

    @property
    def is_default(self) -> bool:
        return not self.given

    @cached_property
    def key(self) -> str:
        """12 hex digits that change with any value, unit, source or origin (for caches)."""
        text = json.dumps([asdict(e) for e in self.entries], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def frame(self) -> pd.DataFrame:
        """One row per value: name, value (text), unit, source, origin."""
        return pd.DataFrame([{"name": e.name, "value": e.text, "unit": e.unit, "source": e.source,
                              "origin": e.origin} for e in self.entries],
                            columns=[*COLUMNS, "origin"])

    def to_csv(self) -> str:
        """The values in the format :func:`read` accepts (a file a planner can edit)."""
        return self.frame()[list(COLUMNS)].to_csv(index=False)

    def saved(self) -> list[dict]:
        """The given values, to store with a saved city (:func:`from_saved` reads them)."""
        return [{"name": e.name, "value": e.value, "unit": e.unit, "source": e.source,
                 "origin": e.origin, "given": e.given} for e in self.given]

    def describe(self) -> str:
        """One line for the lineage: what was given, the currency, what was converted."""
        if self.is_default:
            return "reference values: the US defaults (data/*.csv tables)"
        origins = ", ".join(dict.fromkeys(e.origin for e in self.given))
        text = (f"reference values: {len(self.given)} given ({origins}); currency "
                f"{self.currency}")
        if self.converted:
            text += (f"; {len(self.converted)} US default(s) converted at {self.usd_rate:g} "
                     f"{self.currency} per US dollar ({', '.join(e.name for e in self.converted)})")
        return text

    def summary(self) -> str:
        """One line for every page: currency, base-year grid factor with its source, prices."""
        return (i18n._("currency {currency} ({name}); grid factor "
                "{grid_factor:.4g} kg CO2/kWh in {base_year} (source: "
                "{grid_source}); prices {amount}"
                "/kWh electricity, {amount2}/kWh gas").format(
                    currency=self.currency, name=money.name(self.currency),
                    grid_factor=self.grid_factor(), base_year=self.base_year,
                    grid_source=self.grid_source,
                    amount=money.amount(self.electricity_price, self.currency, 4),
                    amount2=money.amount(self.gas_price, self.currency, 4)))

    def sources(self) -> dict[str, str]:
        """Name -> source of every value."""
        return {e.name: e.source for e in self.entries}


# --------------------------------------------------------------------------- defaults

@lru_cache(maxsize=1)
def defaults() -> ReferenceValues:
    """The sourced US tables as reference values (read once per process)."""
    out = [Reference(CURRENCY, USD, "ISO 4217",
                     "US dollar: the currency of the default tables (data/energy_prices.csv, "
                     "data/interventions.csv)", DEFAULT)]
    ef = reference_tables.table("emission_factors")
    for r in ef[ef["fuel"] == "electricity"].sort_values("year").itertuples():
        out.append(Reference(f"{GRID_PREFIX}{int(r.year)}", float(r.kg_co2_per_kwh), EMISSION_UNIT,
                             r.source, DEFAULT))
    gas = ef[ef["fuel"] == "natural_gas"].iloc[0]
    out.append(Reference(GAS_FACTOR, float(gas["kg_co2_per_kwh"]), EMISSION_UNIT,
                         gas["source"], DEFAULT))
    prices = reference_tables.table("energy_prices").set_index("fuel")
    for name, fuel in ((ELECTRICITY_PRICE, "electricity"), (GAS_PRICE, "natural_gas")):
        out.append(Reference(name, float(prices.loc[fuel, "usd_per_kwh"]), money.per(USD, "kWh"),
                             prices.loc[fuel, "source"], DEFAULT))
    thresholds = reference_tables.table("equity_thresholds").set_index("name")
    for name, unit in THRESHOLDS.items():
        out.append(Reference(name, float(thresholds.loc[name, "value"]), unit,
                             thresholds.loc[name, "source"], DEFAULT))
    for key, (unit, cost, source) in _catalogue_units().items():
        out.append(Reference(COST_PREFIX + key, cost, f"{USD} per {unit}", source, DEFAULT))
    return ReferenceValues(tuple(out))


# --------------------------------------------------------------------------- reading

def read(path: str | Path) -> ReferenceValues:
    """The reference values of a CSV file over the defaults (raises InputError listing every
    problem, each with what to fix)."""
    p = Path(path)
    if not p.exists():
        raise InputError(i18n.lazy("reference values file not found: {path}", path=str(p)))
    return loads(p.read_bytes(), p.name)


def loads(data: bytes | str, name: str = "references.csv") -> ReferenceValues:
    """:func:`read` for uploaded bytes or text."""
    raw = data.encode() if isinstance(data, str) else data
    documents.check_size(len(raw), name)
    text, _, _ = readers.decode_text(raw, name)
    return overlay(defaults(), _rows(text, name), name, first_line=2)


def _rows(text: str, name: str) -> list[dict]:
    """The rows of a reference CSV (delimiter , ; or tab, read from the header line)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(i18n.lazy("'{name}' is empty; a reference file has the columns "
                                   "{columns} and one row per value", name=name,
                                   columns=", ".join(COLUMNS)))
    header = lines[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    head = [h.strip().lower() for h in next(reader)]
    named = [i for i, h in enumerate(head) if h]  # spreadsheets add empty columns at the end
    missing = [c for c in COLUMNS if c not in head]
    extra = [head[i] for i in named if head[i] not in COLUMNS]
    if missing or extra:
        found = i18n.lazy_join("; ", [part for part in (
            i18n.lazy("missing: {columns}", columns=", ".join(missing)) if missing else "",
            i18n.lazy("unknown: {columns}", columns=", ".join(extra)) if extra else "") if part])
        raise InputError(i18n.lazy("'{name}' must have exactly the columns {columns} (one row "
                                   "per value); {found}", name=name, columns=", ".join(COLUMNS),
                                   found=found))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(head):
            raise InputError(i18n.lazy(
                "'{name}', line {line}: {n} fields where the header has {header}; put a source "
                "that contains '{delimiter}' in double quotes, e.g. \"Ofgem, price cap\"",
                name=name, line=number, n=len(cells), header=len(head), delimiter=delimiter))
        if any(cells[i].strip() for i in range(len(head)) if i not in named):
            raise InputError(i18n.lazy("'{name}', line {line}: a value in a column without a "
                                       "name; keep the columns {columns}", name=name,
                                       line=number, columns=", ".join(COLUMNS)))
        rows.append({head[i]: cells[i].strip() for i in named})
    if not rows:
        raise InputError(i18n.lazy("'{name}' has a header but no values; add one row per value",
                                   name=name))
    return rows


def from_saved(records: object) -> ReferenceValues:
    """The reference values a saved city stored (:meth:`ReferenceValues.saved`) over the
    defaults; the defaults when it stored none (raises InputError when they are no longer
    valid, e.g. a catalogue entry was removed)."""
    if not records:
        return defaults()
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        raise InputError(i18n.lazy("the saved city's reference values are not readable; give "
                                   "the city its reference values again"))
    rows = [{c: str(r.get(c, "")) for c in (*COLUMNS, "origin", "given")} for r in records]
    return overlay(defaults(), rows, "the saved city", row_origins=True)


# --------------------------------------------------------------------------- checking

def overlay(base: ReferenceValues, rows: Iterable[Mapping[str, object]], origin: str,
            first_line: int = 1, row_origins: bool = False) -> ReferenceValues:
    """``base`` with ``rows`` (name, value, unit, source; optionally origin) in force.

    The rows are the whole statement: a value they leave out comes from the defaults. A row
    identical to a value of ``base`` (value, unit and source) keeps it as it was: a default
    (or a default converted) is made again from the defaults, in the currency in force; a
    value given earlier keeps its origin. Any other row is given by ``origin`` (with
    ``row_origins``: by each row's own ``origin``, for a saved city's values); given grid
    factors replace the whole path. Raises InputError listing every problem, each with its
    line (row numbers start at ``first_line``) and what to fix."""
    rows = list(rows)
    problems: list[str] = []
    currency = _currency(base, rows, problems, first_line)
    shown = {e.name: (e.text, e.unit, e.source) for e in base.entries if not e.user_given}
    given: dict[str, Reference] = {}
    for i, row in enumerate(rows):
        if shown.get(str(row.get("name") or "").strip()) == _as_shown(row):
            continue  # a default (or converted default) shown back as it was: made again below
        where = _where(i, first_line)
        given_by = str(row.get("origin") or "").strip() if row_origins else ""
        ref = _reference(row, currency, where, given_by or origin, problems)
        if ref is None:
            continue
        if row_origins and str(row.get("given") or ""):  # a saved value as first written
            ref = replace(ref, given=str(row["given"]))
        if ref.name in given:
            problems.append(f"{where}: '{ref.name}' is given twice; keep one row")
            continue
        kept = base[ref.name] if ref.name in base else None
        if kept is not None and _same(kept, ref) and kept.source == ref.source:
            if kept.user_given:  # shown back unchanged: it keeps where it came from
                given[ref.name] = kept
            continue  # a default (or converted default) shown back: made again below
        if kept is not None and ref.source == kept.source:
            problems.append(f"{where}: {ref.name} changed but its source is still the one of "
                            "the value before; say where the new value comes from")
            continue
        given[ref.name] = ref
    values = _assemble(given, currency, problems)
    if problems:
        raise InputError("the reference values are not valid:\n" + "\n".join(
            f"- {p}" for p in problems))
    return values


def _as_shown(row: Mapping[str, object]) -> tuple[str, str, str]:
    """A row's value, unit and source as the table shows them (blanks collapsed)."""
    return tuple(" ".join(str(row.get(c) if row.get(c) is not None else "").split())
                 for c in ("value", "unit", "source"))


def _where(i: int, first_line: int) -> str:
    """Where row ``i`` is: a file's line (the header is line 1) or a table's row."""
    return f"line {i + first_line}" if first_line > 1 else f"row {i + first_line}"


def _same(a: Reference, b: Reference) -> bool:
    """Equal value and unit (numbers to the 6 significant digits the table shows)."""
    if isinstance(a.value, str) or isinstance(b.value, str):
        return a.value == b.value and a.unit == b.unit
    return math.isclose(float(a.value), float(b.value), rel_tol=1e-5) and a.unit == b.unit


def _currency(base: ReferenceValues, rows: list[Mapping], problems: list[str],
              first_line: int) -> str:
    """The currency the rows give (checked), else the base's."""
    for i, row in enumerate(rows):
        if str(row.get("name", "")).strip() == CURRENCY:
            code = str(row.get("value", "")).strip()
            if why := money.currency_problem(code):
                problems.append(f"{_where(i, first_line)} (currency): {why}")
                return base.currency
            return code
    return base.currency


def _is_money(name: str) -> bool:
    return name in (ELECTRICITY_PRICE, GAS_PRICE) or name.startswith(COST_PREFIX)


def _reference(row: Mapping[str, object], currency: str, where: str, origin: str,
               problems: list[str]) -> Reference | None:
    """One row checked and in canonical units (None, with its problems noted, when not)."""
    name = str(row.get("name") or "").strip()
    value = str(row.get("value") if row.get("value") is not None else "").strip()
    unit = " ".join(str(row.get("unit") or "").split())
    source = " ".join(str(row.get("source") or "").split())
    if not name:
        problems.append(f"{where}: no name; give one of {', '.join(known_names())}")
        return None
    where = f"{where} ({name})"
    units = _accepted_units(name, currency, where, problems)
    if units is None:
        return None
    errors = []
    if not source or source.lower() in ("nan", "none", "-"):
        errors.append("no source; say where the value comes from (publication, table, year)")
    if name == CURRENCY:
        if unit != "ISO 4217":
            errors.append(f"unit '{unit}' is not accepted; write ISO 4217")
        if errors:
            problems.extend(f"{where}: {e}" for e in errors)
            return None
        return Reference(name, value, unit, source, origin)
    factor = _unit_factor(unit, units)
    if factor is None:
        errors.append(f"unit '{unit}' is not accepted; use {' or '.join(units)}"
                      + _unit_hint(name, unit, currency))
    number = _number(value)
    if number is None:
        errors.append(f"value '{value}' is not a number; write it with a decimal point, e.g. "
                      "0.25")
    elif factor is not None:
        errors.extend(_range_problems(name, number * factor))
    if errors:
        problems.extend(f"{where}: {e}" for e in errors)
        return None
    canonical = _canonical_unit(name, currency)
    converted = number * factor
    given = "" if unit == canonical else f"{value} {unit}"
    return Reference(name, converted, canonical, source, origin, given)


def _accepted_units(name: str, currency: str, where: str,
                    problems: list[str]) -> dict[str, float] | None:
    """The units a name accepts (with their factor to its canonical unit), or None (and a
    problem) when the name is not a reference value."""
    money_units = {money.per(currency, "kWh"): 1.0, money.per(currency, "MWh"): 1e-3,
                   money.per(currency, "therm"): 1 / KWH_PER_THERM}
    if name == CURRENCY:
        return {"ISO 4217": 1.0}
    if name == RATE:
        return {f"{currency} per {USD}": 1.0, _rate_unit(currency): 1.0}
    if name == GAS_FACTOR:
        return EMISSION_UNITS
    if name in (ELECTRICITY_PRICE, GAS_PRICE):
        return money_units
    if name in THRESHOLDS:
        unit = THRESHOLDS[name]
        return {unit: 1.0} if unit == "percentile" else {unit: 1.0, **SHARE_UNITS}
    if name.startswith(GRID_PREFIX) or name == "grid_factor":
        year = name.removeprefix(GRID_PREFIX)
        if not (re.fullmatch(r"\d{4}", year) and YEARS[0] <= int(year) <= YEARS[1]):
            problems.append(f"{where}: the grid path is given by year: name each grid factor "
                            f"grid_factor_<year> with a year from {YEARS[0]} to {YEARS[1]}, "
                            "e.g. grid_factor_2024, one row per year")
            return None
        return EMISSION_UNITS
    if name.startswith(COST_PREFIX) and name.removeprefix(COST_PREFIX) in _catalogue_units():
        per_unit = _catalogue_units()[name.removeprefix(COST_PREFIX)][0]
        return {f"{currency} per {per_unit}": 1.0, f"{currency}/{per_unit}": 1.0}
    close = difflib.get_close_matches(name, known_names(), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    problems.append(f"{where}: not a reference value{hint}; use one of "
                    f"{', '.join(known_names())}")
    return None


def _unit_factor(unit: str, units: Mapping[str, float]) -> float | None:
    key = _normal(unit)
    return next((f for u, f in units.items() if _normal(u) == key), None)


def _normal(unit: str) -> str:
    return unit.replace("₂", "2").replace(" ", "").lower()


def _unit_hint(name: str, unit: str, currency: str) -> str:
    """What a common slip means: minor units (pence, cents), another currency."""
    low = _normal(unit)
    if _is_money(name) and low.startswith(("p/", "pence", "c/", "cents", "ct/")):
        return (f"; amounts are in whole {currency}: 24.86 p/kWh is 0.2486 "
                f"{money.per(currency, 'kWh')}")
    if (_is_money(name) or name == RATE) and not low.startswith(currency.lower()):
        return (f"; amounts are in the file's currency, {currency} (set by the row 'currency', "
                "US dollars when it has none)")
    return ""


def _rate_unit(currency: str) -> str:
    """The exchange rate's unit as shown, e.g. ``GBP per US dollar``."""
    return f"{currency} per US dollar"


def _canonical_unit(name: str, currency: str) -> str:
    if name == RATE:
        return _rate_unit(currency)
    if name == GAS_FACTOR or name.startswith(GRID_PREFIX):
        return EMISSION_UNIT
    if name in (ELECTRICITY_PRICE, GAS_PRICE):
        return money.per(currency, "kWh")
    if name in THRESHOLDS:
        return THRESHOLDS[name]
    return f"{currency} per {_catalogue_units()[name.removeprefix(COST_PREFIX)][0]}"


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _range_problems(name: str, value: float) -> list[str]:
    """What is wrong with a value in canonical units (empty when it is plausible)."""
    if name in (ELECTRICITY_PRICE, GAS_PRICE) or name.startswith(COST_PREFIX) or name == RATE:
        return [] if value > 0 else [f"{value:g} must be above 0 (a price, cost or exchange "
                                     "rate cannot be zero or negative)"]
    if name == GAS_FACTOR or name.startswith(GRID_PREFIX):
        return [] if value >= 0 else [f"{value:g} cannot be negative (an emission factor is 0 "
                                      "or more kg CO2 per kWh)"]
    if THRESHOLDS.get(name) == "percentile":
        return [] if 0 < value <= 100 else [f"{value:g} must be a percentile above 0 and at "
                                            "most 100"]
    return [] if 0 < value <= 1 else [f"{value:g} must be a share above 0 and at most 1 "
                                      "(10 % is 0.10, or give the unit %)"]


def _assemble(given: dict[str, Reference], currency: str,
              problems: list[str]) -> ReferenceValues:
    """The given values, the defaults for the rest (money converted when the currency is
    not USD), in the defaults' order; the cross-checks noted in ``problems``."""
    base = defaults()
    rate = given.get(RATE)
    if currency != USD and rate is None:
        problems.append(f"currency {currency} needs the row usd_exchange_rate ({currency} per "
                        f"USD, with its source): scenario limits stated in USD and the US "
                        "prices and costs you do not give are converted with it")
    if currency == USD and rate is not None:
        problems.append("usd_exchange_rate: the currency is USD, which needs no exchange rate; "
                        "remove the row or give the city's currency")
    for e in given.values():
        if _is_money(e.name) and not e.unit.startswith(currency):
            problems.append(f"{e.name}: given in {e.unit.split()[0].split('/')[0]}, but the "
                            f"currency is {currency}; give it in {currency}")
    grid_given = any(n.startswith(GRID_PREFIX) for n in given)
    out: list[Reference] = []
    for e in base.entries:
        if e.name.startswith(GRID_PREFIX) and grid_given:
            continue
        if e.name == CURRENCY and CURRENCY in given:
            out.append(given[CURRENCY])
        elif e.name in given:
            out.append(given[e.name])
        elif _is_money(e.name) and currency != USD and rate is not None:
            out.append(_converted(e, float(rate.value), currency, rate.source))
        else:
            out.append(e)
        if e.name == CURRENCY and rate is not None:
            out.append(rate)
    grid = sorted((r for n, r in given.items() if n.startswith(GRID_PREFIX)),
                  key=lambda r: r.name)
    if grid:
        at = next(i for i, r in enumerate(out) if r.name == GAS_FACTOR)
        out[at:at] = grid
    values = ReferenceValues(tuple(out))
    if not problems and values.threshold("burden_high") >= values.threshold("burden_severe"):
        problems.append(f"burden_high ({values.threshold('burden_high'):g}) must be below "
                        f"burden_severe ({values.threshold('burden_severe'):g})")
    return values


def _converted(e: Reference, rate: float, currency: str, rate_source: str) -> Reference:
    """A US money default in ``currency`` at ``rate`` units per USD, its source saying so."""
    return replace(e, value=float(e.value) * rate, unit=e.unit.replace(USD, currency, 1),
                   origin=CONVERTED, given=f"{e.text} {e.unit}",
                   source=(f"US default converted at {rate:g} {currency} per US dollar ({rate_source}); "
                           f"replace it with the city's own. US source: {e.source}"))
