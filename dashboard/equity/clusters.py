"""Spatial clusters of energy burden for the Equity page, computed once per city."""

from __future__ import annotations

import streamlit as st

from core.assess import equity, inequality
from core.intake.city import City
from dashboard import state


@st.cache_data(show_spinner="Computing spatial clusters…", max_entries=8)
def _clusters(_city: City, city_key: str) -> inequality.SpatialResult:
    return inequality.spatial_autocorrelation(
        _city.districts, equity.energy_burden(_city.districts, equity.Prices.of(_city.references)))


def clusters(city: City) -> inequality.SpatialResult:
    return _clusters(city, state.active_city_key())
