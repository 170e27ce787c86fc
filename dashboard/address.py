"""The view's address: ``?city=<id>&scenario=<id>`` name a saved city and a saved scenario
(:mod:`core.store`), so that a refresh, a server restart, or another machine with the same
store reopens the same view.

* :func:`follow` runs first on every run, before the sidebar: when the URL names another
  city or scenario than the session shows (a link, a reload in a new session), they are
  opened from the store, the scenario's parameters set on the sidebar's sliders. An id the
  store does not have, or has deleted, is said (with when), and the session's city (in a
  new session, the default one) is shown.
* :func:`write` runs after the sidebar: the URL names the session's saved city (none for
  the bundled default) and, while the sliders still hold its parameters, the open saved
  scenario (with its city, the default one too).
"""

from __future__ import annotations

import re

import streamlit as st

from core.errors import InputError
from core.i18n import _
from core.plan.scenario import Scenario
from core.store import Deleted, StoredScenario, StoreError
from core.store.errors import shown
from dashboard import keys, portal, sidebar, state, text
from dashboard import store as app_store

#: what a saved city's or scenario's id looks like (core.store.schema: 16 or 12 hex digits)
ID_PATTERN = re.compile(r"[0-9a-f]{12,16}")


def _instead() -> str:
    """What the page shows instead of a link's city."""
    return _("{name} is shown instead").format(name=state.active_city().name) + (
        _(" (the default city)") if state.is_default() else "")


def _not_opened(kind: str, why: str) -> None:
    state.warn(_("This link names a saved {kind} that cannot be opened: {why}. {instead}; "
               "upload a city on the Data page, or pick a saved scenario on the Scenarios "
               "page.").format(kind=_(kind), why=why, instead=_instead()))


def _store(kind: str):
    """The store, or None after saying that the link cannot be followed without it."""
    store = app_store.get()
    if store is None:
        _not_opened(kind, app_store.off_reason())
    return store


def _checked(kind: str, item_id: str) -> bool:
    if ID_PATTERN.fullmatch(item_id):
        return True
    _not_opened(kind, _("{shown} is not the id of a saved {kind}").format(shown=shown(item_id),
                                                                          kind=_(kind)))
    return False


def _open_city(city_id: str) -> bool:
    """Make the saved city ``city_id`` the active one; False (said) when it cannot be."""
    if not _checked("city", city_id) or (store := _store("city")) is None:
        return False
    if (portal.active() and city_id != state.default_city_id()
            and not portal.city_published(store, city_id)):  # the portal's cities only
        _not_opened("city", _("it has no scenario published on this portal"))
        return False
    try:
        state.use_saved_city(app_store.city(store, city_id), city_id)
    except Deleted as exc:
        _not_opened(_("city"), _("{exc}; it can be restored with `python -m core cities restore "
                            "{city_id}` until it is purged").format(exc=exc, city_id=city_id))
        return False
    except StoreError as exc:
        _not_opened("city", str(exc))
        return False
    return True


def open_scenario(scenario_id: str) -> bool:
    """Open the saved scenario ``scenario_id`` (and its city) in the sidebar; False (said)
    when it cannot be. Runs before the sidebar is drawn: on a link, or in a button's
    callback."""
    if not _checked("scenario", scenario_id) or (store := _store("scenario")) is None:
        return False
    try:
        saved = store.get_scenario(scenario_id)
    except Deleted as exc:
        _not_opened(_("scenario"), _("{exc}; `python -m core scenarios restore {scenario_id}` "
                                "brings it back until it is purged").format(
                                    exc=exc, scenario_id=scenario_id))
        return False
    except StoreError as exc:
        _not_opened("scenario", str(exc))
        return False
    if portal.active() and not saved.published:  # the portal opens published scenarios only
        _not_opened("scenario", _("it is not published on this portal"))
        return False
    if saved.city_id != state.city_id() and not _open_city(saved.city_id):
        return False
    return open_saved(saved)


