"""The district map component (dashboard.map): its compact encoding, geometry and tooltip
columns sent once per session, the script's request for what it lacks, and picking."""

from __future__ import annotations

import base64

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from core.intake.city import default_city
from dashboard import keys, nav
from dashboard.map import encode, payload, tooltip_columns
from tools.apptest import maps, open_app, trigger


def _array(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def test_geometry_is_mercator_metres_with_ring_polygon_and_district_offsets():
    holed = Polygon([(0, 0), (0.02, 0), (0.02, 0.02), (0, 0.02)],
                    [[(0.005, 0.005), (0.01, 0.005), (0.01, 0.01)]])
    two = MultiPolygon([Polygon([(0.03, 0), (0.04, 0), (0.04, 0.01)]),
                        Polygon([(0.05, 0), (0.06, 0), (0.06, 0.01)])])
    g = encode.encode_geometry(gpd.GeoSeries([holed, two, None], crs=4326))
    xy = _array(g["coords"], "<f4").reshape(-1, 2)
    rings, polygons = _array(g["rings"], "<i4"), _array(g["polygons"], "<i4")
    districts = _array(g["districts"], "<i4")
    assert g["n"] == 3 and districts.tolist() == [0, 1, 3, 3]  # the third has no polygon
    assert polygons.tolist() == [0, 2, 3, 4]  # the holed polygon has two rings
    assert rings.tolist() == [0, 5, 9, 13, 17]  # closed rings: 5 and 4 points
    lonlat = shapely.get_coordinates([holed, two])
    metres = encode.mercator(lonlat)
    np.testing.assert_allclose(xy, metres - metres.min(axis=0), atol=0.01)
    assert g["extent"] == pytest.approx(list(metres.max(axis=0) - metres.min(axis=0)))
    # 0.06 degrees of longitude at the equator: 6,679 m on the Web Mercator sphere
    assert g["extent"][0] == pytest.approx(0.06 * np.pi / 180 * encode.EARTH_RADIUS_M)


def test_geometry_is_encoded_once_per_array_and_keyed_by_its_content():
    city = default_city()
    first = encode.geometry(city.map_geometry)
    assert encode.geometry(city.map_geometry) is first
    copy = gpd.GeoSeries(list(city.map_geometry), crs=city.map_geometry.crs)
    assert encode.geometry(copy).key == first.key  # another session's array, same key


def _props(city, values) -> pd.DataFrame:
    return city.districts[["district_id", "name"]].assign(value_text=values)


def test_payload_sends_geometry_and_columns_once_then_only_their_keys():
    city = default_city()
    sent: set[str] = set()
    fill = [[10, 20, 30, 210]] * city.n
    tooltip = "<b>{name}</b>: {value_text} {missing}"
    first = payload(city, _props(city, ["1"] * city.n), fill, tooltip, sent)
    assert set(first["columns"]) == {"district_id", "name", "value_text"}
    assert set(first["blobs"]) == {first["geometry"], *first["columns"].values()} == sent
    second = payload(city, _props(city, ["2"] * city.n), fill, tooltip, sent)
    assert list(second["blobs"]) == [second["columns"]["value_text"]]  # what changed only
    assert second["blobs"][second["columns"]["value_text"]] == ["2"] * city.n
    assert second["geometry"] == first["geometry"]
    assert _array(second["fill"], "u1").reshape(-1, 4).tolist() == fill
    assert len(str(second)) < len(str(first)) / 3


def test_payload_marks_the_highlighted_and_outlined_districts_and_has_no_nan():
    city = default_city()
    values = pd.Series([np.nan, np.inf, *range(city.n - 2)], dtype=float)
    data = payload(city, _props(city, values), [[0, 0, 0, 255]] * city.n, "{value_text}", set(),
                   highlight="32", outlined=np.arange(city.n) < 3)
    assert data["highlight"] == city.districts["district_id"].tolist().index("32")
    assert data["outlined"] == [0, 1, 2]
    column = data["blobs"][data["columns"]["value_text"]]
    assert column[:3] == [None, None, 0.0]  # JSON has no NaN: the browser could not read it
    assert data["label"] == "Map of 77 districts"


def test_tooltip_columns_are_the_templates_placeholders_and_the_district_id():
    frame = pd.DataFrame({"district_id": ["1"], "name": ["a"], "value": [1.0], "x": [2]})
    assert tooltip_columns(frame, "<b>{name}</b> {value} {absent}") == [
        "district_id", "name", "value"]


def test_a_session_gets_the_geometry_on_its_first_run_only_and_a_new_session_again():
    at = open_app(nav.SCENARIO_LAB)
    (first,) = maps(at)
    assert first["geometry"] in at.map_blobs  # sent by the Overview map of the first run
    at.slider(key=keys.LAB_BUDGET).set_value(300).run()
    (moved,) = maps(at)
    assert moved["geometry"] == first["geometry"] and moved["geometry"] not in moved["sent"]
    assert moved["fill"] != first["fill"]
    # what a move sends: the fills and the changed values, a fraction of the first run's
    assert len(moved["text"]) < len(maps(open_app())[0]["text"]) / 5
    other = open_app()  # a new session (a reload): the geometry again
    assert maps(other)[0]["geometry"] in maps(other)[0]["sent"]


def test_the_script_asking_for_what_it_lacks_gets_everything_again():
    at = open_app()
    at.selectbox(key=keys.OVERVIEW_INDICATOR).set_value("energy_per_capita").run()
    (shown,) = maps(at)
    assert shown["geometry"] not in shown["sent"]
    trigger(at, shown["id"], "need", shown["geometry"])
    assert not at.exception
    (again,) = maps(at)
    assert again["geometry"] in again["sent"]
    assert set(again["sent"]) >= {again["geometry"], *again["columns"].values()}
    at.run()  # asked once: the next run refers to it by key again
    assert maps(at)[0]["sent"] == set()


def test_a_click_on_the_overview_map_picks_the_district_and_links_its_profile():
    at = open_app()
    trigger(at, maps(at)[0]["id"], "pick", "32")
    assert not at.exception
    links = [link.proto.label for link in at.get("page_link")]
    assert "Open the profile of Loop" in links
    at.switch_page(nav.DISTRICT).run()
    assert at.selectbox(key=keys.PROFILE_DISTRICT).value == "32"


def test_a_click_on_the_profile_map_selects_another_district():
    at = open_app(nav.DISTRICT)
    at.selectbox(key=keys.PROFILE_DISTRICT).set_value("32").run()
    trigger(at, maps(at)[0]["id"], "pick", "8")
    assert not at.exception
    assert at.selectbox(key=keys.PROFILE_DISTRICT).value == "8"
    (shown,) = maps(at)
    assert shown["properties"][shown["highlight"]]["district_id"] == "8"


def test_a_tiled_basemap_is_refused_with_the_setting_named(monkeypatch):
    from pydantic import ValidationError

    from core.settings import get_settings

    monkeypatch.setenv("GREENPRINT_BASEMAP", "https://tiles.example.org/style.json")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValidationError, match="basemap"):
            get_settings()
    finally:
        monkeypatch.delenv("GREENPRINT_BASEMAP")
        get_settings.cache_clear()
    assert get_settings().basemap == "blank"
