"""The one set of group-burden formulas (core.assess.equity): hand-made city, the identity
that makes the aggregate ratio consistent, and the Equity page showing exactly these values."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.assess import equity, inequality
from core.intake.city import default_city
from core.intake.reference_values import defaults
from dashboard import nav
from tools.apptest import open_app

PRICES = equity.Prices(0.10, 0.05)  # USD/kWh: electricity, gas

# Eight districts, given out of income order. bill = district total (USD/yr), so
# burden = bill / households / income and aggregate income = households x income.
#   name  hh   income    bill     aggregate income  burden
#   E     100  80_000     80_000   8_000_000         0.01
#   A     100  20_000    200_000   2_000_000         0.10
#   F       0  60_000          0   (no households: in no group)
#   C     200  40_000    240_000   8_000_000         0.03
#   H     100 100_000    100_000  10_000_000         0.01
#   B      50  30_000     60_000   1_500_000         0.04
#   G     100  (none)     50_000   (no income: in no group)
#   D     100  50_000    100_000   5_000_000         0.02
HAND = pd.DataFrame({
    "name": list("EAFCHBGD"),
    "households": [100.0, 100, 0, 200, 100, 50, 100, 100],
    "median_household_income": [80_000.0, 20_000, 60_000, 40_000, 100_000, 30_000, np.nan,
                                50_000],
    "bill_usd": [80_000.0, 200_000, 0, 240_000, 100_000, 60_000, 50_000, 100_000],
})


def hand_args():
    return (HAND["bill_usd"], HAND["households"], HAND["median_household_income"])


def as_districts(bills_usd, households, income) -> pd.DataFrame:
    """A district table whose residential energy costs ``bills_usd`` at PRICES (half the bill
    electricity, half gas)."""
    bills = np.asarray(bills_usd, dtype=float)
    return pd.DataFrame({
        "electricity_kwh": bills / 2 / PRICES.electricity_usd_per_kwh,
        "gas_kwh": bills / 2 / PRICES.gas_usd_per_kwh,
        "households": np.asarray(households, dtype=float),
        "median_household_income": np.asarray(income, dtype=float)})


def test_group_burden_is_aggregate_bills_over_aggregate_income():
    assert equity.group_burden([200_000, 60_000], [2e6, 1.5e6]) == pytest.approx(260_000 / 3.5e6)
    # members missing a bill or an income are left out; no income at all: NaN
    assert equity.group_burden([1.0, np.nan, 2.0], [np.nan, 1.0, 4.0]) == pytest.approx(0.5)
    assert np.isnan(equity.group_burden([1.0, 2.0], [0.0, np.nan]))
    assert np.isnan(equity.group_burden([], []))


def test_aggregate_income_is_households_times_median_income():
    agg = equity.aggregate_income_usd(HAND["households"], HAND["median_household_income"])
    np.testing.assert_array_equal(agg, [8e6, 2e6, np.nan, 8e6, 10e6, 1.5e6, np.nan, 5e6])


def test_income_quintiles_rank_only_districts_with_income_and_households():
    q = equity.income_quintiles(HAND["households"], HAND["median_household_income"])
    # six ranked districts A < B < C < D < E < H: the lowest fifth takes two, then one each
    assert dict(zip(HAND["name"], q.tolist(), strict=True)) == {
        "A": 1, "B": 1, "C": 2, "D": 3, "E": 4, "H": 5, "F": 0, "G": 0}
    assert equity.income_quintiles([1, 1, 1], [300, 100, 200]).tolist() == [3, 1, 2]
    assert equity.income_quintiles([1, 1], [5, 5]).tolist() == [1, 2]  # ties: input order


def test_burden_by_income_quintile_on_the_hand_city():
    q = equity.burden_by_income_quintile(*hand_args())
    assert q["quintile"].tolist() == [1, 2, 3, 4, 5]
    assert q["districts"].tolist() == [2, 1, 1, 1, 1]
    assert q["households"].tolist() == [150, 200, 100, 100, 100]
    assert q["income_min_usd"].tolist() == [20_000, 40_000, 50_000, 80_000, 100_000]
    assert q["income_max_usd"].tolist() == [30_000, 40_000, 50_000, 80_000, 100_000]
    # Q1 = (200k + 60k) / (2.0M + 1.5M), not the household-weighted 0.08 of (0.10, 0.04)
    assert q["mean_burden"].tolist() == pytest.approx([13 / 175, 0.03, 0.02, 0.01, 0.01])


def test_city_mean_burden_on_the_hand_city():
    # ranked districts only: 780k USD of bills over 34.5M USD of income
    assert equity.city_mean_burden(*hand_args()) == pytest.approx(780_000 / 34.5e6)
    assert np.isnan(equity.city_mean_burden([1.0], [0.0], [50_000.0]))


def test_the_district_table_path_gives_the_same_figures():
    d = as_districts(*hand_args())
    np.testing.assert_allclose(equity.district_bills_usd(d, PRICES), HAND["bill_usd"])
    np.testing.assert_allclose(
        equity.energy_bill_usd(d["electricity_kwh"].to_numpy(), d["gas_kwh"].to_numpy(), PRICES),
        HAND["bill_usd"])
    burden = equity.energy_burden(d, PRICES)
    assert burden.tolist() == pytest.approx([0.01, 0.10, np.nan, 0.03, 0.01, 0.04, np.nan, 0.02],
                                            nan_ok=True)


def test_equity_report_carries_the_group_burdens():
    d = as_districts(*hand_args())
    report = inequality.equity_report(d)  # reference prices
    bills = equity.district_bills_usd(d, equity.Prices.of(defaults()))
    assert report.mean_burden == equity.city_mean_burden(
        bills, d["households"], d["median_household_income"])
    pd.testing.assert_frame_equal(report.quintiles, equity.burden_by_income_quintile(
        bills, d["households"], d["median_household_income"]))
    assert report.lowest_quintile_burden == report.quintiles["mean_burden"].iloc[0]


district = st.tuples(st.floats(0, 5e6), st.integers(0, 5000),
                     st.one_of(st.just(np.nan), st.just(0.0), st.floats(1, 300_000)))


@settings(max_examples=200, deadline=None)
@given(st.lists(district, min_size=1, max_size=30))
def test_city_mean_is_the_income_weighted_mean_of_district_burdens(rows):
    bills, hh, income = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    d = as_districts(bills, hh, income)
    burden = equity.energy_burden(d, PRICES).to_numpy()
    weight = hh * income  # the district's aggregate household income
    ok = np.isfinite(burden)
    mean = equity.city_mean_burden(equity.district_bills_usd(d, PRICES), hh, income)
    if not ok.any():
        assert np.isnan(mean)
        return
    assert mean == pytest.approx(np.sum(weight[ok] * burden[ok]) / np.sum(weight[ok]), rel=1e-9)
    # and the quintiles partition the same districts: their income-weighted mean is the city's
    q = equity.burden_by_income_quintile(bills, hh, income)
    q_income = [weight[ok & (equity.income_quintiles(hh, income) == k)].sum() for k in q["quintile"]]
    assert q["districts"].sum() == ok.sum()
    assert q["districts"].max() - q["districts"].min() <= 1
    assert np.sum(np.array(q_income) * q["mean_burden"]) / np.sum(q_income) == pytest.approx(
        mean, rel=1e-9)


def test_equity_page_shows_the_core_group_burdens():
    """The two group-burden cards and the quintile bars are the core values (default city)."""
    d = default_city().districts
    bills = equity.district_bills_usd(d, equity.Prices.of(defaults()))
    basis = equity.income_basis(d)  # per-capita income: the real data has no household income
    hh, income = d[basis.members], d[basis.income]
    city_mean = equity.city_mean_burden(bills, hh, income)
    quintiles = equity.burden_by_income_quintile(bills, hh, income)
    lowest = quintiles["mean_burden"].iloc[0]
    at = open_app(nav.EQUITY)
    shown = {m.label: float(m.value) for m in at.metric if "Energy burden" in m.label}
    assert shown == {"Energy burden, whole city (% of income)": pytest.approx(city_mean * 100,
                                                                               abs=0.005),
                     "Energy burden, lowest-income fifth of districts (% of income)":
                         pytest.approx(lowest * 100, abs=0.005)}
    (bars,) = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
               if "income quintile" in c.proto.spec]
    y = bars["data"][0]["y"]  # plotly sends arrays as base64 of their bytes
    if isinstance(y, dict):
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    np.testing.assert_allclose(y, quintiles["mean_burden"] * 100)
