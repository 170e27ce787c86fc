"""Estimated columns (core.intake.estimates), end to end: a city with population and
per-capita income but no households, housing units, median household income or roof area
gets them estimated, says so in the lineage, the quality report, the pages and exports,
and takes the user's figures or real columns instead."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from core import paths
from core.assess import equity, indicators, inequality
from core.cli import app
from core.constants import M2_PER_KM2
from core.errors import InputError
from core.intake import estimates, geometry, quality, staging
from core.intake.city import load_city, validate_city, write_city
from core.intake.reference_values import defaults
from core.plan.scenario import SCENARIO_DIR
from dashboard import nav
from tools.apptest import open_app

PER_CAPITA = [40_000.0, 30_000.0, 20_000.0, 12_000.0]
PPH, OCCUPANCY, COVERAGE, USABLE = 2.58, 0.875, 0.25, 0.26  # data/estimate_parameters.csv


@pytest.fixture
def bare(attrs4) -> pd.DataFrame:
    """attrs4 as a real public table often is: population and per-capita income, no
    households, housing units, median household income or roof area."""
    return attrs4.drop(columns=["households"]).assign(per_capita_income=PER_CAPITA)


@pytest.fixture
def estimated(grid4, bare):
    return load_city(grid4, bare, name="Estimated")


def test_the_reference_figures_are_the_table_with_sources():
    figures = estimates.reference_figures()
    assert {n: f.value for n, f in figures.items()} == {
        "persons_per_household": PPH, "occupancy_rate": OCCUPANCY,
        "building_coverage_share": COVERAGE, "roof_usable_share": USABLE}
    assert all(f.source and not f.overridden for f in figures.values())
    assert figures["persons_per_household"].short_source == (
        "US Census Bureau, 2010 Census Summary File 1, Chicago city, Illinois")


def test_absent_columns_are_estimated_with_their_formula(estimated, bare):
    d = estimated.districts
    np.testing.assert_allclose(d["households"], bare["population"] / PPH, rtol=1e-12)
    np.testing.assert_allclose(d["housing_units"], bare["population"] / PPH / OCCUPANCY,
                               rtol=1e-12)
    land_m2 = geometry.area_km2(d) * M2_PER_KM2
    np.testing.assert_allclose(d["roof_area_m2"], land_m2 * COVERAGE * USABLE, rtol=1e-12)
    assert list(estimated.estimates) == ["households", "housing_units", "roof_area_m2",
                                         estimates.INCOME]
    assert all(estimated.estimated(c) for c in ("households", "housing_units", "roof_area_m2"))
    assert not estimated.estimated("population")
    hh = estimated.estimates["households"]
    assert (hh.formula, hh.inputs, hh.districts) == (
        "population / persons_per_household", ("population",), 4)
    assert hh.caption() == ("households: estimated, 2.58 persons per household, source: US "
                            "Census Bureau, 2010 Census Summary File 1, Chicago city, Illinois")
    roof = estimated.estimates["roof_area_m2"]
    assert roof.formula == "land area x building_coverage_share x roof_usable_share"
    assert [f.name for f in roof.figures] == ["building_coverage_share", "roof_usable_share"]
    # the lineage says each one, with the figure and its full source, in order
    made = [s for s in estimated.lineage if ": estimated as " in s]
    assert [s.split(":")[0] for s in made] == ["households", "housing_units", "roof_area_m2",
                                               estimates.INCOME]
    assert made[0].startswith("households: estimated as population / persons_per_household, "
                              "persons_per_household = 2.58 persons/household (source: US "
                              "Census Bureau, 2010 Census Summary File 1")
    assert "table P1" in made[0] and "(4 district(s))" in made[0]


def test_roof_area_is_the_usable_share_of_floor_area_over_stories_when_the_city_has_both(
        grid4, bare):
    city = load_city(grid4, bare.assign(stories_mean=[2.0, 4.0, 0.0, np.nan]))
    floor = bare["floor_area_m2"].to_numpy()
    np.testing.assert_allclose(city.districts["roof_area_m2"],
                               [floor[0] / 2 * USABLE, floor[1] / 4 * USABLE, np.nan, np.nan])
    e = city.estimates["roof_area_m2"]
    assert e.formula == "floor_area_m2 / stories_mean x roof_usable_share" and e.districts == 2


def test_a_real_column_wins_and_a_partly_filled_one_is_not_completed(grid4, attrs4):
    city = load_city(grid4, attrs4)  # households given
    assert "households" not in city.estimates
    np.testing.assert_array_equal(city.districts["households"], attrs4["households"])
    # housing units are estimated from the real households
    np.testing.assert_allclose(city.districts["housing_units"], attrs4["households"] / OCCUPANCY)
    gaps = load_city(grid4, attrs4.assign(households=[400.0, np.nan, 1200.0, np.nan]))
    assert "households" not in gaps.estimates
    assert gaps.districts["households"].isna().tolist() == [False, True, False, True]
    # an empty column is no data: it is estimated, and the report still shows it empty
    empty = validate_city(grid4, attrs4.assign(households=np.nan))
    assert "households" in empty.city.estimates
    col = empty.report.columns.set_index("column")
    assert col.loc["households", "completeness"] == 0.0 and col.loc["households", "estimated"]


def test_a_figure_of_the_user_changes_the_value_the_lineage_and_the_caption(grid4, bare):
    city = load_city(grid4, bare, figures={"persons_per_household": 2.0, "occupancy_rate": 0.8})
    np.testing.assert_allclose(city.districts["households"], bare["population"] / 2.0)
    np.testing.assert_allclose(city.districts["housing_units"], bare["population"] / 2.0 / 0.8)
    hh = city.estimates["households"]
    assert hh.figures[0].overridden and hh.figures[0].reference == PPH
    assert "persons_per_household = 2 persons/household (set by the user; reference 2.58)" \
        in hh.describe()
    assert any("persons_per_household = 2 persons/household (set by the user" in s
               for s in city.lineage)
    assert hh.caption() == "households: estimated, 2 persons per household (set by the user)"
    assert city.estimates["housing_units"].caption().startswith(
        "housing_units: estimated, 80.0 % of housing units occupied (set by the user)")


@pytest.mark.parametrize("name, value, message", [
    ("persons_per_household", -1, "must be a number above 0 (persons/household), got -1"),
    ("persons_per_household", 0, "must be a number above 0"),
    ("persons_per_household", "abc", "must be a number, got 'abc'"),
    ("persons_per_household", float("nan"), "must be a number above 0"),
    ("persons_per_household", float("inf"), "must be a number above 0"),
    ("occupancy_rate", 1.5, "must be a share above 0 and at most 1, got 1.5"),
    ("occupancy_rate", 0, "must be a share above 0 and at most 1"),
    ("household_size", 2, "'household_size' is not a figure used to estimate columns; use one "
                          "of persons_per_household, occupancy_rate"),
])
def test_a_bad_figure_is_a_clear_input_error(grid4, bare, name, value, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_city(grid4, bare, figures={name: value})
    with pytest.raises(InputError):
        staging.stage(grid4, bare, figures={name: value})


def test_the_burden_rests_on_per_capita_income_when_household_income_is_absent(estimated,
                                                                              bare):
    d = estimated.districts
    assert equity.income_basis(d) is equity.PER_CAPITA_BASIS
    assert inequality.equity_unavailable(d) is None
    bills = equity.district_bills_usd(d, equity.Prices.of(defaults()))
    aggregate = bare["population"].to_numpy() * np.array(PER_CAPITA)
    np.testing.assert_allclose(equity.district_income_usd(d), aggregate)
    np.testing.assert_allclose(equity.energy_burden(d, equity.Prices.of(defaults())),
                               bills / aggregate, rtol=1e-12)
    np.testing.assert_allclose(equity.low_income_score(d), -np.array(PER_CAPITA))
    report = inequality.equity_report(d)
    assert report.mean_burden == pytest.approx(bills.sum() / aggregate.sum(), rel=1e-12)
    assert report.low_income_measure == "lowness of per-capita income"
    assert report.quintiles["income_min_usd"].tolist() == sorted(PER_CAPITA)
    keys = {i.key for i in indicators.available(estimated)}
    assert {"energy_burden", "disadvantaged", "household_energy_cost"} <= keys
    assert "median_household_income" not in keys
    income = estimated.estimates[estimates.INCOME]
    assert (income.formula, income.figures, income.districts) == (
        "population x per_capita_income", (), 4)


def test_household_income_is_preferred_and_without_any_income_equity_says_what_it_needs(
        grid4, bare):
    both = load_city(grid4, bare.assign(median_household_income=[90e3, 60e3, 30e3, 20e3]))
    assert equity.income_basis(both.districts) is equity.HOUSEHOLD_BASIS
    assert estimates.INCOME not in both.estimates
    hh = both.districts["households"].to_numpy()
    np.testing.assert_allclose(equity.district_income_usd(both.districts),
                               hh * np.array([90e3, 60e3, 30e3, 20e3]))
    neither = load_city(grid4, bare.drop(columns="per_capita_income"))
    assert equity.income_basis(neither.districts) is None
    assert equity.energy_burden(neither.districts, equity.Prices.of(defaults())).isna().all()
    why = inequality.equity_unavailable(neither.districts)
    assert why == ("an income needs households and median_household_income or population "
                   "and per_capita_income")
    assert "energy_burden" not in {i.key for i in indicators.available(neither)}


def test_the_quality_report_lists_estimates_as_notes_not_problems(grid4, bare):
    r = validate_city(grid4, bare).report
    assert r.usable and r.problems == [] and r.score == 100.0
    assert [(n.check, n.column, n.blocking) for n in r.notes] == [
        ("estimated", "households", False), ("estimated", "housing_units", False),
        ("estimated", "roof_area_m2", False), ("estimated", estimates.INCOME, False)]
    assert r.notes[0].fix == quality.ESTIMATE_FIX
    table = r.problem_table()
    assert table["severity"].tolist() == ["note"] * 4
    assert set(r.issues()["check"]) == {"estimated"}
    data = json.loads(r.to_json())
    assert data["n_notes"] == 4 and data["n_warnings"] == 0 and data["problems"] == []
    assert data["estimates"]["households"]["figures"][0]["value"] == PPH
    assert data["estimates"]["households"]["caption"].startswith("households: estimated, 2.58")
    col = r.columns.set_index("column")
    assert col.loc["roof_area_m2", "estimated"] and col.loc["roof_area_m2", "completeness"] == 0
    assert not col.loc["population", "estimated"]


def test_a_saved_city_keeps_its_estimates_and_takes_new_figures(estimated, tmp_path):
    path = write_city(estimated, tmp_path / "est.parquet")
    again = load_city(path)
    assert again.lineage == estimated.lineage + ("saved: written to est.parquet",)
    assert list(again.estimates) == list(estimated.estimates)
    assert all(again.estimates[k].same_as(e) for k, e in estimated.estimates.items())
    cols = [c for c in estimated.districts.columns if c != "geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(again.districts[cols]),
                                  pd.DataFrame(estimated.districts[cols]))
    changed = load_city(path, figures={"persons_per_household": 3.0})
    np.testing.assert_allclose(changed.districts["households"],
                               estimated.districts["population"] / 3.0)
    np.testing.assert_allclose(changed.districts["housing_units"],
                               estimated.districts["population"] / 3.0 / OCCUPANCY)
    assert changed.lineage[:len(again.lineage)] == again.lineage
    assert changed.lineage[len(again.lineage)].startswith(
        "households: estimated as population / persons_per_household, persons_per_household = "
        "3 persons/household (set by the user")
    # an attribute table that brings the column replaces the saved estimate
    real = pd.DataFrame({"district_id": ["1", "2", "3", "4"], "households": [1.0, 2, 3, 4]})
    joined = load_city(path, real)
    assert "households" not in joined.estimates
    assert joined.districts["households"].tolist() == [1.0, 2, 3, 4]


def test_the_estimated_city_on_the_equity_overview_and_district_pages(estimated):
    at = open_app(nav.EQUITY, city=estimated)
    assert not at.exception and not at.info  # equity is available
    captions = [c.value for c in at.caption]
    assert ("households: estimated, 2.58 persons per household, source: US Census Bureau, "
            "2010 Census Summary File 1, Chicago city, Illinois.") in captions
    assert "aggregate_income: estimated as population x per_capita_income." in captions
    assert any(c.startswith("Estimated, not in the city's data: households, housing_units, "
                            "roof_area_m2, aggregate_income") for c in captions)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Disadvantaged districts"].endswith("of 4")
    report = inequality.equity_report(estimated.districts)
    assert float(shown["Energy burden, whole city (% of income)"]) == pytest.approx(
        report.mean_burden * 100, abs=0.005)
    for page in (nav.OVERVIEW, nav.DISTRICT):
        at = open_app(page, city=estimated)
        assert not at.exception
        assert any(c.value.startswith("aggregate_income: estimated as population x "
                                      "per_capita_income; feeds Energy burden") for c in at.caption)
        assert any(c.value.startswith("households: estimated, 2.58 persons per household")
                   and "feeds Household energy bill" in c.value for c in at.caption)


def test_the_geojson_export_carries_the_estimates(estimated):
    from dashboard import components

    props = estimated.districts[["district_id", "name"]]
    data = json.loads(components.geojson_file(estimated.districts, props, estimated.lineage,
                                              estimated.estimates)())
    assert list(data["properties"]["estimates"]) == list(estimated.estimates)
    assert data["properties"]["estimates"]["households"]["formula"] == (
        "population / persons_per_household")
    assert any(": estimated as " in s for s in data["properties"]["lineage"])
    plain = json.loads(components.geojson_file(estimated.districts, props)())
    assert "properties" not in plain


def test_estimated_stocks_feed_the_optimizer_from_the_cli(tmp_path):
    """The bundled city without households and housing units: both are estimated, and every
    intervention can be placed again (without estimates, only rooftop PV could)."""
    import geopandas as gpd

    gpd.read_file(paths.DEFAULT_BOUNDARIES).to_file(tmp_path / "d.geojson")
    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES)
    assert not {"households", "housing_units"} & set(table.columns)  # the public data lacks them
    table.to_csv(tmp_path / "a.csv", index=False)
    city = [str(tmp_path / "d.geojson"), "-a", str(tmp_path / "a.csv")]
    scenario = ["--scenario", str(SCENARIO_DIR / "justice40.json")]
    r = CliRunner().invoke(app, ["optimize", *city, *scenario, "--device", "cpu", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "optimal" and out["cost_usd"] > 0
    assert "cannot be placed" not in (out["message"] or "")
    r = CliRunner().invoke(app, ["summary", *city, "--estimate", "persons_per_household=2",
                                 "--json"])
    assert r.exit_code == 0, r.output
    estimated = json.loads(r.stdout)["estimated"]
    assert set(estimated) == {"households", "housing_units", "roof_area_m2", "aggregate_income"}
    assert estimated["households"] == ("households: estimated, 2 persons per household (set by "
                                       "the user)")

