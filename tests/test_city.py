import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from core import paths
from core.errors import CityValidationError, InputError
from core.intake import units
from core.intake.city import default_city, load_city, validate_city
from core.intake.mapping import ColumnMapping
from core.intake.staging import normalise_ids


def test_load_city_joins_and_keeps_canonical_order(grid4, attrs4):
    city = load_city(grid4, attrs4, name="Grid")
    d = city.districts
    assert list(d["district_id"]) == ["1", "2", "3", "4"]
    assert d.crs.to_epsg() == 4326
    assert list(d.columns[:3]) == ["district_id", "name", "population"]
    assert d["population"].dtype == float
    pd.testing.assert_series_equal(d["gas_kwh"], attrs4["gas_kwh"].astype(float), check_names=True)
    assert city.has("electricity_kwh") and not city.has("poverty_rate")


def test_mapping_and_units_convert_therms_and_square_feet(grid4):
    raw = pd.DataFrame({"CA": [1, 2, 3, 4], "pop_2010": [10, 20, 30, 40],
                        "THERMS": [1.0, 2.0, 3.0, 4.0], "SQFT": [100.0, 200.0, 300.0, 400.0],
                        "RENT_PCT": [10.0, 20.0, 30.0, 40.0]})
    city = load_city(grid4, raw, ColumnMapping(
        attributes_id="CA",
        columns={"pop_2010": "population", "THERMS": "gas_kwh", "SQFT": "floor_area_m2",
                 "RENT_PCT": "renter_share"},
        units={"gas_kwh": "therm", "floor_area_m2": "ft2", "renter_share": "percent"}))
    d = city.districts
    np.testing.assert_allclose(d["gas_kwh"], [29.3071, 58.6142, 87.9213, 117.2284])
    np.testing.assert_allclose(d["floor_area_m2"], np.array([100, 200, 300, 400]) * 0.09290304)
    np.testing.assert_allclose(d["renter_share"], [0.1, 0.2, 0.3, 0.4])
    assert any("therm" in step for step in city.lineage)


def test_unit_factors():
    assert units.therm_to_kwh(1) == pytest.approx(29.3071)
    assert units.ft2_to_m2(1) == pytest.approx(0.09290304)
    assert units.factor("energy", "MWh") == 1000
    assert units.factor("energy", "m3") == pytest.approx(10.73, rel=1e-3)
    with pytest.raises(units.UnitError, match="accepted: kWh"):
        units.factor("energy", "barrel")


def test_ids_are_reconciled_as_text():
    assert list(normalise_ids(pd.Series([1.0, 2, " 03 ", "x"]))) == ["1", "2", "03", "x"]


def test_negative_population_and_share_above_one_are_blocking(grid4, attrs4):
    bad = attrs4.assign(population=[1000, -5, 3000, 4000], renter_share=[0.1, 1.5, 0.2, 0.3])
    with pytest.raises(CityValidationError) as err:
        load_city(grid4, bad)
    text = str(err.value)
    assert "population" in text and "negative" in text
    assert "renter_share" in text and "percent" in text
    assert all(p.district_ids == ("2",) for p in err.value.problems)


def test_text_in_numeric_column_names_column_and_district(grid4, attrs4):
    bad = attrs4.astype({"population": object})
    bad.loc[2, "population"] = "n/a"
    with pytest.raises(CityValidationError, match=r"population.*'n/a'"):
        load_city(grid4, bad)


def test_duplicate_ids_and_point_geometry(grid4, attrs4):
    dup = grid4.copy()
    dup.loc[3, "district_id"] = "1"
    with pytest.raises(CityValidationError, match="duplicate ids"):
        load_city(dup, None)
    pts = grid4.copy()
    pts.loc[0, "geometry"] = Point(-87.7, 41.8)
    pts.loc[1, "geometry"] = LineString([(-87.7, 41.8), (-87.6, 41.9)])
    with pytest.raises(CityValidationError) as err:
        load_city(pts, attrs4)
    geom = [p for p in err.value.problems if p.check == "geometry"]
    assert geom and geom[0].district_ids == ("1", "2")


def test_missing_id_column_and_no_match_are_input_errors(grid4, attrs4):
    with pytest.raises(InputError, match="no column 'CA'"):
        load_city(grid4, attrs4, ColumnMapping(attributes_id="CA"))
    with pytest.raises(InputError, match="no attribute row matches"):
        load_city(grid4, attrs4.assign(district_id=["a", "b", "c", "d"]))


def test_missing_crs_lonlat_is_assumed_projected_is_refused(grid4, attrs4):
    city = load_city(grid4.set_crs(None, allow_override=True), attrs4)
    assert any("EPSG:4326 assumed" in s for s in city.lineage)
    projected = grid4.to_crs("EPSG:3435").set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="EPSG code"):
        load_city(projected, attrs4)


