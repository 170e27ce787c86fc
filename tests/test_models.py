"""Energy model, metrics and degree days: exact hand cases and a city with a known law."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import nnls

from core import paths
from core.errors import InputError
from core.intake.city import default_city, load_city
from core.intake.degree_day_table import read_degree_days
from core.models import baselines, cross_validation, degree_days, metrics, yardstick
from core.models.energy import EnergyModel
from core.models.features import basis_of, learn_features
from core.models.model_card import model_card, model_card_markdown, verdict
from core.models.network import TrainConfig, fit_batched
from core.sample.attributes import generate_attributes
from core.sample.parameters import load_generator_parameters
from core.sample.tessellation import tessellation

# --------------------------------------------------------------------------- metrics


def test_metrics_against_hand_computed_values():
    obs, pred = [1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 6.0]  # errors 1, 0, -1, 2; mean obs 2.5
    assert metrics.cv_rmse(obs, pred) == pytest.approx(np.sqrt(6 / 4) / 2.5)
    assert metrics.cv_rmse(obs, pred, p=1) == pytest.approx(np.sqrt(6 / 3) / 2.5)
    # ASHRAE Guideline 14 sign: sum(obs - pred); these predictions are 2 too high in all
    assert metrics.nmbe(obs, pred) == pytest.approx(-2 / (4 * 2.5))
    assert metrics.nmbe(obs, pred, p=1) == pytest.approx(-2 / (3 * 2.5))
    assert metrics.r2(obs, pred) == pytest.approx(1 - 6 / 5)
    assert metrics.r2(obs, obs) == 1.0
    assert metrics.coverage([1, 2, 3, 4], [0, 2.5, 2, 5], [1, 3, 4, 6]) == 0.5


def test_folds_are_balanced_seeded_and_leave_one_out():
    f = metrics.fold_ids(12, 5, seed=1)
    assert sorted(np.bincount(f)) == [2, 2, 2, 3, 3]
    assert (f == metrics.fold_ids(12, 5, seed=1)).all()
    assert not (f == metrics.fold_ids(12, 5, seed=2)).all()
    assert sorted(metrics.fold_ids(7, None, seed=0)) == list(range(7))


def test_selection_says_when_the_network_is_no_better():
    s = {"model": metrics.Scores(0.30, 0, 0.5, 0.9), "baseline_intensity": metrics.Scores(0.2, 0, 0.6),
         "baseline_loglinear": metrics.Scores(0.25, 0, 0.55)}
    name, why = cross_validation._selection(s, "gas_kwh")
    assert name == "baseline_intensity"
    assert "city-wide intensity" in why and "no better" in why and "20.0%" in why


@pytest.mark.parametrize("cv, nmbe, band", [
    (0.10, 0.01, "good"), (0.15, -0.05, "good"),  # ASHRAE G14 monthly limits, inclusive
    (0.25, 0.02, "fair"), (0.10, 0.07, "fair"),  # within the hourly limits only
    (1.16, 0.0, "poor"), (0.20, 0.12, "poor"), (float("nan"), 0.0, "poor"),
])
def test_verdict_bands_come_from_the_criteria_table(cv, nmbe, band):
    got, reason = yardstick.grade(cv, nmbe)
    assert got == band and reason.startswith(band)
    if np.isfinite(cv):
        assert "ASHRAE Guideline 14" in reason
        assert "good ≤ 15%" in reason and "fair ≤ 30%" in reason  # from the table's two rows


def test_a_poor_verdict_says_what_would_help(grid4, attrs4):
    from dataclasses import replace

    from core.models.cross_validation import TargetResult

    def result(cv: float, basis: str) -> TargetResult:
        fields = {f: None for f in TargetResult.__dataclass_fields__}
        return TargetResult(**{**fields, "target": "gas_kwh", "basis": basis, "n_used": 77,
                               "selected": "model",
                               "scores": {"model": metrics.Scores(cv, 0.0, 0.1, 0.9)}})

    city = load_city(grid4, attrs4)  # no monthly columns
    poor = verdict(result(1.16, "population"), city)
    assert poor.band == "poor" and poor.reason.startswith("Gas use: poor")
    assert "116.0%" in poor.text and "What would help" in poor.text
    assert [h.split(" ")[0] for h in poor.helps] == ["a", "more", "monthly"]
    assert "floor_area_m2" in poor.helps[0] and "77" in poor.helps[1]
    monthly = replace(city, districts=city.districts.assign(
        **{c: 1.0 for c in degree_days.FUELS["gas_kwh"]}))
    fair = verdict(result(0.25, "floor_area_m2"), monthly)
    assert fair.band == "fair" and len(fair.helps) == 1 and "more districts" in fair.helps[0]
    good = verdict(result(0.10, "floor_area_m2"), city)
    assert good.band == "good" and good.helps == () and "What would help" not in good.text


# --------------------------------------------------------------------------- the model


def law_city(n: int = 300, seed: int = 7):
    """A city whose log intensity has a non-linear interaction of age and income."""
    rng = np.random.default_rng(seed)
    grid = tessellation(n, seed=seed)
    floor = np.exp(rng.normal(11, 0.6, n))
    income = np.exp(rng.normal(11, 0.4, n))
    age = rng.uniform(5, 120, n)
    za = (age - age.mean()) / age.std()
    zi = (np.log(income) - np.log(income).mean()) / np.log(income).std()
    log_intensity = 5.0 + 0.6 * za * zi + 0.3 * np.tanh(2 * za) + rng.normal(0, 0.05, n)
    attrs = pd.DataFrame({
        "district_id": grid["district_id"], "population": (floor / 40).round(),
        "households": (floor / 90).round(), "median_household_income": income.round(),
        "floor_area_m2": floor, "building_age_years": age,
        "electricity_kwh": np.exp(log_intensity) * floor,
        "gas_kwh": np.exp(5.5 + 0.2 * za + rng.normal(0, 0.05, n)) * floor,
    })
    return load_city(grid, attrs, name="law")


@pytest.fixture(scope="module")
def law_evaluation():
    config = TrainConfig(seed=0, max_epochs=600, folds=3)
    return cross_validation.evaluate(law_city(200), config)


def test_the_network_beats_both_baselines_on_a_known_nonlinear_law(law_evaluation):
    r = law_evaluation.targets["electricity_kwh"]
    model = r.scores["model"].cv_rmse
    assert model < 0.8 * r.scores["baseline_loglinear"].cv_rmse
    assert model < 0.8 * r.scores["baseline_intensity"].cv_rmse
    assert r.selected == "model" and "neural network" in r.reason
    assert abs(r.scores["model"].nmbe) < 0.05
    assert 0.75 <= r.scores["model"].coverage_90 <= 1.0


def test_evaluation_json_has_the_issue_shape(law_evaluation):
    out = law_evaluation.as_json()
    assert out["n_districts"] == 200
    for t in ("electricity_kwh", "gas_kwh"):
        entry = out["targets"][t]
        assert set(entry) == {"model", "baseline_intensity", "baseline_loglinear", "selected"}
        assert set(entry["model"]) == {"cv_rmse", "nmbe", "r2", "coverage_90"}
        assert set(entry["baseline_loglinear"]) == {"cv_rmse", "nmbe", "r2"}


def test_same_seed_same_result_other_seed_other_result():
    city = law_city(60, seed=3)
    cfg = TrainConfig(seed=5, max_epochs=100, folds=2)
    a = cross_validation.evaluate(city, cfg)
    b = cross_validation.evaluate(city, cfg)
    c = cross_validation.evaluate(city, TrainConfig(seed=6, max_epochs=100, folds=2))
    for t in a.targets:
        np.testing.assert_array_equal(a.targets[t].oof["model"], b.targets[t].oof["model"])
        assert a.targets[t].scores == b.targets[t].scores
        assert not np.array_equal(a.targets[t].oof["model"], c.targets[t].oof["model"])


def test_batched_training_equals_one_network_at_a_time():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = np.vstack([X @ [1.0, -1.0, 0.5], X @ [0.2, 0.3, -0.4]])
    tr = np.ones((2, 40), bool)
    tr[:, :8] = False
    va = ~tr
    cfg = TrainConfig(max_epochs=50, seed=1)
    both = fit_batched(X, Y, tr, va, cfg)
    # member 0 alone starts from the same weights and follows the same path
    alone = fit_batched(X, Y[:1], tr[:1], va[:1], cfg)
    np.testing.assert_allclose(both.predict_log(X)[0], alone.predict_log(X)[0], rtol=1e-4)
    assert both.epochs[0] == alone.epochs[0]
    assert not np.allclose(both.predict_log(X)[0], both.predict_log(X)[1])


@pytest.mark.parametrize("batch_rows", [2048, 16])  # full batch; mini-batches of 16 rows
def test_networks_that_stop_early_leave_the_others_on_their_own_path(batch_rows):
    """Stopped networks are dropped from the batch (with their optimizer state): each of the
    others ends where it ends trained alone, and each keeps its own best epoch."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    Y = np.vstack([X @ [1.0, -1.0, 0.5] + rng.normal(scale=s, size=60)
                   for s in (0.05, 0.5, 2.0, 0.2)])
    tr = rng.random((4, 60)) < 0.75
    va = ~tr
    cfg = TrainConfig(max_epochs=400, patience=8, seed=3, batch_rows=batch_rows)
    together = fit_batched(X, Y, tr, va, cfg)
    assert len(set(together.epochs.tolist())) > 1  # they stopped at different epochs
    other = rng.normal(size=Y.shape)  # other targets for the others: other stopping epochs
    for m in range(4):
        mixed = other.copy()
        mixed[m] = Y[m]
        beside_others = fit_batched(X, mixed, tr, va, cfg)
        np.testing.assert_allclose(beside_others.predict_log(X)[m], together.predict_log(X)[m],
                                   rtol=1e-4, atol=1e-5)
        assert beside_others.epochs[m] == together.epochs[m], m
    alone = fit_batched(X, Y[:1], tr[:1], va[:1], cfg)  # member 0 starts the same alone
    np.testing.assert_allclose(alone.predict_log(X)[0], together.predict_log(X)[0],
                               rtol=1e-4, atol=1e-5)
    assert alone.epochs[0] == together.epochs[0]


