"""A city outside the US, end to end: the bundled boundaries and table with the UK's reference
values (data/examples/references_uk.csv: GBP, DESNZ factors, Ofgem prices), through the CLI
(validate, summary, optimize with --references) and every page of the app, which show
pounds and the UK sources and never say USD."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from core import paths
from core.cli import app, models, optimize, summary, validate
from core.intake import reference_values
from core.intake.city import default_city
from dashboard import keys, nav
from tools.apptest import open_app

runner = CliRunner()
UK_FILE = paths.DATA_DIR / "examples" / "references_uk.csv"
CITY = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES)]
UK = ["--references", str(UK_FILE)]
DESNZ = "DESNZ), Greenhouse gas reporting: conversion factors 2023"
#: the catalogue's costs in pounds, so that no value of the city is a converted US figure
GBP_COSTS = "".join(
    f'cost_{k},{cost},GBP per {unit},"test value: a cost in pounds for the page checks"\n'
    for k, cost, unit in (("envelope_retrofit", 9000, "housing unit"),
                          ("heat_pump", 12000, "housing unit"), ("rooftop_pv", 1500, "kW"),
                          ("efficient_lighting_appliances", 600, "household"),
                          ("low_income_weatherisation", 7000, "household")))


def run(*args: str):
    r = runner.invoke(app, [*args, "--json"])
    assert "Traceback" not in r.output
    return r, json.loads(r.stdout)


def test_every_command_that_loads_a_city_takes_references():
    for command in (models.evaluate, models.train, models.predict, optimize.optimize,
                    optimize.sweep, summary.summary, validate.validate):
        assert "references" in inspect.signature(command).parameters, command.__name__


def test_the_cli_validates_summarises_and_optimizes_a_uk_city(tmp_path):
    r, out = run("validate", *CITY, *UK, "--write", str(tmp_path / "uk.parquet"))
    assert r.exit_code == 0 and out["currency"] == "GBP"
    grid = {row["name"]: row for row in out["references"]}["grid_factor_2023"]
    assert grid["value"] == "0.20707" and DESNZ in grid["source"]

    r, out = run("summary", str(tmp_path / "uk.parquet"))  # the written city keeps them
    assert r.exit_code == 0 and out["currency"] == "GBP"
    assert {row["name"]: row["value"] for row in out["references"]}["electricity_price"] == "0.2486"

    scenario = str(paths.DATA_DIR / "scenarios" / "justice40.json")  # in USD: converted
    r, out = run("optimize", *CITY, *UK, "--scenario", scenario, "--device", "cpu")
    assert r.exit_code == 0 and out["status"] == "optimal" and out["currency"] == "GBP"
    population = default_city().districts["population"].sum()
    assert out["budget_usd"] == pytest.approx(100 * 0.8039 * population)
    assert 0 < out["cost_usd"] <= out["budget_usd"] * (1 + 1e-9)
    us_r, us = run("optimize", *CITY, "--scenario", scenario, "--device", "cpu")
    assert us["currency"] == "USD" and us["abatement_t_co2_per_yr"] != out["abatement_t_co2_per_yr"]

    text = runner.invoke(app, ["optimize", *CITY, *UK, "--scenario", scenario,
                               "--device", "cpu"]).output
    assert "GBP" in text and "USD" not in text


def test_a_bad_reference_file_exits_2_with_what_to_fix(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value,unit,source\nelectricity_price,24.86,p/kWh,Ofgem\n")
    for command in (["summary", *CITY], ["validate", *CITY], ["evaluate"],
                    ["optimize", *CITY, "--scenario", str(paths.DATA_DIR / "scenarios" /
                                                          "justice40.json")]):
        r, out = run(*command, "--references", str(bad))
        assert r.exit_code == 2 and "line 2 (electricity_price)" in out["message"], command
        assert "0.2486 USD/kWh" in out["message"]


# --------------------------------------------------------------------------- the app

def uk_city(costs: bool = False):
    text = UK_FILE.read_text() + (GBP_COSTS if costs else "")
    refs = reference_values.loads(text.encode(), "references_uk.csv")
    city = default_city().with_references(refs)
    return city.__class__(**{**city.__dict__, "name": f"UK test city{' with costs' if costs else ''}"})


@pytest.fixture(scope="module")
def city_uk():
    return uk_city()


def page_text(at: AppTest, skip: tuple[str, ...] = ()) -> str:
    """Everything the run sent to the browser, as text (element protos), less the elements
    holding one of ``skip``."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            text = str(proto)
            if not any(s in text for s in skip):
                out.append(text)
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return "\n".join(out)


