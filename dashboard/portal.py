"""The public portal: a mode of the same app (``GREENPRINT_MODE=portal``), read-only.

* :func:`active` says whether the app runs as the portal (the setting, read once per
  server process; every run asks it).
* Every district figure the portal shows goes through the release rule
  (:func:`released`, :mod:`core.release`); the planner's mode shows exact figures.
* The optimizer stays open to visitors within limits: one running solve per session, at
  most ``GREENPRINT_PORTAL_SOLVES`` at once in the server process, and a visitor waits at
  most ``GREENPRINT_PORTAL_SOLVE_WAIT_S`` for a free one (:func:`solve_slot`, which raises
  :class:`Busy` with the message to show); sweeps hold at most
  ``GREENPRINT_PORTAL_MAX_SWEEP`` scenarios (:func:`max_sweep`).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import replace
from functools import cache

import pandas as pd
import streamlit as st

from core.errors import InputError
from core.i18n import N_, _, unit
from core.intake.city import City
from core.release import Released, release
from core.release import rule as rules
from core.settings import get_settings
from dashboard import keys, state
from dashboard import store as app_store

RELEASES_KEPT = 64  # released tables kept per server process (a city's, a plan's)
#: said on the Energy model page instead of its per-district predictions
NO_DISTRICT_MODEL_NOTE = N_("Per-district predictions and errors are not shown on this portal: "
                            "they would show the energy of districts whose figures the release "
                            "rule withholds. The district figures that may be published are on "
                            "the Overview map, with their downloads.")
#: said beside a published scenario on the Saved scenarios page
OPEN_NOTE = N_("Open it in the Scenario lab to see its plan on the map, move its sliders to "
               "ask “what if”, and download its briefing.")
#: said in the sidebar of the portal
MODE_NOTE = N_("Public portal: read-only. Figures of districts too small to publish are "
               "withheld (see Methods & sources).")
#: said under a released table
BLANK_NOTE = N_("A blank figure is withheld by the release rule (too few residents or "
                "customers behind it): the map says why, and the Methods & sources page "
                "explains the rule.")


def active() -> bool:
    """True when the app runs as the public portal (GREENPRINT_MODE=portal)."""
    return get_settings().mode == "portal"


class Busy(Exception):
    """A solve could not start: this session's previous one still runs, or the portal's
    solves were all taken for longer than GREENPRINT_PORTAL_SOLVE_WAIT_S. The message says
    so and what to do."""


@cache
def _slots(n: int) -> threading.BoundedSemaphore:
    """The server process's ``n`` solve slots (one semaphore per setting value)."""
    return threading.BoundedSemaphore(n)


def slots() -> threading.BoundedSemaphore:
    """The server process's solve slots (GREENPRINT_PORTAL_SOLVES of them)."""
    return _slots(get_settings().portal_solves)


@contextmanager
def solve_slot():
    """Hold one of the portal's solve slots while the block runs (nothing in the planner's
    mode). Raises :class:`Busy` when this session already solves, or when no slot frees up
    within GREENPRINT_PORTAL_SOLVE_WAIT_S."""
    if not active():
        yield
        return
    mine = state.store(keys.PORTAL_SOLVING).setdefault("lock", threading.Lock())
    if not mine.acquire(blocking=False):
        raise Busy(_("Your previous calculation is still running: wait for it to finish, "
                     "then move the slider again."))
    try:
        wait_s = get_settings().portal_solve_wait_s
        if not slots().acquire(timeout=wait_s):
            raise Busy(_("The portal is busy with other visitors' calculations (waited "
                         "{seconds:g} s). Please try again in a moment: your sliders are "
                         "kept.").format(seconds=wait_s))
        try:
            yield
        finally:
            slots().release()
    finally:
        mine.release()


def max_sweep() -> int | None:
    """The most scenarios one sweep may solve on the portal (None: no limit, the planner)."""
    return get_settings().portal_max_sweep if active() else None


def _ledger(rule: rules.ReleaseRule):
    """(the rule as it can be applied, the privacy ledger or None): with noise configured
    but no store to record it in, the totals are published over released districts only."""
    if rule.privacy is None:
        return rule, None
    store = app_store.get()
    if store is None:
        return rule.model_copy(update={"privacy": None}), None
    from core.store.ledger import PrivacyLedger

    return rule, PrivacyLedger(store)