def test_training_restores_torchs_threads():
    import torch
    before = torch.get_num_threads()
    X = np.random.default_rng(0).normal(size=(20, 2))
    fit_batched(X, X[:, :1].T, np.ones((1, 20), bool), np.zeros((1, 20), bool),
                TrainConfig(max_epochs=3, device="cpu"))
    assert torch.get_num_threads() == before


def test_large_cities_train_on_every_core_small_ones_on_the_setting(monkeypatch):
    from core.models import network
    from core.settings import get_settings

    monkeypatch.setenv("GREENPRINT_TRAIN_THREADS", "1")
    monkeypatch.setenv("GREENPRINT_TRAIN_PARALLEL_ROWS", "5000")
    get_settings.cache_clear()
    try:
        assert network.train_threads(4999) == 1
        assert network.train_threads(5000) == 0  # torch's default: one per core
        monkeypatch.setenv("GREENPRINT_TRAIN_PARALLEL_ROWS", "0")
        get_settings.cache_clear()
        assert network.train_threads(77) == 0
    finally:
        get_settings.cache_clear()


# --------------------------------------------------------------------------- bias correction


def lognormal_city(n: int = 150, sigma: float = 0.7, seed: int = 11):
    """A city whose log intensity is linear in log income plus lognormal noise of ``sigma``:
    turned back as ``exp(log prediction) x floor area``, predictions fall short of the
    observed total by about ``1 - exp(-sigma² / 2)`` (22 % here)."""
    rng = np.random.default_rng(seed)
    grid = tessellation(n, seed=seed)
    floor = np.exp(rng.normal(11, 0.6, n))
    income = np.exp(rng.normal(10.5, 0.4, n))
    log_intensity = 4.5 - 0.5 * (np.log(income) - 10.5) / 0.4 + rng.normal(0, sigma, n)
    attrs = pd.DataFrame({
        "district_id": grid["district_id"], "population": (floor / 40).round(),
        "per_capita_income": income.round(), "floor_area_m2": floor,
        "electricity_kwh": np.exp(log_intensity) * floor,
        "gas_kwh": np.exp(5.0 + rng.normal(0, sigma, n)) * floor,
    })
    return load_city(grid, attrs, name="lognormal")


