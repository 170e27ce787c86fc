"""Policy briefings from the app (:mod:`core.report`), on the Scenario lab and the Compare page.

A briefing is made when the user asks ("Make the briefing"), with its progress on screen:
the city's quality report, the energy model's validation (the Energy model page's, trained
once per city), then the maps, tables and the PDF. The session keeps the last ones made, so
that "Download briefing (PDF)" and "(HTML)" serve them without making them again; a failure
becomes a message with what to do, never a traceback.

On the public portal a briefing is a published scenario's, with the release rule applied
(:func:`releases`: every district figure a released one, :mod:`core.report.withheld`), and
the server keeps the last :data:`SHARED_KEPT` made for every visitor: the first visitor
waits for it, the next ones download it at once.
"""

from __future__ import annotations

import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from core import i18n, paths
from core.errors import InputError
from core.i18n import _
from core.intake.city import City, validate_city, write_city
from core.intake.quality import QualityReport
from core.models.model_card import model_card
from core.plan import results
from core.plan.problem import CityContext
from core.plan.results import Result
from core.release import Released
from core.release import rule as rules
from core.store import Store, StoredScenario
from dashboard import guard, keys, portal, state
from dashboard.energy_model import results as model_results

if TYPE_CHECKING:  # core.report imports matplotlib: only when a briefing is made
    from core.report import Briefing

BRIEFINGS_KEPT = 2  # briefings a session keeps (a PDF is a few hundred kB)
SHARED_KEPT = 16  # the portal's briefings the server keeps for every visitor


@st.cache_resource(show_spinner=False, max_entries=8)
def _quality(_city: City | None, city_key: str) -> QualityReport:
    if _city is None:  # the bundled city: its files' report, as the CLI makes it
        return validate_city(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES).report
    with tempfile.TemporaryDirectory() as folder:  # as a saved city reads back (the CLI's)
        return validate_city(write_city(_city, Path(folder) / "city.parquet")).report


def quality() -> QualityReport:
    """The active city's quality report (once per city)."""
    return _quality(state.session_city(), state.active_city_key())


def card(city: City) -> dict:
    """The energy model's card of the active city: the Energy model page's evaluation (the
    session's retrain, else the city's default one, trained once with its progress shown)."""
    bar = st.progress(0.0, text=_("The energy model's validation…"))
    ev = model_results.evaluation(city, 0, 0, False, bar)
    return model_card(ev, city)


def renamed(result: Result, names: Sequence[str]) -> Result:
    """``result`` with its scenarios named ``names`` (the briefing's titles; ids unchanged)."""
    return replace(result, scenarios=[sc.replace(name=n)
                                      for sc, n in zip(result.scenarios, names, strict=True)])


def releases(city: City, ctx: CityContext, result: Result,
             city_key: str | None = None) -> list[Released] | None:
    """On the portal, each scenario of ``result`` through the release rule (its district
    table, as the Scenario lab releases it); None in the planner's mode. ``city_key``: the
    city's key when it is not the active one."""
    if not portal.active():
        return None
    return [portal.released(city, results.district_table(ctx, result, s), f"plan {sc.id}",
                            f"briefing {city_key} {sc.id}")
            for s, sc in enumerate(result.scenarios)]


def make(city: City, ctx: CityContext, result: Result, scenario_ids: Sequence[str | None],
         progress) -> Briefing:
    """The briefing of ``result`` (its first scenario, compared with the others), with the
    store ids for the permalink, released on the portal (:func:`releases`);
    ``progress(fraction, text)`` follows it."""
    from core.report import briefing  # matplotlib: not before a briefing is asked for

    progress(0.05, _("The city's quality report"))
    report = quality()
    progress(0.15, _("The energy model's validation (trained once per city)"))
    model = card(city)
    progress(0.6, _("Maps, charts and tables"))
    return briefing(city, ctx, result, report, model, city_id=state.city_id(),
                    scenario_ids=list(scenario_ids), released=releases(city, ctx, result))


