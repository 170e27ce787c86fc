"""A scenario: one typed, immutable set of choices the optimizer works with.

Its canonical JSON (sorted keys, floats at 10 significant digits, ``name`` and
``description`` left out) hashes to a stable short id: the same numbers give the
same id, on any machine. Budgets are per resident (``budget_usd_per_capita``) so a
scenario file fits any city; the absolute budget is that times the city's population.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core import paths, reference_tables
from core.assess import carbon, equity
from core.errors import InputError
from core.intake import documents

Objective = Literal["min_emissions", "min_cost", "min_burden"]
OBJECTIVES: dict[str, str] = {
    "min_emissions": "Minimise emissions",
    "min_cost": "Minimise total cost (bills + carbon + capex)",
    "min_burden": "Minimise energy burden",
}
SCENARIO_DIR = paths.DATA_DIR / "scenarios"
ID_LENGTH = 12
_NOT_HASHED = ("name", "description")


@lru_cache(maxsize=1)
def _limits():
    """The allowed range of each scenario number (data/scenario_limits.csv)."""
    return reference_tables.table("scenario_limits")


def path_decarbonisation(year: int) -> float:
    """Share of the base-year grid factor removed by ``year`` on the sourced path."""
    return 1.0 - carbon.grid_factor_kg_per_kwh(year) / carbon.grid_factor_kg_per_kwh(carbon.BASE_YEAR)


class Scenario(BaseModel):
    """What a planner chooses. Shares are 0..1; money in USD; energy prices in USD/kWh."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    name: str = "Custom scenario"
    description: str = ""
    budget_usd_per_capita: float = Field(50.0, ge=0, description="budget per resident (USD)")
    horizon_year: int = Field(2030, ge=carbon.BASE_YEAR, le=2100)
    grid_decarbonisation: float | None = Field(
        None, ge=0, le=1, description="share of the grid factor removed by the horizon year; "
                                      "None = the sourced path (data/emission_factors.csv)")
    electricity_usd_per_kwh: float = Field(
        default_factory=lambda: equity.Prices.reference().electricity_usd_per_kwh, gt=0)
    gas_usd_per_kwh: float = Field(default_factory=lambda: equity.Prices.reference().gas_usd_per_kwh, gt=0)
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

    @field_validator("tech_cost_multipliers")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: m for k, m in v.items() if not m > 0}
        if bad:
            raise ValueError(f"cost multipliers must be > 0, got {bad}")
        return v

    @model_validator(mode="after")
    def _within_limits(self) -> Scenario:
        """Every number inside data/scenario_limits.csv's range (typing and unit errors)."""
        problems = []
        for row in _limits().itertuples():
            value = getattr(self, row.field)
            values = value.items() if isinstance(value, dict) else [(row.field, value)]
            for key, v in values:
                if not row.min <= v <= row.max:
                    problems.append(f"{key}: {v:,.6g} {row.unit} is outside {row.min:,.6g} to "
                                    f"{row.max:,.6g} {row.unit} ({row.note})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def linear(self) -> bool:
        """True when the problem is a plain LP (no interactions); HiGHS can check it."""
        return not self.interactions

    def prices(self) -> equity.Prices:
        return equity.Prices(self.electricity_usd_per_kwh, self.gas_usd_per_kwh)

    @property
    def effective_grid_decarbonisation(self) -> float:
        """The chosen share, or the sourced path's share at the horizon year."""
        if self.grid_decarbonisation is None:
            return path_decarbonisation(self.horizon_year)
        return self.grid_decarbonisation

    def grid_kg_per_kwh(self) -> float:
        return carbon.grid_factor_kg_per_kwh(carbon.BASE_YEAR) * (1.0 - self.effective_grid_decarbonisation)

    def budget_usd(self, population: float) -> float:
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
        raise InputError(f"{where} is not a valid scenario: " + "; ".join(lines)) from None


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
