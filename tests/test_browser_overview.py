"""End-to-end: the Overview map in Debian's chromium, driven by Playwright, against a live
server on a free port: tooltip, indicator switch, no request to the internet."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def hover_map_centre(page) -> str:
    from playwright.sync_api import expect

    canvas = page.get_by_test_id("gp-map").get_by_role("img")
    box = canvas.bounding_box()
    tooltip = page.get_by_test_id("gp-map").locator(".gp-map-tooltip")
    # the centre of Chicago's extent lies inside a community area; nudge until one is hit
    for dx, dy in [(0, 0), (20, 0), (-20, 10), (0, 30), (30, -30)]:
        page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)
        try:
            expect(tooltip).to_be_visible(timeout=3000)
            return tooltip.inner_text()
        except AssertionError:
            continue
    raise AssertionError("no tooltip appeared over the map")


def test_map_tooltip_indicator_switch_and_screenshot(app_url, new_page, screenshots):
    from playwright.sync_api import expect

    page = new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(app_url)
    expect(page.get_by_test_id("gp-map")).to_have_attribute("data-painted", re.compile(r"\d+"),
                                                          timeout=30000)
    expect(page.get_by_text("City of Chicago data portal").first).to_be_visible()
    expect(page.get_by_test_id("gp-legend")).to_contain_text("persons")
    text = hover_map_centre(page)
    assert "Population" in text and "persons" in text

    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Energy per resident (kWh/person/yr)").click()
    expect(page.get_by_test_id("gp-legend")).to_contain_text("kWh/person/yr", timeout=15000)
    page.mouse.move(5, 5)
    text = hover_map_centre(page)
    assert "Energy per resident" in text and "kWh/person/yr" in text

    page.mouse.move(5, 5)  # no tooltip in the picture
    page.screenshot(path=str(screenshots / "overview.png"), full_page=False)
    outside = [u for u in requests
               if u.startswith(("http:", "https:", "ws:", "wss:")) and not u.startswith(app_url)
               and not u.startswith(app_url.replace("http", "ws"))]
    assert outside == [], f"the app fetched from the internet: {outside[:5]}"
