"""``python -m core optimize`` / ``sweep``: JSON fields, the HiGHS check, clear errors."""

import json

from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.plan.scenario import SCENARIO_DIR

runner = CliRunner()
CITY = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES)]
J40 = ["--scenario", str(SCENARIO_DIR / "justice40.json")]


def test_optimize_json_with_reference():
    r = runner.invoke(app, ["optimize", *CITY, *J40, "--reference", "--device", "cpu", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    for key in ("scenario_id", "status", "objective", "abatement_t_co2_per_yr", "cost_usd",
                "dac_benefit_share", "device", "iterations", "seconds",
                "max_constraint_violation_rel"):
        assert key in out
    assert out["status"] == "optimal" and out["device"] == "cpu"
    assert out["dac_benefit_share"] >= 0.4 - 1e-9
    assert out["max_constraint_violation_rel"] <= 1e-6
    assert out["reference"]["gap_rel"] <= 1e-3
    assert out["cost_usd"] <= out["budget_usd"] * (1 + 1e-9)


def test_sweep_is_one_batch_and_abatement_grows_with_budget():
    r = runner.invoke(app, ["sweep", *CITY, *J40, "--vary", "budget_usd_per_capita=0:400:5", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["scenarios"] == 5
    abated = [row["abatement_t_co2_per_yr"] for row in out["rows"]]
    assert abated == sorted(abated) and abated[0] == 0 < abated[-1]
    assert len({row["scenario_id"] for row in out["rows"]}) == 5


def test_bad_inputs_exit_2_with_a_message(tmp_path):
    r = runner.invoke(app, ["sweep", *CITY, *J40, "--vary", "budget=0:1:3"])
    assert r.exit_code == 2 and "budget_usd_per_capita" in r.output
    r = runner.invoke(app, ["sweep", *CITY, *J40, "--vary", "justice40_share=0:1"])
    assert r.exit_code == 2 and "NAME=START:STOP:COUNT" in r.output
    bad = tmp_path / "s.json"
    bad.write_text('{"justice40_share": 2}')
    r = runner.invoke(app, ["optimize", *CITY, "--scenario", str(bad), "--json"])
    assert r.exit_code == 2 and "justice40_share" in json.loads(r.stdout)["message"]
    r = runner.invoke(app, ["optimize", *CITY, *J40, "--device", "tpu"])
    assert r.exit_code == 2 and "auto, cpu, cuda" in r.output


def test_a_city_without_energy_columns_exits_2_with_the_reason(tmp_path):
    import pandas as pd

    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES)[["district_id", "population"]]
    path = tmp_path / "pop_only.csv"
    table.to_csv(path, index=False)
    r = runner.invoke(app, ["optimize", str(paths.DEFAULT_BOUNDARIES), "--attributes", str(path),
                            *J40, "--json"])
    assert r.exit_code == 2, r.output
    assert "electricity_kwh" in json.loads(r.stdout)["message"]


def test_device_choice_is_checked():
    import torch

    r = runner.invoke(app, ["optimize", *CITY, *J40, "--device", "tpu", "--json"])
    assert r.exit_code == 2 and "auto, cpu, cuda" in json.loads(r.stdout)["message"]
    if not torch.cuda.is_available():
        r = runner.invoke(app, ["optimize", *CITY, *J40, "--device", "cuda", "--json"])
        assert r.exit_code == 2 and "no CUDA device" in json.loads(r.stdout)["message"]


# ------------------------------------------- cities without housing stock (issue 10)

BAU = ["--scenario", str(SCENARIO_DIR / "business_as_usual.json")]


def write_city(tmp_path, grid, table) -> list[str]:
    """The boundaries and attributes written to ``tmp_path``, as the CLI's city arguments."""
    grid.to_file(tmp_path / "districts.geojson", driver="GeoJSON")
    table.to_csv(tmp_path / "attributes.csv", index=False)
    return [str(tmp_path / "districts.geojson"), "--attributes", str(tmp_path / "attributes.csv")]


def test_optimize_a_small_city_without_households_exits_0_with_the_reason(tmp_path, grid4,
                                                                          attrs4):
    # zero, not absent: an absent stock column is estimated (core.intake.estimates)
    city = write_city(tmp_path, grid4, attrs4.assign(households=0, housing_units=0,
                                                     roof_area_m2=0))
    r = runner.invoke(app, ["optimize", *city, *J40, "--reference", "--device", "cpu", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "no capacity" and out["cost_usd"] == 0 < out["budget_usd"]
    assert out["message"].startswith("No intervention can be placed: no district has "
                                     "housing_units (for envelope retrofit, heat-pump "
                                     "electrification), roof_area_m2 (for rooftop solar PV) or "
                                     "households (for efficient lighting and appliances)")
    assert out["reference"]["status"] == "optimal" and out["reference"]["gap_rel"] == 0
    r = runner.invoke(app, ["optimize", *city, *J40])
    assert r.exit_code == 0 and "Traceback" not in r.output
    assert ": no capacity\n  No intervention can be placed" in r.stdout
    r = runner.invoke(app, ["sweep", *city, *J40, "--vary", "budget_usd_per_capita=0:100:3",
                            "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["rows"]
    assert [row["status"] for row in rows] == ["no capacity"] * 3
    assert all("Map housing_units, roof_area_m2 or households" in row["message"] for row in rows)
    r = runner.invoke(app, ["sweep", *city, *J40, "--vary", "budget_usd_per_capita=0:100:3"])
    assert r.exit_code == 0 and r.stdout.count("no capacity: No intervention can be placed") == 1


def test_a_city_with_zero_households_and_housing_units_still_optimizes(tmp_path):
    import geopandas as gpd

    from core.sample.attributes import generate_city_tables

    # the illustrative Chicago (household incomes, roof areas) with zero stocks; zero, not
    # absent: absent ones would be estimated (core.intake.estimates)
    _, table = generate_city_tables(seed=2026)
    table = table.assign(households=0, housing_units=0)
    city = write_city(tmp_path, gpd.read_file(paths.DEFAULT_BOUNDARIES), table)
    r = runner.invoke(app, ["optimize", *city, *BAU, "--device", "cpu", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "optimal" and out["cost_usd"] > 0  # rooftop PV needs roof area only
    assert "no district has housing_units (for envelope retrofit, heat-pump electrification) " \
           "or households (for efficient lighting and appliances)" in out["message"]
    r = runner.invoke(app, ["optimize", *city, *J40, "--device", "cpu", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "infeasible" and "no district is disadvantaged" in out["message"]
    r = runner.invoke(app, ["sweep", *city, *J40, "--vary", "justice40_share=0:0.4:3"])
    assert r.exit_code == 0 and "Traceback" not in r.output
    assert "optimal" in r.stdout and "infeasible" in r.stdout


def test_a_city_whose_energy_columns_are_empty_exits_2_with_the_reason(tmp_path, grid4, attrs4):
    city = write_city(tmp_path, grid4, attrs4.assign(electricity_kwh=None, gas_kwh=None))
    for command in (["optimize", *city, *J40, "--json"],
                    ["sweep", *city, *J40, "--vary", "budget_usd_per_capita=0:1:2", "--json"]):
        r = runner.invoke(app, command)
        assert r.exit_code == 2, r.output
        message = json.loads(r.stdout)["message"]
        assert "lacks electricity_kwh, gas_kwh" in message and "--map SRC=CANONICAL" in message
