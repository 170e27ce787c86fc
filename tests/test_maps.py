import json

import numpy as np
import pandas as pd
import pytest

from core.assess import display, maps
from core.assess.indicators import city_kpis, district_profile, indicator_table
from core.intake.city import load_city
from core.settings import get_settings


def test_quantiles_put_equal_counts_in_each_class():
    c = maps.classify(np.arange(1, 11, dtype=float), "quantiles", 5)
    assert len(c.bins) == 5
    assert np.bincount(c.index).tolist() == [2, 2, 2, 2, 2]


def test_equal_interval_bounds_and_missing_values():
    c = maps.classify(pd.Series([0.0, 10.0, np.nan, 5.0, 2.0]), "equal_interval", 2)
    assert c.bins == (5.0, 10.0)
    assert c.index.tolist() == [0, 1, -1, 0, 0]
    rows = maps.legend(c, "kWh")
    assert rows[-1]["label"] == "no data (1 district)"
    assert rows[0]["label"] == "0 – 5 kWh"


def test_natural_breaks_separates_clusters():
    c = maps.classify([1, 1.1, 1.2, 10, 10.5, 11, 50, 51], "natural_breaks", 3)
    assert c.index.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]


def test_constant_values_use_one_class_and_unknown_scheme_fails():
    c = maps.classify([3.0, 3.0, 3.0], "quantiles", 5)
    assert c.index.tolist() == [0, 0, 0] and len(c.colors) == 1
    with pytest.raises(ValueError, match="choose one of"):
        maps.classify([1, 2], "jenks!!")


def test_indicators_kpis_and_profile(grid4, attrs4):
    city = load_city(grid4, attrs4)
    table = indicator_table(city)
    assert {"population", "energy_per_capita", "energy_intensity", "renter_share"} <= set(table)
    assert "poverty_rate" not in table  # not in the data, so not offered
    np.testing.assert_allclose(table["energy_per_capita"], [6000, 4000, 3333.333333, 3250])
    np.testing.assert_allclose(table["renter_share"], [10, 50, 60, 90])  # shown in %
    # each cell is ~1.11 km wide and ~0.83 km tall at 41.8 N: ~0.92 km2
    assert table["population_density"].iloc[0] == pytest.approx(1000 / 0.9228, rel=0.01)
    kpis = {k.label: k for k in city_kpis(city)}
    assert kpis["Electricity"].value == pytest.approx(14.0) and kpis["Electricity"].unit == "GWh/yr"
    assert kpis["Energy per resident"].value == pytest.approx(37e6 / 10000)
    prof = district_profile(table, "1").set_index("key")
    assert prof.loc["population", "rank"] == 4 and prof.loc["population", "percentile"] == 25
    assert prof.loc["energy_per_capita", "rank"] == 1
    with pytest.raises(KeyError):
        district_profile(table, "99")


def test_choropleth_colours_follow_values(grid4, attrs4):
    table = indicator_table(load_city(grid4, attrs4))
    ch = maps.choropleth(table, "population", "Population", "persons", 0, "quantiles", 4)
    assert ch.fill[0] != ch.fill[3]
    assert ch.properties["value_text"].tolist() == ["1,000", "2,000", "3,000", "4,000"]
    assert ch.legend[-1]["label"].endswith("persons")


@pytest.mark.parametrize("scheme,cls", [("quantiles", "Quantiles"), ("equal_interval", "EqualInterval")])
def test_fast_schemes_match_mapclassify(scheme, cls):
    import mapclassify

    rng = np.random.default_rng(7)
    for n, k in [(77, 5), (801, 7), (30, 3)]:
        x = rng.lognormal(size=n)
        ours = maps.classify(x, scheme, k)
        ref = getattr(mapclassify, cls)(x, k=k)
        np.testing.assert_allclose(ours.bins, ref.bins)
        assert ours.index.tolist() == list(ref.yb)


