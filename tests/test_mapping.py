"""Column mappings: suggestions, units guessed from names, editing as a table, and the one
merge rule (explicit > saved > suggested) that the CLI and the Data page share."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.cli.common import mapping_from_args
from core.errors import InputError
from core.intake import mapping
from core.intake.mapping import ColumnMapping
from dashboard import keys, nav
from tests.renamed_export import write_renamed_export
from tools.apptest import open_app

runner = CliRunner()


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


@pytest.mark.parametrize("name, unit", [
    ("SQFT_KWH", "ft2"),  # the floor area behind the kWh accounts (Chicago's 2010 table)
    ("SQFT_THERMS", "ft2"),
    ("TOTAL_SQFT", "ft2"),
    ("KWH_TOTAL_SQFT", "ft2"),
    ("floor_area", None),
    ("Gross Floor Area", None),
    ("gross_floor_area", None),
    ("GFA", None),
    ("gfa_sqft", "ft2"),
    ("floor_area_sqm", None),
    ("building_m2", None),
    ("FloorAreaFt2", "ft2"),
])
def test_floor_area_names_are_suggested_with_their_units(name, unit):
    """Floor area in ft² gets the ft2 unit; m² (named, or no unit named) is canonical."""
    m = mapping.suggest([name])
    assert m.columns == {name: "floor_area_m2"}
    assert m.units.get("floor_area_m2") == unit


@pytest.mark.parametrize("name", ["KWH SQFT MEAN 2010", "KWH_SQFT", "THERMS_SQFT_MEAN_2010",
                                  "KWH_PER_SQFT", "THERMS_PER_SQMETER", "elec_kwh_m2",
                                  "Shape_Area", "land_area_sqft", "area_km2",
                                  "electricity_cost_usd", "population_density", "colour"])
def test_intensities_prices_and_unknown_columns_are_not_guessed(name):
    assert mapping.suggest([name]).columns == {}


def test_a_floor_count_is_not_a_floor_area():
    assert mapping.suggest(["floor_count"]).columns == {"floor_count": "stories_mean"}


def test_the_real_chicago_table_gets_its_floor_area_from_the_kwh_accounts():
    """Chicago's 2010 table: of its two floor areas the first is taken; kWh per capita is not."""
    m = mapping.suggest(["CA", "TOTAL_KWH", "kwh_per_capita", "SQFT_KWH", "SQFT_THERMS"])
    assert m.columns == {"TOTAL_KWH": "electricity_kwh", "SQFT_KWH": "floor_area_m2"}
    assert m.units == {"floor_area_m2": "ft2"}


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


def test_merge_takes_each_scalar_from_the_highest_layer_that_gives_one():
    suggested = ColumnMapping(id_column="s_id", attributes_id="s_aid", layer="s", crs="EPSG:1")
    saved = ColumnMapping(id_column="f_id", crs="EPSG:2")
    explicit = ColumnMapping(id_column="x_id")
    m = mapping.merge(suggested, saved, explicit)
    assert (m.id_column, m.attributes_id, m.layer, m.crs) == ("x_id", "s_aid", "s", "EPSG:2")
    assert mapping.merge(suggested, None, None) == suggested
    assert mapping.merge(None, saved, None) == saved
    assert mapping.merge() == ColumnMapping()


def test_merge_gives_each_source_and_each_canonical_column_one_partner():
    suggested = ColumnMapping(columns={"TOTAL_THERMS": "gas_kwh", "KWH": "electricity_kwh",
                                       "POP": "population"},
                              units={"gas_kwh": "therm", "electricity_kwh": "MWh"})
    saved = ColumnMapping(columns={"GAS_2": "gas_kwh", "POP": "households"},
                          units={"floor_area_m2": "ft2"})
    explicit = ColumnMapping(columns={"KWH": "electricity_kwh"}, units={"electricity_kwh": "GJ"})
    m = mapping.merge(suggested, saved, explicit)
    # GAS_2 takes gas_kwh (and TOTAL_THERMS's unit goes with TOTAL_THERMS); POP is households
    assert m.columns == {"KWH": "electricity_kwh", "POP": "households", "GAS_2": "gas_kwh"}
    assert m.units == {"electricity_kwh": "GJ", "floor_area_m2": "ft2"}
    same_source = mapping.merge(suggested, ColumnMapping(columns={"TOTAL_THERMS": "gas_kwh"}))
    assert same_source.units["gas_kwh"] == "therm"  # the same source keeps its unit
    assert mapping.merge(suggested, ColumnMapping(units={"gas_kwh": "MWh"})).units == {
        "gas_kwh": "MWh", "electricity_kwh": "MWh"}


