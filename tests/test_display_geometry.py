"""The map's display geometry (core.assess.display) and its compact GeoJSON text."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from core.assess import display
from core.constants import EQUAL_AREA_CRS
from core.intake.city import load_city
from core.sample.tessellation import tessellation


@pytest.mark.parametrize(("tolerance_m", "decimals"),
                         [(160.0, 4), (54.0, 5), (5.0, 6), (1e-6, display.MAX_DECIMALS)])
def test_rounding_step_is_at_most_a_quarter_of_the_tolerance(tolerance_m, decimals):
    assert display.decimals_for(tolerance_m) == decimals
    step_m = display.M_PER_DEGREE * 10.0 ** -decimals
    assert step_m <= tolerance_m * display.ROUNDING_SHARE or decimals == display.MAX_DECIMALS
    assert step_m * 10 > tolerance_m * display.ROUNDING_SHARE or decimals == 0


def test_display_copy_is_rounded_lighter_and_keeps_shared_edges():
    cells = tessellation(300, seed=5)
    wiggly = cells.assign(geometry=cells.geometry.segmentize(0.0002), population=1000.0)
    plain = load_city(wiggly, None, illustrative=True)
    city = plain.with_display(0.02)
    simple, tolerance, decimals = display.display_geometry(city.districts, 0.02)
    assert city.display.equals(simple) and city.map_geometry is city.display
    assert city.districts is plain.districts  # the figures keep the original boundaries
    assert f"{tolerance:,.0f} m), coordinates rounded to {decimals} decimals" in city.lineage[-1]
    coords = shapely.get_coordinates(simple.to_numpy())
    assert np.array_equal(coords, np.round(coords, decimals))
    text = sum(map(len, display.geometry_json(simple)))
    assert text < sum(map(len, display.geometry_json(city.districts.geometry))) / 3
    # shared edges stay shared: no district overlaps another, no gap opens between them,
    # and the outline moves by about the tolerance
    assert simple.is_valid.all()
    projected = simple.to_crs(EQUAL_AREA_CRS)
    union = projected.union_all()
    assert abs(projected.area.sum() - union.area) < 1e-6 * union.area
    assert union.geom_type == "Polygon"
    before = city.districts.geometry.to_crs(EQUAL_AREA_CRS).union_all()
    assert shapely.hausdorff_distance(union.exterior, before.exterior) < 2 * tolerance


def test_zero_tolerance_keeps_the_original_geometry(grid4, attrs4):
    city = load_city(grid4, attrs4)
    simple, tolerance, decimals = display.display_geometry(city.districts, 0.0)
    assert simple.equals(city.districts.geometry) and (tolerance, decimals) == (0.0, -1)
    assert city.with_display(0.0) is city


def test_properties_are_written_as_json_dumps_writes_them_with_missing_values_as_null():
    frame = pd.DataFrame({
        "text": ["a", None, 'é"{x}'], "int": [1, 2, 3],
        "nullable": pd.Series([1, None, 3], dtype="Int64"),
        "float": [1.5, np.nan, np.inf], "flag": [True, False, True],
        "colour": [[1, 2, 3, 4], [1, 2, 3, 4], None], "mixed": [1, "x", 2.5], "{odd}": [0, 0, 0]})
    rows = display.properties_json(frame)
    assert all(" " not in r.replace("{odd}", "") for r in rows)
    assert [json.loads(r) for r in rows] == [
        {"text": "a", "int": 1, "nullable": 1, "float": 1.5, "flag": True,
         "colour": [1, 2, 3, 4], "mixed": 1, "{odd}": 0},
        {"text": None, "int": 2, "nullable": None, "float": None, "flag": False,
         "colour": [1, 2, 3, 4], "mixed": "x", "{odd}": 0},
        {"text": 'é"{x}', "int": 3, "nullable": 3, "float": None, "flag": True,
         "colour": None, "mixed": 2.5, "{odd}": 0}]
    assert display.properties_json(frame[[]]) == ["{}"] * 3