@st.cache_resource(show_spinner=False, max_entries=RELEASES_KEPT)
def _released(_city: City, _table: pd.DataFrame, _rule: rules.ReleaseRule, what: str,
              key: str) -> Released:
    from core.store.ledger import BudgetExceeded

    rule, ledger = _ledger(_rule)
    try:
        return release(_city, _table, rule, what=what, ledger=ledger)
    except BudgetExceeded as exc:  # the city's budget is spent: no noise, released totals
        exact = release(_city, _table, rule.model_copy(update={"privacy": None}), what=what)
        return replace(exact, notes=(*exact.notes, f"no noised totals: {exc}"))


def released(city: City, table: pd.DataFrame, what: str, key: str) -> Released | None:
    """``table`` (district figures of ``city``) through the release rule on the portal,
    once per ``key`` (what the table is made from); None in the planner's mode."""
    if not active():
        return None
    try:
        rule = rules.configured()
    except InputError as exc:  # publish nothing until the rule can be read
        st.error(_("The portal's release rule cannot be read: {exc}. No district figure is "
                   "shown until the administrator fixes GREENPRINT_RELEASE_RULE.").format(exc=exc))
        st.stop()
    return _released(city, table, rule, what,
                     state.cache_key(state.active_city_key(), what, key, rule))


def city_options(store) -> dict[str, str]:
    """The portal's cities on the Saved scenarios page, id -> label: those with published
    scenarios, with how many, the active city first when it is one of them."""
    counts: dict[str, int] = {}
    for r in store.list_scenarios(published_only=True):
        counts[r.city_id] = counts.get(r.city_id, 0) + 1
    names = {c.id: c.name for c in store.list_cities() if c.id in counts}
    order = sorted(names, key=lambda i: i != state.city_id())
    return {i: _("{name} ({n} published)").format(name=names[i], n=counts[i]) for i in order}


def city_published(store, city_id: str) -> bool:
    """True when the saved city ``city_id`` has a published scenario: the portal opens no
    other saved city (the bundled default city is always shown)."""
    return bool(store.list_scenarios(city_id=city_id, published_only=True))


def briefing_unavailable(saved) -> str | None:
    """Why the portal offers no briefing of the plan on screen (None: it does): a briefing is
    a published scenario's (released by the rule, :mod:`core.report.withheld`)."""
    if saved is None:
        return _("On this portal, briefings are those of the published scenarios: open one "
                 "on the Saved scenarios page, and its briefing is offered here.")
    return None


def indicator_table() -> tuple[pd.DataFrame, Released | None]:
    """The active city's indicators as this mode shows them: released on the portal
    (withheld values blank), exact in the planner's mode; and the release (None there)."""
    table = state.indicator_table()
    out = released(state.active_city(), table, "indicators", "indicators")
    return (table, None) if out is None else (out.table, out)


def release_section(city: City) -> None:
    """The Methods page's account of the release rule: which mode shows what, the rule in
    force with its sourced thresholds, and the privacy ledger when the rule adds noise."""
    from core import reference_tables

    st.markdown(_("**In this mode:** {mode}").format(mode=_(
        "the public portal: every district figure goes through the rule below before it is "
        "shown, mapped or downloaded.") if active() else _(
        "the planner's: exact figures (the public portal applies the rule below).")))
    try:
        rule = rules.configured()
    except InputError as exc:
        st.error(_("The release rule cannot be read: {exc}").format(exc=exc))
        return
    st.markdown(_("**The rule in force:** {rule}.").format(rule=_(rule.describe())))
    thresholds = reference_tables.table(rules.TABLE).assign(unit=lambda f: f["unit"].map(unit),
                                                            note=lambda f: f["note"].map(_))
    st.dataframe(thresholds, hide_index=True, column_config={
        "name": _("Threshold"), "value": _("Value"), "unit": _("Unit"),
        "source": st.column_config.TextColumn(_("Source"), width="large"), "note": _("Meaning")})
    if rule.privacy is None:
        st.caption(_("No differential-privacy noise is configured: published totals add up "
                     "the released districts only."))
        return
    store = app_store.get()
    if store is None:
        st.caption(_("Noise is configured, but the store that keeps the privacy ledger cannot "
                     "be opened: totals are published over the released districts only."))
        return
    from core.store.ledger import PrivacyLedger

    ledger = PrivacyLedger(store)
    city_id = ledger.city_id(city)
    st.markdown(_("**Privacy ledger** of this city: a privacy loss of {spent:g} spent of its "
                  "budget of {budget:g}.").format(spent=ledger.spent(city_id),
                                                  budget=rule.privacy.budget))
    st.dataframe(ledger.table(city_id), hide_index=True, column_config={
        "released_at": _("Released (UTC)"), "what": _("What"), "figures": _("Figures"),
        "epsilon": _("ε spent"), "spent": _("ε spent so far"), "budget": _("Budget (ε)"),
        "left": _("Left (ε)")})
