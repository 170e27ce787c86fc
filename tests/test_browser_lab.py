"""End-to-end: a slider move re-optimises (map and URL change) and the URL reproduces it."""

from __future__ import annotations

import re

import pytest

from dashboard import nav

pytestmark = pytest.mark.browser


def spent(page) -> str:
    return page.get_by_test_id("stMetric").filter(has_text="Spent").get_by_test_id(
        "stMetricValue").inner_text()


def test_slider_changes_map_and_url_and_the_url_reproduces_it(app_url, new_page, screenshots):
    from playwright.sync_api import expect

    page = new_page(height=1600)
    page.goto(f"{app_url}/{nav.url_path(nav.SCENARIO_LAB)}")
    map_root = page.get_by_test_id("gp-map")
    expect(map_root).to_have_attribute("data-painted", re.compile(r"\d+"), timeout=30000)
    expect(page.get_by_test_id("gp-solver-badge")).to_contain_text("gap to HiGHS", timeout=30000)
    before, painted_before = spent(page), int(map_root.get_attribute("data-painted"))
    legend_before = page.get_by_test_id("gp-legend").inner_text()

    slider = page.get_by_role("slider").first  # the budget, first in the sidebar
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # key presses may be merged into fewer reruns on a busy machine: any new budget will do
    page.wait_for_url(lambda u: "budget=" in u and "budget=100" not in u, timeout=40000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Spent")
           .get_by_test_id("stMetricValue")).not_to_have_text(before, timeout=40000)
    expect(page.get_by_test_id("gp-legend")).not_to_have_text(legend_before, timeout=40000)
    page.wait_for_timeout(1500)  # let the last rerun finish
    assert int(map_root.get_attribute("data-painted")) > painted_before  # the map redrawn
    page.screenshot(path=str(screenshots / "scenario_lab.png"), full_page=True)
    after, shared = spent(page), page.url

    other = new_page()  # another visitor: a fresh context, so nothing but the URL is shared
    other.goto(shared)
    expect(other.get_by_test_id("gp-map")).to_have_attribute("data-painted", re.compile(r"\d+"),
                                                           timeout=30000)
    expect(other.get_by_test_id("stMetric").filter(has_text="Spent")
           .get_by_test_id("stMetricValue")).to_have_text(after, timeout=40000)
    assert other.get_by_test_id("gp-legend").inner_text() == \
        page.get_by_test_id("gp-legend").inner_text()
