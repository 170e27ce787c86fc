"""What a saved result was computed with (core.store.versions) covers what determines a
solve and nothing else; re-solving a saved scenario uses the inputs the Scenario lab used
(predicted energy unless observed-only) and gives the saved figures."""

from __future__ import annotations

import functools
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core import paths, reference_tables
from core.intake.city import City, default_city
from core.models import cross_validation, network, predicted
from core.plan import lab, optimizer, problem
from core.plan.scenario import Scenario
from core.store import Store, versions
from core.store.records import Allocation

#: modules a solve runs that do not change its figures: choosing the device, messages and
#: their translation and money formatting, paths, the City's own accessors, and the
#: footprint of the computing itself (measured, not part of the plan)
NOT_FIGURES = {"core/device.py", "core/i18n.py", "core/money.py", "core/paths.py",
               "core/settings.py", "core/errors.py", "core/intake/city.py", "core/footprint.py"}
#: reference tables a solve reads that do not change its figures (the computing's footprint)
NOT_FIGURE_TABLES = {"compute_power"}
NO_ELECTRICITY = ("8", "32", "28", "5", "44")  # data, but no observed electricity
NO_GAS = ("8", "32", "61")


# ------------------------------------------------------------------ what the version covers


@pytest.fixture
def repo_copy(tmp_path, monkeypatch):
    """A copy of core/ and data/*.csv that versions.current digests instead of the checkout."""
    root = tmp_path / "repo"
    shutil.copytree(paths.ROOT / "core", root / "core",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "data").mkdir()
    for table in paths.DATA_DIR.glob("*.csv"):
        shutil.copy(table, root / "data" / table.name)
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "DATA_DIR", root / "data")
    versions.current.cache_clear()
    yield root
    versions.current.cache_clear()


def _now(predictions: bool = False) -> dict:
    versions.current.cache_clear()
    return versions.current(predictions)


