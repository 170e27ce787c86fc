"""What the store gives back: a saved city's and a saved scenario's record, and a saved
result's allocation per district (the arrays the Scenario lab's tables are made from)."""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.intake.mapping import ColumnMapping
from core.plan.scenario import Scenario
from core.store import versions

if TYPE_CHECKING:  # the solver's modules import torch: not at start-up (issue 13)
    from core.plan.lab import KpiDelta
    from core.plan.problem import CityContext
    from core.plan.results import Result

#: the per-district, per-intervention quantities a saved result keeps, with their units
QUANTITIES = {"units": "units installed", "spend_usd": "USD",
              "abatement_t_co2_per_yr": "t CO2/yr", "bill_savings_usd_per_yr": "USD/yr"}
_FLOAT_TAG = "$float"


def encode_floats(value):
    """JSON-ready ``value``: a float that JSON cannot hold (NaN, infinities) becomes
    ``{"$float": "nan"}`` (PostgreSQL's JSON refuses bare NaN), numpy scalars plain."""
    if isinstance(value, dict):
        return {k: encode_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_floats(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {_FLOAT_TAG: repr(value)}
    return value


def decode_floats(value):
    """The inverse of :func:`encode_floats`."""
    if isinstance(value, dict):
        if set(value) == {_FLOAT_TAG}:
            return float(value[_FLOAT_TAG])
        return {k: decode_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_floats(v) for v in value]
    return value


@dataclass(frozen=True)
class StoredCity:
    """A saved city's record (its districts come from :meth:`core.store.Store.get_city`)."""

    id: str
    fingerprint: str  # SHA-256 of its content (core.store.fingerprint)
    name: str
    source: str
    illustrative: bool
    n_districts: int
    size_bytes: int  # its files on disk
    created_at: datetime
    deleted_at: datetime | None
    scenarios: int  # saved scenarios of it (not deleted)
    mapping: ColumnMapping | None  # the column mapping it was read with, when given


@dataclass(frozen=True)
class StoredScenario:
    """A saved scenario: its parameters, its result summary and what it was computed with."""

    id: str
    city_id: str
    name: str
    notes: str
    tags: tuple[str, ...]
    scenario: Scenario  # named ``name``
    scenario_hash: str  # Scenario.id when it was saved
    observed_only: bool  # the plan left out the districts whose energy is predicted
    totals: dict  # core.plan.results.Result.totals of the saved result
    kpis: tuple[KpiDelta, ...]  # core.plan.lab.kpis of the saved result
    versions: dict  # core.store.versions.current() when it was saved
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    published: bool  # shown on the public portal, with its briefing
    published_at: datetime | None  # when it was published (None: not published)

    def changes(self) -> list[str]:
        """Why re-solving now may give other figures (empty: same code, tables, libraries)."""
        return versions.changes(self.versions)


def kpis_to_json(kpis: list[KpiDelta]) -> list[dict]:
    return encode_floats([asdict(k) for k in kpis])


def kpis_from_json(data: list[dict]) -> tuple[KpiDelta, ...]:
    from core.plan.lab import KpiDelta  # imports torch: only when a saved scenario is read

    return tuple(KpiDelta(**k) for k in decode_floats(data))


@dataclass(frozen=True)
class Allocation:
    """A saved result per district (rows, in the city's order) and intervention (columns)."""

    district_ids: np.ndarray  # [N] str
    keys: tuple[str, ...]  # [K] intervention keys (data/interventions.csv)
    disadvantaged: np.ndarray  # [N] bool
    units: np.ndarray  # [N, K] units installed
    spend_usd: np.ndarray  # [N, K] USD
    abatement_t_co2_per_yr: np.ndarray  # [N, K]
    bill_savings_usd_per_yr: np.ndarray  # [N, K]

    @classmethod
    def from_result(cls, ctx: CityContext, result: Result, s: int = 0) -> Allocation:
        """Scenario ``s`` of ``result``, solved on ``ctx``."""
        return cls(np.asarray(ctx.district_ids).astype(str), tuple(result.keys),
                   np.asarray(result.dac, dtype=bool), result.units[s], result.spend_usd[s],
                   result.abatement_t[s], result.bill_savings_usd[s])

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per district and intervention, district by district."""
        n, k = self.units.shape
        out = pd.DataFrame({"district_id": np.repeat(self.district_ids, k),
                            "intervention": np.tile(np.asarray(self.keys, dtype=object), n),
                            "disadvantaged": np.repeat(self.disadvantaged, k)})
        for name in QUANTITIES:
            out[name] = getattr(self, name).reshape(-1)
        return out

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Allocation:
        """The inverse of :meth:`to_frame`."""
        keys = tuple(dict.fromkeys(frame["intervention"].astype(str)))
        k = len(keys)
        n = len(frame) // k if k else 0
        ids = frame["district_id"].astype(str).to_numpy()[::k] if k else np.array([], dtype=str)
        dac = frame["disadvantaged"].to_numpy(dtype=bool)[::k] if k else np.array([], dtype=bool)
        arrays = {name: frame[name].to_numpy(dtype=float).reshape(n, k) for name in QUANTITIES}
        return cls(ids, keys, dac, **arrays)

    def to_parquet(self) -> bytes:
        buf = io.BytesIO()
        self.to_frame().to_parquet(buf, index=False)
        return buf.getvalue()

    @classmethod
    def from_parquet(cls, data: bytes) -> Allocation:
        return cls.from_frame(pd.read_parquet(io.BytesIO(data)))

    def district_table(self) -> pd.DataFrame:
        """One row per district, like :func:`core.plan.results.district_table` (without the
        district names, which are the city's): units per intervention, spend, abatement and
        bill savings."""
        out = pd.DataFrame({"district_id": self.district_ids, "disadvantaged": self.disadvantaged})
        for j, key in enumerate(self.keys):
            out[f"{key}_units"] = self.units[:, j]
        out["spend_usd"] = self.spend_usd.sum(1)
        out["abatement_t_co2_per_yr"] = self.abatement_t_co2_per_yr.sum(1)
        out["bill_savings_usd_per_yr"] = self.bill_savings_usd_per_yr.sum(1)
        return out
