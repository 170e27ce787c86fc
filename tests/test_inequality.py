"""Equity statistics: Gini, Lorenz, Theil, quintiles, thresholds, Justice40, Moran's I."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.assess import equity, inequality
from tests.conftest import square_grid


def test_gini_and_theil_of_an_equal_distribution_are_zero():
    assert inequality.gini([0.05] * 6) == pytest.approx(0, abs=1e-12)
    assert inequality.theil([0.05] * 6, [1, 2, 3, 4, 5, 6]) == pytest.approx(0, abs=1e-12)


def test_gini_and_theil_hand_cases():
    # one unit holds everything among four: Gini (n-1)/n = 0.75, Theil ln 4
    assert inequality.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert inequality.theil([0, 0, 0, 1]) == pytest.approx(np.log(4))
    # weights are replicated units: (1 w3, 2 w1) == (1, 1, 1, 2)
    assert inequality.gini([1, 2], [3, 1]) == pytest.approx(inequality.gini([1, 1, 1, 2]))
    assert inequality.theil([1, 2], [3, 1]) == pytest.approx(inequality.theil([1, 1, 1, 2]))
    # (1,1,1,2): mean 1.25; Theil = (3/4)(0.8 ln 0.8) + (1/4)(1.6 ln 1.6)
    assert inequality.theil([1, 1, 1, 2]) == pytest.approx(0.6 * np.log(0.8) + 0.4 * np.log(1.6))


def test_lorenz_runs_from_origin_to_one_one_and_is_convex():
    curve = inequality.lorenz([3.0, 1.0, 2.0, np.nan], [1, 1, 2, 1])
    assert curve.iloc[0].tolist() == [0, 0] and curve.iloc[-1].tolist() == pytest.approx([1, 1])
    np.testing.assert_allclose(curve["population_share"], [0, 0.25, 0.75, 1.0])
    np.testing.assert_allclose(curve["value_share"], [0, 1 / 8, 5 / 8, 1.0])


def test_burden_by_income_quintile_is_aggregate_bills_over_aggregate_income():
    income = pd.Series(np.arange(1, 11) * 10_000.0)
    burden = pd.Series([0.10, 0.20, 0.08, 0.08, 0.05, 0.05, 0.04, 0.04, 0.02, 0.02])
    hh = pd.Series([1, 3, 1, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    bills = burden * income * hh  # district totals, USD/yr
    q = equity.burden_by_income_quintile(bills, hh, income)
    assert q["quintile"].tolist() == [1, 2, 3, 4, 5]
    assert q["districts"].tolist() == [2] * 5
    # Q1: (1,000 + 12,000) USD of bills over (10,000 + 60,000) USD of income
    assert q["mean_burden"].tolist() == pytest.approx([13 / 70, 0.08, 0.05, 0.04, 0.02])


def test_threshold_sensitivity_counts_changes_against_the_default_rule():
    burden = pd.Series(np.linspace(0.01, 0.20, 20))
    poverty = pd.Series(np.linspace(0.05, 0.50, 20))  # same order: both high together
    t = inequality.threshold_sensitivity(burden, poverty, [85, 90, 95], [65])
    b = t[t["threshold"] == "burden percentile"].set_index("percentile")
    # percentiles of 20 ranks are 5, 10, ..., 100; default 90/65 -> the top 3 (90, 95, 100)
    assert b.loc[90.0, "disadvantaged"] == 3 and b.loc[90.0, "changed"] == 0
    assert b.loc[85.0, ["disadvantaged", "gained", "lost"]].tolist() == [4, 1, 0]
    assert b.loc[95.0, ["disadvantaged", "gained", "lost"]].tolist() == [2, 0, 1]


def test_justice40_share_on_a_hand_allocation():
    dac = equity.disadvantaged(pd.Series([0.01, 0.02, 0.09, 0.10]),
                               pd.Series([0.1, 0.2, 0.3, 0.4]), 75, 50)
    assert dac.tolist() == [False, False, True, True]
    assert equity.benefit_share(pd.Series([100.0, 100.0, 150.0, 50.0]), dac) == pytest.approx(0.5)
    assert equity.benefit_share([100.0, 100.0, 150.0, 50.0], dac) >= \
        equity.threshold("justice40_share")


def test_morans_i_is_negative_on_a_checkerboard_and_positive_when_clustered():
    grid = square_grid(6)
    i, j = np.divmod(np.arange(36), 6)
    checker = ((i + j) % 2).astype(float)
    clustered = (j >= 3).astype(float) + 0.01 * i
    neg = inequality.spatial_autocorrelation(grid, checker, kind="rook", permutations=199)
    pos = inequality.spatial_autocorrelation(grid, clustered, permutations=199)
    assert neg.moran_i == pytest.approx(-1.0)
    assert pos.moran_i > 0.5 and pos.p_value <= 0.01
    assert {"high-high", "low-low"} <= set(pos.cluster)
    again = inequality.spatial_autocorrelation(grid, clustered, permutations=199)
    assert again.p_value == pos.p_value and (again.cluster == pos.cluster).all()


def test_equity_report_spells_out_the_rule():
    from core.intake.city import default_city

    r = inequality.equity_report(default_city().districts, 90, 65)
    assert "90th percentile" in r.rule and "poverty rate" in r.rule
    assert 0 < r.gini < 1 and r.disadvantaged.sum() > 0
    assert inequality.equity_unavailable(pd.DataFrame({"population": [1]})) is not None


def test_equity_is_unavailable_when_no_district_has_a_burden(grid4, attrs4):
    """Zero incomes everywhere: the page stops with a reason instead of showing nan."""
    from core.intake.city import load_city

    city = load_city(grid4, attrs4.assign(median_household_income=0.0), name="zero incomes")
    why = inequality.equity_unavailable(city.districts)
    assert why and "no district has an energy burden above zero" in why
    good = load_city(grid4, attrs4.assign(median_household_income=[9e4, 6e4, 3e4, 2e4]))
    assert inequality.equity_unavailable(good.districts) is None