def test_columns_estimated_from_other_columns_are_not_inputs():
    city = lognormal_city()  # no households: estimated from population, units from households
    assert city.estimates["households"].inputs == ("population",)
    assert city.estimated("roof_area_m2") and not city.estimates["roof_area_m2"].inputs
    names = learn_features(city).names
    assert "households" not in names and "housing_units" not in names
    assert {"population", "per_capita_income", "roof_area_m2"} <= set(names)  # land area: kept


def test_smearing_is_the_ratio_of_observed_to_back_transformed_totals():
    assert baselines.smearing(np.array([2.0, 4.0, 6.0]), np.array([1.0, 2.0, 3.0])) == 2.0
    assert baselines.smearing(np.array([5.0, 1.0]), np.array([np.nan, 0.5])) == 2.0
    assert baselines.smearing(np.array([1.0]), np.array([np.nan])) == 1.0  # nothing to go on


def test_log_linear_held_out_is_the_leave_one_out_fit():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(25, 3))
    y = X @ [0.5, -1.0, 0.2] + rng.normal(0, 0.3, 25)
    fit = baselines.LogLinear.fit(X, y)
    brute = [baselines.LogLinear.fit(np.delete(X, i, 0), np.delete(y, i)).predict(X[i:i + 1])[0]
             for i in range(25)]
    np.testing.assert_allclose(fit.held_out(X, y), brute, rtol=1e-9)
    # a row whose fit hinges on it alone (as many parameters as rows) has no held-out value
    assert np.isnan(baselines.LogLinear.fit(X[:4], y[:4]).held_out(X[:4], y[:4])).all()


