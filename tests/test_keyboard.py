"""The app with the keyboard alone (issue 12, WCAG 2.1.1 and 2.4.7): from the top of the
Scenario lab, Tab reaches the budget slider, which shows where the focus is; the arrow keys
move it, and the plan's KPIs follow."""

from __future__ import annotations

import pytest

from dashboard import nav

pytestmark = pytest.mark.browser

BUSY_MS = 120_000  # a re-optimisation on a busy 2-core machine
MAX_TABS = 40  # the language switch, the menu's links, the Scenario expander, then the sliders
#: what has the focus: its tag, type, label, and whether an outline or ring shows around it
#: (on a slider the focus is on a hidden input; its visible thumb carries the ring)
FOCUSED_JS = """() => {
    const e = document.activeElement;
    const shown = e.closest('[data-focus-visible]') || e;
    const style = getComputedStyle(shown);
    return {tag: e.tagName, type: e.type || '', label: e.getAttribute('aria-label') || '',
            text: (e.innerText || '').slice(0, 60),
            outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
            ring: style.boxShadow !== 'none'};
}"""


def spent(page):
    return page.get_by_test_id("stMetric").filter(has_text="Spent").get_by_test_id(
        "stMetricValue")


def test_tab_to_a_slider_move_it_with_the_arrows_and_see_the_plan_change(app_url, new_page):
    from playwright.sync_api import expect

    page = new_page(height=1600)
    page.goto(f"{app_url}/{nav.url_path(nav.SCENARIO_LAB)}")
    expect(page.get_by_test_id("gp-map")).to_have_count(1, timeout=BUSY_MS)
    expect(page.get_by_test_id("gp-solver-badge")).to_be_visible(timeout=BUSY_MS)
    before = spent(page).inner_text()

    visited = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        visited.append(focused["label"] or focused["text"] or focused["tag"])
        assert focused["tag"] == "BODY" or focused["outlined"] or focused["ring"], \
            f"no visible focus on {visited[-1]!r} (WCAG 2.4.7)"
        if focused["type"] == "range":
            break
    else:
        raise AssertionError(f"{MAX_TABS} Tabs never reached a slider; they went to {visited}")
    assert focused["label"].startswith("Budget"), visited  # the first slider in the sidebar

    slider = page.locator(f'input[type=range][aria-label="{focused["label"]}"]')
    start = slider.get_attribute("aria-valuetext")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(slider).not_to_have_attribute("aria-valuetext", start, timeout=BUSY_MS)
    expect(spent(page)).not_to_have_text(before, timeout=BUSY_MS)  # the plan was re-optimised