def test_categorical_indicator_uses_named_classes():
    table = pd.DataFrame({"district_id": ["a", "b", "c"], "name": ["A", "B", "C"],
                          "flag": [0.0, 1.0, np.nan]})
    ch = maps.choropleth(table, "flag", "Disadvantaged", "", categories=("no", "yes"))
    assert ch.properties["value_text"].tolist() == ["no", "yes", "no data"]
    assert [r["label"] for r in ch.legend] == ["no", "yes", "no data (1 district)"]
    assert ch.fill[0] != ch.fill[1] and ch.fill[2] == maps.NO_DATA


def test_a_class_holding_one_value_is_labelled_with_that_value():
    c = maps.classify([0.0, 0.0, 0.0, 0.0, 5.0, 9.0], "quantiles", 3)
    labels = [r["label"] for r in maps.legend(c, "USD")]
    assert labels[0] == "0 USD" and labels[-1].endswith("– 9 USD")


def test_natural_breaks_are_mapclassifys_fisher_jenks_exactly():
    """maps.fisher_jenks vectorises mapclassify's algorithm: the same float32 sums and the
    same tie rule, so the same breaks to the last bit (continuous, tied and clustered data)."""
    import warnings

    import mapclassify

    rng = np.random.default_rng(13)
    cases = 0
    for trial in range(80):
        n = int(rng.integers(2, 90))
        x = [rng.lognormal(size=n), rng.integers(0, 6, size=n).astype(float),
             np.round(rng.normal(size=n) * 100) / 10,
             np.concatenate([rng.normal(size=n // 2), np.full(n - n // 2, 3.0)])][trial % 4]
        for k in (2, 3, 5, 7):
            if np.unique(x).size < k:
                continue
            with warnings.catch_warnings():  # "Numba not installed"
                warnings.simplefilter("ignore", UserWarning)
                ref = mapclassify.FisherJenks(x, k=k)
            assert maps.fisher_jenks(x, k).tolist() == ref.bins.tolist(), (n, k, trial)
            ours = maps.classify(x, "natural_breaks", k)
            assert ours.index.tolist() == list(ref.yb)
            cases += 1
    assert cases > 200


def test_natural_breaks_of_a_large_city_break_a_sample_as_before():
    import warnings

    import mapclassify

    exact_max = get_settings().natural_breaks_exact_max
    x = np.random.default_rng(3).lognormal(size=exact_max + 500)
    sample = np.quantile(x, np.linspace(0, 1, exact_max))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        breaks = mapclassify.FisherJenks(sample, k=5).bins
        ref = mapclassify.UserDefined(x, bins=list(breaks[:-1]) + [x.max()])
    ours = maps.classify(x, "natural_breaks", 5)
    assert list(ours.bins) == ref.bins.tolist()
    assert ours.index.tolist() == list(ref.yb)
    assert ours.sample == exact_max
    assert maps.sample_note(ours) == (f"natural breaks on a {exact_max:,}-value sample of "
                                      f"{x.size:,} values (evenly spaced quantiles)")


def test_natural_breaks_are_exact_up_to_the_setting_and_sampled_beyond(monkeypatch):
    x = np.random.default_rng(8).lognormal(size=60)
    exact = maps.classify(x, "natural_breaks", 4)
    assert exact.sample == 0 and maps.sample_note(exact) is None
    assert list(exact.bins) == maps.fisher_jenks(x, 4).tolist()
    monkeypatch.setenv("GREENPRINT_NATURAL_BREAKS_EXACT_MAX", "40")
    get_settings.cache_clear()
    try:
        sampled = maps.classify(np.append(x, np.nan), "natural_breaks", 4)
    finally:
        monkeypatch.delenv("GREENPRINT_NATURAL_BREAKS_EXACT_MAX")
        get_settings.cache_clear()
    sample = np.quantile(x, np.linspace(0, 1, 40))
    assert list(sampled.bins) == [*maps.fisher_jenks(sample, 4)[:-1], x.max()]
    assert sampled.sample == 40 and "40-value sample of 60 values" in maps.sample_note(sampled)
    assert sampled.index[-1] == -1  # the missing value has no class, and is not counted


def _fisher_jenks_by_gathering(values: np.ndarray, k: int) -> np.ndarray:
    """The vectorised Fisher-Jenks as it was before issue 13 (each class a gather of n² costs
    and a masked maximum for mapclassify's tie rule): the reference of the test below."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    rows = np.arange(n)[:, None] - np.arange(n)[None, :]
    valid = rows >= 0
    a = np.where(valid, x.astype(np.float32)[np.maximum(rows, 0)], np.float32(0))
    s1 = np.cumsum(a, axis=1, dtype=np.float32)
    s2 = np.cumsum(a * a, axis=1, dtype=np.float32)
    var = s2 - (s1 * s1) / np.arange(1, n + 1, dtype=np.float32)[None, :]
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)
    start = np.zeros((n + 1, k + 1), dtype=np.int64)
    cost[2:, 1:] = np.inf
    start[1, 1:] = 1
    cost[2:, 1] = np.diagonal(var)[1:]
    start[2:, 1] = 1
    before = np.maximum(rows, 0)
    candidate = valid & (rows >= 1)
    m = np.arange(1, n + 1)[None, :]
    for j in range(2, k + 1):
        total = np.where(candidate, var + cost[before, j - 1], np.float32(np.inf))
        best = total.min(axis=1)
        last = np.where(candidate & (total == best[:, None]), m, 0).max(axis=1)
        cost[2:, j] = best[1:]
        start[2:, j] = (np.arange(1, n + 1) - last + 1)[1:]
    bounds = np.zeros(k + 1)
    bounds[k], bounds[0] = x[-1], x[0]
    row = n
    for count in range(k, 1, -1):
        pivot = start[row, count]
        bounds[count - 1] = x[int(pivot - 2)]
        row = int(pivot - 1)
    return bounds[1:]


def test_natural_breaks_equal_the_previous_implementation_on_random_data():
    """Up to the exact limit, the strided Fisher-Jenks gives the breaks the gathering one
    gave, ties included (continuous, integer, rounded and clustered values, 2 to 7 classes)."""
    rng = np.random.default_rng(21)
    cases = 0
    for trial in range(60):
        n = int(rng.integers(2, 400))
        x = [rng.lognormal(size=n), rng.integers(0, 6, size=n).astype(float),
             np.round(rng.normal(size=n) * 100) / 10,
             np.concatenate([rng.normal(size=n // 2), np.full(n - n // 2, 3.0)])][trial % 4]
        for k in (2, 3, 5, 7):
            if np.unique(x).size < k:
                continue
            assert maps.fisher_jenks(x, k).tolist() == _fisher_jenks_by_gathering(x, k).tolist()
            cases += 1
    assert cases > 150


def test_compact_geojson_text_is_the_feature_collection(city4):
    city = city4  # nothing estimated: the lineage holds no text with ": " in it
    props = indicator_table(city)[["district_id", "name", "population"]].assign(
        fill=[[1, 2, 3, 210]] * 4, value=[1.5, np.nan, 3.0, 4.0], flag=[True, False, True, False])
    geometry = display.geometry_json(city.map_geometry)
    assert len(geometry) == 4 and all(" " not in g for g in geometry)
    for lineage in (None, city.lineage):
        text = display.feature_collection_json(geometry, props, lineage)
        assert "\n" not in text and ": " not in text
        assert json.loads(text) == maps.feature_collection(city.map_geometry, props, lineage)
    assert json.loads(text)["features"][1]["properties"]["value"] is None


def test_indicators_in_a_table_are_the_available_ones(grid4, attrs4):
    from core.assess import indicators

    city = load_city(grid4, attrs4)
    assert indicators.in_table(indicator_table(city)) == indicators.available(city)


def test_relative_quantities_read_as_percentages_without_scientific_notation():
    from core.assess.maps import format_relative

    assert format_relative(0.0) == "0 %"
    assert format_relative(1.9e-16) == "< 0.0000001 %"  # float64 noise, not an error
    assert format_relative(0.0519) == "5.19 %"
    assert format_relative(3.2e-7) == "0.000032 %"
    assert format_relative(float("nan")) == "not computed"
    for x in (1e-9, 2.5e-8, 1e-5, 0.3, 1.0):
        assert "e" not in format_relative(x).replace("not computed", "")
