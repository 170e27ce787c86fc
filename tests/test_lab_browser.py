"""End-to-end: a slider move re-optimises (map and URL change) and the URL reproduces it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.devserver import CHROMIUM, CHROMIUM_ARGS, ROOT, running_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
SHOTS = Path(os.environ.get("GREENPRINT_SCREENSHOTS", ROOT / "test-artifacts"))


def spent(page) -> str:
    return page.get_by_test_id("stMetric").filter(has_text="Spent").get_by_test_id(
        "stMetricValue").inner_text()


def test_slider_changes_map_and_url_and_the_url_reproduces_it():
    from playwright.sync_api import expect, sync_playwright

    with running_app() as (url, _proc, _t), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{url}/scenario_lab")
        expect(page.get_by_test_id("stDeckGlJsonChart")).to_have_count(1, timeout=30000)
        expect(page.get_by_test_id("gp-solver-badge")).to_contain_text("gap to HiGHS", timeout=30000)
        before = spent(page)
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
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(1500)  # let the last rerun and deck.gl's transition finish
        page.screenshot(path=str(SHOTS / "scenario_lab.png"), full_page=True)
        after, shared = spent(page), page.url

        other = browser.new_page(viewport={"width": 1400, "height": 1250})
        other.goto(shared)
        expect(other.get_by_test_id("stDeckGlJsonChart")).to_have_count(1, timeout=30000)
        expect(other.get_by_test_id("stMetric").filter(has_text="Spent")
               .get_by_test_id("stMetricValue")).to_have_text(after, timeout=40000)
        assert other.get_by_test_id("gp-legend").inner_text() == \
            page.get_by_test_id("gp-legend").inner_text()
        browser.close()
