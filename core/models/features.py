"""The energy model's inputs: which columns of a city it reads, how they are transformed,
and the basis (floor area or population) that turns annual energy into an intensity.

The choice is learnt once, on the training city, as a ``FeatureSpec``, and applied unchanged
to any city a fitted model predicts for: the same columns, the same transforms, and missing
values filled with the training city's medians.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import InputError
from core.intake import columns as cols
from core.intake.city import City

TARGETS: tuple[str, ...] = ("electricity_kwh", "gas_kwh")
#: Canonical columns used as features when the city has them.
CANONICAL_FEATURES: tuple[str, ...] = (
    "floor_area_m2", "population", "households", "housing_units", "median_household_income",
    "per_capita_income", "renter_share", "poverty_rate", "building_age_years", "stories_mean",
    "roof_area_m2",
)
_LOG_KINDS = {"count", "money", "area", "energy"}  # extensive or skewed: log1p before scaling
BASES: tuple[str, ...] = ("floor_area_m2", "population")
MIN_ROWS = 10  # fewer usable districts than this: no model is trained for the target


@dataclass(frozen=True)
class FeatureSpec:
    """How a city's columns become model inputs, as learnt on the training city."""

    names: tuple[str, ...]  # feature columns, in the order of the input matrix
    log1p: tuple[bool, ...]  # per column: ``log1p(max(v, 0))`` instead of the raw value
    fill: tuple[float, ...]  # per column: value of a missing entry (training median, transformed)
    basis: str  # "floor_area_m2" (kWh per m²) or "population" (kWh per person)

    def design(self, city: City) -> Design:
        """The inputs of every district of ``city`` (InputError when it lacks a column)."""
        d = city.districts
        missing = [c for c in (*self.names, self.basis) if c not in d]
        if missing:
            raise InputError(f"the energy model reads {', '.join(missing)}, which this city "
                             "does not have: map these columns onto the city, or train a "
                             "model on this city")
        columns = []
        for c, log, fill in zip(self.names, self.log1p, self.fill, strict=True):
            v = _values(d[c], log)
            columns.append(np.where(np.isfinite(v), v, fill))
        X = np.column_stack(columns) if columns else np.zeros((len(d), 0))
        return Design(self, X, d[self.basis].astype(float).to_numpy(),
                      d["district_id"].astype(str).to_numpy())


@dataclass(frozen=True)
class Design:
    """Model inputs of every district: transformed features (gaps filled) and the basis."""

    spec: FeatureSpec
    X: np.ndarray  # (n, d) log1p / raw values, missing values filled with the spec's medians
    basis_values: np.ndarray  # (n,) m² of floor area or residents
    district_ids: np.ndarray

    @property
    def features(self) -> tuple[str, ...]:
        return self.spec.names

    @property
    def basis(self) -> str:
        return self.spec.basis


def feature_columns(city: City) -> tuple[str, ...]:
    """Canonical feature columns the city has, then its declared extra features.

    A column the city estimated from its other columns (households from population and a
    persons-per-household figure, say) is left out: it is those columns times a constant,
    so it adds no information, only a near-duplicate input that makes the fit unstable.
    An estimate made from the boundaries alone (roof area from land area) is kept.
    """
    present = [c for c in CANONICAL_FEATURES
               if city.has(c) and not (city.estimated(c) and city.estimates[c].inputs)]
    extra = [c for c in city.extra_features if c in city.districts and c not in present]
    return tuple(present + extra)


def basis_of(city: City) -> str | None:
    """Floor area when every district has a positive one, else population, else None."""
    d = city.districts
    for b in BASES:
        if b in d and (d[b].astype(float) > 0).all():
            return b
    for b in BASES:  # floor area for most districts: still per m², the rest left out
        if city.has(b) and (d[b].astype(float) > 0).mean() > 0.5:
            return b
    return None


def _takes_log(column: str) -> bool:
    spec = cols.CANONICAL.get(column)
    return spec is not None and spec.kind in _LOG_KINDS


def _values(series: pd.Series, log1p: bool) -> np.ndarray:
    """A column as floats (NaN where not numeric), log1p-transformed when asked."""
    v = pd.to_numeric(series, errors="coerce").astype(float).to_numpy()
    return np.log1p(np.clip(v, 0, None)) if log1p else v


def learn_features(city: City) -> FeatureSpec:
    """The informative feature columns of ``city``, their transforms and medians, and its basis.

    A column that is empty or constant carries no information and is left out.
    """
    basis = basis_of(city)
    if basis is None:
        raise ValueError("neither floor area nor population is positive for most districts")
    names, logs, fills = [], [], []
    for c in feature_columns(city):
        log = _takes_log(c)
        v = _values(city.districts[c], log)
        if np.isfinite(v).sum() < 2 or np.nanstd(v) == 0:
            continue
        names.append(c)
        logs.append(log)
        fills.append(float(np.nanmedian(v)))
    return FeatureSpec(tuple(names), tuple(logs), tuple(fills), basis)


def design(city: City) -> Design:
    """The inputs of ``city`` as a training city: features learnt from it, then applied."""
    return learn_features(city).design(city)


def available_targets(city: City) -> list[str]:
    """The targets (annual electricity, gas) the city observes."""
    return [t for t in TARGETS if city.has(t)]
