"""What a briefing rests on besides the plan: the city's quality report and the energy
model's card, each made once.

The energy model is cross-validated once per briefing (:func:`model_evidence`): the same
evaluation fills in the predicted energy of districts with data but no observation
(:func:`core.models.predicted.fill`) and makes the model's card, rather than one
cross-validation for each.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.errors import InputError
from core.intake.city import City, validate_city, write_city
from core.intake.quality import QualityReport


def saved_quality(city: City) -> QualityReport:
    """The quality report of a city read back from its saved form (a saved city's estimates
    stay notes, as in the report made when it was first read)."""
    with tempfile.TemporaryDirectory() as folder:
        return validate_city(write_city(city, Path(folder) / "city.parquet")).report


def model_evidence(city: City, device: str = "auto") -> tuple[City, dict]:
    """(``city`` with its missing energy predicted, the energy model's card) from one
    cross-validation on ``device`` (:func:`core.models.cross_validation.evaluate`).

    Raises InputError when the model cannot be cross-validated on the city."""
    from core.models import cross_validation, model_card, predicted  # torch
    from core.models.network import TrainConfig

    try:
        ev = cross_validation.evaluate(city, TrainConfig(device=device))
    except (ValueError, RuntimeError) as exc:
        raise InputError(f"the energy model cannot be cross-validated on this city: {exc}") \
            from None
    filled = predicted.fill(city, ev)
    return filled, model_card.model_card(ev, filled)
