"""The session's state, in one place: everything a session keeps between reruns.

The active city (and its key for caches), what the session holds for that city (a
retrained model, HiGHS checks, sweeps), the scenario of the sidebar, the selected district,
a notice for the next run and the error of a failed callback. Pages and the other dashboard
modules read and write ``st.session_state`` only through these functions; widget keys
(``keys.*``) belong to their widgets.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from core.assess import indicators
from core.intake.city import City, default_city
from core.intake.reference_values import ReferenceValues
from core.models import predicted
from core.plan.scenario import Scenario
from dashboard import keys


def cache_key(*parts) -> str:
    """The one key for the UI's caches and stores: 16 hex digits of a SHA-256 of the parts.

    The same parts, in the same order, give the same key in every session and run:
    pydantic models count by their JSON, other objects (dataclasses, ``None``) by ``repr``,
    strings and numbers as they are, so ``None`` and ``""`` differ.
    """
    def canonical(part):
        return part.model_dump(mode="json") if isinstance(part, BaseModel) else repr(part)

    text = json.dumps(parts, default=canonical, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def content_digest(data: bytes) -> str:
    """The key of a file's content (16 hex digits of its SHA-256): the same upload, from any
    session, is read and cached once."""
    return hashlib.sha256(data).hexdigest()[:16]


#: cities kept with their predicted energy filled in, across sessions (the most recent ones)
PREDICTED_CITIES_KEPT = 8


@st.cache_resource(show_spinner="Loading the default city…")
def _default_city() -> City:
    return predicted.with_predictions(default_city())


@st.cache_resource(show_spinner=False)
def _cities_with_predictions() -> dict[str, tuple]:
    """City key -> (that city with its predicted energy filled in, the evaluation that
    predicted it or None), shared by every session. Filled outside any cached function, so
    that the training can show its progress."""
    return {}


def active_city() -> City:
    """The city this session works on: an accepted upload, else the bundled default. Where a
    district with data has no observed energy, it holds the energy model's prediction
    (:mod:`core.models.predicted`), trained once per city with its progress shown."""
    city = st.session_state.get(keys.CITY)
    if city is None:
        return _default_city()
    return _predicted(city)[0]


def prediction_evaluation():
    """The default cross-validation of the active city (a
    ``core.models.cross_validation.Evaluation``) when its missing energy was predicted with
    it, else None: the Energy model page shows it rather than training again."""
    city = st.session_state.get(keys.CITY)
    return None if city is None else _predicted(city)[1]


def _predicted(city: City) -> tuple:
    """(``city`` with its predictions, their evaluation or None), made once per city key."""
    kept = _cities_with_predictions()
    key = active_city_key()
    if key not in kept:
        n = predicted.n_to_predict(city)
        kept[key] = _with_predictions(city, n) if n else (city, None)
        while len(kept) > PREDICTED_CITIES_KEPT:
            kept.pop(next(iter(kept)))  # the oldest first
    return kept[key]


def _with_predictions(city: City, n: int) -> tuple:
    """(``city`` with the missing energy of its ``n`` districts predicted, the evaluation
    that predicted it), a progress bar on screen while the model trains."""
    from core.models.cross_validation import evaluate  # imports torch: only when needed

    slot = st.empty()
    what = (f"Training the energy model to predict {n:,} district{'s' if n != 1 else ''} with "
            "data but no observed energy")
    bar = slot.progress(0.0, text=f"{what}: preparing")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{what}: {message}")

    ev = evaluate(city, progress=progress)
    slot.empty()
    return predicted.fill(city, ev), ev


def active_city_key() -> str:
    return st.session_state.get(keys.CITY_KEY, keys.DEFAULT_CITY_KEY)


def set_active_city(city: City, key: str) -> None:
    """Make ``city`` the active one, with the session's reference values when it has some
    (:func:`apply_references`); its key then names them too."""
    st.session_state[keys.CITY_BASE] = (city, key)
    refs = references()
    if refs is not None:
        city, key = city.with_references(refs), cache_key(key, refs.key)
    st.session_state[keys.CITY] = city
    st.session_state[keys.CITY_KEY] = key
    st.query_params[keys.CITY_PARAM] = key  # a reload can tell that this city was in use


def reset_to_default() -> None:
    for key in (keys.CITY, keys.CITY_KEY, keys.CITY_BASE, keys.REFERENCES):
        st.session_state.pop(key, None)
    st.query_params.pop(keys.CITY_PARAM, None)


def active_references() -> ReferenceValues:
    """The active city's reference values (without loading anything the city does not hold)."""
    return (st.session_state.get(keys.CITY) or _default_city()).references


