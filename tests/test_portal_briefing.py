"""The portal's briefings through AppTest (dashboard/briefing.py): on the Scenario lab, the
Saved scenarios page and the Compare page, a published scenario's briefing is offered even
though the release rule withholds districts 1 and 4, and neither its HTML nor its PDF text
holds their exact plan figures; once made it is kept for every visitor. The planner's
briefing of the same scenario shows them exactly."""

from __future__ import annotations

import shutil

import pytest

from core.models import cross_validation, model_card
from core.plan import optimizer, problem
from core.store import Store
from dashboard import briefing, keys, nav
from tests.test_portal_downloads import SECRETS
from tests.test_portal_release import published_small_city, set_mode  # noqa: F401 (fixture)
from tests.test_report_release import FAST, WITHHELD_NAMES, pdf_text, secrets_of
from tools.apptest import open_app

PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
def quick_card(monkeypatch):
    """The Lab's and Compare's briefings with a short cross-validation (the release, not the
    model, is under test), and none kept from another test."""
    monkeypatch.setattr(briefing, "card", lambda city: model_card.model_card(
        cross_validation.evaluate(city, FAST), city))
    briefing._shared()[0].clear()


def plan_secrets(scenario_id: str) -> list[str]:
    """The withheld districts' figures in the published scenario's plan, as a briefing writes
    them."""
    with Store.open() as store:
        saved = store.get_scenario(scenario_id)
        city = store.get_city(saved.city_id)
    ctx = problem.context(city)
    from core.plan import results

    return secrets_of(results.district_table(ctx, optimizer.optimize(ctx, saved.scenario,
                                                                     device="cpu")))


def portal_made(stem: str) -> tuple[bytes, bytes]:
    """The portal's briefing kept for every visitor under the file name ``stem``."""
    (entry,) = [e for e in briefing._shared()[0].values() if e[2] == stem]
    return entry[0], entry[1]


def assert_released(pdf: bytes, html: bytes, secrets: list[str]) -> None:
    text = html.decode()
    assert "Small areas" in text and "withholds 2 of the city" in text
    assert not [s for s in (*secrets, *SECRETS, *WITHHELD_NAMES) if s in text]
    if PDFTOTEXT:
        words = pdf_text(pdf)
        assert "Small areas" in words
        assert not [s for s in (*secrets, *SECRETS, *WITHHELD_NAMES)
                    if s in words and not s.startswith("data-value")]


def click_and_check(at, button: str) -> None:
    at.button(key=button).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Download briefing (PDF)" in [d.label for d in at.get("download_button")]


def test_the_lab_briefs_a_published_scenario_with_released_figures_only(
        monkeypatch, quick_card, published_small_city):  # noqa: F811 (the fixture)
    city_id, ids = published_small_city
    secrets = plan_secrets(ids[1])
    assert len(secrets) >= 4  # the plan spends in the withheld districts: the test has teeth
    query = {keys.CITY_PARAM: city_id, keys.SCENARIO_PARAM: ids[1]}

    set_mode(monkeypatch, "planner")
    planner = open_app(query=query)
    click_and_check(planner, keys.LAB_BRIEFING)
    (_pdf, html, _stem), = planner.session_state[keys.BRIEFINGS].values()
    assert all(s in html.decode() for s in secrets)

    set_mode(monkeypatch, "portal")
    at = open_app(query=query)
    click_and_check(at, keys.LAB_BRIEFING)
    assert_released(*portal_made(f"greenprint_briefing_{ids[1]}"), secrets)
    again = open_app(query=query)  # another visitor: served at once, not made again
    assert keys.LAB_BRIEFING not in {b.key for b in again.button}
    assert "Download briefing (PDF)" in [d.label for d in again.get("download_button")]


def test_the_saved_scenarios_page_and_compare_brief_with_released_figures_only(
        monkeypatch, quick_card, published_small_city):  # noqa: F811 (the fixture)
    city_id, ids = published_small_city
    set_mode(monkeypatch, "portal")
    at = open_app(nav.SCENARIOS, query={keys.CITY_PARAM: city_id})
    at.selectbox(key=keys.SCENARIOS_PICK).set_value(ids[1]).run()
    click_and_check(at, keys.SCENARIOS_BRIEFING)
    assert_released(*portal_made(f"greenprint_briefing_{ids[1]}"), plan_secrets(ids[1]))

    compare = open_app(nav.COMPARE, query={keys.CITY_PARAM: city_id})
    click_and_check(compare, keys.COMPARE_BRIEFING)
    picked = compare.multiselect(key=keys.COMPARE_PICK).value
    pdf, html = portal_made("greenprint_briefing_" + "_".join(picked))
    assert_released(pdf, html, [s for i in picked for s in plan_secrets(i)])
    assert 'id="comparison"' in html.decode()