def test_the_correction_removes_the_bias_of_the_back_transform(monkeypatch):
    city = lognormal_city()
    config = TrainConfig(max_epochs=200, folds=5)
    corrected = cross_validation.evaluate(city, config)
    monkeypatch.setattr(cross_validation, "smearing", lambda observed, held_out: 1.0)
    plain = cross_validation.evaluate(city, config)  # exp(log prediction) x basis
    for t in ("electricity_kwh", "gas_kwh"):
        for name in cross_validation.SMEARED:
            assert plain.targets[t].scores[name].nmbe > 0.10, (t, name)  # under-predicts
            assert abs(corrected.targets[t].scores[name].nmbe) <= 0.05, (t, name)
        assert abs(corrected.targets[t].scores["baseline_intensity"].nmbe) <= 0.05
        assert corrected.targets[t].final.smearing["model"] > 1.1


def test_the_default_city_is_unbiased_out_of_fold(default_model):
    for t, r in default_model.evaluation.targets.items():
        for name, s in r.scores.items():
            assert abs(s.nmbe) <= 0.05, (t, name, s.nmbe)


def test_a_held_out_fold_never_enters_its_own_prediction():
    from dataclasses import replace

    city = law_city(60, seed=5)
    config = TrainConfig(max_epochs=60, folds=3, seed=2)
    before = cross_validation.evaluate(city, config)
    fold = metrics.fold_ids(city.n, config.folds, config.seed)
    held = fold == 0
    targets = {t: np.where(held, city.districts[t] * np.linspace(0.2, 5, city.n),
                           city.districts[t]) for t in ("electricity_kwh", "gas_kwh")}
    after = cross_validation.evaluate(replace(city, districts=city.districts.assign(**targets)),
                                      config)
    for t, r in before.targets.items():
        a = after.targets[t]
        for name in cross_validation.MODEL_NAMES:
            np.testing.assert_allclose(a.oof[name][held], r.oof[name][held], rtol=1e-6)
            assert not np.allclose(a.oof[name][~held], r.oof[name][~held])  # the others see it
        np.testing.assert_allclose(a.oof_lower[held], r.oof_lower[held], rtol=1e-6)
        np.testing.assert_allclose(a.oof_upper[held], r.oof_upper[held], rtol=1e-6)


