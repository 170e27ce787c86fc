"""End-to-end: retraining the energy model shows progress, then updated metrics; screenshots."""

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


def test_retrain_shows_progress_then_new_metrics_and_equity_renders():
    from playwright.sync_api import expect, sync_playwright

    with running_app() as (url, _proc, _t), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{url}/energy_model")
        metric = page.get_by_test_id("stMetricValue").first
        expect(metric).to_be_visible(timeout=120_000)
        expect(page.get_by_text("seed 0,", exact=False)).to_be_visible()
        before = metric.inner_text()

        seed = page.get_by_label("Seed")
        seed.fill("7")
        seed.press("Enter")
        page.get_by_role("button", name="Retrain").click()
        expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Retrained in", exact=False)).to_be_visible(timeout=120_000)
        expect(page.get_by_text("seed 7,", exact=False)).to_be_visible()
        assert metric.inner_text() != before

        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / "energy_model.png"), full_page=True)

        page.goto(f"{url}/equity")
        expect(page.get_by_test_id("stDeckGlJsonChart")).to_have_count(3, timeout=120_000)
        expect(page.get_by_text("Global Moran's I", exact=False)).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "equity.png"), full_page=True)
        browser.close()
