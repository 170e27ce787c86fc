"""The session's state, in one place: everything a session keeps between reruns.

The active city (its key for caches, and its id in the store), what the session holds for
that city (a retrained model, HiGHS checks, sweeps), the scenario of the sidebar and the
saved scenario open in it, the selected district, notices for the next run and the error
of a failed callback. Pages and the other dashboard modules read and write
``st.session_state`` only through these functions; widget keys (``keys.*``) belong to
their widgets.

A city the session makes its own (an accepted upload, reference values given to a city) is
saved in the store (:mod:`dashboard.store`) and keyed by its store id, so that a link to it
reopens it in any session; the bundled default city is saved only when a scenario of it is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from core import i18n
from core.assess import indicators
from core.assess.display import display_geometry
from core.intake.city import City, default_city
from core.intake.mapping import ColumnMapping
from core.intake.reference_values import ReferenceValues
from core.models import predicted
from core.plan.scenario import Scenario
from core.settings import get_settings
from core.store import StoredScenario, StoreError
from core.store.fingerprint import city_id as stored_city_id
from dashboard import keys
from dashboard import store as app_store


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
    what = i18n.ngettext("Training the energy model to predict {n:,} district with data but "
                         "no observed energy", "Training the energy model to predict {n:,} "
                         "districts with data but no observed energy", n).format(n=n)
    bar = slot.progress(0.0, text=i18n._("{what}: preparing").format(what=what))

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{what}: {message}")

    ev = evaluate(city, progress=progress)
    slot.empty()
    return predicted.fill(city, ev), ev


def session_city() -> City | None:
    """The active city as the session holds it (before the energy model fills in what it
    predicts); None for the bundled default."""
    return st.session_state.get(keys.CITY)


def active_city_key() -> str:
    return st.session_state.get(keys.CITY_KEY, keys.DEFAULT_CITY_KEY)


def is_default() -> bool:
    """True while the session shows the bundled default city (with its own reference values)."""
    return keys.CITY not in st.session_state


@st.cache_resource(show_spinner=False)
def default_city_id() -> str:
    """The bundled default city's id in the store (its content fingerprint's, as
    :meth:`core.store.Store.save_city` makes it), whether or not it is saved yet."""
    return stored_city_id(_default_city())


def city_id() -> str | None:
    """The active city's id in the store: the default city's content id, a saved city's id,
    or None for a city of this session that could not be saved (saving off or failed)."""
    return default_city_id() if is_default() else st.session_state.get(keys.CITY_ID)


def saved_city_id(store) -> str:
    """The active city's id in ``store``, saving the city first when it is not saved yet
    (the default city, or a city accepted while saving failed). Raises StoreError."""
    if not is_default() and st.session_state.get(keys.CITY_ID):
        return st.session_state[keys.CITY_ID]
    base = st.session_state.get(keys.CITY_BASE)
    saved = store.save_city(st.session_state.get(keys.CITY) or _default_city(),
                            mapping=base[2] if base else None)
    if not is_default():
        st.session_state[keys.CITY_ID] = saved
    return saved


def _saved(city: City, mapping: ColumnMapping | None) -> str | None:
    """Save ``city`` in the store; its id, or None (with a warning) when saving is off or
    fails: the city is then this session's only."""
    store = app_store.get()
    if store is None:
        return None
    try:
        return store.save_city(city, mapping=mapping)
    except StoreError as exc:
        warn(i18n._("{name} is used for this session, but it could not be saved ({exc}), so a "
             "link or a reload will not bring it back.").format(name=city.name, exc=exc))
        return None


def set_active_city(city: City, key: str, mapping: ColumnMapping | None = None) -> None:
    """Make ``city`` the active one, with the session's reference values when it has some
    (:func:`apply_references`), and save it in the store: its store id is then its key (the
    same content has the same id in every session), else ``key`` names it (with the
    reference values). ``mapping``: the column mapping it was read with, saved with it. The
    saved scenario open in the sidebar, of the previous city, is closed."""
    st.session_state[keys.CITY_BASE] = (city, key, mapping)
    refs = references()
    if refs is not None:
        city, key = city.with_references(refs), cache_key(key, refs.key)
    saved = _saved(city, mapping)
    st.session_state[keys.CITY] = city
    st.session_state[keys.CITY_KEY] = saved or key
    st.session_state[keys.CITY_ID] = saved
    close_scenario()


def use_saved_city(city: City, saved_id: str) -> None:
    """Make the saved city ``saved_id`` (``city``, as read from the store) the active one:
    the default city when it is the default's; it keeps its own reference values."""
    if saved_id == default_city_id():
        reset_to_default()
        return
    city = _displayed(city)
    st.session_state.pop(keys.REFERENCES, None)
    st.session_state[keys.CITY_BASE] = (city, saved_id, None)
    st.session_state[keys.CITY] = city
    st.session_state[keys.CITY_KEY] = st.session_state[keys.CITY_ID] = saved_id
    close_scenario()


#: how City.with_display's lineage entry begins (the store keeps the entry, not the copy)
DISPLAY_LINEAGE = "display: map boundaries simplified"


