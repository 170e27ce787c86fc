"""End-to-end, the district map component (dashboard.map) in Debian's chromium: a district
name with markup shows as text, a click picks a district, a page that lost the geometry asks
for it and draws the map, and a slider move sends no geometry."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import keys, nav
from tools.devserver import running_app

pytestmark = pytest.mark.browser

MARKUP = "<img src=x onerror=alert(1)>"
BUSY_MS = 60_000


def painted(page):
    """The page's map once it has drawn (its paint counter is set)."""
    from playwright.sync_api import expect

    root = page.get_by_test_id("gp-map")
    expect(root).to_have_attribute("data-painted", re.compile(r"\d+"), timeout=BUSY_MS)
    return root


def _markup_city():
    from core.intake.city import load_city
    from tests.conftest import square_grid

    attrs = pd.DataFrame({"district_id": [str(i) for i in range(1, 10)],
                          "name": [f"D{i}" for i in range(1, 5)] + [MARKUP]
                          + [f"D{i}" for i in range(6, 10)],
                          "population": [3000] * 9, "electricity_kwh": [9e6] * 9,
                          "gas_kwh": [1e7] * 9})
    return load_city(square_grid(3), attrs, name="Markup city")  # district 5 in the middle


def test_a_district_name_with_markup_shows_as_text_in_the_tooltip(new_page, tmp_path):
    from playwright.sync_api import expect

    from core.store import Store

    with Store.open(data_dir=str(tmp_path)) as store:
        city_id = store.save_city(_markup_city())
    with running_app(env={"GREENPRINT_DATA_DIR": str(tmp_path)}) as (url, _proc, _s):
        page = new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/?{keys.CITY_PARAM}={city_id}")
        root = painted(page)
        box = root.get_by_role("img").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tooltip = root.locator(".gp-map-tooltip")
        expect(tooltip).to_be_visible(timeout=5000)
        assert MARKUP in tooltip.inner_text()  # shown as text
        assert tooltip.locator("img").count() == 0 and tooltip.locator("b").count() == 1
        page.wait_for_timeout(300)
        assert dialogs == []


def test_a_click_picks_a_district_and_a_page_without_the_geometry_asks_for_it(app_url,
                                                                                new_page):
    from playwright.sync_api import expect

    page = new_page()
    page.goto(app_url)
    root = painted(page)
    geometry = root.get_attribute("data-geometry")
    box = root.get_by_role("img").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = page.get_by_role("link", name=re.compile("^Open the profile of "))
    expect(link).to_be_visible(timeout=BUSY_MS)
    # the page forgets every map's data (as a reloaded script would); the session has sent
    # the geometry, so the Lab's map gets only its key, asks for it, and is drawn
    page.evaluate("globalThis.greenprintMapCache.clear()")
    page.locator(f".st-key-{keys.MENU}").get_by_role("link", name="Scenario lab",
                                                     exact=True).click()
    expect(page.get_by_test_id("stMetric").filter(has_text="Spent")).to_be_visible(
        timeout=BUSY_MS)
    root = painted(page)
    expect(root).to_have_attribute("data-geometry", geometry, timeout=BUSY_MS)
    assert page.evaluate("(key) => globalThis.greenprintMapCache.has(key)", geometry)
    assert nav.url_path(nav.SCENARIO_LAB) in page.url


