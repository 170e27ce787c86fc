"""The Energy model page's predicted-vs-observed chart shows, and names, the model used for
the target (the log-linear one on the default city), with bars only for the network's
interval."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from core.intake.city import default_city
from core.models import cross_validation
from core.models.network import TrainConfig
from dashboard import nav
from dashboard.energy_model import charts
from tools.apptest import open_app


def test_the_page_names_the_chart_by_the_model_used():
    at = open_app(nav.ENERGY_MODEL, timeout_s=180)
    table = at.dataframe[0].value
    first_target = table["target"].iloc[0]  # the radio's default target
    used = table.loc[(table["target"] == first_target) & table["selected"], "model"].item()
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    points = figure["data"][0]
    assert points["name"] == used
    has_bars = "error_y" in points
    assert has_bars == (used == cross_validation.MODEL_NAMES["model"])
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Bars: the network's") for c in captions) == has_bars
    assert any(f"No bars: the model used ({used})" in c for c in captions) != has_bars


@pytest.fixture(scope="module")
def result() -> cross_validation.TargetResult:
    ev = cross_validation.evaluate(default_city(), TrainConfig(max_epochs=100, folds=3))
    return next(iter(ev.targets.values()))


@pytest.mark.parametrize("selected", list(cross_validation.MODEL_NAMES))
def test_the_chart_draws_the_used_models_predictions_with_the_networks_interval_only(
        result, selected):
    used = dataclasses.replace(result, selected=selected)
    names = np.array([f"d{i}" for i in range(len(result.observed))])
    points = charts.predicted_vs_observed(used, names, "Electricity").data[0]
    ok = np.isfinite(result.observed) & np.isfinite(result.oof[selected])
    np.testing.assert_array_equal(points.y, result.oof[selected][ok])
    np.testing.assert_array_equal(points.x, result.observed[ok])
    assert points.name == cross_validation.MODEL_NAMES[selected]
    network = selected == "model"
    assert (points.error_y.array is not None) == network
    if network:
        np.testing.assert_array_equal(points.error_y.arrayminus,
                                      np.clip(result.oof[selected][ok] - result.oof_lower[ok],
                                              0, None))
    assert charts.interval_caption(used, "90").startswith("Bars" if network else "No bars")