def _displayed(city: City) -> City:
    """A saved city with its simplified map boundaries made again, when its lineage says it
    had them (the store keeps the figures' geometry only; the lineage is kept as it was)."""
    if city.display is not None or not any(e.startswith(DISPLAY_LINEAGE) for e in city.lineage):
        return city
    simple, _, _ = display_geometry(city.districts, get_settings().display_tolerance_share)
    return replace(city, display=simple)


def reset_to_default() -> None:
    for key in (keys.CITY, keys.CITY_KEY, keys.CITY_BASE, keys.REFERENCES, keys.CITY_ID):
        st.session_state.pop(key, None)
    close_scenario()


def active_references() -> ReferenceValues:
    """The active city's reference values (without loading anything the city does not hold)."""
    return (st.session_state.get(keys.CITY) or _default_city()).references


def references() -> ReferenceValues | None:
    """The reference values this session gave its cities (None: each city uses its own)."""
    return st.session_state.get(keys.REFERENCES)


def apply_references(refs: ReferenceValues | None) -> None:
    """Give the active city (and every city this session uses next) ``refs``; None goes back
    to each city's own (the defaults for the bundled city)."""
    base, key, mapping = st.session_state.get(keys.CITY_BASE) or (None, keys.DEFAULT_CITY_KEY,
                                                                   None)
    if refs is None:
        st.session_state.pop(keys.REFERENCES, None)
    else:
        st.session_state[keys.REFERENCES] = refs
    if refs is None and key == keys.DEFAULT_CITY_KEY:
        reset_to_default()
    else:
        set_active_city(base if base is not None else _default_city(), key, mapping)


def open_scenario() -> StoredScenario | None:
    """The saved scenario the sidebar was last set to (None: none), of the active city."""
    return st.session_state.get(keys.OPEN_SCENARIO)


def set_open_scenario(saved: StoredScenario, widget_values: dict[str, object]) -> None:
    """Open ``saved``: set the sidebar's widgets to ``widget_values`` (before they are drawn;
    :func:`pop_open_check` then says that the sliders are to be checked once)."""
    for key, value in widget_values.items():
        st.session_state[key] = value
    st.session_state[keys.OPEN_SCENARIO] = saved
    if widget_values:
        st.session_state[keys.OPEN_CHECK] = True


def pop_open_check() -> bool:
    return st.session_state.pop(keys.OPEN_CHECK, False)


def set_widgets_next_run(widget_values: dict[str, object]) -> None:
    """Widget values for :func:`apply_pending_widgets` to set on the next run (a drawn widget
    cannot be set in the run that drew it)."""
    st.session_state[keys.PENDING_WIDGETS] = widget_values


def apply_pending_widgets() -> None:
    """Set the widget values left by :func:`set_widgets_next_run` (before any is drawn)."""
    for key, value in st.session_state.pop(keys.PENDING_WIDGETS, {}).items():
        st.session_state[key] = value


def close_scenario() -> None:
    st.session_state.pop(keys.OPEN_SCENARIO, None)


def written_address() -> tuple[str | None, str | None] | None:
    """The (city, scenario) ids this session last wrote into the URL (None: nothing yet)."""
    return st.session_state.get(keys.ADDRESS)


def set_written_address(address: tuple[str | None, str | None]) -> None:
    st.session_state[keys.ADDRESS] = address


def warn(message: str) -> None:
    """A warning (about the address or the store) for the frame to show once."""
    waiting = st.session_state.setdefault(keys.WARNINGS, [])
    if message not in waiting:
        waiting.append(message)


def pop_warnings() -> list[str]:
    return st.session_state.pop(keys.WARNINGS, [])


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


def map_data_sent() -> set[str]:
    """The keys of the map data (geometry, tooltip columns) this session has sent to the
    browser (dashboard.map): sent once, then referred to by key."""
    return st.session_state.setdefault(keys.MAP_SENT, set())


def forget_map_data() -> None:
    """The browser lacks map data it was sent (its script reloaded, a message superseded):
    every map sends its data again on this run."""
    st.session_state.pop(keys.MAP_SENT, None)


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


def set_widget_value(key: str, value) -> None:
    """Set widget ``key`` to ``value`` (from a callback: before the widget is drawn)."""
    st.session_state[key] = value


def hold_deleted(saved: StoredScenario | None) -> None:
    """The saved scenario this session deleted last (None: none), for its undo."""
    if saved is None:
        st.session_state.pop(keys.SCENARIOS_DELETED, None)
    else:
        st.session_state[keys.SCENARIOS_DELETED] = saved


def deleted_scenario() -> StoredScenario | None:
    return st.session_state.get(keys.SCENARIOS_DELETED)


def push_notice(message: str, key: str = keys.DATA_NOTICE) -> None:
    """A message for a page to show once, on its next run (``key``: the page's notice; the
    Data page's by default)."""
    st.session_state[key] = message


def pop_notice(key: str = keys.DATA_NOTICE) -> str | None:
    return st.session_state.pop(key, None)


def record_callback_error(error_id: str) -> None:
    """The error id of a widget callback that failed, shown on the next run."""
    st.session_state[keys.CALLBACK_ERROR] = error_id


def pop_callback_error() -> str | None:
    return st.session_state.pop(keys.CALLBACK_ERROR, None)
