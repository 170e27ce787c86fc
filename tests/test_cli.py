import json

from typer.testing import CliRunner

from core import paths
from core.cli import app

runner = CliRunner()
CITY = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES)]


def test_summary_json_on_the_default_city():
    r = runner.invoke(app, ["summary", *CITY, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n_districts"] == 77
    assert {k["unit"] for k in out["kpis"]} >= {"persons", "GWh/yr"}


def test_unreadable_input_exits_2_with_a_message():
    r = runner.invoke(app, ["summary", "missing.geojson", "--json"])
    assert r.exit_code == 2
    assert "not found" in json.loads(r.stdout)["message"]


def test_bad_unit_and_bad_pair_are_named():
    r = runner.invoke(app, ["summary", *CITY, "--unit", "gas_kwh=barrel"])
    assert r.exit_code == 2 and "gas_kwh" in r.output and "therm" in r.output
    r = runner.invoke(app, ["summary", *CITY, "--map", "nonsense"])
    assert r.exit_code == 2 and "KEY=VALUE" in r.output


def test_mapping_file_round_trip(tmp_path):
    from core.intake import mapping

    m = mapping.ColumnMapping(columns={"TOTAL_THERMS": "gas_kwh"}, units={"gas_kwh": "therm"})
    path = tmp_path / "m.yaml"
    mapping.dump(m, path, fmt="yaml")
    assert mapping.load(path) == m
    bad = tmp_path / "bad.json"
    bad.write_text('{"columns": {"x": "not_a_column"}}')
    r = runner.invoke(app, ["summary", *CITY, "--mapping", str(bad)])
    assert r.exit_code == 2 and "not_a_column" in r.output


def test_summary_shows_kpis_as_the_app_does():
    """Counts are whole numbers, as on the Overview's cards (indicators.Kpi.text)."""
    from core.assess.indicators import Kpi

    assert Kpi("Population", 2_695_598.0, "persons", "").text == "2,695,598"
    assert Kpi("Emissions per resident", 4.21, "t CO2/person/yr", "").text == "4.2"
    r = runner.invoke(app, ["summary", str(paths.DEFAULT_BOUNDARIES), "-a",
                            str(paths.DEFAULT_ATTRIBUTES)])
    assert r.exit_code == 0 and "2,695,598 persons" in r.output, r.output
