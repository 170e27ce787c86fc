"""Differential-privacy noise on published totals (core.release with OpenDP) and the privacy
ledger in the store (core.store.ledger), on SQLite and PostgreSQL: the noise has the
configured scale, every release is recorded and spends from the city's budget, a release
past the budget is refused and publishes nothing, the same release is served again at no
cost, and a bad privacy setting says what to fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from core.assess.indicators import indicator_table
from core.errors import InputError
from core.intake.city import default_city
from core.release import Privacy, ReleaseRule, noise, release
from core.release import rule as rules
from core.store import BudgetExceeded, PrivacyLedger, Store, database
from tests import test_store_backends as backends
from tests import tract_shape
from tests.test_store_migrations import revisions

# the store fixtures (tests/test_store_backends.py), run on SQLite and PostgreSQL
data_dir, db_url, pg_server, store = (
    backends.data_dir, backends.db_url, backends.pg_server, backends.store)

DRAWS = 20_000


def private(epsilon=0.5, budget=1.0, **bounds) -> ReleaseRule:
    return ReleaseRule(privacy=Privacy(epsilon=epsilon, budget=budget,
                                       bounds=bounds or {"electricity_kwh": 50_000.0}))


@pytest.fixture(scope="module")
def city():
    return default_city()


@pytest.fixture(scope="module")
def table(city):
    return indicator_table(city)


@pytest.fixture(scope="module")
def tracts():
    return tract_shape.city()


# ------------------------------------------------------------------ the noise


@pytest.mark.parametrize("bound, epsilon", [(50_000.0, 0.25), (1.0, 1.0)])
def test_the_noise_has_the_scale_bound_over_epsilon_and_opendp_certifies_the_loss(bound, epsilon):
    """20,000 draws of OpenDP's Laplace: |noise| has mean = scale (its standard error is
    scale / sqrt(20,000) = 0.7 % of it: the 5 % margin is 7 standard errors) and 63.2 % of
    draws fall within one scale (1 - 1/e; the 2-point margin is 6 standard errors)."""
    m, scale = noise.measurement(bound, epsilon)
    assert scale == pytest.approx(bound / epsilon, rel=1e-6)
    assert m.map(bound) <= epsilon * (1 + 1e-9)
    draws = np.array([m(0.0) for _ in range(DRAWS)])
    assert np.mean(np.abs(draws)) == pytest.approx(scale, rel=0.05)
    assert np.mean(np.abs(draws) <= scale) == pytest.approx(1 - np.exp(-1), abs=0.02)
    assert abs(np.mean(draws)) < 7 * np.sqrt(2) * scale / np.sqrt(DRAWS)  # centred on the total


def test_a_noised_total_is_the_city_total_plus_noise_of_that_scale(store, tracts):
    """On the tract city (6 tracts withheld), the noised totals cover every tract with data,
    withheld ones included, with the scale bound / (epsilon / figures)."""
    table = indicator_table(tracts)
    rule = private(0.5, 1.0, electricity_kwh=50_000.0, population=1.0)
    released = release(tracts, table, rule, what="indicators", ledger=PrivacyLedger(store))
    e, p = released.totals["electricity_kwh"], released.totals["population"]
    assert e.noised and e.scale == pytest.approx(50_000 / 0.25, rel=1e-6)
    assert e.epsilon == pytest.approx(0.25) and p.scale == pytest.approx(4.0, rel=1e-6)
    assert e.districts == tract_shape.N_WITH_DATA and e.withheld == 6
    full = float(table["electricity_kwh"].sum())
    assert abs(e.value - full) < 40 * e.scale  # P(|Laplace| > 40 scales) = e^-40
    assert e.value != full and "withheld ones included, with Laplace noise" in e.scope
    gas = released.totals["gas_kwh"]  # no bound given: exact, over the released tracts only
    assert not gas.noised and gas.districts == tract_shape.N_WITH_DATA - 6
    assert released.ledger_entry.figures == ("electricity_kwh", "population")


# ------------------------------------------------------------------ the ledger


def test_the_ledger_lists_every_release_and_refuses_one_past_the_budget(store, city, table):
    ledger = PrivacyLedger(store)
    key = ledger.city_id(city)
    first = release(city, table, private(0.4), what="indicators", ledger=ledger)
    second = release(city, table, private(0.4), what="indicators, briefing", ledger=ledger)
    assert ledger.spent(key) == pytest.approx(0.8)
    entries = ledger.entries(key)
    assert [e.what for e in entries] == ["indicators", "indicators, briefing"]
    assert [e.id for e in entries] == [first.ledger_entry.id, second.ledger_entry.id]
    assert entries[0].totals["electricity_kwh"]["value"] == first.totals["electricity_kwh"].value
    shown = ledger.table(key)
    assert shown["spent"].tolist() == pytest.approx([0.4, 0.8])
    assert shown["left"].tolist() == pytest.approx([0.6, 0.2])
    with pytest.raises(BudgetExceeded) as info:
        release(city, table, private(0.4), what="downloads", ledger=ledger)
    message = str(info.value)
    assert "ε = 0.4" in message and "spent 0.8 of its budget of 1" in message
    assert "0.2 left" in message and "Nothing was published" in message
    assert len(ledger.entries(key)) == 2 and ledger.spent(key) == pytest.approx(0.8)
    last = release(city, table, private(0.2), what="downloads", ledger=ledger)  # fills it exactly
    assert ledger.spent(key) == pytest.approx(1.0) and last.ledger_entry is not None


def test_the_same_release_again_is_served_from_the_ledger_at_no_cost(store, city, table):
    """The noise is drawn once: asking again for the same release (a second visitor, a page
    rerun) gives the same totals and spends nothing; other data is a new release."""
    ledger = PrivacyLedger(store)
    once = release(city, table, private(0.5), what="indicators", ledger=ledger)
    again = release(city, table, private(0.5), what="indicators", ledger=ledger)
    assert again.totals["electricity_kwh"].value == once.totals["electricity_kwh"].value
    assert again.ledger_entry.id == once.ledger_entry.id
    assert ledger.spent(ledger.city_id(city)) == pytest.approx(0.5)
    changed = table.assign(electricity_kwh=table["electricity_kwh"] * 1.01)
    release(city, changed, private(0.5), what="indicators", ledger=ledger)
    assert ledger.spent(ledger.city_id(city)) == pytest.approx(1.0)


def test_each_city_has_its_own_budget_and_a_deleted_city_does_not_get_it_back(store, city,
                                                                              table, tracts):
    ledger = PrivacyLedger(store)
    release(city, table, private(1.0), what="indicators", ledger=ledger)
    release(tracts, indicator_table(tracts), private(1.0), what="indicators", ledger=ledger)
    assert ledger.spent(ledger.city_id(tracts)) == pytest.approx(1.0)
    city_id = store.save_city(city)
    assert city_id == ledger.city_id(city)  # kept under the store's id of the city
    store.delete_city(city_id)
    store.purge_deleted(0)
    with pytest.raises(BudgetExceeded):
        release(city, table, private(0.5), what="again", ledger=ledger)


def test_a_store_at_the_previous_revision_gets_an_empty_ledger(db_url, data_dir, city, table):
    """A store made before the ledger (revision 0001) with a city in it: opening migrates
    it, the city is still there, and releases are recorded."""
    with Store.open(db_url, data_dir) as opened:
        city_id = opened.save_city(city)
        with opened._writer.begin() as conn:
            database.downgrade(conn, "0001")
        assert "release_ledger" not in sa.inspect(opened._reader).get_table_names()
    with Store.open(db_url, data_dir) as opened:
        assert revisions()[-1] == database.head() and "0002" in revisions()
        assert [c.id for c in opened.list_cities()] == [city_id]
        ledger = PrivacyLedger(opened)
        assert ledger.entries(city_id) == [] and ledger.spent(city_id) == 0.0
        release(city, table, private(0.5), what="indicators", ledger=ledger)
        assert [e.what for e in ledger.entries(city_id)] == ["indicators"]


# ------------------------------------------------------------------ bad settings


@pytest.mark.parametrize("data, message", [
    ({"epsilon": -0.5, "budget": 1, "bounds": {"electricity_kwh": 1}},
     "privacy.epsilon: Input should be greater than 0"),
    ({"epsilon": 0, "budget": 1, "bounds": {"electricity_kwh": 1}},
     "privacy.epsilon: Input should be greater than 0"),
    ({"epsilon": 2, "budget": 1, "bounds": {"electricity_kwh": 1}},
     "epsilon 2 is more than the whole budget 1"),
    ({"epsilon": 0.5, "budget": 1, "bounds": {"electricity_kwh": -5}},
     "each bound must be a positive number.*electricity_kwh"),
    ({"epsilon": 0.5, "budget": 1, "bounds": {}}, "privacy.bounds: Dictionary should have at least 1"),
    ({"epsilon": 0.5, "budget": "lots", "bounds": {"electricity_kwh": 1}},
     "privacy.budget: Input should be a valid number"),
])
def test_a_bad_privacy_setting_says_which_field_and_why(data, message):
    with pytest.raises(InputError, match=message):
        rules.from_dict({"privacy": data})


@pytest.mark.parametrize("bounds, message", [
    ({"electricty_kwh": 1.0}, "privacy.bounds names 'electricty_kwh', which is not a figure "
                              "with a total; figures with totals: population, electricity_kwh"),
    ({"energy_burden": 1.0}, "names 'energy_burden', which is not a figure with a total"),
])
def test_an_unknown_or_totalless_figure_in_the_bounds_is_refused(store, city, table, bounds,
                                                                 message):
    with pytest.raises(InputError, match=message):
        release(city, table, private(0.5, 1.0, **bounds), ledger=PrivacyLedger(store))
    assert PrivacyLedger(store).entries(PrivacyLedger.city_id(city)) == []


def test_noise_without_the_ledger_is_refused_and_bounds_for_another_table_spend_nothing(store,
                                                                                      city, table):
    with pytest.raises(InputError, match="must be spent from the city's budget in the privacy "
                                         "ledger: open the store"):
        release(city, table, private(0.5))
    plan_like = pd.DataFrame({"district_id": table["district_id"], "spend_usd": 1.0})
    released = release(city, plan_like, private(0.5), ledger=PrivacyLedger(store))
    assert released.ledger_entry is None and not released.totals["spend_usd"].noised
    assert PrivacyLedger(store).spent(PrivacyLedger.city_id(city)) == 0.0


def test_a_rule_file_with_privacy_is_read_and_applied(tmp_path, store, city, table):
    path = tmp_path / "rule.json"
    path.write_text('{"privacy": {"epsilon": 0.25, "budget": 2, '
                    '"bounds": {"electricity_kwh": 10000, "gas_kwh": 20000}}}')
    rule = rules.load(path)
    assert rule.min_customers == 15 and rule.privacy.bounds["gas_kwh"] == 20_000
    released = release(city, table, rule, what="indicators", ledger=PrivacyLedger(store))
    assert released.totals["gas_kwh"].scale == pytest.approx(20_000 / 0.125, rel=1e-6)
    assert "ε = 0.25 per release of a budget of 2" in released.notes[0]
    path.write_text('{"privacy": {"epsilon": -1}}')
    with pytest.raises(InputError, match="release rule file rule.json is not valid: "
                                         "privacy.epsilon: Input should be greater than 0"):
        rules.load(path)
