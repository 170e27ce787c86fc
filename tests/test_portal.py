"""The public portal (GREENPRINT_MODE=portal), through AppTest: upload, retrain and save are
absent there and present in the planner's mode; the Saved scenarios and Compare pages show
published scenarios only; a visitor's solve waits a bounded time behind others and says
when the portal is busy; a session runs one solve at a time; sweeps are cut to
GREENPRINT_PORTAL_MAX_SWEEP; a failure shows an error id and no traceback; the deploy
config is the portal's."""

from __future__ import annotations

import logging
import re
import threading
import tomllib

import pytest
import streamlit as st

from core import paths
from core.settings import get_settings
from core.store import Store
from dashboard import keys, nav
from tests.fault_app import LEAKS, SECRET, fail
from tests.test_no_traceback import shown_text
from tests.test_portal_downloads import small_city
from tests.test_store_pages import seed
from tools.apptest import maps, open_app

MODES = ("planner", "portal")


@pytest.fixture
def mode(request, monkeypatch) -> str:
    """The app's mode for the test (parametrised indirectly: "planner" or "portal")."""
    monkeypatch.setenv("GREENPRINT_MODE", request.param)
    get_settings.cache_clear()
    return request.param


@pytest.fixture
def portal(monkeypatch) -> None:
    monkeypatch.setenv("GREENPRINT_MODE", "portal")
    get_settings.cache_clear()


def button_keys(at) -> set[str]:
    return {b.key for b in at.button}


# ------------------------------------------------------------------ read-only


@pytest.mark.parametrize("mode", MODES, indirect=True)
def test_the_data_page_has_the_uploaders_only_in_the_planners_mode(mode):
    at = open_app(nav.DATA)
    uploaders = at.get("file_uploader")
    if mode == "planner":
        assert len(uploaders) >= 3 and at.title[0].value.startswith("Data: bring your own")
        return
    assert not uploaders and at.title[0].value == "Data"
    assert [b.proto.label for b in at.get("download_button")] == [
        "CSV (ZIP)", "XLSX (ZIP)", "GeoJSON (ZIP)", "GeoParquet (ZIP)"]
    assert any("Licence" in m.value for m in at.markdown)
    tables = [d.value for d in at.dataframe]
    assert any(list(t.columns) == ["column", "meaning", "unit", "source", "licence"]
               for t in tables)  # the data dictionary


@pytest.mark.parametrize("mode", MODES, indirect=True)
def test_the_energy_model_page_has_retrain_controls_only_in_the_planners_mode(mode):
    at = open_app(nav.ENERGY_MODEL, timeout_s=180)
    present = {keys.MODEL_RETRAIN, keys.MODEL_FOLDS, keys.MODEL_SEED} & (
        button_keys(at) | {s.key for s in at.selectbox} | {n.key for n in at.number_input})
    assert present == ({keys.MODEL_RETRAIN, keys.MODEL_FOLDS, keys.MODEL_SEED}
                       if mode == "planner" else set())
    assert len(at.metric) == 2  # the trained model's accuracy in both modes
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download model card (Markdown)" in labels  # the model card in both modes
    if mode == "portal":  # no per-district energy outside the release rule
        assert not maps(at)
        assert any("not shown on this portal" in i.value for i in at.info)


@pytest.mark.parametrize("mode", MODES, indirect=True)
def test_the_lab_can_save_only_in_the_planners_mode(mode):
    at = open_app(nav.SCENARIO_LAB)
    saving = {keys.LAB_SAVE} & button_keys(at)
    names = [t for t in at.text_input if t.key == keys.LAB_SAVE_NAME]
    assert bool(saving) == bool(names) == (mode == "planner")
    assert len(at.metric) >= 4  # the plan is solved in both modes
    at.sidebar.slider(key=keys.LAB_BUDGET).set_value(300).run()  # "what if" on the portal too
    assert not at.exception and len(at.metric) >= 4


@pytest.fixture
def published() -> tuple[str, list[str]]:
    """Three saved scenarios of the default city, the first two published."""
    city_id, ids = seed()
    with Store.open() as store:
        for i in ids[:2]:
            store.publish_scenario(i)
    return city_id, ids


@pytest.mark.parametrize("mode", MODES, indirect=True)
def test_saved_scenarios_lists_published_ones_without_changes_on_the_portal(mode, published):
    city_id, ids = published
    at = open_app(nav.SCENARIOS)
    listed = at.dataframe[0].value
    changing = {keys.SCENARIOS_DUPLICATE, keys.SCENARIOS_DELETE, keys.SCENARIOS_UPDATE}
    if mode == "planner":
        assert len(listed) == 3 and changing <= button_keys(at)
        return
    assert sorted(listed["Name"]) == ["Baseline", "Council option"]  # not "Stretch"
    assert not changing & button_keys(at) and not at.text_area
    assert keys.SCENARIOS_OPEN in button_keys(at)
    at.button(key=keys.SCENARIOS_OPEN).click().run()
    assert at.title[0].value == "Scenario lab" and not at.exception
    # a published scenario of a city where nothing is withheld: its briefing is offered
    assert keys.LAB_BRIEFING in button_keys(at)


