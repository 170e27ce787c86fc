"""Model-predicted energy: a district that has data and the model's inputs but no observed
annual electricity or gas gets the energy model's prediction, with a 90 % interval.

Which districts are predicted (``gaps``)
    For each target the city observes (``electricity_kwh``, ``gas_kwh``): the districts with
    data (``City.with_data``), a positive basis (floor area or population, the model's
    intensity basis, see :mod:`core.models.features`) and no value, that are not already a
    prediction. A city without such districts is returned unchanged: nothing is trained.

How they are predicted (``with_predictions``)
    The energy model is cross-validated on the observed districts only (no-data districts
    and earlier predictions are never training rows, see
    :func:`core.models.cross_validation.evaluate`), and the model it selects for each target
    (lowest cross-validated CV(RMSE)) predicts the gaps from its fit on all observed rows.

The interval
    The selected model's own 90 % interval, read from its out-of-fold errors: the 5th and
    95th percentiles of ``log(observed / out-of-fold prediction)`` over the observed
    districts turn the prediction into ``[prediction x exp(q05), prediction x exp(q95)]``.
    The same method serves every model (the network's ensemble interval belongs to the
    network alone, and a baseline is often the one selected). Under cross-validation 90 %
    of observed districts fall within their interval by construction; a district whose
    energy is missing for a reason (a new development, a meter outage) may be less typical.
    The bounds are kept in ``{target}_low`` and ``{target}_high`` (kWh/yr), NaN for
    observed districts.

What the city records
    ``City.predicted`` lists the predicted districts per target, and one lineage entry per
    target says how many, by which model, with what cross-validated CV(RMSE) and verdict.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.assess.maps import format_value
from core.intake import columns as cols
from core.intake.city import City
from core.models import yardstick
from core.models.features import TARGETS, basis_of
from core.models.metrics import INTERVAL_LEVEL

if TYPE_CHECKING:  # the network module imports torch: only with_predictions needs it
    from core.models.cross_validation import Evaluation, TargetResult
    from core.models.network import Progress, TrainConfig

LOW, HIGH = "_low", "_high"  # suffixes of the interval columns (kWh/yr)
SHOWN_IDS = 5  # ids named in a lineage entry before "..."


def interval_columns(target: str) -> tuple[str, str]:
    """Names of the columns holding the lower and upper bound of ``target``'s 90 % interval."""
    return f"{target}{LOW}", f"{target}{HIGH}"


def any_predicted(city: City) -> np.ndarray:
    """(n,) bool: districts with at least one predicted energy value."""
    out = np.zeros(city.n, dtype=bool)
    for target in city.predicted:
        out |= city.predicted_mask(target)
    return out


def gaps(city: City) -> dict[str, np.ndarray]:
    """Per observed target, (n,) bool: districts to predict (with data, a positive basis,
    no value, not already predicted). Targets without a gap are left out."""
    d = city.districts
    basis = basis_of(city)
    if basis is None:
        return {}
    positive_basis = (pd.to_numeric(d[basis], errors="coerce") > 0).to_numpy()
    has_inputs = city.with_data.to_numpy() & positive_basis
    out = {}
    for target in TARGETS:
        if not city.has(target):
            continue
        missing = d[target].isna().to_numpy() & has_inputs & ~city.predicted_mask(target)
        if missing.any():
            out[target] = missing
    return out


def n_to_predict(city: City) -> int:
    """How many districts await a prediction of some fuel; 0 when none (a cheap check:
    nothing is trained)."""
    masks = list(gaps(city).values())
    return int(np.logical_or.reduce(masks).sum()) if masks else 0


def with_predictions(city: City, config: TrainConfig | None = None,
                     progress: Progress | None = None) -> City:
    """``city`` with its gaps (see :func:`gaps`) filled by the energy model's predictions.

    Returns ``city`` itself when there is no gap. Otherwise a new city whose districts hold
    the predictions (kWh/yr) and their 90 % interval (``{target}_low``, ``{target}_high``),
    whose ``predicted`` lists them, and whose lineage says how they were made. A target the
    model cannot be trained for (too few observed districts) keeps its gaps, and the lineage
    says why. ``progress(fraction, message)`` follows the training.
    """
    if not gaps(city):
        return city
    from core.models.cross_validation import evaluate  # torch: only when something is trained

    return fill(city, evaluate(city, config, progress))


