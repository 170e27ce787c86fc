"""Lab results (core.plan.lab) and the chart builders (dashboard.scenario_lab.charts) on a small exact city."""

from __future__ import annotations

import numpy as np
import pytest

from core.plan import lab, optimizer, problem, results
from core.plan.scenario import Scenario
from dashboard.scenario_lab import charts


@pytest.fixture
def ctx(city4):
    return problem.context(city4)


def test_kpis_carry_units_and_deltas_match_the_plan(ctx):
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=300))
    k = {x.label: x for x in lab.kpis(ctx, res)}
    assert all(x.unit for x in k.values())
    assert k["Emissions"].delta == pytest.approx(-res.abatement_t.sum() / 1000)
    assert k["Spent"].value == pytest.approx(res.spend_usd.sum() / 1e6)
    assert k["Energy burden"].delta < 0


def test_no_budget_no_change(ctx):
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=0))
    q = results.burden_by_quintile(ctx, res)
    assert np.allclose(q["burden_before"], q["burden_after"])
    assert res.abatement_t.sum() == 0


def test_pareto_and_monte_carlo_are_single_batches(ctx):
    sc = Scenario(budget_usd_per_capita=200, justice40_share=0.4)
    front, res = lab.pareto_budget(ctx, sc, levels=6)
    assert len(res.scenarios) == 6 and len(front) == 6
    assert (np.diff(front["abatement_t_co2_per_yr"]) >= -1e-9).all()
    band, res = lab.monte_carlo(ctx, sc, draws=5, levels=3)
    assert len(res.scenarios) == 15
    assert (band["p10_t_co2_per_yr"] <= band["median_t_co2_per_yr"] + 1e-9).all()
    assert (band["median_t_co2_per_yr"] <= band["p90_t_co2_per_yr"] + 1e-9).all()


def test_charts_hold_the_numbers(ctx):
    res = optimizer.optimize(ctx, Scenario(budget_usd_per_capita=300))
    per = results.by_intervention(ctx, res)
    fig = charts.abatement_by_intervention(per, "USD")
    assert list(fig.data[0].x) == pytest.approx(list(per["abatement_t_co2_per_yr"]))
    m = charts.macc(per, "USD")
    assert list(m.data[0].y) == sorted(m.data[0].y)  # cheapest first
    assert sum(m.data[0].width) == pytest.approx(per["potential_t_co2_per_yr"][per["mac_usd_per_t"].notna()].sum())
    q = results.burden_by_quintile(ctx, res)
    b = charts.burden_by_quintile(q)
    assert list(b.data[0].y) == pytest.approx(list(q["burden_before"] * 100))
    front, _ = lab.pareto_budget(ctx, Scenario(), levels=4)
    assert "USD per resident" in charts.pareto(front, 50, "USD").layout.xaxis.title.text
    assert "GBP per resident" in charts.pareto(front, 50, "GBP").layout.xaxis.title.text
    band, _ = lab.monte_carlo(ctx, Scenario(), draws=3, levels=2)
    assert len(charts.monte_carlo_band(band, "USD").data) == 3


def test_kpis_and_charts_build_on_an_empty_plan(grid4, attrs4):
    from core.intake.city import load_city

    # no stock (zeros: absent stock columns are estimated), no income
    city = load_city(grid4, attrs4.assign(households=0, housing_units=0, roof_area_m2=0))
    ctx = problem.context(city)
    sc = Scenario(budget_usd_per_capita=300)
    res = optimizer.optimize(ctx, sc)
    assert res.status == ["no capacity"]
    k = {x.label: x for x in lab.kpis(ctx, res)}
    assert k["Spent"].value == 0 and k["Emissions"].delta == 0 and k["Bill savings"].value == 0
    assert np.isnan(k["Energy burden"].value) and k["Energy burden"].help.startswith("unknown")
    per = results.by_intervention(ctx, res)
    assert not per["abatement_t_co2_per_yr"].any() and per["mac_usd_per_t"].isna().all()
    assert list(charts.abatement_by_intervention(per, "USD").data[0].x) == [0] * len(ctx.keys)
    assert len(charts.macc(per, "USD").data[0].x) == 0
    q = results.burden_by_quintile(ctx, res)
    assert q.empty and len(charts.burden_by_quintile(q).data[0].x) == 0
    front, _ = lab.pareto_budget(ctx, sc, levels=3)
    band, _ = lab.monte_carlo(ctx, sc, draws=2, levels=2)
    assert not front["abatement_t_co2_per_yr"].any() and not band["median_t_co2_per_yr"].any()
    assert len(charts.pareto(front, 300, "USD").data[0].x) == 3
    assert len(charts.monte_carlo_band(band, "USD").data) == 3
