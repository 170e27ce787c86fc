"""Cached model results of the Energy model page (trained once per city)."""

from __future__ import annotations

import streamlit as st

from core.intake.city import City
from core.models import degree_days
from core.models.cross_validation import Evaluation, evaluate
from core.models.network import TrainConfig
from dashboard import keys, state


@st.cache_resource(show_spinner="Training the energy model on this city's data…", max_entries=8)
def _default_evaluation(_city: City, city_key: str) -> Evaluation:
    return evaluate(_city, TrainConfig())


def evaluation(city: City, folds: int, seed: int, retrain: bool) -> Evaluation:
    """The session's latest retrain for this city, else the cached default evaluation.

    A retrain shows a progress bar driven by core's progress callback; the first,
    cached training of a city shows a spinner.
    """
    key = state.active_city_key()
    if retrain:
        bar = st.progress(0.0, text="Training: preparing")

        def progress(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"Training: {message}")

        config = TrainConfig(folds=folds or None, seed=int(seed))
        ev = evaluate(city, config, progress=progress)
        state.hold(keys.MODEL_RESULT, ev)
        bar.progress(1.0, text=f"Retrained in {ev.seconds:.1f} s ({ev.folds}-fold, seed {seed})")
        return ev
    if (held := state.held(keys.MODEL_RESULT)) is not None:
        return held
    return _default_evaluation(city, key)


@st.cache_data(show_spinner=False, max_entries=8)
def _degree_day_fits(_city: City, city_key: str) -> dict:
    return degree_days.fit(_city)


def degree_day_fits(city: City) -> dict:
    return _degree_day_fits(city, state.active_city_key())
