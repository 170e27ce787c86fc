"""Accessibility (issue 12, WCAG 2.2 AA): axe-core checks every page of the menu, once it has
drawn its map and charts, in each mode of the app, and fails on any serious or critical
violation. axe is the npm package (tools/axe.py: `npm install --prefix .cache/axe
axe-core@<pinned>`, which .ci/run runs); nothing is exempted."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from core.intake.city import default_city
from core.plan import optimizer, problem, scenario
from core.store import Store
from dashboard import keys, nav, portal
from tools import axe
from tools.devserver import ROOT, running_app

pytestmark = pytest.mark.browser

BUSY_MS = 120_000  # a rerun on a busy 2-core machine (the Scenario lab solves, the models train)
MODES = ("planner", "portal")  # GREENPRINT_MODE: the planner's workbench, the public portal
PLAN_BUDGETS = (60.0, 200.0)  # USD per resident: two saved plans to compare
MAP_TABLE = "Map as a table"  # the expander under each map (dashboard.components.map_text)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe.min.js, installed with npm when it is missing (.ci/run installs it first)."""
    try:
        return axe.script(install=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(f"axe-core could not be installed ({exc}): run `npm install --prefix "
                    f".cache/axe axe-core@{axe.VERSION}` in the repository root")


def test_ci_installs_the_pinned_axe():
    assert f"axe-core@{axe.VERSION}" in (ROOT / ".ci" / "run").read_text()


@pytest.fixture(scope="module")
def store_with_plans(tmp_path_factory) -> Path:
    """A store (GREENPRINT_DATA_DIR) holding the default city and two published scenarios of
    it, so that the Saved scenarios and Compare pages show their lists, maps and charts."""
    folder = tmp_path_factory.mktemp("a11y-store")
    city = default_city()
    ctx = problem.context(city)
    base = scenario.bundled()["justice40"].for_city(city.references)
    with Store.open(data_dir=folder) as store:
        city_id = store.save_city(city)
        for budget in PLAN_BUDGETS:
            sc = base.replace(budget_usd_per_capita=budget, name=f"Budget {budget:g}")
            saved = store.save_scenario(city_id, sc, optimizer.optimize(ctx, sc, device="cpu"),
                                        ctx=ctx)
            store.publish_scenario(saved)
    return folder


@pytest.fixture(scope="module", params=MODES)
def served(request, store_with_plans):
    """(mode, URL) of a server in that mode on :func:`store_with_plans`, shared by the
    module's tests."""
    env = {"GREENPRINT_MODE": request.param, "GREENPRINT_DATA_DIR": str(store_with_plans)}
    with running_app(env=env) as (url, _proc, _seconds):
        yield request.param, url


#: A fingerprint of what the page shows: elements drawn, elements stale, a rerun running.
DRAWN_JS = """() => [document.querySelectorAll('[data-testid=stElementContainer]').length,
                     document.querySelectorAll('[data-stale=true]').length,
                     !!document.querySelector('[data-testid=stStatusWidget]')].join()"""


def settle(page) -> None:
    """Wait until the page has drawn: its title, every map's canvas and every chart's SVG,
    and then nothing changing for a second with no rerun running."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stMain").locator("h1").first).to_be_visible(timeout=BUSY_MS)
    for drawn in page.get_by_test_id("gp-map").all():
        expect(drawn).to_have_attribute("data-painted", re.compile(r"\d+"), timeout=BUSY_MS)
    for chart in page.get_by_test_id("stPlotlyChart").all():
        expect(chart.locator("svg.main-svg").first).to_be_attached(timeout=BUSY_MS)
    seen = []
    for _ in range(BUSY_MS // 500):
        seen.append(page.evaluate(DRAWN_JS))
        if len(seen) > 2 and seen[-1] == seen[-2] == seen[-3] and seen[-1].endswith("false"):
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the page kept changing: {seen[-3:]}")


def open_page(new_page, url: str, page_file: str):
    """A new browser page on ``page_file`` of the app at ``url``, drawn (:func:`settle`)."""
    page = new_page()
    page.goto(f"{url}/{nav.url_path(page_file)}")
    settle(page)
    return page


def report(page_file: str, mode: str, violations: list[axe.Violation]) -> str:
    return (f"{len(violations)} serious or critical accessibility violation(s) on "
            f"{page_file} ({mode} mode):\n" + "\n".join(f"  {v}" for v in violations))


@pytest.mark.parametrize("page_file", nav.ALL)
def test_no_serious_violation_on_any_page(served, page_file, new_page, axe_source):
    from playwright.sync_api import expect

    mode, url = served
    page = open_page(new_page, url, page_file)
    links = page.locator(f".st-key-{keys.MENU}").get_by_role("link")
    expect(links.first).to_be_visible()
    in_menu = {urlparse(link.get_attribute("href")).path.strip("/") for link in links.all()}
    if mode == "planner":
        assert in_menu == {nav.url_path(p) for p in nav.ALL}  # the menu links every page
    else:  # the server is the portal
        expect(page.get_by_text(portal.MODE_NOTE)).to_be_visible()
        if nav.url_path(page_file) not in in_menu:
            pytest.skip(f"{page_file} is not in the {mode} mode's menu")
    violations = axe.blocking(axe.run(page, axe_source))
    assert not violations, report(page_file, mode, violations)
    # every map has its text alternative under it (the District profile's map, which only
    # marks the chosen district, has a sentence instead)
    tables = page.get_by_test_id("stExpander").filter(has_text=MAP_TABLE).count()
    if page_file != nav.DISTRICT:  # on a busy machine a map's element may come a little later
        expect(page.get_by_test_id("gp-map")).to_have_count(tables, timeout=BUSY_MS)
    maps = page.get_by_test_id("gp-map").count()
    assert tables == (0 if page_file == nav.DISTRICT else maps)
    if page_file in (nav.OVERVIEW, nav.EQUITY, nav.SCENARIO_LAB, nav.COMPARE):
        assert maps  # the check sees the maps it is for


def test_the_check_sees_a_violation(app_url, new_page, axe_source):
    """The check is not blind: text at 2:1 contrast, an unnamed button and an image without
    alt text put into the page are found, with their selectors."""
    page = open_page(new_page, app_url, nav.METHODS)
    page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        main.insertAdjacentHTML('afterbegin',
            '<p id="gp-faint" style="color:#aaaaaa;background:#ffffff">Faint text</p>' +
            '<button id="gp-unnamed"></button><img id="gp-no-alt" src="data:,">');
    }""")
    found = {v.rule: v for v in axe.blocking(axe.run(page, axe_source))}
    assert "#gp-faint" in found["color-contrast"].targets
    assert "#gp-unnamed" in found["button-name"].targets
    assert "#gp-no-alt" in found["image-alt"].targets
