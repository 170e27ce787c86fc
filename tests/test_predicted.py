"""Model-predicted energy (core.models.predicted): districts with data but no observed energy
get the model's prediction and its interval; training skips them; the optimizer uses them or,
observed-only, leaves them out; a saved city keeps them; the CLI says how many."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.intake.city import City, default_city, load_city, saved_predicted, write_city
from core.models import cross_validation, predicted
from core.plan import optimizer, problem, results, status
from core.plan.scenario import SCENARIO_DIR, Scenario

NO_ELECTRICITY = ("8", "32", "28", "5", "44")  # data, but no observed electricity
NO_GAS = ("8", "32", "61")  # data, but no observed gas
NO_DATA = "70"  # no population: a district without data


def city_with_gaps() -> City:
    """The real default city with some energy observations removed and one district
    without data (its energy removed too)."""
    city = default_city()
    d = city.districts.copy()
    ids = d["district_id"].astype(str)
    d.loc[ids.isin(NO_ELECTRICITY), "electricity_kwh"] = np.nan
    d.loc[ids.isin(NO_GAS), "gas_kwh"] = np.nan
    d.loc[ids == NO_DATA, ["population", "electricity_kwh", "gas_kwh"]] = np.nan
    return replace(city, districts=d, name="Chicago with gaps")


@pytest.fixture(scope="module")
def gappy() -> City:
    return city_with_gaps()


@pytest.fixture(scope="module")
def filled(gappy) -> City:
    return predicted.with_predictions(gappy)


def rows(city: City, ids) -> np.ndarray:
    return city.districts["district_id"].astype(str).isin(ids).to_numpy()


def test_the_gaps_are_the_districts_with_data_but_no_observation(gappy):
    gaps = predicted.gaps(gappy)
    assert set(gaps) == {"electricity_kwh", "gas_kwh"}
    ids = gappy.districts["district_id"].astype(str).to_numpy()
    assert set(ids[gaps["electricity_kwh"]]) == set(NO_ELECTRICITY)
    assert set(ids[gaps["gas_kwh"]]) == set(NO_GAS)  # not the district without data
    assert predicted.n_to_predict(gappy) == len(set(NO_ELECTRICITY) | set(NO_GAS))


def test_predictions_fill_exactly_the_gaps_inside_their_interval(gappy, filled):
    assert {t: set(ids) for t, ids in filled.predicted.items()} == {
        "electricity_kwh": set(NO_ELECTRICITY), "gas_kwh": set(NO_GAS)}
    for target, ids in (("electricity_kwh", NO_ELECTRICITY), ("gas_kwh", NO_GAS)):
        low, high = predicted.interval_columns(target)
        got = filled.districts.loc[rows(filled, ids)]
        assert (got[target] > 0).all()
        assert (got[low] < got[target]).all() and (got[target] < got[high]).all()
        others = ~rows(filled, ids)
        pd.testing.assert_series_equal(filled.districts.loc[others, target],
                                       gappy.districts.loc[others, target])
        assert filled.districts.loc[others, [low, high]].isna().all().all()
    no_data = rows(filled, [NO_DATA])
    assert filled.districts.loc[no_data, ["electricity_kwh", "gas_kwh"]].isna().all().all()
    assert gappy.predicted == {} and "electricity_kwh_low" not in gappy.districts  # not mutated


def test_the_lineage_says_how_many_by_which_model_with_what_cv_rmse(filled):
    entries = [e for e in filled.lineage if ": predicted for " in e]
    assert len(entries) == 2
    electricity = next(e for e in entries if e.startswith("electricity_kwh"))
    assert f"predicted for {len(NO_ELECTRICITY)} district(s)" in electricity
    assert "cross-validated CV(RMSE)" in electricity
    assert any(name in electricity for name in cross_validation.MODEL_NAMES.values())
    assert f"predicted for {len(NO_GAS)} district(s)" in next(
        e for e in entries if e.startswith("gas_kwh"))


def test_training_skips_predictions_and_districts_without_data(filled):
    ev = cross_validation.evaluate(filled)
    for target, ids in (("electricity_kwh", NO_ELECTRICITY), ("gas_kwh", NO_GAS)):
        result = ev.targets[target]
        assert not result.used[rows(filled, ids)].any()
        assert not result.used[rows(filled, [NO_DATA])].any()
        assert result.n_used == filled.n - len(ids) - 1
        assert np.isnan(result.observed[rows(filled, ids)]).all()


def test_a_fully_observed_city_is_returned_unchanged_without_training(monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("nothing should be trained")

    monkeypatch.setattr(cross_validation, "evaluate", no_training)
    city = default_city()
    assert predicted.with_predictions(city) is city
    assert predicted.n_to_predict(city) == 0 and predicted.summary(city) is None


def test_a_filled_city_has_nothing_left_to_predict(filled):
    assert predicted.with_predictions(filled) is filled


def test_status_and_summary_say_predicted_with_the_interval(filled):
    status = predicted.status(filled, "electricity_kwh")
    assert status[rows(filled, NO_ELECTRICITY)].str.match(
        r"predicted, 90 % interval .+–.+ kWh/yr").all()
    assert (status[rows(filled, [NO_DATA])] == "no data").all()
    assert (status[~rows(filled, [*NO_ELECTRICITY, NO_DATA])] == "observed").all()
    n = len(set(NO_ELECTRICITY) | set(NO_GAS))
    assert predicted.summary(filled).startswith(f"{n} districts predicted, not observed")
    assert predicted.counts(filled) == {"electricity_kwh": len(NO_ELECTRICITY),
                                        "gas_kwh": len(NO_GAS)}


def test_interval_factors_bracket_the_prediction(filled):
    ev = cross_validation.evaluate(filled)
    for result in ev.targets.values():
        low, high = predicted.interval_factors(result)
        assert 0 < low < 1 < high


def test_too_few_observations_leave_the_gaps_and_say_why(gappy):
    d = gappy.districts.copy()
    d.loc[d.index[4:], "gas_kwh"] = np.nan  # gas observed in 4 districts only
    out = predicted.with_predictions(replace(gappy, districts=d))
    assert "gas_kwh" not in out.predicted and "electricity_kwh" in out.predicted
    assert any(e.startswith("gas_kwh:") and "are not predicted" in e for e in out.lineage)


def test_write_city_and_load_round_trip_predicted(filled, tmp_path):
    path = write_city(filled, tmp_path / "filled.parquet")
    back = load_city(path)
    assert back.predicted == filled.predicted
    for target in filled.predicted:
        for column in predicted.interval_columns(target):
            np.testing.assert_allclose(back.districts[column], filled.districts[column])
    assert predicted.n_to_predict(back) == 0  # nothing is trained again


def test_saved_predicted_keeps_only_ids_that_still_hold_a_value(filled):
    d = filled.districts.copy()
    d.loc[d["district_id"] == NO_ELECTRICITY[0], "electricity_kwh"] = np.nan
    saved = {"predicted": {"electricity_kwh": [*NO_ELECTRICITY, "no such id"],
                           "not_a_column": ["1"]}}
    kept = saved_predicted(saved, d)
    assert list(kept) == ["electricity_kwh"]
    assert sorted(kept["electricity_kwh"]) == sorted(NO_ELECTRICITY[1:])
    assert saved_predicted({"predicted": "garbage"}, d) == {}


def spend_at(city: City, ids, observed_only: bool) -> tuple[np.ndarray, problem.CityContext]:
    ctx = problem.context(city, observed_only)
    res = optimizer.optimize(ctx, Scenario(), device="cpu")
    table = results.district_table(ctx, res)
    return table.loc[table["district_id"].isin(ids), "spend_usd"].to_numpy(), ctx


def test_the_optimizer_uses_predictions_unless_observed_only(filled):
    ids = sorted(set(NO_ELECTRICITY) | set(NO_GAS))
    used, ctx = spend_at(filled, ids, observed_only=False)
    assert used.sum() > 0
    at = rows(filled, ids)
    np.testing.assert_allclose(ctx.electricity_kwh[at],
                               filled.districts.loc[at, "electricity_kwh"].to_numpy())
    left, ctx_obs = spend_at(filled, ids, observed_only=True)
    assert (left == 0).all()
    assert set(ctx_obs.district_ids[problem.left_out(filled, True)]) == {*ids, NO_DATA}
    assert (ctx_obs.electricity_kwh[at] == 0).all() and not ctx_obs.dac[at].any()
    assert ctx_obs.unobserved == len(ids) and ctx.unobserved == 0
    note = status.left_out_note(ctx_obs)
    assert f"{len(ids)} districts whose energy is predicted" in note and "1 district without" in note
    assert ctx_obs.population == pytest.approx(
        filled.districts.loc[~at, "population"].sum())


# ------------------------------------------------------------------ command line

runner = CliRunner()
J40 = ["--scenario", str(SCENARIO_DIR / "justice40.json")]


@pytest.fixture(scope="module")
def gappy_files(tmp_path_factory) -> list[str]:
    table = pd.read_csv(paths.DEFAULT_ATTRIBUTES, dtype={"district_id": str})
    table.loc[table["district_id"].isin(NO_ELECTRICITY), "electricity_kwh"] = np.nan
    path = tmp_path_factory.mktemp("gaps") / "attributes.csv"
    table.to_csv(path, index=False)
    return [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(path)]


def test_cli_optimize_uses_predictions_and_observed_only_leaves_them_out(gappy_files):
    outs = {}
    for flag in ([], ["--observed-only"]):
        r = runner.invoke(app, ["optimize", *gappy_files, *J40, "--device", "cpu", "--json",
                                *flag])
        assert r.exit_code == 0, r.output
        outs[bool(flag)] = json.loads(r.stdout)
    assert outs[False]["predicted"] == {"electricity_kwh": len(NO_ELECTRICITY)}
    assert outs[False]["left_out"] == 0 and outs[True]["left_out"] == len(NO_ELECTRICITY)
    assert outs[True]["observed_only"] and outs[True]["status"] == "optimal"


def test_cli_summary_and_validate_count_the_predicted_districts(gappy_files):
    r = runner.invoke(app, ["summary", *gappy_files])
    assert r.exit_code == 0, r.output
    assert f"{len(NO_ELECTRICITY)} districts predicted, not observed" in r.stdout
    r = runner.invoke(app, ["validate", *gappy_files, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["to_predict"] == {"electricity_kwh": len(NO_ELECTRICITY)}
    assert out["predicted"] == {}
