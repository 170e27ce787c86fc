"""A scenario: one typed, immutable set of choices the optimizer works with.

Its canonical JSON (sorted keys, floats at 10 significant digits, ``name`` and
``description`` left out) hashes to a stable short id: the same numbers give the
same id, on any machine. Budgets are per resident (``budget_usd_per_capita``) so a
scenario file fits any city; the absolute budget is that times the city's population.

Money
-----
A scenario's amounts (budget, prices, carbon price) are in ``currency`` (ISO 4217); a
scenario without one is in the currency of the city it is applied to. The ``usd`` in the
field names is the unit of the default tables. :meth:`Scenario.for_city` puts a scenario
in the city's currency: one stated in USD (the bundled examples) is converted at the
city's ``usd_exchange_rate`` (:mod:`core.intake.reference_values`). The plausibility
limits of ``data/scenario_limits.csv`` are stated in USD and converted the same way: they
catch typing and unit errors (cents for units, MWh for kWh), so a yearly average rate is
precise enough. Energy prices left out (None) are the city's reference prices; a grid
decarbonisation left out follows the city's grid path.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core import i18n, money, paths, reference_tables
from core.assess import carbon, equity
from core.errors import InputError
from core.i18n import N_, Lazy, _, deferred, lazy, lazy_join
from core.intake import documents
from core.intake.reference_values import USD, ReferenceValues

Objective = Literal["min_emissions", "min_cost", "min_burden"]
OBJECTIVES: dict[str, str] = {
    "min_emissions": N_("Minimise emissions"),
    "min_cost": N_("Minimise total cost (bills + carbon + capex)"),
    "min_burden": N_("Minimise energy burden"),
}
SCENARIO_DIR = paths.DATA_DIR / "scenarios"
ID_LENGTH = 12
_NOT_HASHED = ("name", "description")
#: the money fields, converted together when a scenario changes currency
MONEY_FIELDS = ("budget_usd_per_capita", "electricity_usd_per_kwh", "gas_usd_per_kwh",
                "carbon_price_usd_per_t")


#: how each scenario parameter reads on screen and in briefings: (label, unit; ``{cur}`` is the
#: city's currency code)
PARAMETERS = {
    "budget_usd_per_capita": (N_("Budget per resident"), "{cur} per resident"),
    "horizon_year": (N_("Horizon year"), N_("year")),
    "grid_decarbonisation": (N_("Grid decarbonisation by the horizon year"), "%"),
    "electricity_usd_per_kwh": (N_("Electricity price"), "{cur}/kWh"),
    "gas_usd_per_kwh": (N_("Natural gas price"), "{cur}/kWh"),
    "carbon_price_usd_per_t": (N_("Carbon price"), "{cur}/t CO2"),
    "justice40_share": (N_("Minimum spending in disadvantaged districts"), "%"),
    "burden_ceiling": (N_("Energy-burden ceiling"), N_("% of income")),
    "equity_weight": (N_("Equity weight"), N_("weight")),
    "tech_cost_multipliers": (N_("Technology cost multipliers"), N_("x the catalogue's cost")),
    "objective": (N_("Objective"), ""),
    "diminishing_returns": (N_("Diminishing returns"), N_("on / off")),
    "interactions": (N_("Retrofit / heat-pump interaction"), N_("on / off")),
}

@lru_cache(maxsize=1)
def _limits() -> tuple:
    """The allowed range of each scenario number (data/scenario_limits.csv), one named tuple
    per row (read once: every solve checks its scenarios); money rows are stated in the
    currency of their ``currency`` column (USD)."""
    return tuple(reference_tables.table("scenario_limits").fillna({"currency": ""}).itertuples())


def path_decarbonisation(year: int, refs: ReferenceValues) -> float:
    """Share of the base-year grid factor removed by ``year`` on the city's path (0 when the
    base-year factor is already 0)."""
    base = carbon.grid_factor_kg_per_kwh(refs)
    return 1.0 - carbon.grid_factor_kg_per_kwh(refs, year) / base if base > 0 else 0.0


def _limit_problems(values: dict, rate: float | None, currency: str | None) -> list[Lazy]:
    """Every number outside data/scenario_limits.csv's range, as a message read in English
    and shown in the reader's language (core.i18n.lazy: its unit and the table's note too).
    Money rows are converted at ``rate`` units of ``currency`` per USD, and skipped when
    ``rate`` is None."""
    problems = []
    for row in _limits():
        is_money = bool(row.currency)
        if is_money and rate is None:
            continue
        value = values.get(row.field)
        if value is None:
            continue
        factor = rate if is_money else 1.0
        lo, hi = row.min * factor, row.max * factor
        unit = row.unit.replace(row.currency, currency or row.currency) if is_money else row.unit
        pairs = value.items() if isinstance(value, dict) else [(row.field, value)]
        for key, v in pairs:
            if not lo <= v <= hi:
                problems.append(lazy("{key}: {value:,.6g} {unit} is outside {low:,.6g} to "
                                     "{high:,.6g} {unit} ({note})", key=key, value=v,
                                     unit=deferred(i18n.unit, unit), low=lo, high=hi,
                                     note=lazy(row.note)))
    return problems


def not_valid_here(name: str, problems: list[Lazy]) -> Lazy:
    """The message of a scenario whose numbers lie outside the limits for a city, read in
    English and shown in the reader's language (``_(message)``)."""
    return lazy("scenario '{name}' is not valid for this city: {problems}", name=name,
                problems=lazy_join("; ", problems))


