"""The Equity page and the Scenario lab show the same energy burden: one set of formulas.

Before issue 9 the Equity page showed a bottom-quintile burden of 5.32 % and a city mean of
3.34 % on the default city while the Lab's "before" figures were 5.23 % and 2.82 %. Both
sides now call core.assess.equity; these tests compare them to the last digit (==)."""

from __future__ import annotations

import pytest

from core.assess import inequality
from core.intake.city import City, default_city
from core.plan import lab, optimizer, problem, results
from core.plan.scenario import Scenario


def equity_page_figures(city: City) -> tuple[float, list[float]]:
    """City mean and burden by quintile as the Equity page computes them."""
    report = inequality.equity_report(city.districts)
    return report.mean_burden, report.quintiles["mean_burden"].tolist()


def lab_before_figures(city: City) -> tuple[float, list[float]]:
    """The Lab's "before" figures at the default scenario (reference prices)."""
    ctx = problem.context(city)
    sc = Scenario()
    res = optimizer.optimize(ctx, sc)
    return lab.mean_burden(ctx, sc), results.burden_by_quintile(ctx, res)["burden_before"].tolist()


@pytest.fixture(scope="module")
def default():
    return default_city()


def test_equity_page_and_lab_before_agree_on_the_default_city(default):
    page_mean, page_q = equity_page_figures(default)
    lab_mean, lab_q = lab_before_figures(default)
    assert page_mean == lab_mean
    assert page_q == lab_q
    assert len(page_q) == 5 and 0 < page_mean < page_q[0]  # the lowest-income fifth carries more


def test_equity_page_and_lab_before_agree_on_a_hand_made_city(city4):
    page_mean, page_q = equity_page_figures(city4)
    lab_mean, lab_q = lab_before_figures(city4)
    assert page_mean == lab_mean
    assert page_q == lab_q
    # by hand: bills = electricity x its price + gas x its price; burden = all bills / all (households x income)
    d = city4.districts
    p = Scenario().prices(city4.references)
    bills = d["electricity_kwh"] * p.electricity_usd_per_kwh + d["gas_kwh"] * p.gas_usd_per_kwh
    income = d["households"] * d["median_household_income"]
    assert page_mean == pytest.approx(bills.sum() / income.sum(), rel=1e-12)
    # four districts make four quintile groups, one district each: its own burden
    by_income = (bills / income).to_numpy()[d["median_household_income"].argsort().to_numpy()]
    assert page_q == pytest.approx(by_income.tolist(), rel=1e-12)


def test_the_lab_after_figures_use_the_same_formula(default):
    ctx = problem.context(default)
    sc = Scenario(budget_usd_per_capita=300)
    res = optimizer.optimize(ctx, sc)
    savings = res.bill_savings_usd[0].sum(1)
    q = results.burden_by_quintile(ctx, res)
    assert lab.mean_burden(ctx, sc, savings) < lab.mean_burden(ctx, sc)
    assert (q["burden_after"] <= q["burden_before"]).all()


def test_a_per_capita_income_city_agrees_and_has_disadvantaged_districts(grid4, attrs4):
    """No median household income, but per-capita income: both sides use the per-capita basis
    (bills / (population x per-capita income)) and the optimizer's disadvantaged rule works."""
    from core.intake.city import load_city

    a = attrs4.drop(columns=["households"]).assign(
        per_capita_income=[40_000, 25_000, 12_000, 9_000], poverty_rate=[0.05, 0.1, 0.3, 0.4],
        housing_units=[450, 850, 1300, 1700], roof_area_m2=[5e3, 6e3, 7e3, 8e3])
    city = load_city(grid4, a, name="per capita")
    page_mean, page_q = equity_page_figures(city)
    lab_mean, lab_q = lab_before_figures(city)
    assert page_mean == lab_mean and page_q == lab_q
    d = city.districts
    p = Scenario().prices(city.references)
    bills = d["electricity_kwh"] * p.electricity_usd_per_kwh + d["gas_kwh"] * p.gas_usd_per_kwh
    assert page_mean == pytest.approx(bills.sum() / (d["population"] * d["per_capita_income"]).sum(),
                                      rel=1e-12)
    assert problem.context(city).dac.any()
