"""Policy briefings from the app (:mod:`core.report`), on the Scenario lab and the Compare page.

A briefing is made when the user asks ("Make the briefing"), with its progress on screen:
the city's quality report, the energy model's validation (the Energy model page's, trained
once per city), then the maps, tables and the PDF. The session keeps the last ones made, so
that "Download briefing (PDF)" and "(HTML)" serve them without making them again; a failure
becomes a message with what to do, never a traceback.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import streamlit as st

from core import paths
from core.errors import InputError
from core.intake.city import City, validate_city, write_city
from core.intake.quality import QualityReport
from core.models.model_card import model_card
from core.plan.problem import CityContext
from core.plan.results import Result
from core.report import Briefing, briefing
from dashboard import guard, keys, state
from dashboard.energy_model import results as model_results

BRIEFINGS_KEPT = 2  # briefings a session keeps (a PDF is a few hundred kB)


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
    bar = st.progress(0.0, text="The energy model's validation…")
    ev = model_results.evaluation(city, 0, 0, False, bar)
    return model_card(ev, city)


def renamed(result: Result, names: Sequence[str]) -> Result:
    """``result`` with its scenarios named ``names`` (the briefing's titles; ids unchanged)."""
    return replace(result, scenarios=[sc.replace(name=n)
                                      for sc, n in zip(result.scenarios, names, strict=True)])


def make(city: City, ctx: CityContext, result: Result, scenario_ids: Sequence[str | None],
         progress) -> Briefing:
    """The briefing of ``result`` (its first scenario, compared with the others), with the
    store ids for the permalink; ``progress(fraction, text)`` follows it."""
    progress(0.05, "The city's quality report")
    report = quality()
    progress(0.15, "The energy model's validation (trained once per city)")
    model = card(city)
    progress(0.6, "Maps, charts and tables")
    return briefing(city, ctx, result, report, model, city_id=state.city_id(),
                    scenario_ids=list(scenario_ids))


def section(key: str, stem: str, build: Callable[[Callable], Briefing], button_key: str) -> None:
    """The briefing's buttons: "Make the briefing" builds it (``build(progress)``), then
    "Download briefing (PDF)" and "(HTML)" serve it. ``key`` names what it is of (it is
    made again when that changes); ``stem``: the files' name."""
    made = state.store(keys.BRIEFINGS)
    if st.button("Make the briefing (PDF and HTML)", key=button_key,
                 help="A policy briefing of this plan: the question and the answer, maps, "
                      "equity, every assumption with its source, the data's quality, the "
                      "model's validation, the permalink and the methods."):
        slot = st.empty()
        bar = slot.progress(0.0, text="Starting…")

        def progress(fraction: float, text: str) -> None:
            bar.progress(fraction, text=f"Briefing: {text}")

        try:
            brief = build(progress)
            progress(0.8, "Printing the PDF")
            made[key] = (brief.pdf(), brief.html(), stem)
            while len(made) > BRIEFINGS_KEPT:
                made.pop(next(iter(made)))
            slot.empty()
        except InputError as exc:
            slot.empty()
            st.error(f"The briefing could not be made: {exc}")
        except Exception as exc:  # a library failing in a new way: a message, not a traceback
            slot.empty()
            st.error(f"The briefing could not be made (error id {guard.logged(exc, 'briefing')}); "
                     "the details are in the server log under this id.")
    if key in made:
        pdf, html, name = made[key]
        left, right = st.columns(2)
        left.download_button("Download briefing (PDF)", pdf, file_name=f"{name}.pdf",
                             mime="application/pdf", key=f"{button_key}_pdf", on_click="ignore")
        right.download_button("Download briefing (HTML)", html, file_name=f"{name}.html",
                              mime="text/html", key=f"{button_key}_html", on_click="ignore")