def open_saved(saved: StoredScenario) -> bool:
    """Set the sidebar to the saved scenario ``saved`` (of the active city); False (said)
    when the sliders cannot hold it."""
    values, problems = sidebar.widget_values(saved.scenario, state.active_references())
    if problems:
        state.warn(_("The saved scenario {shown} cannot be set on the sliders: "
                   "{join}. It can still be compared on the Compare page.").format(
                       shown=shown(saved.name), join='; '.join(problems)))
        return False
    state.set_open_scenario(saved, values)
    return True


def follow() -> bool:
    """Open what the URL names when the session shows something else; True when a saved
    scenario was opened just now. The URL is followed only when it is not what this session
    last wrote: a button that changed the city or the scenario is not undone by the stale
    URL of its run."""
    state.apply_pending_widgets()  # left by settle() on the run before
    wanted_city = st.query_params.get(keys.CITY_PARAM)
    wanted_scenario = st.query_params.get(keys.SCENARIO_PARAM)
    if (wanted_city, wanted_scenario) == state.written_address():
        return False
    opened = state.open_scenario()
    if wanted_scenario and (opened is None or opened.id != wanted_scenario):
        if open_scenario(wanted_scenario):
            return True
        st.query_params.pop(keys.SCENARIO_PARAM, None)  # then the city, if the link names one
    if wanted_city and wanted_city != state.city_id() and not _open_city(wanted_city):
        st.query_params.pop(keys.CITY_PARAM, None)
    return False


def matching(sc: Scenario) -> StoredScenario | None:
    """The open saved scenario when the sidebar's scenario ``sc`` has its parameters (as the
    sliders describe them: :func:`dashboard.sidebar.as_drawn`), else None."""
    saved = state.open_scenario()
    if saved is None:
        return None
    try:
        drawn = sidebar.as_drawn(saved.scenario, state.active_references())
    except InputError:  # not a scenario of this city (it cannot be set on the sliders)
        return None
    return saved if drawn.id == sc.id else None


def settle(sc: Scenario) -> None:
    """After the sidebar: when a saved scenario was just opened and the sliders do not hold
    it, set them again and rerun, once. On a session's first run Streamlit gives a slider
    the value its URL parameter carries over the one set for it, and a shared address may
    carry older slider values than the saved scenario it names."""
    saved = state.open_scenario()
    if state.pop_open_check() and saved is not None and matching(sc) is None:
        values, problems = sidebar.widget_values(saved.scenario, state.active_references())
        if not problems:
            state.set_widgets_next_run(values)
            st.rerun()


def _set(name: str, value: str | None) -> None:
    if value is None:
        st.query_params.pop(name, None)
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def write(sc: Scenario) -> None:
    """Name the session's saved city and, while ``sc`` (the sidebar's) has its parameters,
    the open saved scenario in the URL."""
    saved = matching(sc)
    scenario_id = saved.id if saved else None
    city_id = saved.city_id if saved else None if state.is_default() else state.city_id()
    _set(keys.SCENARIO_PARAM, scenario_id)
    _set(keys.CITY_PARAM, city_id)
    state.set_written_address((city_id, scenario_id))


def sidebar_note(sc: Scenario) -> None:
    """For under the sliders (drawn where the caller is): the saved scenario they hold (or
    were set to), and whether saving is off."""
    saved = state.open_scenario()
    if saved is not None:
        name = text.md(text.cut(saved.name))
        st.caption(_("Saved scenario: **{name}**").format(name=name)
                   if matching(sc) is not None else
                   _("Changed from the saved scenario **{name}** "
                     "(not saved)").format(name=name))
    if reason := app_store.off_reason():
        st.caption(reason)


def switch_to(page: str) -> None:
    """Go to ``page`` keeping the address (``st.switch_page`` alone would clear the URL, and
    refuses to while the sliders are bound to it; they write themselves back)."""
    st.switch_page(page, query_params={name: st.query_params[name]
                                       for name in (keys.CITY_PARAM, keys.SCENARIO_PARAM)
                                       if name in st.query_params})
