"""``python -m core validate``: the renamed-export round trip, exit codes, --write, --json."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.intake import mapping
from core.intake.city import load_city, validate_city
from core.sample.chicago import illustrative_chicago
from tests.renamed_export import RENAMES, write_renamed_export

runner = CliRunner()
COMPARED = ["population", "households", "median_household_income", "per_capita_income",
            "renter_share", "poverty_rate", "floor_area_m2", "electricity_kwh", "gas_kwh"]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return write_renamed_export(tmp_path_factory.mktemp("export"))


def assert_same_numbers(city):
    ref = illustrative_chicago().districts.set_index("district_id")  # what the export holds
    got = city.districts.set_index("district_id").loc[ref.index]
    for c in COMPARED:
        np.testing.assert_allclose(got[c], ref[c], rtol=1e-9, err_msg=c)
    assert got["name"].tolist() == ref["name"].tolist()


def test_renamed_export_is_fully_suggested_and_validates_in_core(export):
    b, a = export
    m = mapping.suggest(["CA", *[v for v in RENAMES.values() if v != "CA"]],
                        ["area_numbe", "community"])
    assert (m.id_column, m.attributes_id) == ("area_numbe", "CA")
    assert set(m.columns.values()) == set(COMPARED) | {"name"}
    assert m.units == {"gas_kwh": "therm", "floor_area_m2": "ft2", "renter_share": "percent",
                       "poverty_rate": "percent"}
    result = validate_city(b, a, m)
    assert result.report.usable and result.city.n == 77
    assert_same_numbers(result.city)
    assert any("gas_kwh converted from therm" in s for s in result.city.lineage)


def test_renamed_export_via_the_cli_and_write_reloads_everywhere(export, tmp_path):
    b, a = export
    out = tmp_path / "city.parquet"
    r = runner.invoke(app, ["validate", str(b), "-a", str(a), "--suggest", "--write", str(out)])
    assert r.exit_code == 0, r.output
    assert "77 districts (77 with data, 0 without); usable" in r.output
    assert "attributes_id: CA" in r.output
    city = load_city(out)
    assert_same_numbers(city)
    assert city.name == "community_areas" and city.lineage[-1] == "saved: written to city.parquet"
    r = runner.invoke(app, ["summary", str(out), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["n_districts"] == 77


def test_explicit_map_and_unit_options_equal_the_suggestion(export):
    b, a = export
    args = ["validate", str(b), "-a", str(a), "--id-column", "area_numbe", "--attributes-id",
            "CA", "--json"]
    for src, dst in RENAMES.items():
        if src != "district_id":
            args += ["--map", f"{dst}={src}"]
    args += ["--map", "community=name", "--unit", "gas_kwh=therm", "--unit", "floor_area_m2=ft2",
             "--unit", "renter_share=percent", "--unit", "poverty_rate=percent"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["status"] == "usable" and out["n_districts"] == 77 and out["written"] is None


def test_blocking_problems_exit_1_with_fixes(tmp_path):
    table = (paths.DEFAULT_ATTRIBUTES.read_text().replace("\n1,", "\n1,-", 1))  # population -...
    bad = tmp_path / "a.csv"
    bad.write_text(table)
    r = runner.invoke(app, ["validate", str(paths.DEFAULT_BOUNDARIES), "-a", str(bad),
                            "--write", str(tmp_path / "x.parquet")])
    assert r.exit_code == 1
    assert "NOT usable" in r.output and "Fix: 'population' (persons) cannot be negative" in r.output
    assert "Not written" in r.output and not (tmp_path / "x.parquet").exists()
    r = runner.invoke(app, ["validate", str(paths.DEFAULT_BOUNDARIES), "-a", str(bad), "--json"])
    out = json.loads(r.stdout)
    assert r.exit_code == 1 and out["usable"] is False
    assert out["problems"][0]["district_ids"] == ["1"]


def test_unreadable_inputs_exit_2(tmp_path):
    empty = tmp_path / "d.geojson"
    empty.write_bytes(b"")
    r = runner.invoke(app, ["validate", str(empty), "--json"])
    assert r.exit_code == 2 and "empty" in json.loads(r.stdout)["message"]
    r = runner.invoke(app, ["validate", str(paths.DEFAULT_BOUNDARIES), "--id-column", "CA"])
    assert r.exit_code == 2 and "no column 'CA'" in r.output


def test_cleaning_options_are_recorded(tmp_path):
    r = runner.invoke(app, ["validate", str(paths.DEFAULT_BOUNDARIES), "-a",
                            str(paths.DEFAULT_ATTRIBUTES), "--exclude", "76", "--json"])
    out = json.loads(r.stdout)
    assert r.exit_code == 0 and out["n_districts"] == 76
    assert any("excluded from the boundaries by the user (ids 76)" in s for s in out["lineage"])


def test_missing_crs_asks_for_an_epsg_code_and_crs_option_fixes_it(tmp_path):
    from tests.conftest import square_grid

    path = tmp_path / "feet.geojson"
    square_grid(2).assign(population=[1, 2, 3, 4]).to_crs("EPSG:3435").set_crs(
        None, allow_override=True).to_file(path)
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2 and "give the EPSG code" in r.output  # GeoJSON claims lon/lat
    assert "(with --crs EPSG:XXXX)" in r.output  # the CLI's door to the setting
    r = runner.invoke(app, ["validate", str(path), "--crs", "EPSG:3435", "--json"])
    assert r.exit_code == 0, r.output
    assert "crs: file said EPSG:4326; the given EPSG:3435 was used" in json.loads(r.stdout)["lineage"]


def test_validate_lists_the_estimates_and_takes_figures(tmp_path, grid4, attrs4):
    grid4.to_file(tmp_path / "d.geojson", driver="GeoJSON")
    attrs4.drop(columns="households").assign(per_capita_income=[4e4, 3e4, 2e4, 1e4]).to_csv(
        tmp_path / "a.csv", index=False)
    city = ["validate", str(tmp_path / "d.geojson"), "-a", str(tmp_path / "a.csv")]
    r = runner.invoke(app, [*city, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert list(out["estimates"]) == ["households", "housing_units", "roof_area_m2",
                                      "aggregate_income"]
    hh = out["estimates"]["households"]
    assert hh["formula"] == "population / persons_per_household" and hh["districts"] == 4
    assert hh["figures"][0] | {"source": ""} == {
        "name": "persons_per_household", "value": 2.58, "unit": "persons/household",
        "source": "", "reference": 2.58, "overridden": False}
    assert [n["check"] for n in out["notes"]] == ["estimated"] * 4 and out["n_warnings"] == 0
    assert any(s.startswith("households: estimated as population") for s in out["lineage"])
    r = runner.invoke(app, [*city, "--estimate", "persons_per_household=2.5", "--estimate",
                            "occupancy_rate=0.9", "--json"])
    assert r.exit_code == 0, r.output
    figures = json.loads(r.stdout)["estimates"]["housing_units"]["figures"]
    assert figures[0]["value"] == 0.9 and figures[0]["overridden"]
    r = runner.invoke(app, city)
    assert r.exit_code == 0 and "Estimated (4; change a figure with --estimate" in r.output
    assert "  - roof_area_m2: estimated as land area x building_coverage_share" in r.output


@pytest.mark.parametrize("option, message", [
    ("persons_per_household=-2", "must be a number above 0 (persons/household), got -2"),
    ("persons_per_household=0", "must be a number above 0"),
    ("persons_per_household=many", "must be a number, got 'many'"),
    ("occupancy_rate=2", "must be a share above 0 and at most 1, got 2"),
    ("vacancy=0.1", "'vacancy' is not a figure used to estimate columns"),
    ("persons_per_household", "--estimate 'persons_per_household' is not of the form KEY=VALUE"),
])
def test_a_bad_estimate_option_exits_2_with_the_reason(option, message):
    for command in ("validate", "summary", "optimize"):
        args = [command, str(paths.DEFAULT_BOUNDARIES), "-a", str(paths.DEFAULT_ATTRIBUTES),
                "--estimate", option, "--json"]
        if command == "optimize":
            args += ["--scenario", str(paths.DATA_DIR / "scenarios" / "business_as_usual.json")]
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (command, r.output)
        assert message in json.loads(r.stdout)["message"], command
    r = runner.invoke(app, ["evaluate", "--estimate", option, "--json"])
    assert r.exit_code == 2 and message in json.loads(r.stdout)["message"]
