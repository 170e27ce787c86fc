"""Column-mapping suggestions, units guessed from names, and editing a mapping as a table."""

from __future__ import annotations

import pytest

from core.errors import InputError
from core.intake import mapping


@pytest.mark.parametrize("name, target, unit", [
    ("TOTAL_KWH", "electricity_kwh", None),
    ("TOTAL_THERMS", "gas_kwh", "therm"),
    ("pop_2010_census", "population", None),
    ("per_capita_income_2008_12", "per_capita_income", None),
    ("SQFT", "floor_area_m2", "ft2"),
    ("RENTER_PCT", "renter_share", "percent"),
    ("poverty_pct", "poverty_rate", "percent"),
    ("MedianHouseholdIncome", "median_household_income", None),
    ("elec_mwh", "electricity_kwh", "MWh"),
    ("gas_m3", "gas_kwh", "m3"),
    ("KWH JANUARY 2010", "electricity_kwh_01", None),
    ("THERM DECEMBER 2010", "gas_kwh_12", "therm"),
    ("TOTAL HOUSEHOLDS", "households", None),
    ("AVERAGE STORIES", "stories_mean", None),
    ("AVERAGE BUILDING AGE", "building_age_years", None),
    ("roof_area_sqft", "roof_area_m2", "ft2"),
    ("residential_gas_therms", "residential_gas_kwh", "therm"),
    ("COMMUNITY AREA NAME", "name", None),
])
def test_single_column_suggestions(name, target, unit):
    m = mapping.suggest([name])
    assert m.columns == {name: target}
    assert m.units.get(target) == unit


@pytest.mark.parametrize("name", ["KWH SQFT MEAN 2010", "Shape_Area", "land_area_sqft",
                                  "electricity_cost_usd", "population_density", "colour"])
def test_intensities_prices_and_unknown_columns_are_not_guessed(name):
    assert mapping.suggest([name]).columns == {}


def test_ids_are_suggested_on_both_sides_and_each_target_used_once():
    m = mapping.suggest(["CA", "TOTAL_KWH", "KWH_TOTAL_2", "population"],
                        ["area_numbe", "community", "shape_area"])
    assert (m.id_column, m.attributes_id) == ("area_numbe", "CA")
    assert m.columns == {"community": "name", "TOTAL_KWH": "electricity_kwh"}
    assert mapping.id_candidates(["name", "GEOID", "x_id"]) == ["GEOID", "x_id"]


def test_rows_round_trip_and_extra_features():
    m = mapping.ColumnMapping(id_column="area_numbe", attributes_id="CA",
                              columns={"TOTAL_THERMS": "gas_kwh", "community": "name"},
                              units={"gas_kwh": "therm"}, extra_features=["tree_cover"])
    rows = mapping.to_rows(m, ["area_numbe", "community", "geometry"],
                           ["CA", "TOTAL_THERMS", "tree_cover", "population"])
    assert [r["column"] for r in rows] == ["community", "TOTAL_THERMS", "tree_cover", "population"]
    assert rows[3]["maps_to"] == "population" and rows[2]["model_feature"] is True
    back = mapping.from_rows(rows, id_column="area_numbe", attributes_id="CA")
    assert back == m
    rows[3]["maps_to"] = "gas_kwh"
    with pytest.raises(InputError, match="'TOTAL_THERMS' and 'population' both map to 'gas_kwh'"):
        mapping.from_rows(rows, id_column="area_numbe", attributes_id="CA")


def test_mapping_text_loads_json_and_yaml_with_crs():
    m = mapping.ColumnMapping(crs="EPSG:3435", columns={"SQFT": "floor_area_m2"},
                              units={"floor_area_m2": "ft2"})
    assert mapping.loads(mapping.dump(m)) == m
    assert mapping.loads(mapping.dump(m, fmt="yaml"), "m.yaml") == m
    with pytest.raises(InputError, match="not valid"):
        mapping.loads("{not json", "m.json")
