"""AppTest: the Energy model and Equity pages on the default city and on an uploaded one."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.intake.city import load_city
from dashboard import keys, nav
from tools.apptest import maps, open_app

ENERGY = nav.ENERGY_MODEL
EQUITY = nav.EQUITY


def open_page(page: str, city=None) -> AppTest:
    """``page`` with ``city`` active; its first run trains the energy model (slow)."""
    return open_app(page, city=city, timeout_s=180)


def test_energy_model_page_shows_model_and_baselines_and_a_card():
    at = open_page(ENERGY)
    assert at.title[0].value == "Energy model"
    table = at.dataframe[0].value
    assert set(table["model"]) == {"neural network (deep ensemble)", "city-wide intensity",
                                   "log-linear regression"}
    assert table["selected"].sum() == 2  # one model used per target
    assert table["cv_rmse_pct"].gt(0).all()
    assert len(at.metric) == 2 and all(m.value.endswith("%") for m in at.metric)  # unit shown
    messages = [m.value for m in at.success] + [m.value for m in at.info] + [
        m.value for m in at.warning]
    assert sum("lowest cross-validated CV(RMSE)" in m for m in messages) == 2
    # each target's verdict, against the yardstick, in the box of its band
    verdicts = [m for m in messages if "against ASHRAE Guideline 14" in m]
    assert len(verdicts) == 2
    assert all(("good against" in m) == (m in [s.value for s in at.success]) for m in verdicts)
    assert set(table["verdict"]) <= {"good", "fair", "poor"}
    assert len(maps(at)[0]["properties"]) == 77
    assert len(at.get("download_button")) == 2


def test_energy_model_retrain_with_another_seed_updates_the_result():
    at = open_page(ENERGY)
    at.selectbox(key=keys.MODEL_FOLDS).set_value(10)
    at.number_input(key=keys.MODEL_SEED).set_value(3)
    at.button(key=keys.MODEL_RETRAIN).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[keys.MODEL_RESULT][1].folds == 10
    assert any("10-fold cross-validation, seed 3" in c.value for c in at.caption)


def test_equity_page_spells_out_the_rule_and_reacts_to_thresholds():
    at = open_page(EQUITY)
    assert at.title[0].value == "Equity"
    assert any("90th percentile" in m.value and "65th percentile" in m.value for m in at.markdown)
    count = at.metric[0].value
    at.slider(key=keys.EQUITY_BURDEN_PCT).set_value(80.0).run()
    assert not at.exception
    assert any("80th percentile" in m.value for m in at.markdown)
    assert int(at.metric[0].value.split()[0]) >= int(count.split()[0])
    assert len(maps(at)) == 3
    sens = next(f.value for f in at.dataframe if "threshold" in f.value.columns)  # not a map's
    assert {"burden percentile", "low-income percentile"} == set(sens["threshold"])


@pytest.fixture
def uploaded_without_floor_area_or_months(grid4):
    """An uploaded city: no floor area, no monthly data, no degree days, 16 districts."""
    from tests.conftest import square_grid

    grid = square_grid(4)
    n = len(grid)
    attrs = pd.DataFrame({
        "district_id": grid["district_id"],
        "population": [1000 + 150 * i for i in range(n)],
        "households": [400 + 60 * i for i in range(n)],
        "median_household_income": [30_000 + 4000 * (i % 7) for i in range(n)],
        "electricity_kwh": [(1000 + 150 * i) * (2000 + 90 * (i % 5)) for i in range(n)],
        "gas_kwh": [(1000 + 150 * i) * (6000 + 300 * (i % 3)) for i in range(n)],
    })
    return load_city(grid, attrs, name="Uploaded")


def test_both_pages_work_on_an_uploaded_city_and_say_what_is_missing(
        uploaded_without_floor_area_or_months):
    city = uploaded_without_floor_area_or_months
    at = open_page(ENERGY, city)
    (why,) = [m.value for m in at.info if "degree-day model is unavailable" in m.value]
    assert "Data page" in why and "--" not in why  # the app's user is not sent to the CLI
    assert len(at.dataframe[0].value) == 6  # model and both baselines for both targets
    assert any("per resident" in c.value for c in at.caption)
    at = open_page(EQUITY, city)
    assert at.metric[0].value.endswith("of 16")


@pytest.fixture
def noisy_city():
    """16 districts whose energy has nothing to do with their inputs (a poor model), and
    whose monthly gas does not follow the degree days (no plausible split)."""
    from dataclasses import replace

    import numpy as np

    from core import paths
    from core.intake.degree_day_table import read_degree_days
    from core.models.degree_days import FUELS
    from tests.conftest import square_grid

    grid = square_grid(4)
    rng = np.random.default_rng(1)
    population = rng.integers(1000, 5000, len(grid))
    attrs = pd.DataFrame({
        "district_id": grid["district_id"], "population": population,
        "electricity_kwh": population * 3000 * np.exp(rng.normal(0, 1.0, len(grid))),
        "gas_kwh": population * 8000 * np.exp(rng.normal(0, 1.0, len(grid))),
    })
    for month, column in enumerate(FUELS["gas_kwh"]):
        attrs[column] = attrs["gas_kwh"] / 12 * (1.6 if month % 2 else 0.4)
    city = load_city(grid, attrs, name="Noisy")
    return replace(city, degree_days=read_degree_days(paths.DEFAULT_DEGREE_DAYS))


def test_a_poor_model_gets_no_green_box_and_says_what_would_help(noisy_city):
    at = open_page(ENERGY, noisy_city)
    assert not at.success
    poor = [m.value for m in at.warning if "poor against ASHRAE Guideline 14" in m.value]
    assert len(poor) == 2
    assert all("What would help" in m and "floor-area column" in m for m in poor)
    table = at.dataframe[0].value
    assert set(table.loc[table["selected"], "verdict"]) == {"poor"}
    # the implausible gas split is reported, not drawn
    assert any(m.value.startswith("Gas use: no base / heating / cooling split is shown")
               and "CV(RMSE)" in m.value for m in at.warning)
    assert len(at.get("plotly_chart")) == 1  # predicted vs observed only
    split = at.dataframe[-1].value  # the last table (the map's table comes before it)
    assert not split["plausible"].any() and split["heating_kwh"].isna().all()


def test_pages_without_energy_data_explain_why(grid4):
    city = load_city(grid4, pd.DataFrame({"district_id": ["1", "2", "3", "4"],
                                          "population": [1, 2, 3, 4]}), name="Bare")
    at = open_page(ENERGY, city)
    assert "no observed annual electricity_kwh" in at.info[0].value
    at = open_page(EQUITY, city)
    assert "Equity indicators are unavailable" in at.info[0].value


def test_the_energy_model_scores_are_written_for_the_locale():
    """CV(RMSE) in the metric cards with the language's decimal sign and percent spacing."""
    import re

    from core import i18n

    with i18n.use_language("es"):
        at = open_app(nav.ENERGY_MODEL, query={keys.LANGUAGE: "es"}, timeout_s=240)
        values = [m.value for m in at.metric]
    assert values and all(re.fullmatch(r"\d+,\d\s%", v) for v in values), values
