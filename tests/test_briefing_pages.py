"""The briefing buttons of the Scenario lab and the Compare page (dashboard/briefing.py): made
on request from core.report, served as PDF and HTML, with the saved scenario's title and
permalink; a failure is a message, never a traceback."""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.models import cross_validation, model_card
from core.models.network import TrainConfig
from dashboard import briefing, keys, nav
from tests.test_store_pages import query, seed
from tools.apptest import open_app

#: a short cross-validation: the buttons, not the model, are under test (the browser test
#: makes a briefing with the app's own model)
FAST = TrainConfig(folds=3, max_epochs=150, patience=20, device="cpu")


@pytest.fixture
def quick_card(monkeypatch):
    monkeypatch.setattr(briefing, "card", lambda city: model_card.model_card(
        cross_validation.evaluate(city, FAST), city))


def made(at) -> tuple[bytes, bytes, str]:
    (entry,) = at.session_state[keys.BRIEFINGS].values()
    return entry


def test_the_lab_makes_the_saved_scenario_s_briefing(quick_card):
    at = open_app(nav.SCENARIO_LAB)
    at.text_input(key=keys.LAB_SAVE_NAME).input("Council option").run()
    at.button(key=keys.LAB_SAVE).click().run()
    address = query(at)
    at.button(key=keys.LAB_BRIEFING).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    labels = [d.label for d in at.get("download_button")]
    assert "Download briefing (PDF)" in labels and "Download briefing (HTML)" in labels
    pdf, html, stem = made(at)
    text = html.decode()
    assert pdf.startswith(b"%PDF") and stem == f"greenprint_briefing_{address['scenario']}"
    assert "Council option" in text
    assert f"city={address['city']}&amp;scenario={address['scenario']}" in text  # permalink

    at.sidebar.slider(key=keys.LAB_BUDGET).set_value(300).run()  # another plan: made again
    assert "Download briefing (PDF)" not in [d.label for d in at.get("download_button")]


def test_the_compare_page_briefs_all_the_scenarios(quick_card):
    _, ids = seed()
    at = open_app(nav.COMPARE)
    at.button(key=keys.COMPARE_BRIEFING).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    pdf, html, stem = made(at)
    text = html.decode()
    assert pdf.startswith(b"%PDF") and stem == "greenprint_briefing_" + "_".join(ids)
    assert all(name in text for name in ("Baseline", "Council option", "Stretch"))


@pytest.mark.parametrize("failure, shown", [
    (InputError("the city has no income column"), "could not be made: the city has no income"),
    (RuntimeError("a library failed"), "error id"),
])
def test_a_failed_briefing_is_a_message(failure, shown, monkeypatch):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(briefing, "make", fail)
    at = open_app(nav.SCENARIO_LAB)
    at.button(key=keys.LAB_BRIEFING).click().run()
    assert not at.exception
    assert any(shown in e.value for e in at.error), [e.value for e in at.error]
    assert "a library failed" not in " ".join(e.value for e in at.error)
    assert "Download briefing (PDF)" not in [d.label for d in at.get("download_button")]
