"""A city shaped like Chicago's 801 census tracts (tests/tract_shape.py): 795 districts with
data, 6 without a row, some with zero population, no income. It validates, maps its no-data
districts, trains and optimizes, from the CLI and in the app."""

from __future__ import annotations

import json
import math
import re

import pytest
from typer.testing import CliRunner

from core.assess import indicators
from core.cli import app
from dashboard import keys, nav
from tests import tract_shape
from tools.apptest import maps, open_app

runner = CliRunner()
LEGEND = "no data (6 districts)"


@pytest.fixture(scope="module")
def args(tmp_path_factory) -> list[str]:
    return tract_shape.cli_args(tmp_path_factory.mktemp("tracts"))


@pytest.fixture(scope="module")
def city():
    return tract_shape.city()


def invoke(*argv: str):
    result = runner.invoke(app, list(argv))
    assert "Traceback" not in result.output
    return result


def test_the_table_has_the_shape_of_chicagos_tracts():
    ids = tract_shape.tract_ids()
    table = tract_shape.attributes()
    assert len(ids) == len(set(ids)) == 801 and all(re.fullmatch(r"\d{6}", i) for i in ids)
    assert len(table) == 795 and set(ids) - set(table["TRACT"]) == set(
        tract_shape.without_row_ids())
    assert (table["TOTAL POPULATION"] == 0).sum() == len(tract_shape.ZERO_POPULATION)
    assert not any("INCOME" in c.upper() for c in table.columns)


def test_validate_exits_0_with_795_districts_with_data_and_6_without(args):
    text = invoke("validate", *args)
    assert text.exit_code == 0, text.output
    assert text.output.startswith("801 districts (795 with data, 6 without); usable")
    assert f"No data (6 districts, shown as 'no data' and left out of the analyses): " \
           f"{', '.join(sorted(tract_shape.without_row_ids()))}" in text.output
    assert "exclude" not in text.output
    out = invoke("validate", *args, "--json")
    assert out.exit_code == 0
    report = json.loads(out.output)
    assert report["status"] == "usable" and report["n_districts"] == 801
    assert report["n_with_data"] == 795 and report["n_without_data"] == 6
    assert sorted(report["no_data_ids"]) == sorted(tract_shape.without_row_ids())
    (no_data,) = [p for p in report["problems"] if p["check"] == "no data"]
    assert no_data["severity"] == "warning"


def test_summary_counts_the_districts_with_data(args):
    out = invoke("summary", *args)
    assert out.exit_code == 0
    assert "795 of 801 districts have data; 6 shown as no data" in out.output
    assert "nan" not in out.output and "inf" not in out.output
    data = json.loads(invoke("summary", *args, "--json").output)
    assert (data["n_with_data"], data["n_without_data"]) == (795, 6)
    assert all(math.isfinite(k["value"]) for k in data["kpis"])


@pytest.mark.parametrize("command", ["evaluate", "train"])
def test_the_energy_model_trains_on_the_districts_with_data(args, command, tmp_path):
    extra = ["--out", str(tmp_path / "model")] if command == "train" else []
    out = invoke(command, *args, "--json", *extra)
    assert out.exit_code == 0, out.output
    if command == "evaluate":
        text = invoke(command, *args).output
        assert "electricity_kwh (795 districts used, 6 left out)" in text
        assert "gas_kwh (795 districts used, 6 left out)" in text


def test_optimize_from_the_cli_gives_a_plan_and_leaves_out_the_districts_without_data(args):
    out = invoke("optimize", *args, "--scenario", "data/scenarios/business_as_usual.json",
                 "--device", "cpu", "--json")
    assert out.exit_code == 0, out.output
    plan = json.loads(out.output)
    assert plan["status"] in ("optimal", "feasible") and plan["cost_usd"] > 0
    assert "6 districts without data" in plan["message"]
    text = invoke("optimize", *args, "--scenario", "data/scenarios/business_as_usual.json",
                  "--device", "cpu").output
    assert "6 districts without data (no attribute row or no population) are left out" in text


def legends(at) -> str:
    return " ".join(m.value for m in at.markdown if "gp-legend" in m.value)


def shown(at) -> str:
    """Every text element and figure on the page."""
    parts = [m.value for m in at.metric] + [c.value for c in at.caption]
    parts += [m.value for m in at.markdown] + [i.value for i in at.info]
    return " ".join(map(str, parts))