def test_a_city_without_floor_area_is_modelled_per_person(grid4, attrs4):
    city = load_city(grid4, attrs4.drop(columns="floor_area_m2"))
    assert basis_of(city) == "population"
    ev = cross_validation.evaluate(city)  # 4 districts: too few, said plainly
    assert ev.targets == {}
    assert "at least" in ev.unavailable["electricity_kwh"]


@pytest.fixture(scope="module")
def default_model():
    """The estimator fitted on the bundled city (its evaluation is ``evaluate``'s, see fit)."""
    return EnergyModel(TrainConfig(max_epochs=300)).fit(default_city())


def test_default_city_selection_is_stated_per_target(default_model):
    ev = default_model.evaluation
    assert set(ev.targets) == {"electricity_kwh", "gas_kwh"}
    for r in ev.targets.values():
        best = min(r.scores, key=lambda k: r.scores[k].cv_rmse)
        assert r.selected == best
        assert r.n_used == 77
    card = model_card(ev, default_city())
    assert default_model.card == card  # the card fit keeps, and save writes
    md = model_card_markdown(card)
    assert ("illustrative" in md) == default_city().illustrative
    assert "## Limits" in md and "CV(RMSE)" in md
    for t, r in ev.targets.items():  # the card carries the verdict the page and CLI show
        v = verdict(r, default_city())
        assert card["targets"][t]["verdict"] == v.as_dict()
        assert v.band in ("good", "fair", "poor") and f"**{v.band}**: {v.text}" in md


# --------------------------------------------------------------------------- the estimator


def test_fit_predicts_what_the_evaluation_fitted_on_all_rows(default_model):
    city = default_city()
    pred = default_model.predict(city)
    assert list(pred.columns) == ["district_id"] + [
        f"{t}_{kind}" for t in ("electricity_kwh", "gas_kwh")
        for kind in ("predicted", "lower", "upper")]
    shown = cross_validation.predictions(default_model.evaluation)
    assert (pred["district_id"] == shown["district_id"]).all()
    for column in pred.columns[1:]:
        np.testing.assert_allclose(pred[column], shown[column], rtol=1e-6)
        assert (pred[column] > 0).all()
    assert (pred["gas_kwh_lower"] < pred["gas_kwh_upper"]).all()


def test_save_then_load_predicts_the_same(default_model, tmp_path):
    city = default_city()
    written = default_model.save(tmp_path)
    assert {p.name for p in written} == {"energy_model.pt", "energy_model.json",
                                         "model_card.json", "model_card.md"}
    loaded = EnergyModel.load(tmp_path)
    pd.testing.assert_frame_equal(loaded.predict(city), default_model.predict(city),
                                  check_exact=False, rtol=1e-9, atol=0)
    for t, fit in default_model.targets.items():  # the bias correction travels with the model
        assert loaded.targets[t].smearing == fit.smearing
        assert set(fit.smearing) == set(cross_validation.SMEARED)
        assert all(f != 1.0 for f in fit.smearing.values())
    assert loaded.config == default_model.config and loaded.inputs == default_model.inputs
    assert loaded.selected == default_model.selected and loaded.evaluation is None
    assert loaded.card["data"]["n_districts"] == 77 and loaded.card["limits"]


def test_a_fitted_model_predicts_another_city_with_its_own_medians(default_model):
    from dataclasses import replace

    city = default_city()
    full = default_model.predict(city)
    part = replace(city, districts=city.districts.iloc[10:30])
    np.testing.assert_allclose(default_model.predict(part).iloc[:, 1:], full.iloc[10:30, 1:],
                               rtol=1e-5)
    gaps = city.districts.copy()
    feature = next(c for c in default_model.inputs.names if c != default_model.inputs.basis)
    gaps.loc[gaps.index[:5], feature] = np.nan  # filled, not an error
    assert np.isfinite(default_model.predict(replace(city, districts=gaps)).iloc[:, 1:]
                       .to_numpy()).all()
    without = replace(city, districts=city.districts.drop(columns=feature))
    with pytest.raises(InputError, match=f"reads {feature}, which this city"):
        default_model.predict(without)