def published(store: Store, record: StoredScenario, progress) -> Briefing:
    """The briefing of the published scenario ``record`` from the store (its saved city, the
    scenario solved again, the energy model validated once), released by the portal's rule."""
    from core.report import briefing  # matplotlib: not before a briefing is asked for

    progress(0.05, _("The saved city, the energy model's validation and the plan"))
    i = store.briefing_inputs(record.id, published_only=True)
    progress(0.6, _("Maps, charts and tables"))
    return briefing(i.city, i.ctx, i.result, i.quality, i.card, city_id=i.city_id,
                    scenario_ids=[i.scenario_id],
                    released=releases(i.city, i.ctx, i.result, i.city_id))


@st.cache_resource(show_spinner=False)
def _shared() -> tuple[OrderedDict, threading.Lock]:
    """The portal's briefings kept for every visitor: key -> (pdf, html, stem), and its lock."""
    return OrderedDict(), threading.Lock()


def _kept() -> dict | OrderedDict:
    """Where briefings are kept: the server's (the portal: the same published scenarios for
    every visitor), else this session's."""
    return _shared()[0] if portal.active() else state.store(keys.BRIEFINGS)


def _keep(key: str, made: tuple) -> None:
    """Keep ``made`` under ``key``, dropping the oldest beyond what is kept."""
    kept = _kept()
    limit = SHARED_KEPT if portal.active() else BRIEFINGS_KEPT
    with _shared()[1]:
        kept[key] = made
        while len(kept) > limit:
            kept.pop(next(iter(kept)))


def _full_key(key: str) -> str:
    """``key`` with what else the briefing depends on: its language, and on the portal the
    release rule in force."""
    try:
        rule = rules.configured() if portal.active() else None
    except InputError:  # the release says so when the briefing is asked for
        rule = None
    return state.cache_key(key, i18n.language(), rule)


def section(key: str, stem: str, build: Callable[[Callable], Briefing], button_key: str) -> None:
    """The briefing's buttons: "Make the briefing" builds it (``build(progress)``), then
    "Download briefing (PDF)" and "(HTML)" serve it. ``key`` names what it is of (it is
    made again when that changes); ``stem``: the files' name. On the portal, a briefing made
    by any visitor is served at once."""
    key = _full_key(key)
    if not (portal.active() and key in _kept()) and st.button(_("Make the briefing (PDF and HTML)"),
                                                              key=button_key,
                 help=_("A policy briefing of this plan: the question and the answer, maps, "
                      "equity, every assumption with its source, the data's quality, the "
                      "model's validation, the permalink and the methods.")):
        slot = st.empty()
        bar = slot.progress(0.0, text=_("Starting…"))

        def progress(fraction: float, text: str) -> None:
            bar.progress(fraction, text=_("Briefing: {text}").format(text=text))

        try:
            brief = build(progress)
            progress(0.8, _("Printing the PDF"))
            _keep(key, (brief.pdf(), brief.html(), stem))
            slot.empty()
        except InputError as exc:
            slot.empty()
            st.error(_("The briefing could not be made: {exc}").format(exc=exc))
        except Exception as exc:  # a library failing in a new way: a message, not a traceback
            slot.empty()
            st.error(_("The briefing could not be made (error id {logged}); "
                     "the details are in the server log under this id.").format(
                         logged=guard.logged(exc, 'briefing')))
    if (ready := _kept().get(key)) is not None:
        pdf, html, name = ready
        left, right = st.columns(2)
        left.download_button(_("Download briefing (PDF)"), pdf, file_name=f"{name}.pdf",
                             mime="application/pdf", key=f"{button_key}_pdf", on_click="ignore")
        right.download_button(_("Download briefing (HTML)"), html, file_name=f"{name}.html",
                              mime="text/html", key=f"{button_key}_html", on_click="ignore")


def published_section(store: Store, record: StoredScenario) -> None:
    """The Saved scenarios page's briefing of the published scenario ``record`` (the portal)."""
    st.subheader(_("Policy briefing"))
    st.caption(_("The published scenario as a briefing for a council, with the release "
                 "rule applied: the figures of districts too small to publish are withheld."))
    section(state.cache_key(record.city_id, record.id), f"greenprint_briefing_{record.id}",
            lambda progress: published(store, record, progress), keys.SCENARIOS_BRIEFING)
