"""End-to-end: retraining the energy model shows progress, then updated metrics; screenshots."""

from __future__ import annotations

import pytest

from dashboard import nav

pytestmark = pytest.mark.browser


def test_retrain_shows_progress_then_new_metrics_and_equity_renders(app_url, new_page,
                                                                      screenshots):
    from playwright.sync_api import expect

    page = new_page(height=1400)
    page.goto(f"{app_url}/{nav.url_path(nav.ENERGY_MODEL)}")
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

    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshots / "energy_model.png"), full_page=True)

    page.goto(f"{app_url}/{nav.url_path(nav.EQUITY)}")
    expect(page.get_by_test_id("gp-map")).to_have_count(3, timeout=120_000)
    expect(page.get_by_text("Global Moran's I", exact=False)).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(screenshots / "equity.png"), full_page=True)
