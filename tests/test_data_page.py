"""The Data page through AppTest: uploads, the quality report, switching city, bad input."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core import paths
from dashboard import keys, nav
from tests.archives import zip_of
from tests.renamed_export import write_renamed_export
from tools.apptest import maps, open_app


def upload(at: AppTest, boundaries: tuple[str, bytes] | None,
           attributes: tuple[str, bytes] | None = None) -> AppTest:
    if boundaries:
        at.file_uploader(key=keys.DATA_BOUNDARIES).set_value((*boundaries, "application/octet-stream"))
    if attributes:
        at.file_uploader(key=keys.DATA_ATTRIBUTES).set_value((*attributes, "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_data_page_starts_with_instructions():
    at = open_app(nav.DATA)
    assert at.title[0].value == "Data: bring your own city"
    assert "Use this city" in at.info[0].value
    assert keys.CITY not in at.session_state


def test_renamed_export_uploads_maps_validates_and_becomes_the_active_city(tmp_path):
    b, a = write_renamed_export(tmp_path)
    at = upload(open_app(nav.DATA), (b.name, b.read_bytes()), (a.name, a.read_bytes()))
    assert at.selectbox(key=keys.DATA_BOUNDARY_ID).value == "area_numbe"
    assert at.selectbox(key=keys.DATA_ATTRIBUTE_ID).value == "CA"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Districts (count)"] == "77" and metrics["Blocking problems (count)"] == "0"
    (shown,) = maps(at)
    scores = [float(p["value_text"]) for p in shown["properties"]]
    assert len(scores) == 77 and all(0 <= s <= 100 for s in scores)
    names = [d.label for d in at.get("download_button")]
    assert "Download the report (CSV)" in names and "Download the report (JSON)" in names
    at.button(key=keys.DATA_USE).click().run()
    city = at.session_state[keys.CITY]
    assert city.n == 77 and city.name == "community_areas" and not city.illustrative
    assert any("converted from therm" in s for s in city.lineage)
    assert any(s.startswith("display: map boundaries simplified") for s in city.lineage)
    assert any("Every page now shows community_areas" in s.value for s in at.success)
    at.switch_page(nav.OVERVIEW).run()
    assert not at.exception and "community_areas" in at.caption[0].value
    at.switch_page(nav.DATA).run()
    at.button(key=keys.DATA_RESET).click().run()
    assert keys.CITY not in at.session_state



POINTS = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"district_id": "1"},
     "geometry": {"type": "Point", "coordinates": [-87.6, 41.8]}}]}).encode()


@pytest.mark.parametrize("boundaries, message", [
    (("d.geojson", b'{"type": "FeatureCollection", "features": [{'), "cannot read"),
    (("d.geojson", b""), "empty"),
    (("d.zip", zip_of({"readme.txt": b"x"})), "no .shp file"),
    (("d.zip", zip_of({"../../evil.shp": b"x"})), "unsafe file name"),
    (("d.zip", zip_of({"d.shp": b"\0" * 3_000_000})), "zip bomb"),
])
def test_unreadable_boundaries_show_a_message_and_keep_the_city(boundaries, message):
    at = upload(open_app(nav.DATA), boundaries)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert keys.CITY not in at.session_state
    assert not [b for b in at.get("download_button") if "report" in b.label]  # no report


def test_blocking_problems_disable_use_and_keep_the_active_city():
    at = upload(open_app(nav.DATA), ("points.geojson", POINTS))
    assert any("geometry" in e.value and "polygon" in e.value for e in at.error)
    assert at.button(key=keys.DATA_USE).disabled  # AppTest, like a browser, cannot click it
    assert keys.CITY not in at.session_state


def test_bad_attribute_table_latin1_and_text_in_numbers():
    table = paths.DEFAULT_ATTRIBUTES.read_text().replace("\n2,", "\n2,n/a_", 1)
    at = upload(open_app(nav.DATA), ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes()),
                ("a.csv", table.encode("latin-1")))
    assert any("type [population]" in e.value and "n/a_" in e.value for e in at.error)
    assert at.button(key=keys.DATA_USE).disabled
    assert keys.CITY not in at.session_state


def test_table_problems_no_id_match_and_duplicate_ids():
    b = ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes())
    at = upload(open_app(nav.DATA), b, ("a.csv", b"district_id,population\nx1,5\nx2,6\n"))
    assert any("no attribute row matches" in e.value for e in at.error)
    at = upload(open_app(nav.DATA), b, ("a.csv", b"district_id,population\n1,5\n1,6\n2,7\n"))
    assert any("duplicate ids [district_id]" in e.value for e in at.error)
    assert at.button(key=keys.DATA_USE).disabled and keys.CITY not in at.session_state


def test_upload_over_the_size_limit(monkeypatch):
    from core.intake import readers
    from core.settings import Settings

    monkeypatch.setattr(readers, "get_settings", lambda: Settings(upload_limit_mb=0.01))
    fresh = paths.DEFAULT_BOUNDARIES.read_bytes() + b"\n\n"  # not in the upload cache
    at = upload(open_app(nav.DATA), ("d.geojson", fresh))
    assert any("over the upload limit" in e.value for e in at.error)
    assert keys.CITY not in at.session_state


def test_a_saved_mapping_file_is_applied_and_recorded():
    b = ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes())
    a = ("a.csv", paths.DEFAULT_ATTRIBUTES.read_bytes())
    at = upload(open_app(nav.DATA), b, a)
    saved = b'{"units": {"gas_kwh": "MWh"}, "extra_features": []}'
    at.file_uploader(key=keys.DATA_MAPPING_FILE).set_value(("m.json", saved, "application/json"))
    at.run()
    assert not at.exception
    lineage = [df.value for df in at.dataframe if list(df.value.columns) == ["change"]][0]
    assert any("gas_kwh converted from MWh (x1000)" in s for s in lineage["change"])
    problems = [df.value for df in at.dataframe if "severity" in df.value.columns][0]
    assert "implausible" in set(problems["check"])
    at.button(key=keys.DATA_USE).click().run()
    assert at.session_state[keys.CITY].units == {"gas_kwh": "MWh"}


def test_geopackage_layers_and_excluding_districts(tmp_path):
    from tests.conftest import square_grid

    path = tmp_path / "two.gpkg"
    square_grid(2).assign(population=[1, 2, 3, 4]).to_file(path, layer="wards")
    square_grid(3).assign(population=range(9)).to_file(path, layer="tracts")
    at = upload(open_app(nav.DATA), ("two.gpkg", path.read_bytes()))
    layer = at.selectbox(key=keys.DATA_LAYER)
    assert sorted(layer.options) == ["tracts", "wards"]
    layer.set_value("tracts").run()
    assert {m.label: m.value for m in at.metric}["Districts (count)"] == "9"
    at.text_input(key=keys.DATA_EXCLUDE).input("8, 9").run()
    assert {m.label: m.value for m in at.metric}["Districts (count)"] == "7"
    at.button(key=keys.DATA_USE).click().run()
    city = at.session_state[keys.CITY]
    assert city.n == 7 and any("excluded from the boundaries by the user (ids 8, 9)" in s
                               for s in city.lineage)


def test_a_city_written_by_the_cli_uploads_with_its_lineage(tmp_path):
    from core.intake.city import load_city, write_city
    from core.intake.mapping import ColumnMapping

    city = load_city(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES,
                     ColumnMapping(units={"roof_area_m2": "m2"}), name="Saved")
    path = write_city(city.with_lineage("clean: an earlier step"), tmp_path / "saved.parquet")
    at = upload(open_app(nav.DATA), ("saved.parquet", path.read_bytes()))
    lineage = [df.value for df in at.dataframe if list(df.value.columns) == ["change"]][0]
    changes = list(lineage["change"])
    assert changes[0] == "read: attributes decoded as utf-8, delimiter ','"
    # the saved city's own steps come back in order (its estimates sit between them)
    assert changes.index("clean: an earlier step") < changes.index("saved: written to saved.parquet")
    assert {m.label: m.value for m in at.metric}["Blocking problems (count)"] == "0"


def default_city_upload() -> AppTest:
    return upload(open_app(nav.DATA), ("d.geojson", paths.DEFAULT_BOUNDARIES.read_bytes()),
                  ("a.csv", paths.DEFAULT_ATTRIBUTES.read_bytes()))


def upload_degree_days(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=keys.DATA_DEGREE_DAYS).set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_uploaded_degree_days_are_attached_to_the_city_and_enable_the_split():
    at = default_city_upload()
    assert keys.CITY not in at.session_state
    # without a table the Energy model page would say the split is unavailable
    at = upload_degree_days(at, "dd.csv", paths.DEFAULT_DEGREE_DAYS.read_bytes())
    assert any("Degree days accepted: 12 months, 3,317 heating and 557 cooling" in s.value for s in at.success), \
        [s.value for s in at.success]
    assert not any("Degree days" in w.value for w in at.warning)
    at.button(key=keys.DATA_USE).click().run()
    city = at.session_state[keys.CITY]
    assert city.degree_days is not None
    assert city.degree_days["month"].tolist() == list(range(1, 13))
    assert city.degree_days["hdd_c"].iloc[0] == 685.17
    assert any(s.startswith("degree days: monthly table dd.csv attached (12 months")
               for s in city.lineage), city.lineage
    assert any("with its monthly degree days" in s.value for s in at.success)
    at.switch_page(nav.ENERGY_MODEL).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not any("degree-day model is unavailable" in m.value for m in at.info)
    split = [df.value for df in at.dataframe if "heating_kwh" in df.value.columns]
    assert split
    fits = split[0].set_index("fuel")
    assert fits.loc["Electricity use", "heating_kwh"] > 0  # the split is drawn...
    # ...and a fuel whose fit misses ASHRAE's monthly limit says why instead of a split
    for fuel, row in fits.iterrows():
        assert row["heating_kwh"] > 0 or not row["plausible"], fuel
        if not row["plausible"]:
            assert any(fuel.split()[0] in w.value and "ASHRAE" in w.value for w in at.warning), \
                [w.value for w in at.warning]


@pytest.mark.parametrize("data, message", [
    (b"month,hdd\n1,2\n", "missing: hdd_c, cdd_c"),
    (b"month,hdd_c,cdd_c\n1,10,0\n2,5,0\n", "each of 1..12 exactly once"),
    (b"", "cannot read the degree-day table bad.csv"),
])
def test_a_bad_degree_day_table_warns_and_blocks_nothing(data, message):
    at = upload_degree_days(default_city_upload(), "bad.csv", data)
    warnings = [w.value for w in at.warning]
    assert any(message in w and "degree-day split on the Energy model page will be unavailable"
               in w for w in warnings), warnings
    assert not at.error and not at.button(key=keys.DATA_USE).disabled
    at.button(key=keys.DATA_USE).click().run()
    city = at.session_state[keys.CITY]
    assert city.n == 77 and city.degree_days is None
    assert not any(s.startswith("degree days:") for s in city.lineage)


def estimated_upload(tmp_path) -> AppTest:
    """The 4-square grid with population and per-capita income, no households, housing units,
    median household income or roof area."""
    from tests.conftest import square_grid

    grid = square_grid(2)
    grid.to_file(tmp_path / "grid.geojson", driver="GeoJSON")
    table = (b"district_id,population,per_capita_income,electricity_kwh,gas_kwh\n"
             b"1,1000,40000,2e6,4e6\n2,2000,30000,3e6,5e6\n3,3000,20000,4e6,6e6\n"
             b"4,4000,12000,5e6,8e6\n")
    return upload(open_app(nav.DATA), ("grid.geojson", (tmp_path / "grid.geojson").read_bytes()),
                  ("a.csv", table))


def lineage_of(at: AppTest) -> list[str]:
    return list([df.value for df in at.dataframe
                 if list(df.value.columns) == ["change"]][0]["change"])


def test_estimated_columns_have_a_figure_to_change_and_a_bad_one_is_a_message(tmp_path):
    at = estimated_upload(tmp_path)
    captions = [c.value for c in at.caption]
    assert ("households: estimated, 2.58 persons per household, source: US Census Bureau, "
            "2010 Census Summary File 1, Chicago city, Illinois.") in captions
    assert "aggregate_income: estimated as population x per_capita_income." in captions
    pph = at.number_input(key=upload_keys("persons_per_household"))
    assert pph.value == 2.58
    assert {n.key for n in at.number_input} == {upload_keys(n) for n in (
        "persons_per_household", "occupancy_rate", "building_coverage_share",
        "roof_usable_share")}
    problems = [df.value for df in at.dataframe if "severity" in df.value.columns][0]
    assert set(problems["severity"]) == {"note"} and set(problems["check"]) == {"estimated"}
    pph.set_value(2.0).run()
    assert not at.exception and not at.error
    assert any(s.startswith("households: estimated as population / persons_per_household, "
                            "persons_per_household = 2 persons/household (set by the user")
               for s in lineage_of(at))
    at.number_input(key=upload_keys("occupancy_rate")).set_value(-0.5).run()
    assert not at.exception
    assert any("Estimates: the estimate figure occupancy_rate must be a share above 0 and at "
               "most 1, got -0.5" in e.value for e in at.error), [e.value for e in at.error]
    assert at.button(key=keys.DATA_USE).disabled
    at.number_input(key=upload_keys("occupancy_rate")).set_value(0.9).run()
    assert not at.error and not at.button(key=keys.DATA_USE).disabled
    at.button(key=keys.DATA_USE).click().run()
    city = at.session_state[keys.CITY]
    assert city.districts["households"].tolist() == [500.0, 1000.0, 1500.0, 2000.0]
    assert city.districts["housing_units"].tolist() == pytest.approx(
        [500 / 0.9, 1000 / 0.9, 1500 / 0.9, 2000 / 0.9])
    at.switch_page(nav.EQUITY).run()
    assert not at.exception and not at.info
    assert "households: estimated, 2 persons per household (set by the user)." in [
        c.value for c in at.caption]


def upload_keys(name: str) -> str:
    from dashboard.data import upload as data_upload

    return data_upload.figure_key(name)


def test_the_reference_editor_gives_each_row_its_own_unit_back():
    """Two units that read alike in a language ("household", "households": 户 in Chinese)
    come back each as its row's own; a unit typed anew stays as typed."""
    from types import SimpleNamespace

    import pandas as pd

    from core import i18n
    from dashboard.data import references

    own = pd.DataFrame({"unit": ["household", "households", "kWh"]})
    refs = SimpleNamespace(frame=lambda: own)
    with i18n.use_language("zh"):
        shown = own.assign(unit=own["unit"].map(i18n.unit))
        shown.loc[2, "unit"] = "MWh"  # typed by the user
        back = references._as_read(refs, shown)
    assert back["unit"].tolist() == ["household", "households", "MWh"]
