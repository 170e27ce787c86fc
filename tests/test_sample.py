"""Tests for the seeded generator of illustrative attributes and tessellations."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from core import paths
from core.errors import InputError
from core.intake.columns import (
    CANONICAL,
    CUSTOMER_COLUMNS,
    MONTHLY_ELECTRICITY,
    MONTHLY_GAS,
    NONRESIDENTIAL,
    NUMERIC,
)
from core.intake.degree_day_table import read_degree_days
from core.sample.attributes import (
    ATTRIBUTE_COLUMNS,
    COUNT_COLUMNS,
    SHARE_COLUMNS,
    generate_attributes,
    generate_city_tables,
)
from core.sample.parameters import REQUIRED_PARAMETERS, load_generator_parameters
from core.sample.tessellation import tessellation

SEED = 2026


@pytest.fixture(scope="module")
def params() -> dict[str, float]:
    return load_generator_parameters()


@pytest.fixture(scope="module")
def degree_days() -> pd.DataFrame:
    return read_degree_days(paths.DEFAULT_DEGREE_DAYS, require_source=True)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(paths.DEFAULT_BOUNDARIES)
    gdf["district_id"] = gdf["district_id"].astype(str)
    return gdf


@pytest.fixture(scope="module")
def chicago(districts, params, degree_days) -> pd.DataFrame:
    return generate_attributes(districts, params, degree_days, seed=SEED)


def check_invariants(attrs: pd.DataFrame) -> None:
    """Properties every generated frame must have, whatever the input."""
    assert list(attrs.columns) == list(ATTRIBUTE_COLUMNS)
    numeric = attrs[[c for c in NUMERIC if c not in (*NONRESIDENTIAL, *CUSTOMER_COLUMNS)]]
    assert np.isfinite(numeric.to_numpy(float)).all()
    assert (numeric >= 0).all().all()
    for col in COUNT_COLUMNS + ("median_household_income", "per_capita_income"):
        assert pd.api.types.is_integer_dtype(attrs[col]), col
    assert (attrs["population"] > 0).all()
    assert (attrs["households"] <= attrs["population"]).all()
    assert (attrs["housing_units"] >= attrs["households"]).all()
    for col in SHARE_COLUMNS:
        assert attrs[col].between(0.0, 1.0).all(), col
    for annual, months in (("electricity_kwh", MONTHLY_ELECTRICITY), ("gas_kwh", MONTHLY_GAS)):
        np.testing.assert_allclose(attrs[list(months)].sum(axis=1), attrs[annual], rtol=1e-6)


# ----------------------------------------------------------------------- generator


def test_same_seed_same_frame_and_other_seed_differs(districts, params, degree_days, chicago):
    again = generate_attributes(districts, params, degree_days, seed=SEED)
    pd.testing.assert_frame_equal(chicago, again)
    other = generate_attributes(districts, params, degree_days, seed=SEED + 1)
    assert not chicago["electricity_kwh"].equals(other["electricity_kwh"])
    assert not chicago["median_household_income"].equals(other["median_household_income"])


def test_every_canonical_column_but_name_and_the_nonresidential_parts_is_generated(chicago, districts):
    assert set(chicago.columns) == set(CANONICAL) - {"name", *NONRESIDENTIAL, *CUSTOMER_COLUMNS}
    assert chicago["district_id"].tolist() == districts["district_id"].tolist()


def test_chicago_values_are_plausible(chicago):
    check_invariants(chicago)
    # City-wide electricity per resident (residential + commercial buildings). US retail
    # sales to the residential and commercial sectors are about 2.9 PWh a year for about
    # 333 million people (EIA Electric Power Annual 2022), i.e. ~8,700 kWh per person;
    # a city's buildings should land within a factor of about two of that.
    per_capita = chicago["electricity_kwh"].sum() / chicago["population"].sum()
    assert 4_000 < per_capita < 14_000
    # District electricity intensity of all floor area: between an efficient home
    # (~20 kWh/m²) and a dense commercial core (CBECS 2012 75th percentile ~185 kWh/m²).
    intensity = chicago["electricity_kwh"] / chicago["floor_area_m2"]
    assert intensity.between(20, 300).all()
    households_size = chicago["population"].sum() / chicago["households"].sum()
    assert households_size == pytest.approx(2.36, rel=0.02)


def test_gas_peaks_in_winter(chicago):
    assert (chicago["gas_kwh_01"] > chicago["gas_kwh_07"]).all()
    assert (chicago["electricity_kwh_07"] > chicago["electricity_kwh_04"]).all()


def test_the_illustrative_chicago_is_reproducible_and_complete():
    """The sample city on the bundled boundaries (tests and benchmarks use it where they need
    every canonical column): the same seed gives the same table, nothing is estimated."""
    from core.sample.chicago import illustrative_chicago

    _, first = generate_city_tables(seed=SEED)
    _, again = generate_city_tables(seed=SEED)
    pd.testing.assert_frame_equal(first, again)
    check_invariants(first)
    city = illustrative_chicago()
    assert city.illustrative and city.n == 77 and not city.estimates
    assert city.degree_days is not None


def test_generator_needs_ids_and_crs(districts, params, degree_days):
    with pytest.raises(ValueError, match="district_id"):
        generate_attributes(districts.drop(columns="district_id"), params, degree_days)
    with pytest.raises(ValueError, match="CRS"):
        generate_attributes(districts.set_crs(None, allow_override=True), params, degree_days)
    dup = districts.assign(district_id="1")
    with pytest.raises(ValueError, match="unique"):
        generate_attributes(dup, params, degree_days)


# ----------------------------------------------------------------------- loaders


def test_every_parameter_has_a_source():
    table = pd.read_csv(paths.GENERATOR_PARAMETERS, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["parameter", "value", "unit", "source", "note"]
    assert (table["source"].str.strip() != "").all()
    assert set(REQUIRED_PARAMETERS) <= set(table["parameter"])


def test_parameter_loader_rejects_bad_rows(tmp_path):
    good = pd.read_csv(paths.GENERATOR_PARAMETERS, dtype=str, keep_default_na=False)
    path = tmp_path / "parameters.csv"
    row = good["parameter"] == "persons_per_household"

    good.assign(source=good["source"].where(~row, "")).to_csv(path, index=False)
    with pytest.raises(ValueError, match="persons_per_household.*no source"):
        load_generator_parameters(path)
    good.assign(value=good["value"].where(~row, "many")).to_csv(path, index=False)
    with pytest.raises(ValueError, match="persons_per_household.*non-numeric"):
        load_generator_parameters(path)
    good[good["parameter"] != "vacancy_rate"].to_csv(path, index=False)
    with pytest.raises(ValueError, match="missing parameter.*vacancy_rate"):
        load_generator_parameters(path)
    good.drop(columns="source").to_csv(path, index=False)
    with pytest.raises(ValueError, match="missing column.*source"):
        load_generator_parameters(path)


def test_generator_reads_the_bundled_degree_days_with_their_sources(tmp_path, degree_days):
    assert degree_days["month"].tolist() == list(range(1, 13))
    assert degree_days["hdd_c"].iloc[0] == pytest.approx(1233.3 * 5 / 9, abs=0.01)
    assert (degree_days["base_c"] == 18.33).all()
    path = tmp_path / "degree_days.csv"
    degree_days.iloc[:11].to_csv(path, index=False)
    with pytest.raises(InputError, match="1..12"):
        generate_city_tables(degree_days_path=path)
    degree_days.assign(hdd_c=-degree_days["hdd_c"]).to_csv(path, index=False)
    with pytest.raises(InputError, match="negative"):
        generate_city_tables(degree_days_path=path)
    degree_days.assign(source=degree_days["source"].where(degree_days["month"] != 4, " ")
                       ).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"needs a source; add one for month\(s\) 4$"):
        generate_city_tables(degree_days_path=path)


def test_generator_needs_heating_degree_days(districts, params, degree_days):
    summer_only = degree_days.assign(hdd_c=0.0)
    with pytest.raises(ValueError, match="heating degree days sum to zero"):
        generate_attributes(districts, params, summer_only)


# ----------------------------------------------------------------------- boundaries


def test_districts_geojson_is_a_clean_coverage(districts):
    assert len(districts) == 77
    assert districts.crs.to_epsg() == 4326
    assert districts["district_id"].tolist() == [str(i) for i in range(1, 78)]
    assert districts["district_id"].is_unique
    assert districts.is_valid.all()
    assert set(districts.geom_type) <= {"Polygon", "MultiPolygon"}
    assert {"Rogers Park", "Loop", "O'Hare", "McKinley Park"} <= set(districts["name"])
    projected = districts.to_crs("EPSG:6933")
    union = projected.union_all()
    assert projected.area.sum() == pytest.approx(union.area, rel=1e-3)
    # No new gaps: the union keeps exactly the source's interior holes (enclaves).
    source = gpd.read_file(Path(libpysal.__file__).parent / "examples/chicago/Chicago77.shp")
    src_union = source.set_crs("EPSG:3435").to_crs("EPSG:6933").union_all()
    holes = sorted(shapely.Polygon(r).area for r in union.interiors)
    src_holes = sorted(shapely.Polygon(r).area for r in src_union.interiors)
    assert len(holes) == len(src_holes)
    np.testing.assert_allclose(holes, src_holes, rtol=0.02)


# ----------------------------------------------------------------------- tessellation


def test_tessellation_is_gap_free_without_overlaps():
    tess = tessellation(500, seed=7)
    assert len(tess) == 500
    assert tess.crs.to_epsg() == 4326
    assert tess["district_id"].is_unique
    assert tess["name"].iloc[0] == "District 1"
    assert tess.is_valid.all() and (tess.geom_type == "Polygon").all()
    projected = tess.to_crs("EPSG:6933")
    union = projected.union_all()
    assert projected.area.sum() == pytest.approx(union.area, rel=1e-9)  # no overlaps
    assert union.geom_type == "Polygon" and not union.interiors  # no gaps
    assert union.area / 1e6 == pytest.approx(625, rel=0.01)  # 25 km square
    pd.testing.assert_frame_equal(tess, tessellation(500, seed=7))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(n=st.integers(1, 25), tess_seed=st.integers(0, 10_000), seed=st.integers(0, 10_000))
def test_generated_attributes_hold_on_random_tessellations(n, tess_seed, seed):
    params = load_generator_parameters()
    degree_days = read_degree_days(paths.DEFAULT_DEGREE_DAYS)
    tess = tessellation(n, seed=tess_seed)
    attrs = generate_attributes(tess, params, degree_days, seed=seed)
    assert len(attrs) == n
    check_invariants(attrs)
    assert (attrs["gas_kwh_01"] > attrs["gas_kwh_07"]).all()