def references() -> ReferenceValues | None:
    """The reference values this session gave its cities (None: each city uses its own)."""
    return st.session_state.get(keys.REFERENCES)


def apply_references(refs: ReferenceValues | None) -> None:
    """Give the active city (and every city this session uses next) ``refs``; None goes back
    to each city's own (the defaults for the bundled city)."""
    base, key = st.session_state.get(keys.CITY_BASE) or (None, keys.DEFAULT_CITY_KEY)
    if refs is None:
        st.session_state.pop(keys.REFERENCES, None)
    else:
        st.session_state[keys.REFERENCES] = refs
    if refs is None and key == keys.DEFAULT_CITY_KEY:
        reset_to_default()
    else:
        set_active_city(base if base is not None else _default_city(), key)


def lost_city_notice() -> str | None:
    """A message when the URL names an uploaded city this session no longer holds.

    Uploaded cities live in the server's memory for the session: a reload in a new
    session, a server restart or an expired session loses them. The user is told, not
    silently shown the default city."""
    wanted = st.query_params.get(keys.CITY_PARAM)
    if not wanted or wanted == active_city_key():
        return None
    st.query_params.pop(keys.CITY_PARAM, None)
    return ("The city you uploaded (or the reference values you gave it) is no longer held by "
            "the server (the page was reloaded in a new session, the session expired, or the "
            "server restarted), so the default city is shown. Upload it again on the Data page; "
            "saving cities between sessions is planned.")


@st.cache_data(show_spinner=False, max_entries=16)
def _indicator_table(_city: City, city_key: str) -> pd.DataFrame:
    return indicators.indicator_table(_city)


def indicator_table() -> pd.DataFrame:
    """Indicators of the active city, computed once per city."""
    return _indicator_table(active_city(), active_city_key())


def held(name: str):
    """What this session holds under ``name`` for the active city (None when it holds
    nothing, or something made for another city)."""
    stored = st.session_state.get(name)
    return stored[1] if stored is not None and stored[0] == active_city_key() else None


def hold(name: str, value) -> None:
    """Keep ``value`` for the active city under ``name`` until the city changes."""
    st.session_state[name] = (active_city_key(), value)


def store(name: str) -> dict:
    """This session's dictionary ``name`` (created empty on first use)."""
    return st.session_state.setdefault(name, {})


def scenario() -> Scenario | None:
    """The scenario the sidebar built on this run (None before the sidebar ran)."""
    return st.session_state.get(keys.LAB_SCENARIO)


def set_scenario(sc: Scenario) -> None:
    st.session_state[keys.LAB_SCENARIO] = sc


def selected_district() -> str | None:
    """The district chosen on a map or in the profile, shared by the Overview and the profile."""
    return st.session_state.get(keys.SELECTED_DISTRICT)


def select_district(district_id: str, reset_profile_widget: bool = False) -> None:
    st.session_state[keys.SELECTED_DISTRICT] = district_id
    if reset_profile_widget:  # the profile's selectbox then follows the new choice
        st.session_state.pop(keys.PROFILE_DISTRICT, None)


def widget_value(key: str):
    """The value widget ``key`` had when this run started (None before it is first drawn):
    for a page that must know it above the widget itself."""
    return st.session_state.get(key)


def push_notice(message: str) -> None:
    """A message for the Data page to show once, on its next run."""
    st.session_state[keys.DATA_NOTICE] = message


def pop_notice() -> str | None:
    return st.session_state.pop(keys.DATA_NOTICE, None)


def record_callback_error(error_id: str) -> None:
    """The error id of a widget callback that failed, shown on the next run."""
    st.session_state[keys.CALLBACK_ERROR] = error_id


def pop_callback_error() -> str | None:
    return st.session_state.pop(keys.CALLBACK_ERROR, None)
