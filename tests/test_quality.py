"""Staging and the data-quality report on small exact fixtures."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes
from shapely.geometry import Point, Polygon, box

from core.errors import CityValidationError, InputError
from core.intake import quality, staging
from core.intake.city import load_city
from core.intake.mapping import ColumnMapping
from tests.conftest import square_grid


def report(gdf, table=None, **kw) -> quality.QualityReport:
    return quality.assess(staging.stage(gdf, table, **kw))


def checks(r: quality.QualityReport, blocking: bool | None = None) -> set[str]:
    return {p.check for p in r.problems if blocking is None or p.blocking == blocking}


def test_clean_grid_scores_100_and_is_usable(grid4, attrs4):
    r = report(grid4, attrs4)
    assert r.usable and r.problems == [] and r.score == 100.0
    assert r.districts["score"].tolist() == [100.0] * 4
    col = r.columns.set_index("column")
    assert col.loc["population", "completeness"] == 1.0 and col.loc["population", "unit"] == "persons"


def test_score_formula_on_exact_counts(grid4, attrs4):
    # district 2: text in population (blocking) and gas missing; district 4: no attribute row
    bad = attrs4.astype({"population": object}).iloc[:3].copy()
    bad.loc[1, "population"] = "n/a"
    bad.loc[1, "gas_kwh"] = np.nan
    r = report(grid4, bad)
    scores = r.districts.set_index("district_id")["score"]
    n_numeric = 6  # population, households, renter_share, floor_area, electricity, gas
    # district 2: population and gas missing (2/6), a type problem (blocking); without a
    # population it has no data (a warning)
    assert scores["2"] == pytest.approx(100 - 40 * 2 / n_numeric - 25 - 5)
    # district 4: every value missing, no attribute row and so no data (two warnings)
    assert scores["4"] == pytest.approx(100 - 40 - 5 - 5)
    assert scores["1"] == 100.0
    assert r.score == pytest.approx(scores.mean())
    assert not r.usable
    assert r.columns.set_index("column").loc["population", "type_errors"] == 1


def test_duplicate_ids_and_exact_duplicate_rows_can_be_dropped(grid4, attrs4):
    doubled = pd.concat([attrs4, attrs4.iloc[[1]]], ignore_index=True)
    r = report(grid4, doubled)
    assert {"duplicate ids", "duplicate rows"} <= checks(r)
    dup = next(p for p in r.blocking if p.check == "duplicate ids")
    assert dup.district_ids == ("2",) and "drop exact duplicate rows" in dup.fix
    cleaned = staging.stage(grid4, doubled, cleaning=staging.Cleaning(drop_duplicate_rows=True))
    assert not cleaned.blocking
    assert "clean: 1 exact duplicate attribute row(s) dropped by the user" in cleaned.lineage
    different = doubled.copy()
    different.loc[4, "population"] = 1
    with pytest.raises(CityValidationError, match="duplicate ids"):
        load_city(grid4, different, cleaning=staging.Cleaning(drop_duplicate_rows=True))


def test_all_empty_column_is_reported_and_blocks_when_required(grid4, attrs4):
    r = report(grid4, attrs4.assign(households=np.nan))
    assert r.usable
    assert r.columns.set_index("column").loc["households", "completeness"] == 0.0
    r = report(grid4, attrs4.assign(population=np.nan))
    assert not r.usable
    assert any(p.check == "too few districts with data" and p.column == "population"
               and "to 'population'" in p.fix for p in r.blocking)


def test_estimated_values_neither_fill_nor_add_to_the_missing_share(grid4, attrs4):
    absent = report(grid4, attrs4.drop(columns="households"))
    assert absent.score == 100.0 and absent.problems == [] and len(absent.notes) == 3
    empty = report(grid4, attrs4.assign(households=np.nan))  # mapped, but empty: missing
    n_numeric = 6  # population, households, renter_share, floor_area, electricity, gas
    assert empty.districts["score"].tolist() == pytest.approx([100 - 40 / n_numeric] * 4)
    assert [n.column for n in empty.notes] == ["households", "housing_units", "roof_area_m2"]


def test_leading_zeros_are_reported_not_silently_matched(grid4, attrs4):
    zero = attrs4.assign(district_id=["01", "02", "3", "4"])
    r = report(grid4, zero)
    mismatch = next(p for p in r.blocking if p.check == "id mismatch")
    assert mismatch.district_ids == ("1", "2") and "leading zeros" in mismatch.message
    assert r.ids["leading_zeros"] == [["1", "01"], ["2", "02"]]
    fixed = staging.stage(grid4, zero, cleaning=staging.Cleaning(ignore_leading_zeros=True))
    assert not fixed.blocking and fixed.ids.n_matched == 4
    assert any("leading zeros removed from 2 attributes id(s)" in s for s in fixed.lineage)
    with pytest.raises(InputError, match="differ only by leading zeros"):
        staging.stage(grid4, attrs4.assign(district_id=["01", "02", "03", "04"]))


def test_ids_on_one_side_only_are_listed(grid4, attrs4):
    table = pd.concat([attrs4.iloc[:3], attrs4.iloc[[0]].assign(district_id="99")])
    r = report(grid4, table)
    assert r.ids["boundary_only"] == ["4"] and r.ids["attribute_only"] == ["99"]
    warns = {p.message for p in r.warnings if p.check == "ids on one side"}
    assert "1 district(s) have no attribute row" in warns
    assert "1 attribute row(s) match no boundary: 99" in warns


def test_no_id_match_is_an_input_error(grid4, attrs4):
    with pytest.raises(InputError, match="no attribute row matches"):
        staging.stage(grid4, attrs4.assign(district_id=list("abcd")))


def test_points_and_lines_are_rejected_with_their_ids(grid4, attrs4):
    pts = grid4.copy()
    pts.loc[2, "geometry"] = Point(-87.7, 41.8)
    r = report(pts, attrs4)
    geo = next(p for p in r.blocking if p.check == "geometry")
    assert geo.district_ids == ("3",) and "Point" in geo.message


def test_invalid_polygon_is_repaired_and_recorded(grid4, attrs4):
    bowtie = Polygon([(-87.7, 41.8), (-87.69, 41.81), (-87.69, 41.8), (-87.7, 41.81)])
    bad = grid4.copy()
    bad.loc[0, "geometry"] = bowtie
    staged = staging.stage(bad, attrs4)
    assert staged.districts.geometry.is_valid.all()
    assert staged.districts.geometry.iloc[0].geom_type == "MultiPolygon"
    assert any("1 invalid polygon(s) repaired with make_valid (districts 1)" in s
               for s in staged.lineage)


def test_overlap_and_gap_are_reported_with_their_area():
    # three 100 m x 100 m squares in a projected CRS: B overlaps A by 10 m x 100 m; a
    # 20 m x 20 m hole is cut out of C (a gap enclosed by the city)
    a, b = box(0, 0, 100, 100), box(90, 0, 190, 100)
    c = box(0, 100, 190, 200).difference(box(80, 140, 100, 160))
    gdf = gpd.GeoDataFrame({"district_id": ["A", "B", "C"], "population": [1, 2, 3]},
                           geometry=[a, b, c], crs="EPSG:6933")
    r = report(gdf)
    assert r.overlaps[["district_a", "district_b"]].values.tolist() == [["A", "B"]]
    assert r.overlaps["area_m2"].iloc[0] == pytest.approx(1000, rel=1e-6)
    assert r.gaps["area_m2"].tolist() == [pytest.approx(400, rel=1e-6)]
    assert r.gaps["district_ids"].tolist() == ["C"]
    assert {"overlaps", "gaps"} <= checks(r, blocking=False)


def test_duplicate_geometries_are_warned(grid4, attrs4):
    dup = grid4.copy()
    dup.loc[1, "geometry"] = dup.geometry.iloc[0]
    r = report(dup, attrs4)
    p = next(p for p in r.warnings if p.check == "duplicate geometries")
    assert p.district_ids == ("1", "2")


def test_implausible_energy_and_robust_outliers(attrs4):
    grid = square_grid(3)
    table = pd.DataFrame({"district_id": [str(i) for i in range(1, 10)],
                          "population": [900.0, 1000, 1100, 950, 1050, 1000, 980, 1020, 1],
                          "floor_area_m2": [50_000.0] * 9,
                          "electricity_kwh": [5e6, 5.1e6, 4.9e6, 5.2e6, 4.8e6, 5e6, 5e6, 3e3, 5e6]})
    r = report(grid, table)
    implausible = {(p.column, p.district_ids) for p in r.warnings if p.check == "implausible"}
    assert ("population", ("9",)) in implausible  # 5e6 kWh for one resident
    assert ("floor_area_m2", ("8",)) in implausible  # 0.06 kWh/m²
    outliers = {p.column: p.district_ids for p in r.warnings if p.check == "outlier"}
    assert outliers == {"population": ("9",), "electricity_kwh": ("8",)}


def test_modified_z_is_zero_at_median_and_nan_without_spread():
    z = quality.modified_z(pd.Series([1.0, 2.0, 3.0, 4.0, 100.0]), log=False)
    assert z.iloc[2] == 0.0 and z.iloc[4] == pytest.approx(0.6745 * 97 / 1)
    assert quality.modified_z(pd.Series([5.0] * 6), log=False).isna().all()


def test_crs_option_sets_a_missing_crs(grid4, attrs4):
    projected = grid4.to_crs("EPSG:3435").set_crs(None, allow_override=True)
    city = load_city(projected, attrs4, ColumnMapping(crs="EPSG:3435"))
    np.testing.assert_allclose(city.districts.total_bounds, grid4.total_bounds, atol=1e-7)
    assert "crs: none in file; EPSG:3435 given by the user" in city.lineage
    with pytest.raises(InputError, match="not a coordinate reference system"):
        load_city(projected, attrs4, ColumnMapping(crs="EPSG:nope"))


def test_report_exports_csv_and_json(grid4, attrs4):
    r = report(grid4, attrs4.assign(population=[1, -2, 3, 4]))
    issues = pd.read_csv(__import__("io").StringIO(r.to_csv()), dtype=str)
    assert issues.loc[0, ["severity", "column", "district_id"]].tolist() == [
        "blocking", "population", "2"]
    data = __import__("json").loads(r.to_json())
    assert data["usable"] is False and data["n_blocking"] == 1
    assert data["districts"][1]["district_id"] == "2" and "score_formula" in data


def test_extra_features_are_kept_numeric_and_checked(grid4, attrs4):
    staged = staging.stage(grid4, attrs4.assign(tree_cover=["0.1", "0.2", "x", "0.4"]),
                          extra_features=("tree_cover", "nope"))
    assert staged.extra_features == ("tree_cover",)
    assert {p.check for p in staged.blocking} == {"type", "extra feature"}
    assert staged.districts["tree_cover"].dtype == float


# --------------------------------------------------------------------------- fuzzing

cells = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=32),
                  st.integers(-10**6, 10**9), st.text(max_size=4))
fuzz_tables = data_frames(
    [column("district_id", elements=st.sampled_from(["1", "2", "3", "4", "01", "x", None])),
     column("population", elements=cells), column("renter_share", elements=cells),
     column("gas_kwh", elements=cells), column("households", elements=cells)],
    index=range_indexes(min_size=1, max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=fuzz_tables)
def test_fuzzed_attribute_tables_give_a_report_or_an_input_error(table):
    grid = square_grid(2)
    try:
        staged = staging.stage(grid, table)
    except InputError as exc:
        assert str(exc)
        return
    r = quality.assess(staged)
    assert r.usable == (not r.blocking)
    # the report's checks add warnings only: usable before the (lazy) report is built is
    # usable after it (core.intake.city.Validation relies on this)
    assert [p for p in r.blocking] == staged.blocking
    assert r.districts["score"].between(0, 100).all() and len(r.districts) == 4
    assert all(p.message and p.fix for p in r.problems)
    if r.usable:
        city = load_city(grid, table)
        assert city.districts["population"].notna().all()
        assert (city.districts["population"] >= 0).all()
    else:
        with pytest.raises(CityValidationError):
            load_city(grid, table)
