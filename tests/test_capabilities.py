"""What a city supports (core.capabilities): the default city, a minimal city, the
``validate --json`` block and the Data page's panel."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from core import paths
from core.capabilities import AVAILABLE, ESTIMATED, STATUSES, UNAVAILABLE, capabilities
from core.cli import app
from core.intake.city import default_city, load_city
from core.intake.estimates import INCOME
from core.plan import interventions
from dashboard import keys, nav
from tools.apptest import open_app

runner = CliRunner()
EQUITY = "Equity: energy burden and disadvantaged districts"
OPTIMIZER = "Scenario lab (optimizer)"
INCOME_UNLOCK = "median_household_income or per_capita_income"


def by_analysis(city) -> dict:
    return {c.analysis: c for c in capabilities(city)}


@pytest.fixture
def minimal_attrs(attrs4) -> pd.DataFrame:
    """id, population and electricity only (the name comes with the boundaries)."""
    return attrs4[["district_id", "population", "electricity_kwh"]]


@pytest.fixture
def minimal(grid4, minimal_attrs):
    return load_city(grid4, minimal_attrs)


def test_every_capability_has_a_status_and_a_reason(minimal):
    for city in (default_city(), minimal):
        caps = capabilities(city)
        assert len({c.analysis for c in caps}) == len(caps)
        assert all(c.status in STATUSES and c.reason for c in caps), caps


def test_default_city_runs_equity_on_estimates_and_the_optimizer():
    caps = by_analysis(default_city())
    equity = caps[EQUITY]
    assert equity.status == ESTIMATED
    assert "households" in equity.reason and INCOME in equity.reason  # both are estimated
    assert caps[OPTIMIZER].status in (AVAILABLE, ESTIMATED)
    assert caps["Scenario lab: Rooftop solar PV"].status == ESTIMATED  # roof area estimated
    assert caps["Overview map: Emissions"].status == AVAILABLE
    assert caps["Overview map: Median household income"].status == UNAVAILABLE
    assert caps["Degree-day split (base, heating, cooling)"].status == AVAILABLE
    assert {caps[f"Energy model: {t}"].status for t in ("Electricity use", "Gas use")} \
        <= {AVAILABLE, ESTIMATED}


def test_minimal_city_names_the_columns_that_unlock_each_analysis(minimal):
    caps = by_analysis(minimal)
    assert caps["Overview map: Electricity use"].status == AVAILABLE
    assert caps["Overview map: Household energy bill"].status == UNAVAILABLE
    equity = caps[EQUITY]
    assert equity.status == UNAVAILABLE
    assert "gas_kwh" in equity.reason and INCOME_UNLOCK in equity.reason
    gas_model = caps["Energy model: Gas use"]
    assert gas_model.status == UNAVAILABLE and "gas_kwh" in gas_model.reason
    electricity_model = caps["Energy model: Electricity use"]  # 4 districts: too few to train
    assert electricity_model.status == UNAVAILABLE and "at least" in electricity_model.reason
    split = caps["Degree-day split (base, heating, cooling)"]
    assert split.status == UNAVAILABLE and "electricity_kwh_01..12" in split.reason
    for name, c in caps.items():
        if name.startswith("Scenario lab"):
            assert c.status == UNAVAILABLE and "gas_kwh" in c.reason, c


def test_optimizer_without_an_income_runs_and_says_what_it_lacks(grid4, attrs4):
    no_income = by_analysis(load_city(grid4, attrs4))  # households given, no income
    assert no_income[OPTIMIZER].status == ESTIMATED  # housing units and roofs are estimated
    assert INCOME_UNLOCK in no_income[OPTIMIZER].reason
    assert no_income["Scenario lab: Low-income weatherisation"].status == UNAVAILABLE
    assert no_income[EQUITY].status == UNAVAILABLE and INCOME_UNLOCK in no_income[EQUITY].reason


def test_optimizer_without_a_stock_names_the_stock_columns(grid4, attrs4, monkeypatch):
    cat = interventions.catalogue().assign(stock_column="floor_area_m2")  # none in the city
    monkeypatch.setattr(interventions, "catalogue", lambda: cat)
    caps = by_analysis(load_city(grid4, attrs4.drop(columns="floor_area_m2")))
    assert caps[OPTIMIZER].status == UNAVAILABLE
    assert caps[OPTIMIZER].reason.startswith("map floor_area_m2 (no intervention")
    assert caps["Scenario lab: Envelope retrofit"].reason == "map floor_area_m2"


def test_validate_json_lists_the_same_capabilities(tmp_path, grid4, minimal_attrs, minimal):
    b, a = tmp_path / "d.geojson", tmp_path / "a.csv"
    grid4.to_file(b, driver="GeoJSON")
    minimal_attrs.to_csv(a, index=False)
    for args, city in (([str(b), "-a", str(a)], minimal),
                       ([str(paths.DEFAULT_BOUNDARIES), "-a", str(paths.DEFAULT_ATTRIBUTES)],
                        load_city(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES))):
        out = runner.invoke(app, ["validate", *args, "--json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["capabilities"] == [c.to_dict() for c in capabilities(city)]
    text = runner.invoke(app, ["validate", str(b), "-a", str(a)])
    assert text.exit_code == 0 and "What this city supports:" in text.output
    assert f"- {EQUITY}: unavailable (map gas_kwh and {INCOME_UNLOCK})" in text.output


def test_blocked_city_has_no_capabilities_block(tmp_path, grid4, minimal_attrs):
    b, a = tmp_path / "d.geojson", tmp_path / "a.csv"
    grid4.to_file(b, driver="GeoJSON")
    minimal_attrs.drop(columns="population").to_csv(a, index=False)  # population is required
    out = runner.invoke(app, ["validate", str(b), "-a", str(a), "--json"])
    assert out.exit_code == 1 and json.loads(out.output)["capabilities"] is None


def test_data_page_shows_the_panel(tmp_path, grid4, minimal_attrs, minimal):
    b, a = tmp_path / "d.geojson", tmp_path / "a.csv"
    grid4.to_file(b, driver="GeoJSON")
    minimal_attrs.to_csv(a, index=False)
    at = open_app(nav.DATA)
    at.file_uploader(key=keys.DATA_BOUNDARIES).set_value(
        (b.name, b.read_bytes(), "application/octet-stream"))
    at.file_uploader(key=keys.DATA_ATTRIBUTES).set_value((a.name, a.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "What this city supports" in [s.value for s in at.subheader]
    (panel,) = [t.value for t in at.dataframe if "analysis" in t.value.columns]
    assert panel.to_dict("records") == [c.to_dict() for c in capabilities(minimal)]
