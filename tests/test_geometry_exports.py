"""Display simplification, lineage in exports, and the saved-city GeoParquet."""

from __future__ import annotations

import shapely

from core.assess import maps
from core.intake.city import load_city, write_city
from core.intake.mapping import ColumnMapping
from core.sample.tessellation import tessellation


def test_display_copy_is_lighter_keeps_shared_edges_and_leaves_the_original(grid4, attrs4):
    cells = tessellation(60, seed=3)
    wiggly = cells.assign(geometry=cells.geometry.segmentize(0.0005),  # many extra vertices
                          population=1000.0)
    city = load_city(wiggly, None, illustrative=True).with_display(0.02)
    assert city.display is not None
    before = shapely.get_num_coordinates(city.districts.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(city.display.to_numpy()).sum()
    assert after < before / 2
    union_before = shapely.union_all(city.districts.geometry.to_numpy()).area
    union_after = shapely.union_all(city.display.to_numpy()).area
    # the outline moves by no more than the rounding of the coordinates (core.assess.display)
    assert abs(union_after - union_before) < 1e-5 * union_before
    # no overlaps between districts but slivers narrower than the rounding step
    assert abs(city.display.area.sum() - union_after) < 1e-6 * union_after
    assert city.map_geometry is city.display
    assert city.lineage[-1].startswith("display: map boundaries simplified")
    plain = load_city(grid4, attrs4)
    assert plain.display is None and plain.map_geometry.equals(plain.districts.geometry)


def test_geojson_export_carries_the_lineage(grid4, attrs4):
    city = load_city(grid4, attrs4.assign(district_id=["1", "2", "3", "4"],  # nothing estimated
                                          housing_units=[450, 850, 1300, 1700],
                                          roof_area_m2=[5e3, 6e3, 7e3, 8e3]),
                     ColumnMapping(units={"gas_kwh": "MWh"}))
    fc = maps.feature_collection(city.districts, city.districts[["district_id"]], city.lineage)
    assert fc["properties"]["lineage"] == ["units: gas_kwh converted from MWh (x1000)"]
    assert "properties" not in maps.feature_collection(city.districts, city.districts[["name"]])


def test_written_city_reloads_with_name_source_and_lineage(grid4, attrs4, tmp_path):
    city = load_city(grid4, attrs4, ColumnMapping(units={"gas_kwh": "MWh"}), name="Grid")
    path = write_city(city, tmp_path / "grid.parquet")
    again = load_city(path)
    assert (again.name, again.source) == ("Grid", city.source)
    assert again.lineage == city.lineage + ("saved: written to grid.parquet",)
    cols = [c for c in city.districts.columns if c != "geometry"]
    assert again.districts[cols].equals(city.districts[cols])
