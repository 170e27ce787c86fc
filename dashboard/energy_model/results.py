"""The Energy model page's training results (trained once per city, with progress shown),
its model card and its degree-day fits."""

from __future__ import annotations

import json

import streamlit as st

from core.i18n import _
from core.intake.city import City
from core.models import degree_days
from core.models.cross_validation import Evaluation, evaluate
from core.models.model_card import model_card, model_card_markdown
from core.models.network import TrainConfig
from dashboard import keys, state

EVALUATIONS_KEPT = 8  # cities whose default evaluation is kept, across sessions


@st.cache_resource(show_spinner=False)
def _evaluations() -> dict[str, Evaluation]:
    """City key -> the default evaluation of that city, shared by every session. Filled
    outside any cached function, so that the training can drive a progress bar."""
    return {}


def evaluation(city: City, folds: int, seed: int, retrain: bool, bar) -> Evaluation:
    """The session's latest retrain for this city, else the city's default evaluation
    (trained once for all sessions, or taken from the prediction of its missing energy,
    the same cross-validation). ``bar`` (an ``st.progress``) follows the training."""
    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0),
                     text=_("Training: {message}").format(message=message))

    if retrain:
        config = TrainConfig(folds=folds or None, seed=int(seed))
        ev = evaluate(city, config, progress=progress)
        state.hold(keys.MODEL_RESULT, ev)
        bar.progress(1.0, text=_("Retrained in {seconds:.1f} s ({folds}-fold, seed {seed})").format(
            seconds=ev.seconds, folds=ev.folds, seed=seed))
        return ev
    if (held := state.held(keys.MODEL_RESULT)) is not None:
        bar.empty()
        return held
    kept = _evaluations()
    key = state.active_city_key()
    if key not in kept:
        kept[key] = state.prediction_evaluation() or evaluate(city, TrainConfig(),
                                                               progress=progress)
        while len(kept) > EVALUATIONS_KEPT:
            kept.pop(next(iter(kept)))  # the oldest first
    bar.empty()
    return kept[key]


@st.cache_data(show_spinner=False, max_entries=16)
def _card(_ev: Evaluation, _city: City, key: str) -> tuple[str, str]:
    card = model_card(_ev, _city)
    return model_card_markdown(card), json.dumps(card, indent=2, default=float)


def card_files(ev: Evaluation, city: City) -> tuple[str, str]:
    """The model card of ``ev`` as Markdown and JSON, built once per model (identified by
    its city, settings and training run)."""
    return _card(ev, city, state.cache_key(state.active_city_key(), ev.config, ev.seconds))


@st.cache_data(show_spinner=False, max_entries=8)
def _degree_day_fits(_city: City, city_key: str) -> dict:
    return degree_days.fit(_city)


def degree_day_fits(city: City) -> dict:
    return _degree_day_fits(city, state.active_city_key())