def test_merge_adds_extra_features_of_every_layer_once_in_order():
    m = mapping.merge(ColumnMapping(extra_features=["a"]), ColumnMapping(extra_features=["b", "a"]),
                      ColumnMapping(extra_features=["c"]))
    assert m.extra_features == ["a", "b", "c"]


def test_merge_lets_the_higher_layer_say_whether_a_column_is_canonical_or_a_feature():
    suggested = ColumnMapping(columns={"TREES": "roof_area_m2", "POP": "population"},
                              units={"roof_area_m2": "ft2"})
    m = mapping.merge(suggested, ColumnMapping(extra_features=["TREES", "POP"],
                                               columns={"POP": "population"}))
    assert m.columns == {"POP": "population"} and m.extra_features == ["TREES"]
    assert m.units == {}  # the unit was TREES's, now a feature
    m = mapping.merge(ColumnMapping(extra_features=["TREES"]), None,
                      ColumnMapping(columns={"TREES": "roof_area_m2"}))
    assert m.columns == {"TREES": "roof_area_m2"} and m.extra_features == []


def saved_file(tmp_path, **fields):
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(fields))
    return path


def test_cli_options_override_the_saved_file_which_overrides_suggestions(tmp_path):
    b, a = write_renamed_export(tmp_path)
    saved = saved_file(tmp_path, id_column="community", units={"gas_kwh": "MWh"},
                       columns={"TOTAL_KWH": "electricity_kwh"})
    args = dict(attributes_id=None, map_=None, unit=None, mapping_file=saved, layer=None)
    m = mapping_from_args(b, a, None, **args, suggest=True)
    assert (m.id_column, m.attributes_id) == ("community", "CA")  # saved > suggested
    assert m.units["gas_kwh"] == "MWh" and m.units["floor_area_m2"] == "ft2"
    m = mapping_from_args(b, a, "area_numbe", **{**args, "unit": ["gas_kwh=therm"]})
    assert (m.id_column, m.attributes_id) == ("area_numbe", None)  # no suggestions asked for
    assert m.units == {"gas_kwh": "therm"} and m.columns == {"TOTAL_KWH": "electricity_kwh"}


def test_every_command_lets_the_id_option_override_the_saved_file(tmp_path):
    city = [str(paths.DEFAULT_BOUNDARIES), "-a", str(paths.DEFAULT_ATTRIBUTES), "--mapping",
            str(saved_file(tmp_path, id_column="name", attributes_id="name"))]
    for command in ("summary", "validate"):
        r = runner.invoke(app, [command, *city, "--json"])
        assert r.exit_code == 2, r.output  # the file's ids are used when no option is given
        assert "the attributes have no column 'name'" in json.loads(r.stdout)["message"]
        r = runner.invoke(app, [command, *city, "--id-column", "district_id", "--attributes-id",
                                "district_id", "--json"])
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["n_districts"] == 77


def test_a_map_option_onto_no_canonical_column_is_an_input_error():
    r = runner.invoke(app, ["summary", str(paths.DEFAULT_BOUNDARIES), "--map", "name=nonsense"])
    assert r.exit_code == 2 and "not canonical column names: nonsense" in r.output


def test_the_cli_and_the_data_page_merge_the_same_saved_mapping_and_suggestions(tmp_path):
    b, a = write_renamed_export(tmp_path)
    saved = {"columns": {"per_capita_income_2008_12": "median_household_income"},
             "units": {"gas_kwh": "MWh"}, "extra_features": ["POVERTY_PCT"]}
    cli = mapping_from_args(b, a, None, None, None, None, saved_file(tmp_path, **saved), None,
                            suggest=True)
    assert cli.columns["per_capita_income_2008_12"] == "median_household_income"
    assert "MEDIAN_HH_INCOME" not in cli.columns and cli.units["gas_kwh"] == "MWh"

    at = open_app(nav.DATA)
    at.file_uploader(key=keys.DATA_BOUNDARIES).set_value((b.name, b.read_bytes(), "application/json"))
    at.file_uploader(key=keys.DATA_ATTRIBUTES).set_value((a.name, a.read_bytes(), "text/csv"))
    at.run()
    at.file_uploader(key=keys.DATA_MAPPING_FILE).set_value(
        ("m.json", json.dumps(saved).encode(), "application/json"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    (table,) = [df.value for df in at.dataframe
                if list(df.value.columns) == list(mapping.ROW_COLUMNS)]
    page = mapping.from_rows(table.to_dict("records"),
                             id_column=at.selectbox(key=keys.DATA_BOUNDARY_ID).value,
                             attributes_id=at.selectbox(key=keys.DATA_ATTRIBUTE_ID).value)
    assert page == cli