def _append(path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


@pytest.mark.parametrize("unrelated", ["core/cli/report.py", "core/report/compose.py",
                                       "core/plan/compare.py", "core/assess/maps.py",
                                       "core/store/store.py", "data/release_thresholds.csv"])
def test_an_edit_that_cannot_change_a_solve_keeps_the_version(repo_copy, unrelated):
    before = _now()
    _append(repo_copy / unrelated, "\n# a comment\n" if unrelated.endswith(".py") else "\n")
    assert versions.changes(before, _now()) == []


@pytest.mark.parametrize("relevant, part", [
    ("core/plan/optimizer.py", "the plan's formulation"),
    ("core/plan/solvers/highs.py", "the solvers"),
    ("core/assess/equity.py", "the carbon and equity figures"),
])
def test_an_edit_to_the_solve_s_code_changes_the_version_and_names_the_part(repo_copy, relevant,
                                                                             part):
    before = _now()
    _append(repo_copy / relevant, "\n# a comment\n")
    assert versions.changes(before, _now()) == [f"the code changed: {part}"]


def test_a_changed_reference_table_of_the_solve_is_named(repo_copy):
    before = _now()
    _append(repo_copy / "data/interventions.csv", "\n")
    assert versions.changes(before, _now()) == ["reference tables changed: data/interventions.csv"]


def test_the_energy_model_counts_only_for_a_result_that_used_predictions(repo_copy):
    plain, with_model = _now(), _now(predictions=True)
    _append(repo_copy / "core/models/network.py", "\n# a comment\n")
    versions.current.cache_clear()
    assert versions.changes(plain) == []
    assert versions.changes(with_model) == ["the code changed: the energy model (predicted energy)"]


def test_every_listed_file_and_table_exists():
    for patterns in (*versions.SOLVE_CODE.values(), *versions.PREDICTION_CODE.values()):
        for pattern in patterns:
            assert versions.files_of([pattern]), pattern
    for table in (*versions.SOLVE_TABLES, *versions.PREDICTION_TABLES):
        assert paths.reference_table(table).exists(), table


def test_a_solve_runs_only_code_and_tables_the_version_covers(city4, monkeypatch):
    """Trace a solve (context, optimizer, totals, KPIs, allocation): every core module whose
    functions run is in SOLVE_CODE (or is one of NOT_FIGURES), every reference table read
    is in SOLVE_TABLES. A new module or table the solve reads fails here until listed."""
    covered = {str(p.relative_to(paths.ROOT)) for pats in versions.SOLVE_CODE.values()
               for p in versions.files_of(pats)}
    read = []
    reference_tables._load.cache_clear()
    reference_tables.value.cache_clear()
    problem.parameter.cache_clear()
    original = paths.reference_table
    monkeypatch.setattr(paths, "reference_table", lambda name: read.append(name) or original(name))
    ran = set()
    core_dir = str(paths.ROOT / "core")

    def trace(frame, event, _arg):
        name = frame.f_code.co_filename
        if event == "call" and name.startswith(core_dir) and frame.f_code.co_name != "<module>":
            ran.add(str(Path(name).relative_to(paths.ROOT)))

    sc = Scenario(name="traced", budget_usd_per_capita=80.0, justice40_share=0.4)
    sys.setprofile(trace)
    try:
        ctx = problem.context(city4)
        result = optimizer.optimize(ctx, sc, device="cpu")
        lab.kpis(ctx, result, 0), result.totals(0), Allocation.from_result(ctx, result)
    finally:
        sys.setprofile(None)
        reference_tables._load.cache_clear()
        reference_tables.value.cache_clear()
        problem.parameter.cache_clear()
    ran -= {f for f in ran if f.startswith("core/store/")}  # the allocation's record
    assert ran - covered - NOT_FIGURES == set()
    assert set(read) - NOT_FIGURE_TABLES <= set(versions.SOLVE_TABLES)


# ------------------------------------------------------------------ re-solving with predictions


@pytest.fixture
def quick_model(monkeypatch):
    """The energy model trained briefly (the same settings for the Lab's predictions and the
    store's re-solve, so they agree as with the defaults)."""
    quick = functools.partial(network.TrainConfig, max_epochs=80, members=2)
    monkeypatch.setattr(cross_validation, "TrainConfig", quick)


def city_with_gaps() -> City:
    """The default city with some energy observations removed, as an upload without them."""
    city = default_city()
    d = city.districts.copy()
    ids = d["district_id"].astype(str)
    d.loc[ids.isin(NO_ELECTRICITY), "electricity_kwh"] = np.nan
    d.loc[ids.isin(NO_GAS), "gas_kwh"] = np.nan
    return replace(city, districts=d, name="Chicago with gaps")


@pytest.mark.parametrize("observed_only", [False, True])
def test_re_solving_uses_the_predicted_energy_the_lab_used(tmp_path, quick_model, observed_only):
    gappy = city_with_gaps()
    lab_ctx = problem.context(predicted.with_predictions(gappy), observed_only)  # the Lab's
    sc = Scenario(name="with gaps", budget_usd_per_capita=100.0, justice40_share=0.4)
    result = optimizer.optimize(lab_ctx, sc, device="cpu")
    assert result.totals(0)["status"] == "optimal"
    with Store.open(None, tmp_path / "store") as store:
        city_id = store.save_city(gappy)  # saved as uploaded: without the predictions
        scenario_id = store.save_scenario(city_id, sc, result, ctx=lab_ctx,
                                          observed_only=observed_only)
        again = store.resolve_scenario(scenario_id, device="cpu")
        bare = problem.context(store.get_city(city_id), observed_only)  # no predictions
        saved = store.get_scenario(scenario_id)
    assert again.differences == [] and again.changes == []
    np.testing.assert_allclose(again.ctx.electricity_kwh, lab_ctx.electricity_kwh)
    assert not np.array_equal(bare.with_data, lab_ctx.with_data) or \
        not np.allclose(bare.electricity_kwh, lab_ctx.electricity_kwh)  # the old re-solve differed
    # the energy model is part of the version only when the plan used its predictions
    assert (versions.PREDICTION_CODE.keys() <= saved.versions["code"].keys()) == (not observed_only)


def test_a_record_from_before_the_solve_s_parts_says_so_once():
    old = {**versions.current(), "code": {"core/plan": "0" * 12, "core/intake": "1" * 12}}
    assert versions.changes(old) == ["it was saved by an earlier Greenprint, which recorded "
                                     "its code by folder"]