class Scenario(BaseModel):
    """What a planner chooses. Shares are 0..1; money in ``currency`` (the city's when
    None); energy prices per kWh (the city's reference prices when None)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = "Custom scenario"
    description: str = ""
    currency: str | None = Field(None, description="ISO 4217 code of the amounts; None = the "
                                                   "currency of the city it is applied to")
    budget_usd_per_capita: float = Field(50.0, ge=0, description="budget per resident")
    horizon_year: int = 2030
    grid_decarbonisation: float | None = Field(
        None, ge=0, le=1, description="share of the grid factor removed by the horizon year; "
                                      "None = the city's grid path")
    electricity_usd_per_kwh: float | None = Field(
        None, gt=0, description="None = the city's reference price")
    gas_usd_per_kwh: float | None = Field(None, gt=0,
                                          description="None = the city's reference price")
    carbon_price_usd_per_t: float = Field(0.0, ge=0)
    justice40_share: float = Field(0.0, ge=0, le=1,
                                   description="minimum share of spending in disadvantaged districts")
    burden_ceiling: float | None = Field(None, gt=0, lt=1,
                                         description="maximum energy burden after measures (share of income)")
    equity_weight: float = Field(0.0, ge=0, description="extra weight on benefits in disadvantaged districts")
    tech_cost_multipliers: dict[str, float] = Field(default_factory=dict)
    objective: Objective = "min_emissions"
    diminishing_returns: bool = False
    interactions: bool = False

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, v: str | None) -> str | None:
        if v is not None and (why := money.currency_problem(v)):
            raise ValueError(why)
        return v

    @field_validator("tech_cost_multipliers")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: m for k, m in v.items() if not m > 0}
        if bad:
            raise ValueError(f"cost multipliers must be > 0, got {bad}")
        return v

    @model_validator(mode="after")
    def _within_limits(self) -> Scenario:
        """Every number inside data/scenario_limits.csv's range (typing and unit errors); money
        only when it is in USD, the limits' currency (:meth:`for_city` checks the rest)."""
        problems = _limit_problems(dict(self), 1.0 if self.currency == USD else None, USD)
        if problems:
            raise ValueError(_(lazy_join("; ", problems)))
        return self

    @property
    def linear(self) -> bool:
        """True when the problem is a plain LP (no interactions); HiGHS can check it."""
        return not self.interactions

    def for_city(self, refs: ReferenceValues) -> Scenario:
        """This scenario in the city's currency, its money within the limits converted to that
        currency (raises InputError saying what to change). A scenario in USD is converted at
        the city's exchange rate; one in another currency than the city's cannot be."""
        city = refs.currency
        if self.currency not in (None, city, USD):
            raise InputError(_("the scenario's amounts are in {currency} and the city's in "
                               "{city}; write them in {city} (or in USD, converted at the "
                               "city's usd_exchange_rate)").format(currency=self.currency,
                                                                   city=city))
        sc = self
        if self.currency == USD and city != USD:
            rate = refs.usd_rate
            sc = self.replace(currency=city, **{f: getattr(self, f) * rate for f in MONEY_FIELDS
                                               if getattr(self, f) is not None})
        elif self.currency is None:
            sc = self.replace(currency=city)
        problems = _limit_problems(dict(sc), refs.usd_rate, city)
        if problems:
            raise InputError(_(not_valid_here(self.name, problems)))
        return sc

    def prices(self, refs: ReferenceValues) -> equity.Prices:
        """The scenario's energy prices (currency/kWh), the city's where it gives none."""
        ref = equity.Prices.of(refs)
        return equity.Prices(
            ref.electricity_usd_per_kwh if self.electricity_usd_per_kwh is None
            else self.electricity_usd_per_kwh,
            ref.gas_usd_per_kwh if self.gas_usd_per_kwh is None else self.gas_usd_per_kwh)

    def effective_grid_decarbonisation(self, refs: ReferenceValues) -> float:
        """The chosen share, or the city's path's share at the horizon year."""
        if self.grid_decarbonisation is None:
            return path_decarbonisation(self.horizon_year, refs)
        return self.grid_decarbonisation

    def grid_kg_per_kwh(self, refs: ReferenceValues) -> float:
        """The grid factor (kg CO2/kWh) at the horizon year under this scenario."""
        return (carbon.grid_factor_kg_per_kwh(refs)
                * (1.0 - self.effective_grid_decarbonisation(refs)))

    def budget_usd(self, population: float) -> float:
        """The absolute budget, in the scenario's currency."""
        return self.budget_usd_per_capita * float(population)

    def canonical_json(self) -> str:
        return json.dumps(_canonical(self.model_dump(exclude=set(_NOT_HASHED))),
                          sort_keys=True, separators=(",", ":"))

    @property
    def id(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:ID_LENGTH]

    def to_json(self) -> str:
        return json.dumps(_canonical(self.model_dump()), sort_keys=True, indent=2)

    def save(self, path: str | Path) -> Path:
        p = Path(path)
        p.write_text(self.to_json() + "\n", encoding="utf-8")
        return p

    def replace(self, **changes) -> Scenario:
        """A validated copy with some fields changed."""
        return from_dict({**self.model_dump(), **changes})


