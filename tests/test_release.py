"""The release rule (core.release): districts below the sourced thresholds are withheld for
every figure that rests on them, with the reason; complementary suppression makes sure no
withheld value comes back by subtraction from a total; the bundled city and the 801-tract
city go through it; a table or rule it cannot apply says what to fix."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import methods, reference_tables
from core.assess.indicators import indicator_table
from core.errors import InputError
from core.intake.city import City, default_city, load_city
from core.release import Figure, ReleaseRule, release
from core.release import figures as figs
from core.release import rule as rules
from core.release.suppress import basis_data, failures
from tests import tract_shape
from tests.conftest import square_grid

ADDITIVE = ("population", "electricity_kwh", "gas_kwh", "emissions_t_co2",
            "emissions_electricity_t_co2", "emissions_gas_t_co2")


def grid_city(population, electricity, gas=None, **columns) -> City:
    """A 3 x 3 city with the given district values (lists of 9; None: column absent)."""
    table = pd.DataFrame({"district_id": [str(i) for i in range(1, 10)],
                          "population": population, "electricity_kwh": electricity})
    if gas is not None:
        table["gas_kwh"] = gas
    for name, values in columns.items():
        if values is not None:
            table[name] = values
    return load_city(square_grid(3), table)


@pytest.fixture(scope="module")
def bundled() -> City:
    return default_city()


@pytest.fixture(scope="module")
def tracts() -> City:
    return tract_shape.city()


# ------------------------------------------------------------------ the rule and its sources


def test_the_default_rule_is_the_sourced_15_15_rule_and_small_area_threshold():
    table = reference_tables.table("release_thresholds").set_index("name")
    rule = ReleaseRule()
    assert (rule.min_customers, rule.max_customer_share) == (15, 0.15)
    assert (rule.min_population, rule.min_households) == (100, 40)
    assert "Decision 14-05-016" in table.loc["min_customers", "source"]
    assert "Decision 14-05-016" in table.loc["max_customer_share", "source"]
    assert "Office for National Statistics" in table.loc["min_population", "source"]
    assert rule.privacy is None


def test_the_methods_page_explains_the_rule_its_sources_and_the_privacy_option():
    notes = {note.title: note.text for note in methods.notes()}
    text = notes["Small areas: what the public portal releases"]
    for words in ("15/15 rule", "Decision 14-05-016", "Office for National", "complementary",
                  "subtraction", "OpenDP", "ledger", "budget", "data/release_thresholds.csv"):
        assert words.lower() in text.lower(), words


# ------------------------------------------------------------------ the bundled and tract cities


def test_the_bundled_city_releases_every_community_area_and_says_what_it_could_not_check(bundled):
    """Chicago's 77 community areas have 2,876 residents or more: nothing is withheld; the city
    has no customer counts, and the release says the population threshold stood in."""
    released = release(bundled, indicator_table(bundled))
    assert not released.withheld.drop(columns="district_id").to_numpy().any()
    assert released.summary() == "nothing withheld"
    assert any("no customer counts" in n and "electricity" in n for n in released.notes)
    total = released.totals["electricity_kwh"]
    assert total.value == pytest.approx(bundled.districts["electricity_kwh"].sum())
    assert total.districts == 77 and total.withheld == 0 and not total.noised
    assert total.scope == "all 77 districts with data" and total.unit == "kWh/yr"


def test_the_bundled_city_with_customer_counts_withholds_the_districts_below_15_15(bundled):
    """Given electricity customer counts and largest shares, the 15/15 rule decides the
    electricity figures: two areas with too few customers and one with a dominant customer
    are withheld (with more for the complement), gas and census figures are not."""
    d = bundled.districts
    customers = np.full(bundled.n, 5_000.0)
    share = np.full(bundled.n, 0.02)
    customers[[3, 10]] = [9, 14]
    share[20] = 0.4
    city = replace(bundled, districts=d.assign(electricity_customers=customers,
                                                largest_electricity_customer_share=share))
    released = release(city, indicator_table(city))
    ids = d["district_id"].tolist()
    withheld = set(released.withheld_ids("electricity_kwh"))
    assert {ids[3], ids[10], ids[20]} <= withheld
    reasons = released.reasons.set_index("district_id")["electricity_kwh"]
    assert reasons[ids[3]] == "electricity: 9 electricity customers, fewer than 15"
    assert "largest electricity customer uses 40% of it, more than 15%" in reasons[ids[20]]
    assert released.withheld_ids("gas_kwh") == () and released.withheld_ids("population") == ()
    assert set(released.withheld_ids("emissions_t_co2")) == withheld  # rests on electricity
    assert set(released.withheld_ids("energy_per_capita")) == withheld
    shown = released.table.set_index("district_id")
    assert shown.loc[sorted(withheld), "electricity_kwh"].isna().all()
    assert shown.loc[ids[0], "electricity_kwh"] == d["electricity_kwh"].iloc[0]  # exact elsewhere
    assert not any("electricity: the city gives no customer counts" in n for n in released.notes)


def test_the_tract_city_withholds_its_empty_tracts_and_one_more_for_every_figure(tracts):
    """The 5 tracts with no residents are withheld for every figure resting on residents or
    energy (customer counts unknown: the population threshold stands in), with one more tract
    so that their sum is not the city total minus the rest; the 6 tracts without a row have
    no value and are not "withheld"."""
    released = release(tracts, indicator_table(tracts))
    empty = set(tract_shape.zero_population_ids())
    for figure in ("population", "electricity_kwh", "gas_kwh", "emissions_t_co2"):
        withheld = set(released.withheld_ids(figure))
        assert empty <= withheld
        assert not withheld & set(tract_shape.without_row_ids())
    withheld = set(released.withheld_ids("electricity_kwh"))
    assert empty < withheld and len(withheld) == len(empty) + 1
    reasons = released.reasons.set_index("district_id")["electricity_kwh"]
    assert reasons[sorted(empty)[0]] == ("electricity: 0 residents, fewer than 100 (electricity "
                                         "customers unknown)")
    (extra,) = withheld - empty
    assert "complementary suppression" in reasons[extra]
    assert reasons[tract_shape.without_row_ids()[0]] == ""


def test_a_plans_district_table_is_released_like_the_energy_it_rests_on(tracts):
    """A plan's figures (core.plan.results.district_table: units per intervention, spend,
    abatement, bill savings) rest on energy, housing and income: withheld where they are."""
    ids = tracts.districts["district_id"]
    plan = pd.DataFrame({"district_id": ids, "data": "observed", "disadvantaged": 0.0,
                         "heat_pump_units": 3.0, "spend_usd": 1_000.0,
                         "abatement_t_co2_per_yr": 2.0, "bill_savings_usd_per_yr": 50.0})
    released = release(tracts, plan, what="scenario")
    energy = release(tracts, indicator_table(tracts)).withheld_ids("electricity_kwh")
    assert len(energy) == 6
    for key in ("heat_pump_units", "spend_usd", "abatement_t_co2_per_yr", "disadvantaged"):
        assert released.withheld_ids(key) == energy, key
    assert released.figures["heat_pump_units"].unit == "units installed"
    assert released.totals["spend_usd"].unit == "USD"
    assert released.totals["spend_usd"].value == 1_000.0 * (tracts.n - 6)
    assert "disadvantaged" not in released.totals  # a flag has no total


# ------------------------------------------------------------------ no recovery by subtraction


def _group_passes(city: City, rule: ReleaseRule, figure: figs.Figure, ids: list[str]) -> bool:
    d = pd.DataFrame(city.districts.drop(columns="geometry"))
    idx = np.flatnonzero(d["district_id"].astype(str).isin(ids).to_numpy())
    given = city.has("households") and not city.estimated("households")
    return not any(failures(basis_data(d, b, given), idx, rule) for b in figure.bases)


def assert_nothing_recoverable(city: City, rule: ReleaseRule | None = None) -> None:
    """For every figure with a total: the published total adds up the shown values only; the
    city-wide total minus it (all an outsider can subtract) is the sum of two or more withheld
    districts that pass the rule as a group (or of every district, when none can be shown);
    a figure resting on more bases withholds at least what one resting on fewer does."""
    rule = rule or ReleaseRule()
    full = indicator_table(city)
    released = release(city, full, rule)
    for key in (k for k in ADDITIVE if k in released.figures):
        total = released.totals[key]
        assert total.value == pytest.approx(np.nansum(released.table[key]), rel=1e-12)
        hidden = released.withheld[key].to_numpy()
        assert np.nansum(full[key]) - total.value == pytest.approx(
            np.nansum(full[key].to_numpy()[hidden]), rel=1e-9, abs=1e-6)
        ids = list(released.withheld_ids(key))
        if ids and len(ids) < int(full[key].notna().sum()):
            assert len(ids) >= 2
            assert _group_passes(city, rule, released.figures[key], ids), (key, ids)
    for a in released.figures.values():
        for b in released.figures.values():
            if a.bases < b.bases:
                has_b = released.table[b.key].notna() | released.withheld[b.key]
                assert not (released.withheld[a.key] & has_b & ~released.withheld[b.key]).any()


def test_no_withheld_value_is_recovered_from_the_totals_of_the_tract_city(tracts):
    assert_nothing_recoverable(tracts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=st.lists(st.integers(0, 400), min_size=9, max_size=9),
       customers=st.one_of(st.none(), st.lists(st.integers(0, 40), min_size=9, max_size=9)),
       shares=st.one_of(st.none(), st.lists(st.floats(0.01, 1.0), min_size=9, max_size=9)),
       electricity=st.lists(st.floats(1e3, 1e7), min_size=9, max_size=9))
def test_no_withheld_value_is_recovered_from_the_totals_of_any_city(population, customers,
                                                                    shares, electricity):
    city = grid_city(population, electricity, gas=[2e5] * 9,
                     electricity_customers=customers,
                     largest_electricity_customer_share=shares)
    assert_nothing_recoverable(city)


def test_a_dominant_customer_is_diluted_by_the_largest_users_first():
    """A district whose largest customer uses 90 % of its electricity: the complement is the
    districts that use most, until that customer is at most 15 % of the withheld group."""
    use = [1e6, 2e6, 3e6, 4e6, 5e6, 6e6, 7e6, 8e6, 9e6]
    share = [0.9] + [0.05] * 8
    city = grid_city([1000] * 9, use, electricity_customers=[500] * 9,
                     largest_electricity_customer_share=share)
    released = release(city, indicator_table(city))
    ids = released.withheld_ids("electricity_kwh")
    assert ids == ("1", "9")  # 0.9 MWh of 1 + 9 MWh: 9 %
    hidden = np.isin([str(i) for i in range(1, 10)], ids)
    assert 0.9 * use[0] / np.sum(np.array(use)[hidden]) <= 0.15


# ------------------------------------------------------------------ what it refuses


def test_an_unknown_figure_is_refused_with_what_to_do_and_a_figure_can_be_declared(bundled):
    table = indicator_table(bundled)[["district_id", "electricity_kwh"]].assign(tree_cover=1.0)
    with pytest.raises(InputError, match=r"unknown figure\(s\) 'tree_cover'.*give each as a Figure"):
        release(bundled, table)
    released = release(bundled, table, extra=[Figure("tree_cover", frozenset(), False, "share")])
    assert released.figures["tree_cover"].bases == frozenset()
    with pytest.raises(InputError, match="unknown basis trees"):
        Figure("tree_cover", frozenset({"trees"}), False)


def test_a_table_of_another_city_or_with_repeated_or_text_values_is_refused(bundled):
    table = indicator_table(bundled)[["district_id", "population"]]
    with pytest.raises(InputError, match="not in Chicago.*999"):
        release(bundled, pd.concat([table, pd.DataFrame({"district_id": ["999"],
                                                         "population": [1.0]})]))
    with pytest.raises(InputError, match="repeats district ids 1"):
        release(bundled, pd.concat([table, table.iloc[:1]]))
    with pytest.raises(InputError, match="no district_id column"):
        release(bundled, table.drop(columns="district_id"))
    with pytest.raises(InputError, match="'population' holds values that are not numbers"):
        release(bundled, table.assign(population="many"))


@pytest.mark.parametrize("data, message", [
    ({"min_customers": 0}, "min_customers: Input should be greater than or equal to 1"),
    ({"max_customer_share": 1.5}, "max_customer_share: Input should be less than or equal to 1"),
    ({"min_population": -1}, "min_population: Input should be greater than or equal to 0"),
    ({"min_populaton": 100}, "min_populaton: Extra inputs are not permitted"),
    ([1, 2], "expected an object with release-rule fields"),
])
def test_a_bad_rule_says_which_field_and_why(data, message):
    with pytest.raises(InputError, match=message):
        rules.from_dict(data)


def test_the_portal_rule_comes_from_its_file_or_the_sourced_thresholds(tmp_path, monkeypatch):
    from core.settings import get_settings

    assert rules.configured() == ReleaseRule()
    path = tmp_path / "rule.yaml"
    path.write_text("min_customers: 4\nmax_customer_share: 0.8\n")
    monkeypatch.setenv("GREENPRINT_RELEASE_RULE", str(path))
    get_settings.cache_clear()
    assert (rules.configured().min_customers, rules.configured().min_population) == (4, 100)
    monkeypatch.setenv("GREENPRINT_RELEASE_RULE", str(tmp_path / "missing.yaml"))
    get_settings.cache_clear()
    with pytest.raises(InputError, match="release rule file not found.*GREENPRINT_RELEASE_RULE"):
        rules.configured()