def test_a_model_is_fitted_before_it_predicts_or_saves(tmp_path):
    with pytest.raises(RuntimeError, match="not fitted"):
        EnergyModel().predict(default_city())
    with pytest.raises(RuntimeError, match="not fitted"):
        EnergyModel().save(tmp_path)


def test_a_model_of_a_city_too_small_to_train_on_still_saves_and_loads(grid4, attrs4, tmp_path):
    city = load_city(grid4, attrs4)
    model = EnergyModel().fit(city)
    assert model.targets == {} and "at least" in model.card["unavailable"]["gas_kwh"]
    model.save(tmp_path)
    assert list(EnergyModel.load(tmp_path).predict(city).columns) == ["district_id"]


def _damage(folder, how: str) -> None:
    """Break a saved model in one of the ways ``load`` must refuse."""
    import json

    settings = folder / "energy_model.json"
    data = json.loads(settings.read_text())
    if how == "missing weights":
        (folder / "energy_model.pt").unlink()
    elif how == "missing card":
        (folder / "model_card.json").unlink()
    elif how == "garbage weights":
        (folder / "energy_model.pt").write_bytes(b"not a torch file" * 10)
    elif how == "truncated weights":
        raw = (folder / "energy_model.pt").read_bytes()
        (folder / "energy_model.pt").write_bytes(raw[:len(raw) // 2])
    elif how == "broken settings":
        settings.write_text(settings.read_text()[:-20])
    elif how == "other version":
        settings.write_text(json.dumps({**data, "version": 99}))
    elif how == "settings without inputs":
        settings.write_text(json.dumps({k: v for k, v in data.items() if k != "inputs"}))
    elif how == "weights of another model":
        inputs = data["inputs"]
        data["inputs"] = {**inputs, **{k: inputs[k][1:] for k in ("names", "log1p", "fill")}}
        settings.write_text(json.dumps(data))


@pytest.mark.parametrize("how, message", [
    ("missing weights", r"does not hold a saved energy model: energy_model\.pt missing; "
                        r"train and save one with `python -m core train --out"),
    ("missing card", r"model_card\.json missing"),
    ("garbage weights", r"cannot read the weights .*energy_model\.pt"),
    ("truncated weights", r"cannot read the weights .*energy_model\.pt"),
    ("broken settings", r"cannot read .*energy_model\.json"),
    ("other version", r"not written by this version of Greenprint .*version 99"),
    ("settings without inputs", r"energy_model\.json is incomplete or damaged .*'inputs'"),
    ("weights of another model", r"do not belong together \(the networks take \d+ inputs"),
])
def test_load_refuses_a_damaged_folder_saying_what_to_do(default_model, tmp_path, how, message):
    default_model.save(tmp_path)
    _damage(tmp_path, how)
    with pytest.raises(InputError, match=message) as info:
        EnergyModel.load(tmp_path)
    assert "save" in str(info.value)  # says what to do


def test_load_of_a_folder_that_is_not_there(tmp_path):
    with pytest.raises(InputError, match="does not hold a saved energy model: energy_model.pt, "
                                         "energy_model.json, model_card.json missing"):
        EnergyModel.load(tmp_path / "nowhere")


# --------------------------------------------------------------------------- degree days


def test_vectorised_nnls_equals_scipy_nnls():
    rng = np.random.default_rng(3)
    A = degree_days.design_matrix(read_degree_days(paths.DEFAULT_DEGREE_DAYS))
    Y = np.vstack([A @ [300.0, 20.0, 0.0], A @ [0.0, 0.0, 50.0], A @ [100.0, 5.0, 9.0],
                   rng.normal(1000, 400, size=(20, 12))])
    ours = degree_days.nnls_many(A, Y)
    ref = np.array([nnls(A, y)[0] for y in Y])
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours[0], [300, 20, 0], rtol=1e-9, atol=1e-6)


def test_degree_day_split_recovers_a_known_district(grid4, attrs4):
    dd = read_degree_days(paths.DEFAULT_DEGREE_DAYS)
    A = degree_days.design_matrix(dd)
    monthly = A @ np.array([1000.0, 40.0, 120.0])  # kWh/day, kWh/HDD, kWh/CDD
    attrs = attrs4.copy()
    for m, v in zip(degree_days.FUELS["electricity_kwh"], monthly, strict=True):
        attrs[m] = v
    from dataclasses import replace

    city = replace(load_city(grid4, attrs), degree_days=dd)
    fits = degree_days.fit(city)
    t = fits["electricity_kwh"].table
    assert t["base_kwh"].iloc[0] == pytest.approx(1000 * 365)
    assert t["heating_kwh"].iloc[0] == pytest.approx(40 * dd["hdd_c"].sum())
    assert t["cooling_kwh"].iloc[0] == pytest.approx(120 * dd["cdd_c"].sum())
    assert fits["electricity_kwh"].city_cv_rmse == pytest.approx(0, abs=1e-9)
    assert fits["electricity_kwh"].plausible
    assert "gas_kwh" not in fits


def monthly_city(grid4, attrs4, **months: np.ndarray):
    """The 4-district city with the bundled degree days and ``fuel=monthly kWh`` (12,) for
    every district (each district scaled by 1, 2, 3, 4)."""
    from dataclasses import replace

    attrs = attrs4.copy()
    for fuel, monthly in months.items():
        for m, column in enumerate(degree_days.FUELS[fuel]):
            attrs[column] = monthly[m] * np.arange(1, 5)
    return replace(load_city(grid4, attrs), degree_days=read_degree_days(paths.DEFAULT_DEGREE_DAYS))


def test_gas_has_no_cooling_term_on_the_default_city():
    fits = degree_days.fit(default_city())
    gas, elec = fits["gas_kwh"], fits["electricity_kwh"]
    assert gas.terms == ("base", "heating") and elec.terms == ("base", "heating", "cooling")
    assert "cooling_kwh_per_cdd" not in gas.table and "cooling_kwh" not in gas.table
    assert "cooling_kwh" not in gas.monthly and "cooling_kwh" in elec.monthly
    split = degree_days.summary(fits).set_index("fuel")
    assert np.isnan(split.loc["Gas use", "cooling_kwh"])
    assert split.loc["Electricity use", "cooling_kwh"] > 0


def test_a_summer_bump_in_gas_is_not_called_cooling(grid4, attrs4):
    A = degree_days.design_matrix(read_degree_days(paths.DEFAULT_DEGREE_DAYS))
    bumped = A @ np.array([300.0, 40.0, 60.0])  # kWh/day, kWh/HDD, and a summer bump per CDD
    fits = degree_days.fit(monthly_city(grid4, attrs4, gas_kwh=bumped, electricity_kwh=bumped))
    gas, elec = fits["gas_kwh"], fits["electricity_kwh"]
    assert "cooling_kwh" not in gas.table and "cooling_kwh" not in gas.monthly
    # the bump stays in what gas is: base load, heating and the fit's error
    assert gas.table["base_kwh"].sum() + gas.table["heating_kwh"].sum() == pytest.approx(
        bumped.sum() * 10, rel=0.05)
    # electricity does cool: the same months give it its cooling back exactly
    assert elec.table["cooling_kwh_per_cdd"].iloc[0] == pytest.approx(60.0)
    assert elec.plausible


def test_a_fit_that_misses_the_months_is_flagged_and_not_split(grid4, attrs4):
    A = degree_days.design_matrix(read_degree_days(paths.DEFAULT_DEGREE_DAYS))
    noisy = A @ np.array([300.0, 40.0, 0.0]) * np.array([1.6, 0.5, 1.5, 0.6] * 3)
    fit = degree_days.fit(monthly_city(grid4, attrs4, gas_kwh=noisy))["gas_kwh"]
    assert not fit.plausible and fit.city_cv_rmse > yardstick.criteria()["cv_rmse_max"]
    assert "CV(RMSE)" in fit.issues[0] and "ASHRAE Guideline 14" in fit.issues[0]
    row = degree_days.summary({"gas_kwh": fit}).iloc[0]
    assert not row["plausible"] and row["issues"] == "; ".join(fit.issues)
    assert np.isnan(row[list(degree_days.COMPONENTS)].astype(float)).all()  # no split shown


def test_a_fit_without_base_load_is_flagged_even_when_exact(grid4, attrs4):
    A = degree_days.design_matrix(read_degree_days(paths.DEFAULT_DEGREE_DAYS))
    weather_only = A @ np.array([0.0, 40.0, 120.0])  # every month > 0, no base load at all
    fit = degree_days.fit(monthly_city(grid4, attrs4, electricity_kwh=weather_only))
    elec = fit["electricity_kwh"]
    assert elec.city_cv_rmse == pytest.approx(0, abs=1e-9)
    assert elec.issues == ("4 of 4 districts get no base load although every month uses "
                           "energy: the fit puts it all on heating and cooling",)


def test_gas_without_heating_in_a_cold_month_is_flagged(grid4, attrs4):
    A = degree_days.design_matrix(read_degree_days(paths.DEFAULT_DEGREE_DAYS))
    gas = A[:, [0, 2]] @ np.array([100.0, 50.0])  # a summer-shaped gas use ...
    gas[0] += 10_000  # ... with a January above July's
    fit = degree_days.fit(monthly_city(grid4, attrs4, gas_kwh=gas))["gas_kwh"]
    assert fit.table["heating_kwh"].sum() == 0
    assert any(i.startswith("no gas goes to heating although month 1, the coldest")
               for i in fit.issues)


def test_degree_days_are_a_property_of_the_city(grid4, attrs4):
    assert default_city().degree_days is not None
    city = load_city(grid4, attrs4)
    assert "no monthly degree-day table" in degree_days.unavailable_reason(city)


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"month": range(1, 13), "hdd_c": 1.0}), "cdd_c"),
    (pd.DataFrame({"month": range(0, 12), "hdd_c": 1.0, "cdd_c": 0.0}), "1..12"),
    (pd.DataFrame({"month": range(1, 13), "hdd_c": -1.0, "cdd_c": 0.0}), "negative"),
    (pd.DataFrame({"month": range(1, 13), "hdd_c": ["x"] * 12, "cdd_c": 0.0}), "numeric"),
])
def test_bad_degree_day_tables_say_what_to_fix(frame, message):
    with pytest.raises(InputError, match=message):
        read_degree_days(frame)


def test_unreadable_degree_day_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_degree_days(tmp_path / "missing.csv")


def test_leave_one_out_scores_every_usable_row_of_each_target():
    tess = tessellation(30, seed=3)
    attrs = generate_attributes(tess, load_generator_parameters(),
                                read_degree_days(paths.DEFAULT_DEGREE_DAYS), seed=3)
    attrs.loc[attrs.index[:6], "electricity_kwh"] = np.nan  # 24 electricity rows, 30 gas rows
    city = load_city(tess, attrs)
    ev = cross_validation.evaluate(city, TrainConfig(folds=None, max_epochs=30))
    assert ev.targets["electricity_kwh"].n_used == 24 and ev.targets["gas_kwh"].n_used == 30
    for target, result in ev.targets.items():
        used = result.used
        assert np.isfinite(result.oof["model"][used]).all(), target  # every row predicted


def test_leave_one_out_is_refused_for_large_cities(grid4, attrs4, monkeypatch):
    monkeypatch.setattr(cross_validation, "LOO_MAX_DISTRICTS", 3)
    with pytest.raises(InputError, match="use k-fold"):
        cross_validation.evaluate(load_city(grid4, attrs4), TrainConfig(folds=None))
