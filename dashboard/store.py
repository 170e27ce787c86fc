"""The app's store (:mod:`core.store`): opened once per server process from the settings
(``GREENPRINT_DATABASE_URL``, ``GREENPRINT_DATA_DIR``) and shared by every session.

When it cannot be opened, the app still works, on each session alone: :func:`off_reason`
says why, and the pages that save say that saving is off. Saved cities and allocations are
read once per process (a saved item never changes under its id); whether an id is still
there (not deleted) is asked of the database on every use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from core.i18n import _
from core.intake.city import City
from core.settings import get_settings
from core.store import Allocation, StoredScenario, StoreError

if TYPE_CHECKING:
    from core.store import Store

STORES_KEPT = 4  # stores opened by one process (tests point each one at its own folder)
CITIES_KEPT = 8  # saved cities held in memory, across sessions
ALLOCATIONS_KEPT = 64  # saved results per district held in memory, across sessions


#: the stores this process has tried to open, (url, data folder): asking again costs nothing
_tried: set[tuple[str | None, str]] = set()


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT)
def _open(url: str | None, data_dir: str) -> tuple[Store | None, str | None]:
    from core.store import Store  # SQLAlchemy: not before a page needs the store

    _tried.add((url, data_dir))
    try:
        return Store.open(url, data_dir), None
    except StoreError as exc:
        return None, str(exc)


def _where() -> tuple[str | None, str]:
    settings = get_settings()
    return settings.database_url, str(Path(settings.data_dir).absolute())


def _opened() -> tuple[Store | None, str | None]:
    return _open(*_where())


def tried() -> bool:
    """Whether this process has already opened (or failed to open) the configured store, so
    that :func:`get` and :func:`off_reason` answer at once; False on a server's first run."""
    return _where() in _tried


def get() -> Store | None:
    """The store, or None when it cannot be opened (:func:`off_reason` says why)."""
    return _opened()[0]


def off_reason() -> str | None:
    """Why saving is off (the store cannot be opened), or None when it is on."""
    reason = _opened()[1]
    return None if reason is None else (
        _("Saving is off: {reason}. Cities and scenarios last for this browser session only; "
        "the administrator can fix GREENPRINT_DATA_DIR or GREENPRINT_DATABASE_URL and restart "
        "the server.").format(reason=reason))


@st.cache_resource(show_spinner="Opening the saved city…", max_entries=CITIES_KEPT)
def _city(_store: Store, store_url: str, data_dir: str, city_id: str) -> City:
    return _store.get_city(city_id)


def city(store: Store, city_id: str) -> City:
    """The saved city ``city_id`` (raises NotFound or Deleted, StoreError)."""
    store.city_info(city_id)  # still there?
    return _city(store, store.url, str(store.data_dir), city_id)


@st.cache_resource(show_spinner=False, max_entries=ALLOCATIONS_KEPT)
def _allocation(_store: Store, store_url: str, data_dir: str, scenario_id: str) -> Allocation:
    return _store.get_allocation(scenario_id)


def allocation(store: Store, saved: StoredScenario) -> Allocation:
    """The saved result per district and intervention of ``saved``."""
    return _allocation(store, store.url, str(store.data_dir), saved.id)