def test_the_canvas_draws_holes_multipolygons_and_the_fills(browser):
    """The script alone, on a page of its own: a district with a hole (the background shows
    through it, a second district inside it), a district of two polygons, fills as given."""
    import json
    from pathlib import Path

    import geopandas as gpd
    import numpy as np
    from shapely.geometry import MultiPolygon, Polygon

    from core.settings import get_settings
    from dashboard import map as district_map
    from dashboard.map import encode

    square = [(-87.7, 41.8), (-87.6, 41.8), (-87.6, 41.9), (-87.7, 41.9)]
    hole = [(-87.68, 41.82), (-87.62, 41.82), (-87.62, 41.88), (-87.68, 41.88)]
    inner = Polygon([(-87.67, 41.83), (-87.63, 41.83), (-87.63, 41.87), (-87.67, 41.87)])
    two = MultiPolygon([Polygon([(-87.59, 41.8), (-87.55, 41.8), (-87.55, 41.84), (-87.59, 41.84)]),
                        Polygon([(-87.59, 41.86), (-87.55, 41.86), (-87.55, 41.9), (-87.59, 41.9)])])
    geometry = gpd.GeoSeries([Polygon(square, [hole]), inner, two], crs=4326)
    city = type("Shapes", (), {"map_geometry": geometry})()
    props = pd.DataFrame({"district_id": ["a", "b", "c"], "name": ["Holed", "Inner", "Two"]})
    fills = [[200, 0, 0, 255], [0, 200, 0, 255], [0, 0, 200, 255]]
    data = {**district_map.payload(city, props, fills, "{name}", set()), "pick": False,
            "height": 300}
    script = Path(district_map.__file__).with_name("district_map.js").read_text()
    page = browser.new_page(viewport={"width": 500, "height": 320})
    page.set_content(
        '<div id="host" style="width:500px"><div class="gp-map"></div></div><script type="module">'
        + script.replace("export default function", "function")
        + f"\ndistrictMap({{parentElement: document.getElementById('host'), data: {json.dumps(data)},"
        " setTriggerValue: () => {}});</script>")
    page.wait_for_selector(".gp-map[data-painted]", state="attached")
    metres = encode.mercator(np.array([[-87.7, 41.8], [-87.55, 41.9]]))
    extent = metres[1] - metres[0]
    scale = min((500 - 16) / extent[0], (300 - 16) / extent[1])

    def pixel(lon: float, lat: float) -> list[int]:
        x, y = encode.mercator(np.array([[lon, lat]]))[0] - metres[0]
        sx, sy = (500 - scale * extent[0]) / 2 + scale * x, (300 + scale * extent[1]) / 2 - scale * y
        return page.evaluate(
            "([x, y]) => { const c = document.querySelector('.gp-map canvas');"
            " const k = c.width / c.clientWidth;"
            " return [...c.getContext('2d').getImageData(Math.round(x * k), Math.round(y * k),"
            " 1, 1).data]; }", [sx, sy])

    colour = get_settings().blank_color
    background = [int(colour[i:i + 2], 16) for i in (1, 3, 5)] + [255]
    assert pixel(-87.69, 41.85) == fills[0]  # the holed district's ring
    assert pixel(-87.675, 41.85) == background  # its hole, between it and the inner district
    assert pixel(-87.65, 41.85) == fills[1]  # the district inside the hole
    assert pixel(-87.57, 41.815) == pixel(-87.57, 41.885) == fills[2]  # both polygons of one
    assert pixel(-87.57, 41.85) == background  # between them
    page.close()


def test_the_map_pans_and_zooms_from_the_keyboard(app_url, new_page):
    """Focused, the map moves with the arrow keys and zooms with + and -: each key repaints
    it with another view (the canvas's pixels change), and 0 fits the city again."""
    page = new_page()
    page.goto(app_url)
    root = painted(page)
    canvas = root.get_by_role("img")
    assert canvas.get_attribute("tabindex") == "0"  # reachable with Tab

    def pixels() -> str:
        return canvas.evaluate("c => c.toDataURL()")

    def press(key: str) -> str:
        before = int(root.get_attribute("data-painted"))
        canvas.press(key)
        page.wait_for_function(
            "([el, n]) => Number(el.dataset.painted) > n", arg=[root.element_handle(), before],
            timeout=5000)
        return pixels()

    fitted = pixels()
    zoomed = press("+")
    assert zoomed != fitted
    panned = press("ArrowRight")
    assert panned != zoomed
    assert press("0") == fitted  # fitted to the city again