def indicator_table(at):
    """The Overview's table of every district's indicators (not the map's table)."""
    return next(f.value for f in at.dataframe if "district_id" in f.value.columns)


def test_overview_maps_the_no_data_districts_with_their_legend_entry(city):
    at = open_app(city=city)
    assert not at.exception
    assert LEGEND in legends(at)
    assert any(c.value.startswith("795 of 801 districts have data; 6 shown as no data")
               for c in at.caption)
    (shown,) = maps(at)
    by_id = {p["district_id"]: {**p, "fill": f}
             for p, f in zip(shown["properties"], shown["fill"], strict=True)}
    assert len(shown["properties"]) == 801
    for i in tract_shape.without_row_ids():
        assert by_id[i]["value_text"] == "no data" and by_id[i]["data"] == "no data"
    assert all(p["fill"] == by_id[tract_shape.without_row_ids()[0]]["fill"]
               for i, p in by_id.items() if i in tract_shape.without_row_ids())
    table = indicator_table(at)
    assert (table.set_index("district_id").loc[tract_shape.without_row_ids(), indicators.DATA]
            == "no data").all()


def test_zero_population_districts_show_no_inf_or_nan(city):
    at = open_app(city=city)
    at.selectbox(key=keys.OVERVIEW_INDICATOR).set_value("energy_per_capita").run()
    assert not at.exception
    text = shown(at)
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE), text[:500]
    zero = set(tract_shape.zero_population_ids())
    values = [p["value_text"] for p in maps(at)[0]["properties"] if p["district_id"] in zero]
    assert values == ["no data"] * len(zero)
    per_capita = indicator_table(at).set_index("district_id")["energy_per_capita"]
    assert per_capita.loc[list(zero)].isna().all()
    assert per_capita.drop(index=list(zero)).dropna().map(math.isfinite).all()


def test_data_page_maps_the_no_data_districts_of_an_upload(tmp_path):
    b, a, m = tract_shape.write(tmp_path)
    at = open_app(nav.DATA)
    at.file_uploader(key=keys.DATA_BOUNDARIES).set_value((b.name, b.read_bytes(),
                                                         "application/geo+json"))
    at.file_uploader(key=keys.DATA_ATTRIBUTES).set_value((a.name, a.read_bytes(), "text/csv"))
    at.run()  # the mapping file's box appears once the files are read
    at.file_uploader(key=keys.DATA_MAPPING_FILE).set_value((m.name, m.read_bytes(),
                                                           "application/json"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    metrics = {x.label: x.value for x in at.metric}
    assert metrics["Districts (count)"] == "801" and metrics["Blocking problems (count)"] == "0"
    assert metrics["With data (districts)"] == "795 of 801"
    assert LEGEND in legends(at)
    assert any(w.value.startswith("795 of 801 districts have data; 6 shown as no data")
               for w in at.warning)
    assert any("Every analysis below uses the districts with data" in c.value for c in at.caption)
    assert not at.button(key=keys.DATA_USE).disabled


def test_scenario_lab_plans_and_its_badge_says_who_is_left_out(city):
    at = open_app(nav.SCENARIO_LAB, city=city)
    # no income, so no district is disadvantaged: a Justice40 share cannot be met; without one
    # the lab has a plan
    at.sidebar.slider(key=keys.LAB_JUSTICE40).set_value(0).run()
    assert not at.exception
    badge = " ".join(str(h.proto) for h in at.get("html") if "gp-solver-badge" in str(h.proto))
    assert "6 districts left out (no data)" in badge and ">optimal<" in badge
    assert any("6 districts without data" in i.value for i in at.info)
    spent = next(m.value for m in at.metric if m.label.startswith("Spent"))
    assert float(spent.replace(",", "")) > 0
    assert LEGEND in legends(at)
    assert not re.search(r"\b(nan|inf)\b", " ".join(m.value for m in at.metric), re.IGNORECASE)


def test_district_profile_of_a_district_without_data_says_so(city):
    at = open_app(nav.DISTRICT, city=city)
    gone = tract_shape.without_row_ids()[0]
    at.selectbox(key=keys.PROFILE_DISTRICT).set_value(gone).run()
    assert not at.exception
    assert any(i.value.startswith("This district has no data") for i in at.info)
    profile = at.dataframe[0].value
    assert (profile["Value"] == "no data").all() and (profile["Rank"] == "–").all()
    assert LEGEND in legends(at)