def test_compare_and_links_use_published_scenarios_only_on_the_portal(portal, published):
    city_id, ids = published
    at = open_app(nav.COMPARE)
    assert not at.exception
    options = at.multiselect(key=keys.COMPARE_PICK).options
    assert len(options) == 2 and not any(ids[2] in o for o in options)
    assert keys.COMPARE_BRIEFING in button_keys(at)
    linked = open_app(query={keys.CITY_PARAM: city_id, keys.SCENARIO_PARAM: ids[2]})
    assert any("not published on this portal" in w.value for w in linked.warning)
    assert linked.title[0].value == "Overview map"
    with Store.open() as store:  # a planner's city with nothing published
        private = store.save_city(small_city("Unpublished city"))
    other = open_app(query={keys.CITY_PARAM: private})
    assert any("no scenario published on this portal" in w.value for w in other.warning)
    assert other.sidebar.markdown[0].value != "" and not any(
        "Unpublished city" in m.value for m in other.sidebar.markdown)


# ------------------------------------------------------------------ bounded solves


def test_a_visitor_waits_a_bounded_time_behind_others_then_is_told_to_try_again(
        portal, monkeypatch):
    from dashboard import portal as portal_mode

    monkeypatch.setenv("GREENPRINT_PORTAL_SOLVES", "1")
    monkeypatch.setenv("GREENPRINT_PORTAL_SOLVE_WAIT_S", "0.3")
    get_settings.cache_clear()
    slots = portal_mode.slots()
    assert slots.acquire(timeout=5)  # another visitor's solve holds the only slot
    try:
        at = open_app(nav.SCENARIO_LAB, city=small_city("Busy city"))
        (busy,) = [w.value for w in at.warning if "busy" in w.value]
        assert "waited 0.3 s" in busy and "try again" in busy
        assert not at.metric
    finally:
        slots.release()
    at.run()  # the slot is free: the same visitor's plan is solved
    assert not at.warning and len(at.metric) >= 4


def test_a_session_runs_one_solve_at_a_time(portal):
    held = threading.Lock()
    held.acquire()  # this session's previous solve is still running
    at = open_app(nav.OVERVIEW, city=small_city("One at a time"))
    at.session_state[keys.PORTAL_SOLVING] = {"lock": held}
    at.switch_page(nav.SCENARIO_LAB).run()
    assert any("previous calculation is still running" in w.value for w in at.warning)
    held.release()
    at.run()
    assert len(at.metric) >= 4


def test_the_planners_solves_are_not_bounded(monkeypatch):
    from dashboard import portal as portal_mode

    monkeypatch.setenv("GREENPRINT_PORTAL_SOLVES", "1")
    get_settings.cache_clear()
    slots = portal_mode.slots()
    assert slots.acquire(timeout=5)
    try:
        at = open_app(nav.SCENARIO_LAB, city=small_city("Planner city"))
        assert len(at.metric) >= 4 and not at.warning
    finally:
        slots.release()


@pytest.mark.parametrize("limit, sizes", [(64, (16, 8, 8)), (10, (10, 8, 1)), (3, (3, 3, 1))])
def test_sweeps_are_cut_to_the_portals_limit(portal, monkeypatch, limit, sizes):
    from dashboard.scenario_lab import solve

    monkeypatch.setenv("GREENPRINT_PORTAL_MAX_SWEEP", str(limit))
    get_settings.cache_clear()
    pareto, levels, draws = solve.sweep_sizes()
    assert (pareto, levels, draws) == sizes
    assert pareto <= limit and levels * draws <= limit


def test_the_planners_sweeps_keep_their_size():
    from core.plan import lab
    from dashboard.scenario_lab import solve

    assert solve.sweep_sizes() == (lab.PARETO_LEVELS, lab.MC_LEVELS, lab.MC_DRAWS)


def test_a_portal_sweep_solves_at_most_the_limit(portal, monkeypatch):
    monkeypatch.setenv("GREENPRINT_PORTAL_MAX_SWEEP", "6")
    get_settings.cache_clear()
    at = open_app(nav.SCENARIO_LAB, city=small_city("Sweep city"))
    at.button(key=keys.LAB_RUN_SWEEPS).click().run()
    assert not at.exception
    counts = [int(m.group(1)) for c in at.caption
              if (m := re.match(r"(\d+) scenarios in one solve", c.value))]
    assert counts == [6, 6]  # 6 budgets; 6 budgets x 1 draw


# ------------------------------------------------------------------ failures and config


@pytest.mark.parametrize("page", [nav.OVERVIEW, nav.DATA, nav.SCENARIO_LAB, nav.SCENARIOS])
def test_a_failure_on_the_portal_shows_an_error_id_and_no_traceback(portal, page, monkeypatch,
                                                                     caplog):
    at = open_app()
    at.switch_page(page)
    monkeypatch.setattr(st, "title", fail)
    with caplog.at_level(logging.ERROR, logger="greenprint"):
        at.run()
    assert not at.exception
    (error,) = [e.value for e in at.error if "error id" in e.value]
    error_id = re.search(r"error id (\w+)", error).group(1)
    assert not [leak for leak in LEAKS if leak in shown_text(at)]
    assert error_id in caplog.text and SECRET in caplog.text


def test_the_portals_streamlit_config_is_ready():
    config = tomllib.loads((paths.ROOT / "deploy" / "portal" / ".streamlit" / "config.toml")
                           .read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["headless"] is True
    assert config["server"]["maxUploadSize"] == 1  # MB: the portal takes no uploads
    assert config["browser"]["gatherUsageStats"] is False
    # the planner's theme, whose contrast axe checks (tests/test_browser_a11y.py)
    planner = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text())
    assert config["theme"] == planner["theme"]