def test_projected_crs_is_reprojected(grid4, attrs4):
    city = load_city(grid4.to_crs("EPSG:3435"), attrs4)
    np.testing.assert_allclose(city.districts.total_bounds, grid4.total_bounds, atol=1e-7)


def test_missing_file_and_wrong_extension(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_city(tmp_path / "nope.geojson")
    wrong = tmp_path / "districts.docx"
    wrong.write_text("x")
    with pytest.raises(InputError, match="must be one of"):
        load_city(wrong)
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(InputError, match="cannot read boundaries"):
        load_city(broken)


def test_default_city_has_77_districts_and_estimates_only_what_the_data_lacks():
    city = default_city()
    assert city.n == 77 and not city.illustrative
    assert isinstance(city.districts, gpd.GeoDataFrame)
    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES, nrows=1)
    assert not set(city.estimates) & set(table.columns)  # a real column is never estimated
    # a figure changes the estimate, its lineage line, and nothing the data gives
    other = default_city(figures={"persons_per_household": 2.0})
    assert (other.districts["households"] ==
            (other.districts["population"] / 2.0)).all()
    assert other.lineage != city.lineage
    real = [c for c in table.columns if c != "district_id"]
    pd.testing.assert_frame_equal(pd.DataFrame(other.districts[real]),
                                  pd.DataFrame(city.districts[real]))


def test_a_complete_city_estimates_nothing_and_a_figure_changes_none_of_its_values():
    from core.sample.chicago import illustrative_chicago

    city = illustrative_chicago()
    assert city.estimates == {} and not any(": estimated as " in s for s in city.lineage)
    again = load_city(city.districts, None, figures={"persons_per_household": 1.5,
                                                 "roof_usable_share": 0.5}, name=city.name)
    assert again.estimates == {}
    pd.testing.assert_frame_equal(pd.DataFrame(again.districts.drop(columns="geometry")),
                                  pd.DataFrame(city.districts.drop(columns="geometry")))


def test_an_estimate_leaves_districts_without_its_input_empty(grid4, attrs4):
    gaps = attrs4.assign(floor_area_m2=[1.0, np.nan, 3.0, 4.0], stories_mean=[1.0, 1.0, np.nan, 2.0])
    city = load_city(grid4, gaps)
    assert city.districts["roof_area_m2"].isna().tolist() == [False, True, True, False]
    assert city.estimates["roof_area_m2"].districts == 2


def test_text_in_a_converted_column_is_reported_not_dropped(grid4, attrs4):
    bad = attrs4.astype({"gas_kwh": object})
    bad.loc[1, "gas_kwh"] = "n/a"
    with pytest.raises(CityValidationError, match=r"gas_kwh.*'n/a'"):
        load_city(grid4, bad, ColumnMapping(units={"gas_kwh": "therm"}))


def test_schema_problems_name_the_right_district_after_rows_are_dropped(grid4, attrs4):
    from core.intake.schema import schema_problems

    frame = attrs4.assign(population=[1000, 2000, 3000, -1]).iloc[[1, 3]]  # labels 1 and 3
    (problem,) = schema_problems(frame)
    assert problem.district_ids == ("4",)


def test_validate_city_returns_blocking_problems_that_load_city_raises(grid4, attrs4):
    bad = attrs4.assign(population=[1000, -5, 3000, 4000])
    result = validate_city(grid4, bad)
    assert result.city is None and not result.usable
    assert [(p.column, p.district_ids) for p in result.blocking] == [("population", ("2",))]
    assert result.report.blocking == result.blocking and not result.report.usable
    assert len(result.districts) == 4  # staged all the same, for the preview map
    with pytest.raises(CityValidationError) as raised:
        load_city(grid4, bad)
    assert raised.value.problems == result.blocking


def test_load_city_does_not_build_the_quality_report(grid4, attrs4, monkeypatch):
    from core.intake import quality

    def costly(*args, **kwargs):
        raise AssertionError("the quality report was built")
    monkeypatch.setattr(quality, "assess", costly)
    assert load_city(grid4, attrs4).n == 4
    result = validate_city(grid4, attrs4, name="Grid")
    assert result.usable and result.city.name == "Grid"
    with pytest.raises(AssertionError, match="was built"):
        _ = result.report


def test_the_report_adds_warnings_only_and_is_built_once(grid4, attrs4):
    result = validate_city(grid4, attrs4.assign(gas_kwh=[1e3, 1e3, 1e3, 1e12]))
    assert result.usable and result.report.usable and result.report.warnings
    assert result.report is result.report
