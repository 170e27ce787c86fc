"""AppTest: the Explore pages (Overview map, District profile) and the Methods page render on
the default city, and the map carries the data."""

from __future__ import annotations

import json

import pytest

from dashboard import keys, nav
from tools.apptest import maps, open_app


def fills(shown: dict) -> list:
    return shown["fill"]


def test_overview_map_has_77_districts_offline_and_kpis():
    at = open_app()
    assert at.title[0].value == "Overview map"
    assert not any("Illustrative data" in w.value for w in at.warning)  # real data now
    assert any("City of Chicago data portal" in c.value for c in at.caption)
    assert any(c.value.startswith("Estimated, not in the city's data: households")
               for c in at.caption)
    (shown,) = maps(at)
    assert len(shown["properties"]) == len(shown["fill"]) == 77
    assert shown["geometry"] in shown["sent"]  # the first run sends the city's geometry
    assert "http" not in shown["text"]  # no basemap to fetch: the canvas draws on a colour
    labels = [m.label for m in at.metric]
    assert "Population (persons)" in labels and "Electricity (GWh/yr)" in labels
    assert len(at.get("download_button")) == 2


def test_switching_the_indicator_changes_the_fill_colours():
    at = open_app()
    before = fills(maps(at)[0])
    at.selectbox(key=keys.OVERVIEW_INDICATOR).set_value("energy_per_capita").run()
    assert not at.exception
    after = fills(maps(at)[0])
    assert before != after
    assert "kWh/person/yr" in maps(at)[0]["tooltip"]


@pytest.mark.parametrize("scheme", ["natural_breaks", "equal_interval"])
def test_each_classification_renders(scheme):
    at = open_app()
    at.selectbox(key=keys.OVERVIEW_SCHEME).set_value(scheme).run()
    assert not at.exception
    assert len({tuple(f) for f in fills(maps(at)[0])}) == 5


def test_district_profile_ranks_the_chosen_district():
    at = open_app(nav.DISTRICT)
    assert at.title[0].value == "District profile"
    box = at.selectbox(key=keys.PROFILE_DISTRICT)
    box.set_value("32").run()  # the Loop
    assert not at.exception
    table = at.dataframe[0].value
    assert {"Indicator", "Value", "Rank", "Percentile"} <= set(table.columns)
    ranked = table.dropna(subset=["Percentile"])
    assert ranked["Rank"].str.fullmatch(r"\d+ of 77").all()
    assert table.set_index("Indicator").loc["Disadvantaged (CEJST-style)", "Value"] in ("yes", "no")
    (shown,) = maps(at)
    assert shown["properties"][shown["highlight"]]["district_id"] == "32"


def test_methods_page_shows_provenance_and_licence():
    at = open_app(nav.METHODS)
    text = " ".join(m.value for m in at.markdown)
    assert "BSD-3-Clause" in text and "illustrative" in text.lower()
    from core.methods import SECTIONS

    assert [title for title, _ in SECTIONS] == [e.label for e in at.expander][:len(SECTIONS)]
    assert "HiGHS" in text and "Guideline 14" in text


def test_download_files_are_built_on_click_and_carry_the_lineage():
    from core.assess import indicators
    from core.intake.city import default_city
    from dashboard import components

    city = default_city()
    table = indicators.indicator_table(city)[["district_id", "name", "population"]]
    make = components.geojson_file(city.districts, table, city.lineage)
    assert callable(make)
    collection = json.loads(make())
    assert len(collection["features"]) == 77
    assert collection["properties"] == {"lineage": list(city.lineage)}


def test_the_district_table_shows_each_indicator_at_its_own_precision():
    """kWh totals as whole numbers with separators, not with three decimals."""
    from core.assess import indicators
    from dashboard import components

    config = components.column_config(list(indicators.INDICATORS.values()))
    assert config["electricity_kwh"]["type_config"]["format"] == "%,.0f"
    assert config["energy_intensity"]["type_config"]["format"] == "%,.1f"
