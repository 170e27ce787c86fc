"""Districts without data (no attribute row, or no population) stay on the map as "no data"
and are left out of the analyses; only a city with too few districts with data is blocked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.assess import equity, indicators, inequality, maps
from core.errors import CityValidationError
from core.intake import columns
from core.intake.city import load_city, validate_city
from core.plan import optimizer, problem
from core.plan.scenario import Scenario
from core.settings import get_settings
from tests.conftest import square_grid

N_SIDE = 3  # a 3 x 3 grid: 9 districts


def table(n: int = N_SIDE * N_SIDE) -> pd.DataFrame:
    """Every column the analyses use, varied so that ranks and the optimizer have work."""
    k = np.arange(1, n + 1, dtype=float)
    return pd.DataFrame({
        "district_id": [str(i) for i in range(1, n + 1)],
        "population": 1000 * k, "households": 400 * k, "housing_units": 420 * k,
        "median_household_income": 90_000 - 7_000 * k, "poverty_rate": 0.04 * k,
        "floor_area_m2": 50_000 * k, "roof_area_m2": 4_000 * k,
        "electricity_kwh": 2e6 * k, "gas_kwh": 4e6 * k ** 1.3,
    })


@pytest.fixture
def grid9():
    return square_grid(N_SIDE)


@pytest.fixture
def min_with_data(monkeypatch):
    """Set GREENPRINT_MIN_DISTRICTS_WITH_DATA for one test."""
    def set_to(value: int) -> None:
        monkeypatch.setenv("GREENPRINT_MIN_DISTRICTS_WITH_DATA", str(value))
        get_settings.cache_clear()
    yield set_to
    get_settings.cache_clear()


def without(rows: pd.DataFrame, no_row: tuple[str, ...] = (), no_population: tuple[str, ...] = ()):
    t = rows.loc[~rows["district_id"].isin(no_row)].copy()
    t.loc[t["district_id"].isin(no_population), "population"] = np.nan
    return t


# --------------------------------------------------------------------------- intake


def test_districts_without_a_row_or_a_population_do_not_block_and_are_listed(grid9):
    result = validate_city(grid9, without(table(), no_row=("2", "5"), no_population=("7",)))
    assert result.usable and result.city is not None
    assert result.city.n == 9 and result.city.n_with_data == 6
    assert result.city.no_data_ids == ("2", "5", "7")
    report = result.report
    (no_data,) = [p for p in report.problems if p.check == "no data"]
    assert not no_data.blocking and no_data.district_ids == ("2", "5", "7")
    assert no_data.message.startswith("3 district(s) have no data (2 without an attribute row, "
                                      "1 without a population): they stay on the map as 'no data'"
                                      " and are left out of the analyses")
    assert "add their rows" in no_data.fix
    assert report.n_with_data == 6 and report.n_without_data == 3
    assert report.to_dict()["no_data_ids"] == ["2", "5", "7"]
    assert set(report.issues().query("check == 'no data'")["district_id"]) == {"2", "5", "7"}


def test_the_fix_of_ids_without_a_row_does_not_send_the_user_to_exclude_them(grid9):
    report = validate_city(grid9, without(table(), no_row=("2",))).report
    (one_side,) = [p for p in report.problems if p.check == "ids on one side"]
    assert "exclude" not in one_side.fix and "no data" in one_side.fix


def test_fewer_districts_with_data_than_the_minimum_block_with_what_to_fix(grid9, min_with_data):
    rows = without(table(), no_population=tuple(str(i) for i in range(1, 6)))  # 4 with data
    result = validate_city(grid9, rows)
    assert not result.usable
    (block,) = result.blocking
    assert block.check == "too few districts with data" and block.column == "population"
    assert block.message == ("only 4 of 9 district(s) have data (a population); a city needs at "
                             "least 5 to be used")
    assert "map the column that holds each district's population to 'population'" in block.fix
    assert "add the districts' rows" in block.fix
    with pytest.raises(CityValidationError, match="too few districts with data"):
        load_city(grid9, rows)
    min_with_data(4)  # the documented setting moves the limit
    assert validate_city(grid9, rows).usable


def test_a_population_column_with_no_value_blocks_and_a_small_complete_city_does_not(grid9):
    empty = table().assign(population=np.nan)
    assert [p.check for p in validate_city(grid9, empty).blocking] == [
        "too few districts with data"]
    small = square_grid(2)  # 4 districts, all with data: fewer than 5, yet usable
    assert validate_city(small, table(4)).usable
    assert not validate_city(small, without(table(4), no_row=("4",))).usable


def test_no_estimate_is_made_for_a_district_without_data(grid9):
    rows = without(table(), no_row=("3",)).drop(columns=["roof_area_m2", "households",
                                                         "housing_units"])
    city = load_city(grid9, rows)
    d = city.districts.set_index("district_id")
    assert np.isnan(d.loc["3", ["households", "housing_units", "roof_area_m2"]].astype(float)).all()
    assert city.estimates["roof_area_m2"].districts == 8


def test_zero_population_is_data_but_gives_no_per_resident_figure(grid9):
    rows = table()
    rows.loc[0, ["population", "households"]] = 0
    city = load_city(grid9, rows)
    assert city.n_with_data == 9
    t = indicators.indicator_table(city).set_index("district_id")
    assert np.isnan(t.loc["1", "energy_per_capita"]) and np.isnan(t.loc["1", "energy_burden"])
    assert np.isfinite(t.drop(index="1")[["energy_per_capita", "energy_burden"]]).all().all()


# --------------------------------------------------------------------------- analyses


@pytest.fixture
def city_with_gaps(grid9):
    """9 districts; 2 and 9 without a row, 6 without a population."""
    return load_city(grid9, without(table(), no_row=("2", "9"), no_population=("6",)))


def test_indicator_table_says_no_data_instead_of_zeros(city_with_gaps):
    t = indicators.indicator_table(city_with_gaps).set_index("district_id")
    assert t.loc[["2", "6", "9"], indicators.DATA].eq("no data").all()
    assert t.drop(index=["2", "6", "9"])[indicators.DATA].eq("observed").all()
    values = t.drop(columns=["name", indicators.DATA])
    assert values.loc[["2", "6", "9"]].isna().all().all()  # emissions too: no blank zeros
    assert values.drop(index=["2", "6", "9"])["emissions_t_co2"].gt(0).all()
    profile = indicators.district_profile(t.reset_index(), "6")
    assert profile["value"].isna().all() and profile["rank"].isna().all()
    assert (indicators.district_profile(t.reset_index(), "1")["of"] <= 6).all()


def test_kpis_sum_the_districts_with_data_and_say_so(grid9):
    rows = table()
    rows.loc[rows["district_id"] == "4", "population"] = np.nan  # its energy is left out too
    city = load_city(grid9, rows)
    kpis = {k.label: k for k in indicators.city_kpis(city)}
    assert kpis["Population"].value == table()["population"].drop(index=3).sum()
    assert kpis["Electricity"].value == pytest.approx(2e6 * (45 - 4) / 1e6)
    assert "8 districts with data (1 without data left out)" in kpis["Population"].help


def test_percentile_ranks_and_the_disadvantaged_rule_leave_out_districts_without_data(grid9):
    rows = table()
    rows.loc[rows["district_id"] == "9", "population"] = np.nan  # its row stays (poverty, income)
    city = load_city(grid9, rows)
    d = city.districts
    burden = equity.energy_burden(d, equity.Prices.of(city.references))
    low = equity.low_income_score(d)
    assert np.isnan(burden.iloc[8]) and np.isnan(low.iloc[8])
    ranks = equity.percentile_rank(low)
    assert np.isnan(ranks.iloc[8]) and ranks.iloc[7] == 100  # 8 is the highest of those ranked
    dac = equity.disadvantaged(burden, low, 50, 50)
    assert not dac.iloc[8] and dac.any()
    full = load_city(grid9, table()).districts
    # without district 9, the ranks of the others are theirs among 8, not among 9
    assert equity.percentile_rank(low).iloc[0] == pytest.approx(100 / 8)
    assert equity.percentile_rank(equity.low_income_score(full)).iloc[0] == pytest.approx(100 / 9)


def test_inequality_statistics_leave_out_districts_without_data(grid9):
    rows = table()
    rows.loc[rows["district_id"].isin(["8", "9"]), "population"] = np.nan
    gapped = inequality.equity_report(load_city(grid9, rows).districts)
    kept = inequality.equity_report(load_city(square_grid(N_SIDE).iloc[:7],
                                              table().iloc[:7]).districts)
    assert gapped.n_without_data == 2 and gapped.n_ranked == 7
    assert gapped.gini == pytest.approx(kept.gini) and gapped.theil == pytest.approx(kept.theil)
    assert gapped.mean_burden == pytest.approx(kept.mean_burden)
    assert not gapped.disadvantaged.iloc[7:].any()


def test_the_optimizer_gives_districts_without_data_nothing_and_says_how_many(city_with_gaps):
    ctx = problem.context(city_with_gaps)
    assert ctx.left_out == ("2", "6", "9")
    gone = ~ctx.with_data
    assert (ctx.effects.cap_units[gone] == 0).all() and not ctx.dac[gone].any()
    assert (ctx.electricity_kwh[gone] == 0).all() and (ctx.households[gone] == 0).all()
    res = optimizer.optimize(ctx, Scenario(justice40_share=0.0, budget_usd_per_capita=300),
                             device="cpu")
    assert res.spend_usd[0].sum() > 0
    assert (res.spend_usd[0][gone] == 0).all() and (res.units[0][gone] == 0).all()
    assert ("3 districts without data (no attribute row or no population) are left out of "
            "the plan") in res.messages[0]


# --------------------------------------------------------------------------- maps


def test_the_map_draws_no_data_grey_with_its_legend_entry_and_outlines_predicted():
    t = pd.DataFrame({"district_id": list("abcdef"), "name": list("ABCDEF"),
                      "v": [1.0, 2.0, 3.0, 0.0, 5.0, np.nan]})
    gone = np.array([False, False, False, True, False, False])  # d: an optimizer's zero
    predicted = np.array([False, True, False, False, False, False])
    view = maps.choropleth(t, "v", "V", "kWh", 0, "quantiles", 3, no_data=gone,
                           predicted=predicted)
    assert view.fill[3] == maps.NO_DATA and view.fill[5] == maps.NO_DATA
    assert view.properties["value_text"].iloc[3] == "no data"
    assert view.properties["data"].tolist() == ["observed", "predicted", "observed", "no data",
                                                "observed", "no data"]
    labels = [r["label"] for r in view.legend]
    assert labels[-2:] == ["no data (2 districts)", "predicted (1 district)"]
    assert view.legend[-1]["outline"] == "#1f2933"
    assert view.outlined.tolist() == predicted.tolist()
    assert view.classes.lower == 1.0  # the zero of the district without data is no class


def test_categorical_maps_count_their_no_data_districts():
    fill, rows = maps.categorical(["yes", "no data", "no", "no data"],
                                  {"yes": "#b2182b", "no": "#d1e5f0"})
    assert fill[1] == maps.NO_DATA and rows[-1]["label"] == "no data (2 districts)"


def _luminance(rgb) -> float:
    c = np.asarray(rgb[:3], dtype=float) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def _contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _lab(rgb) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    c = np.asarray(rgb[:3], dtype=float) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ c / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _hex_rgb(h: str) -> tuple[int, int, int]:
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


FILLS = [*maps.palette(7), *maps.CATEGORY_COLORS,
         *(_hex_rgb(h) for h in ("#b2182b", "#d1e5f0"))]  # the Equity page's two statuses


def test_no_data_grey_is_told_apart_from_every_fill_and_from_the_basemap():
    """CIE76 colour difference of at least 15 (clearly different at a glance): the grey has no
    chroma, so it differs from each class colour even where their lightness is close."""
    grey = maps.NO_DATA[:3]
    for rgb in [*FILLS, _hex_rgb(get_settings().blank_color)]:
        assert np.linalg.norm(_lab(grey) - _lab(rgb)) >= 15, rgb


def test_the_predicted_outline_stands_out_against_every_fill():
    """A white halo under a dark line: one of the two has a contrast of at least 3:1 (WCAG's
    minimum for graphics) against any class colour and against the no-data grey."""
    for rgb in [*FILLS, maps.NO_DATA[:3]]:
        best = max(_contrast(maps.PREDICTED_LINE, rgb), _contrast(maps.PREDICTED_HALO, rgb))
        assert best >= 3, rgb
    assert maps.PREDICTED_HALO_PX > maps.PREDICTED_LINE_PX  # the halo shows on both sides


def test_with_data_reads_the_population_column():
    d = pd.DataFrame({"population": [1.0, np.nan, 0.0]})
    assert columns.with_data(d).tolist() == [True, False, True]
    assert columns.with_data(pd.DataFrame({"x": [1, 2]})).all()


# --------------------------------------------------------------------------- pages


def test_equity_page_ranks_only_the_districts_with_data(city_with_gaps):
    from dashboard import nav
    from tools.apptest import open_app

    at = open_app(nav.EQUITY, city=city_with_gaps)
    assert not at.exception
    metric = next(m for m in at.metric if m.label == "Disadvantaged districts")
    assert metric.value.endswith(" of 6") and "3 without data are left out" in metric.help
    legends = [m.value for m in at.markdown if "gp-legend" in m.value]
    assert sum("no data (3 districts)" in v for v in legends) >= 2  # burden and status maps


def test_overview_outlines_predicted_districts_over_their_fill(city_with_gaps):
    import json
    from dataclasses import replace

    from dashboard import keys
    from tools import apptest
    from tools.apptest import open_app

    city = replace(city_with_gaps, name="nine, predicted", predicted={"gas_kwh": ("3", "4")})
    at = open_app(city=city)
    at.selectbox(key=keys.OVERVIEW_INDICATOR).set_value("emissions_t_co2").run()
    assert not at.exception
    (shown,) = apptest.maps(at)
    assert len(shown["properties"]) == 9
    ids = [p["district_id"] for p in shown["properties"]]
    assert sorted(ids[i] for i in shown["outlined"]) == ["3", "4"]
    style = json.loads(shown["text"])["style"]
    assert style["predicted"] == maps.PREDICTED_LINE and style["halo"] == maps.PREDICTED_HALO
    assert style["predicted_px"] == maps.PREDICTED_LINE_PX
    by_id = {p["district_id"]: p["data"] for p in shown["properties"]}
    assert [by_id[i] for i in "1234"] == ["observed", "no data", "predicted", "predicted"]
    legend = " ".join(m.value for m in at.markdown if "gp-legend" in m.value)
    assert "predicted (2 districts)" in legend and "no data (3 districts)" in legend
    at.selectbox(key=keys.OVERVIEW_INDICATOR).set_value("population").run()
    assert apptest.maps(at)[0]["outlined"] == []
