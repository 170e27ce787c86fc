"""Group figures on the portal: a figure over part of a city (a quintile, a Lorenz curve, a
share of households, the plan's share to disadvantaged districts) minus its released
members would give a withheld district's value, so the portal computes them over the
released districts only, as its briefings do; the planner's mode over every district."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.assess import inequality
from core.plan import lab, optimizer, problem, scenario
from core.release import release
from core.release import shown as public
from core.report import withheld
from dashboard import nav
from tests.test_portal_downloads import SMALL, small_city
from tests.test_portal_release import set_mode
from tools.apptest import open_app

EQUITY = ("energy_burden", "disadvantaged")


def released_of(city):
    from core.assess.indicators import indicator_table

    return release(city, indicator_table(city))


def test_released_districts_leave_out_the_withheld_and_keep_the_order():
    city = small_city("Groups city")
    out = public.released_districts(city.districts, released_of(city), EQUITY)
    assert list(out["district_id"].astype(str)) == [d for d in city.districts["district_id"]
                                                   .astype(str) if d not in SMALL]
    assert public.released_districts(city.districts, None, EQUITY) is city.districts


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_portals_equity_figures_cover_the_released_districts_only(monkeypatch):
    city = small_city("Equity groups city")
    everyone = inequality.equity_report(city.districts, refs=city.references)
    released = public.released_districts(city.districts, released_of(city), EQUITY)
    group = inequality.equity_report(released, refs=city.references)
    assert not np.isclose(group.gini, everyone.gini)  # the test can tell them apart

    set_mode(monkeypatch, "portal")
    at = open_app(nav.EQUITY, city=city)
    assert not at.exception and not at.error
    shown = metrics(at)
    assert shown["Gini of burden (0–1)"] == f"{group.gini:.3f}"
    assert shown["Theil index of burden (-)"] == f"{group.theil:.3f}"
    assert any("cover the 7 districts released of 9; 2 are withheld" in c.value
               for c in at.caption)

    set_mode(monkeypatch, "planner")
    at = open_app(nav.EQUITY, city=city)
    assert metrics(at)["Gini of burden (0–1)"] == f"{everyone.gini:.3f}"
    assert not any("districts released of" in c.value for c in at.caption)


def test_the_portals_lab_shows_the_figures_its_briefing_publishes(monkeypatch):
    city = small_city("Lab groups city")
    ctx = problem.context(city)
    sc = scenario.Scenario()
    res = optimizer.optimize(ctx, sc)
    from core.plan import results

    table = results.district_table(ctx, res)
    held = withheld.of(release(city, table), ctx.district_ids)
    assert held.n == len(SMALL)
    _totals, published = withheld.plan_kpis(ctx, res, 0, held)
    everyone = {str(k.label): k.value for k in lab.kpis(ctx, res)}
    published = {str(k.label): k.value for k in published}
    assert not np.isclose(published["Emissions"], everyone["Emissions"])

    def emissions(at) -> float:
        assert not at.exception and not at.error
        return float(next(v for label, v in metrics(at).items()
                          if label.startswith("Emissions")).replace(",", ""))

    set_mode(monkeypatch, "planner")
    planner = emissions(at := open_app(nav.SCENARIO_LAB, city=city))
    assert not any("released districts of" in c.value for c in at.caption)
    set_mode(monkeypatch, "portal")
    portal = emissions(at := open_app(nav.SCENARIO_LAB, city=city))
    # the same scenario: the portal's baseline leaves the withheld districts out, as above
    assert np.isclose(planner - portal, everyone["Emissions"] - published["Emissions"],
                      atol=0.1)
    assert any("cover the 7 released districts of 9; 2 are withheld" in c.value
               for c in at.caption)


def test_released_districts_of_a_table_in_another_order():
    city = small_city("Order city")
    rel = released_of(city)
    shuffled = city.districts.iloc[::-1]
    out = public.released_districts(shuffled, rel, EQUITY)
    assert list(out.index) == [i for i in shuffled.index
                               if str(shuffled.loc[i, "district_id"]) not in SMALL]
    assert isinstance(out, pd.DataFrame)


def plotly_array(values) -> np.ndarray:
    """A plotly JSON array: a list, or typed bytes ({"dtype", "bdata"})."""
    import base64

    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def quintile_chart(at) -> dict:
    """The Lab's burden-by-quintile chart: trace name -> y values."""
    import json

    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if "quintile" in spec["layout"]["title"]["text"]:
            return {t["name"]: plotly_array(t["y"]) for t in spec["data"]}
    raise AssertionError("no quintile chart")


def test_the_portals_lab_charts_cover_the_released_districts(monkeypatch):
    """The Lab's burden by quintile on the portal is its briefing's: over released districts."""
    from core.plan import results
    from dashboard import keys

    city = small_city("Lab charts city")
    set_mode(monkeypatch, "portal")
    at = open_app(nav.SCENARIO_LAB, city=city)
    assert not at.exception and not at.error
    sc = at.session_state[keys.LAB_SCENARIO]
    ctx = problem.context(city)
    res = optimizer.optimize(ctx, sc)
    held = withheld.of(release(city, results.district_table(ctx, res)), ctx.district_ids)
    expected = results.burden_by_quintile(ctx, res, where=held.released)
    everyone = results.burden_by_quintile(ctx, res)
    shown = quintile_chart(at)
    np.testing.assert_allclose(shown["after"], expected["burden_after"] * 100, rtol=1e-9)
    assert not np.allclose(shown["after"][:len(everyone)], everyone["burden_after"] * 100)


def test_the_portals_equity_page_with_every_district_withheld_says_so(monkeypatch):
    """A city of small districts only: nothing is released, so no group figure can be
    computed; the page says why instead of failing, and the maps still draw."""
    from core.intake.city import load_city
    from tests.conftest import square_grid
    from tests.test_portal_downloads import small_city as base

    attrs = base().districts.drop(columns="geometry").copy()
    attrs["population"] = 60
    attrs["households"] = 25
    city = load_city(square_grid(3), attrs[[c for c in attrs.columns
                                            if c in ("district_id", "population", "households",
                                                     "median_household_income", "poverty_rate",
                                                     "floor_area_m2", "roof_area_m2",
                                                     "electricity_kwh", "gas_kwh")]],
                     name="Tiny districts city")
    set_mode(monkeypatch, "portal")
    at = open_app(nav.EQUITY, city=city)
    assert not at.exception and not at.error
    assert any("too few remain with an energy burden" in i.value for i in at.info)
    assert "Gini of burden (0–1)" not in metrics(at)
    set_mode(monkeypatch, "planner")
    at = open_app(nav.EQUITY, city=city)
    assert not at.exception and not at.error
    assert "Gini of burden (0–1)" in metrics(at)
