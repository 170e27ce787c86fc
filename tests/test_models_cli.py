"""``python -m core train`` / ``evaluate`` on the default city and a re-labelled export of it."""

from __future__ import annotations

import json
import math
import re

import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app

runner = CliRunner()
CITY = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES)]
QUICK = ["--folds", "3", "--members", "5"]


@pytest.fixture(scope="module")
def default_json():
    r = runner.invoke(app, ["evaluate", *CITY, *QUICK, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_evaluate_json_shape_on_the_default_city(default_json):
    assert default_json["n_districts"] == 77
    for t in ("electricity_kwh", "gas_kwh"):
        entry = default_json["targets"][t]
        assert entry["selected"] in ("model", "baseline_intensity", "baseline_loglinear")
        assert set(entry["model"]) == {"cv_rmse", "nmbe", "r2", "coverage_90"}
        scores = {name: entry[name]["cv_rmse"] for name in
                  ("model", "baseline_intensity", "baseline_loglinear")}
        assert all(0 < cv < 2 for cv in scores.values()), scores
        assert scores[entry["selected"]] == min(scores.values())
        assert entry["verdict"]["band"] in ("good", "fair", "poor")
        assert "against ASHRAE Guideline 14" in entry["verdict"]["reason"]


def test_evaluate_prints_each_targets_verdict_and_no_cooling_for_gas(default_json):
    from core.models.model_card import Verdict

    r = runner.invoke(app, ["evaluate", *CITY, *QUICK, "--degree-days",
                            str(paths.DEFAULT_DEGREE_DAYS)])
    assert r.exit_code == 0, r.output
    printed = [line.strip() for line in r.output.splitlines() if "verdict:" in line]
    expected = [Verdict.from_dict(default_json["targets"][t]["verdict"]).text
                for t in ("electricity_kwh", "gas_kwh")]
    assert printed == [f"verdict: {text}" for text in expected]  # the JSON's verdict, in words
    gas = next(line for line in r.output.splitlines() if line.strip().startswith("Gas use"))
    assert "no cooling term" in gas or "no valid split" in gas
    assert not re.search(r"cooling [\d,]+", gas)  # never a cooling figure for gas


def test_evaluate_on_a_relabelled_export_gives_the_same_metrics(tmp_path, default_json):
    import geopandas as gpd
    import pandas as pd

    g = gpd.read_file(paths.DEFAULT_BOUNDARIES).rename(columns={"district_id": "CA_NUM"})
    g.to_file(tmp_path / "areas.gpkg")
    a = pd.read_csv(paths.DEFAULT_ATTRIBUTES).rename(columns={
        "district_id": "CA", "electricity_kwh": "ELEC_MWH", "gas_kwh": "GAS_THERMS",
        "population": "POP", "floor_area_m2": "FLOOR_FT2"})
    a["ELEC_MWH"] /= 1000
    a["GAS_THERMS"] /= 29.3071
    a["FLOOR_FT2"] /= 0.3048 ** 2
    a.to_csv(tmp_path / "attrs.csv", index=False)
    r = runner.invoke(app, [
        "evaluate", str(tmp_path / "areas.gpkg"), "--attributes", str(tmp_path / "attrs.csv"),
        "--id-column", "CA_NUM", "--attributes-id", "CA", "--map", "ELEC_MWH=electricity_kwh",
        "--map", "GAS_THERMS=gas_kwh", "--map", "POP=population", "--map",
        "FLOOR_FT2=floor_area_m2", "--unit", "electricity_kwh=MWh", "--unit", "gas_kwh=therm",
        "--unit", "floor_area_m2=ft2", *QUICK, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n_districts"] == 77
    for t, entry in out["targets"].items():
        ref = default_json["targets"][t]
        for name in ("baseline_intensity", "baseline_loglinear"):
            assert entry[name]["cv_rmse"] == pytest.approx(ref[name]["cv_rmse"], rel=1e-6)
        assert entry["model"]["cv_rmse"] == pytest.approx(ref["model"]["cv_rmse"], rel=0.02)


def test_train_writes_a_model_that_loads_and_predicts(tmp_path):
    import pandas as pd

    from core.intake.city import default_city
    from core.models.energy import EnergyModel

    r = runner.invoke(app, ["train", "--out", str(tmp_path), *QUICK])
    assert r.exit_code == 0, r.output
    assert {p.name for p in tmp_path.iterdir()} == {"energy_model.pt", "energy_model.json",
                                                     "model_card.json", "model_card.md",
                                                     "degree_day_split.csv"}
    card = json.loads((tmp_path / "model_card.json").read_text())
    assert card["data"]["n_districts"] == 77 and card["limits"]
    assert "monthly degree-day model" in r.output
    model = EnergyModel.load(tmp_path)
    assert model.config.folds == 3 and model.card == card
    expected = model.predict(default_city())
    assert len(expected) == 77 and expected.iloc[:, 1:].gt(0).all().all()
    # python -m core predict gives the same table
    r = runner.invoke(app, ["predict", "--model", str(tmp_path), "--out", str(tmp_path / "p.csv")])
    assert r.exit_code == 0, r.output
    printed = pd.read_csv(tmp_path / "p.csv", dtype={"district_id": str})
    pd.testing.assert_frame_equal(printed, expected, check_exact=False, rtol=1e-12)
    r = runner.invoke(app, ["predict", *CITY, "--model", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["n_districts"] == 77
    assert out["predictions"][0]["gas_kwh_predicted"] == pytest.approx(
        expected["gas_kwh_predicted"][0], rel=1e-12)


def test_predict_without_a_saved_model_says_what_to_do(tmp_path):
    r = runner.invoke(app, ["predict", "--model", str(tmp_path), "--json"])
    assert r.exit_code == 2
    assert "python -m core train --out" in json.loads(r.stdout)["message"]


def test_bad_inputs_exit_cleanly(tmp_path, grid4):
    r = runner.invoke(app, ["evaluate", "missing.geojson", "--json"])
    assert r.exit_code == 2 and "not found" in json.loads(r.stdout)["message"]
    grid4.assign(population=[1, 2, 3, 4]).to_file(tmp_path / "g.geojson")
    r = runner.invoke(app, ["evaluate", str(tmp_path / "g.geojson"), "--json"])
    assert r.exit_code == 1 and "electricity_kwh" in json.loads(r.stdout)["message"]
    bad = tmp_path / "dd.csv"
    bad.write_text("month,hdd\n1,2\n")
    r = runner.invoke(app, ["train", "--degree-days", str(bad), "--out", str(tmp_path)])
    assert r.exit_code == 2 and "cdd_c" in r.output


def test_an_uploaded_city_has_no_degree_days_unless_given(default_json):
    assert default_json["degree_days"] == []
    assert "no monthly degree-day table" in default_json["degree_days_unavailable"]
    assert "pass --degree-days FILE" in default_json["degree_days_unavailable"]  # the CLI's door


def test_degree_days_option_enables_the_split_for_an_uploaded_city(tmp_path):
    from core.cli.common import city_from_args
    from core.intake.city import default_city
    from core.models import degree_days

    r = runner.invoke(app, ["evaluate", *CITY, *QUICK, "--degree-days",
                            str(paths.DEFAULT_DEGREE_DAYS), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["degree_days_unavailable"] is None
    split = {row["fuel"]: row for row in out["degree_days"]}
    assert len(split) == 2 and all(row["districts"] == 77 for row in split.values())
    assert split["Gas use"]["cooling_kwh"] is None  # gas has no cooling term
    # the same split as the bundled city, which carries the same table
    expected = degree_days.summary(degree_days.fit(default_city()))
    for row in expected.itertuples():
        assert split[row.fuel]["plausible"] == row.plausible
        for part in ("heating_kwh", "base_kwh"):  # an implausible fit has no split: null
            want = getattr(row, part)
            assert (split[row.fuel][part] is None if math.isnan(want)
                    else split[row.fuel][part] == pytest.approx(want, rel=1e-9))
    city = city_from_args(paths.DEFAULT_BOUNDARIES, paths.DEFAULT_ATTRIBUTES, "district_id", None,
                          None, None, None, None, degree_days=paths.DEFAULT_DEGREE_DAYS)
    assert city.degree_days is not None and city.lineage[-1].startswith(
        "degree days: monthly table degree_days.csv attached (12 months")
    r = runner.invoke(app, ["evaluate", *CITY, *QUICK, "--degree-days", str(tmp_path / "no.csv")])
    assert r.exit_code == 2 and "cannot read the degree-day table" in r.output


def test_a_one_district_city_reads_1_district_and_no_training_footprint(tmp_path, city4):
    """A city too small to train on: "1 district" (not "1 districts") in ``evaluate`` and
    ``summary``, and no footprint line for a training that did not happen."""
    path = tmp_path / "one.parquet"
    city4.districts.iloc[:1].to_parquet(path)
    out = runner.invoke(app, ["evaluate", str(path)])
    assert out.exit_code == 0, out.output
    assert ": 1 district, no energy model trained" in out.output
    assert "footprint" not in out.output
    out = runner.invoke(app, ["summary", str(path)])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].endswith(": 1 district")