@pytest.mark.parametrize("page", [nav.OVERVIEW, nav.EQUITY, nav.SCENARIO_LAB])
def test_the_pages_show_pounds_and_the_uk_sources(page, city_uk):
    at = open_app(page, city=city_uk)
    text = page_text(at)
    assert "GBP" in text or "£" in text
    assert DESNZ in text  # the grid factor's source, beside the city's name
    assert not re.search(r"\bUSD\b", text)


def test_the_lab_sliders_and_kpis_are_in_pounds(city_uk):
    at = open_app(nav.SCENARIO_LAB, city=city_uk)
    budget = at.sidebar.slider(key=f"{keys.LAB_BUDGET}_gbp")
    assert budget.label == "Budget (GBP per resident)" and budget.value == 80  # 100 USD
    price = at.sidebar.slider(key=f"{keys.LAB_ELECTRICITY_PRICE}_gbp")
    assert price.label == "Electricity price (GBP/kWh)" and price.value == pytest.approx(0.249)
    spent = next(m for m in at.metric if m.label.startswith("Spent"))
    assert spent.label == "Spent (M GBP)"


def test_the_equity_page_uses_the_uk_thresholds_and_prices(city_uk):
    at = open_app(nav.EQUITY, city=city_uk)
    captions = " ".join(c.value for c in at.caption)
    assert "£0.2486/kWh electricity (Ofgem" in captions and "High burden: 10% of income" in captions
    high = next(m for m in at.metric if m.label.startswith("High burden"))
    assert "at least 10% of income" in high.help


@pytest.mark.parametrize("page", nav.ALL)
def test_no_page_says_usd_for_a_uk_city(page):
    """Every page, the reference table included (its costs given in pounds); only the data
    README on Methods & sources, which documents the bundled US tables, may name USD."""
    at = open_app(page, city=uk_city(costs=True))
    text = page_text(at, skip=("Files that ship with Greenprint",))
    assert not re.search(r"USD", text), re.findall(r".{60}USD.{30}", text)[:5]


def test_the_data_page_takes_an_uploaded_reference_file_and_edits():
    at = open_app(nav.DATA)
    assert any("Currency" in m.value or "currency USD" in m.value for m in at.markdown)
    at.file_uploader(key=keys.DATA_REFERENCES_FILE).set_value(
        ("references_uk.csv", UK_FILE.read_bytes(), "text/csv")).run()
    assert any("references_uk.csv is valid" in s.value for s in at.success)
    at.button(key=f"{keys.DATA_REFERENCES_APPLY}_file").click().run()
    assert not at.exception
    city = at.session_state[keys.CITY]
    assert city.references.currency == "GBP" and city.references.base_year == 2023
    assert any("Reference values applied" in s.value for s in at.success)
    assert any("5 amount(s) are US defaults converted" in w.value for w in at.warning)
    at.switch_page(nav.OVERVIEW).run()
    assert DESNZ in page_text(at)


def test_the_data_page_refuses_a_bad_reference_file_and_keeps_the_city():
    at = open_app(nav.DATA)
    at.file_uploader(key=keys.DATA_REFERENCES_FILE).set_value(
        ("bad.csv", b"name,value,unit,source\ngas_price,-1,USD/kWh,a tariff\n", "text/csv")).run()
    assert any("line 2 (gas_price)" in e.value and "must be above 0" in e.value for e in at.error)
    assert keys.CITY not in at.session_state and not at.exception