def _canonical(value):
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def from_dict(data: dict, where: str = "scenario") -> Scenario:
    """Validate a mapping; errors name each bad field and what it needs."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a JSON object with scenario fields")
    try:
        return Scenario(**data)
    except ValidationError as exc:
        lines = [(f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "")
                 + e["msg"].removeprefix("Value error, ") for e in exc.errors()]
        raise InputError(_("{where} is not a valid scenario: {problems}").format(
            where=where, problems="; ".join(lines))) from None


def load(path: str | Path) -> Scenario:
    """Read a scenario JSON file (raises InputError with a message saying what to fix).

    Size and nesting limits apply before parsing (``GREENPRINT_SCENARIO_MAX_KB``,
    ``GREENPRINT_SCENARIO_MAX_DEPTH``)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"scenario file not found: {p}")
    return from_dict(documents.read(p), p.name)


def loads(data: str | bytes, name: str = "scenario.json") -> Scenario:
    """A scenario from uploaded JSON text, within the same limits as :func:`load`."""
    return from_dict(documents.parse(data, name, "json"), name)


def bundled() -> dict[str, Scenario]:
    """The example scenarios in data/scenarios, by file stem."""
    return {p.stem: load(p) for p in sorted(SCENARIO_DIR.glob("*.json"))}