def fill(city: City, ev: Evaluation) -> City:
    """``city`` with its gaps filled from ``ev``, a cross-validation of this same city (see
    :func:`with_predictions`); ``city`` itself when there is no gap."""
    todo = gaps(city)
    if not todo:
        return city
    if not np.array_equal(ev.district_ids, city.districts["district_id"].astype(str).to_numpy()):
        raise ValueError("the evaluation was made on another city: evaluate this city first")
    d = city.districts.copy()
    predicted = {t: tuple(ids) for t, ids in city.predicted.items()}
    lineage = []
    for target, missing in todo.items():
        result = ev.targets.get(target)
        if result is None:
            lineage.append(f"{target}: {int(missing.sum())} district(s) without an observation "
                           f"are not predicted: {ev.unavailable[target]}")
            continue
        value = result.fitted[result.selected]
        low_factor, high_factor = interval_factors(result)
        low, high = interval_columns(target)
        d.loc[missing, target] = value[missing]
        for column, factor in ((low, low_factor), (high, high_factor)):
            if column not in d:
                d[column] = np.nan
            d.loc[missing, column] = value[missing] * factor
        ids = tuple(d.loc[missing, "district_id"].astype(str))
        predicted[target] = predicted.get(target, ()) + ids
        lineage.append(_lineage_entry(target, ids, result, low_factor, high_factor))
    return replace(city, districts=d, predicted=predicted, lineage=city.lineage + tuple(lineage))


def interval_factors(result: TargetResult) -> tuple[float, float]:
    """Factors (dimensionless) that turn the selected model's prediction into its 90 %
    interval: ``exp`` of the 5th and 95th percentiles of its out-of-fold log errors
    ``log(observed / prediction)``, widened to hold the prediction itself (1)."""
    used = result.used
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(result.observed[used] / result.oof[result.selected][used])
    log_ratio = log_ratio[np.isfinite(log_ratio)]
    tail = (1 - INTERVAL_LEVEL) / 2
    low, high = np.quantile(log_ratio, [tail, 1 - tail])
    return float(np.exp(min(low, 0.0))), float(np.exp(max(high, 0.0)))


def _lineage_entry(target: str, ids: tuple[str, ...], result: TargetResult, low_factor: float,
                   high_factor: float) -> str:
    from core.models.cross_validation import MODEL_NAMES

    scores = result.scores[result.selected]
    band = yardstick.grade(scores.cv_rmse, scores.nmbe)[0]
    shown = ", ".join(ids[:SHOWN_IDS]) + (", ..." if len(ids) > SHOWN_IDS else "")
    return (f"{target}: predicted for {len(ids)} district(s) with data but no observation "
            f"(ids {shown}) by the {MODEL_NAMES[result.selected]} trained on {result.n_used} "
            f"observed districts; cross-validated CV(RMSE) {scores.cv_rmse:.1%}, NMBE "
            f"{scores.nmbe:+.1%} ({band} against ASHRAE Guideline 14); {INTERVAL_LEVEL * 100:g} % "
            f"interval from its out-of-fold errors: {low_factor:.2f} to {high_factor:.2f} "
            "times the prediction")


def counts(city: City) -> dict[str, int]:
    """Per target, how many districts hold a prediction rather than an observation."""
    return {t: int(city.predicted_mask(t).sum()) for t in city.predicted
            if city.predicted_mask(t).any()}


def summary(city: City) -> str | None:
    """One sentence on the predicted districts, for badges, notes and the CLI (None if none)."""
    per_fuel = counts(city)
    if not per_fuel:
        return None
    fuels = " and ".join(f"{cols.label_of(t).lower()} for {n:,}" for t, n in per_fuel.items())
    n = int(any_predicted(city).sum())
    return (f"{n:,} district{'s' if n != 1 else ''} predicted, not observed: the energy model "
            f"predicts {fuels} district{'s' if max(per_fuel.values()) != 1 else ''} that have "
            "data but no observation")


def status(city: City, target: str) -> pd.Series:
    """Per district, whether ``target`` is observed, predicted (with its 90 % interval in
    kWh/yr) or missing: text for tooltips and tables, indexed like ``city.districts``."""
    d = city.districts
    text = pd.Series("no data", index=d.index, dtype=object)
    if target not in d:
        return text
    text[d[target].notna()] = "observed"
    mask = city.predicted_mask(target)
    low, high = interval_columns(target)
    if mask.any() and low in d and high in d:
        unit = cols.unit_of(target)
        text[mask] = [f"predicted, {INTERVAL_LEVEL * 100:g} % interval {format_value(a)}–"
                      f"{format_value(b)} {unit}" for a, b in zip(d.loc[mask, low],
                                                                  d.loc[mask, high], strict=True)]
    return text
