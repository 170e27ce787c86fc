"""The active city for this session and the caches built on it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import indicators
from core.city import City, default_city
from dashboard import keys


@st.cache_resource(show_spinner="Loading the default city…")
def _default_city() -> City:
    return default_city()


def active_city() -> City:
    """The city this session works on: an accepted upload, else the bundled default."""
    return st.session_state.get(keys.CITY) or _default_city()


def active_city_key() -> str:
    return st.session_state.get(keys.CITY_KEY, keys.DEFAULT_CITY_KEY)


def set_active_city(city: City, key: str) -> None:
    st.session_state[keys.CITY] = city
    st.session_state[keys.CITY_KEY] = key


def reset_to_default() -> None:
    st.session_state.pop(keys.CITY, None)
    st.session_state.pop(keys.CITY_KEY, None)


@st.cache_data(show_spinner=False, max_entries=16)
def _indicator_table(_city: City, city_key: str) -> pd.DataFrame:
    return indicators.indicator_table(_city)


def indicator_table() -> pd.DataFrame:
    """Indicators of the active city, computed once per city."""
    return _indicator_table(active_city(), active_city_key())
