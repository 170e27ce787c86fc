"""The store's API on SQLite and PostgreSQL: cities under their fingerprint, scenarios with
their result summary, ids that survive, unknown and deleted ids, names of every kind,
deleting a city that has scenarios, and what changed since a result was saved."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from core.errors import InputError
from core.intake.city import default_city
from core.intake.mapping import ColumnMapping
from core.plan import lab, optimizer, problem
from core.plan.scenario import Scenario
from core.store import Deleted, NotFound, Refused, Store, StoreUnavailable, versions
from core.store.fingerprint import fingerprint
from core.store.schema import TAG_MAX_CHARS
from tests import test_store_backends as backends

# the store fixtures (tests/test_store_backends.py), run on SQLite and PostgreSQL
data_dir, db_url, pg_server, store = (
    backends.data_dir, backends.db_url, backends.pg_server, backends.store)

QUOTES = """O'Brien's "plan"; DROP TABLE scenarios; -- \\ % _"""
EMOJI = "Zero-carbon 🌳🏙️⚡ (première)"
LONG = "x" * 9_990 + "é" * 10  # 10,000 characters


@pytest.fixture(scope="module")
def chicago():
    return default_city()


@pytest.fixture
def solved(city4):
    """The 4-district city's context and a solved scenario."""
    ctx = problem.context(city4)
    sc = Scenario(name="Justice first", budget_usd_per_capita=80.0, justice40_share=0.4)
    return ctx, sc, optimizer.optimize(ctx, sc, device="cpu")


# ------------------------------------------------------------------ cities


def test_a_city_comes_back_as_it_was_saved(store, chicago):
    city_id = store.save_city(chicago)
    back = store.get_city(city_id)
    assert fingerprint(back) == fingerprint(chicago)  # geometry, values, metadata, degree days
    pd.testing.assert_frame_equal(pd.DataFrame(back.districts), pd.DataFrame(chicago.districts))
    assert back.lineage == chicago.lineage and back.name == chicago.name
    assert back.estimates == chicago.estimates and back.units == chicago.units
    pd.testing.assert_frame_equal(back.degree_days, chicago.degree_days)
    info = store.city_info(city_id)
    assert (info.n_districts, info.scenarios, info.deleted_at) == (77, 0, None)
    assert info.size_bytes == sum(p.stat().st_size for p in store.files.root.glob("??/*.parquet"))


def test_the_same_city_is_stored_once_and_another_one_apart(store, city4):
    first = store.save_city(city4)
    assert store.save_city(replace(city4)) == first  # same content, same id, no new file
    assert len(store.files.keys()) == 1
    renamed = store.save_city(replace(city4, name="Elsewhere"))
    changed = city4.districts.copy()
    changed.loc[0, "population"] += 1
    edited = store.save_city(replace(city4, districts=changed))
    assert len({first, renamed, edited}) == 3
    assert len(store.list_cities()) == 3 and len(store.files.keys()) == 3


def test_a_city_keeps_the_mapping_it_was_read_with(store, city4):
    mapping = ColumnMapping(id_column="code", columns={"pop": "population"})
    city_id = store.save_city(city4, mapping=mapping)
    assert store.city_info(city_id).mapping == mapping


def test_ids_survive_a_restart(db_url, data_dir, city4, solved):
    ctx, sc, result = solved
    with Store.open(db_url, data_dir) as store:
        city_id = store.save_city(city4)
        scenario_id = store.save_scenario(city_id, sc, result, ctx=ctx)
    with Store.open(db_url, data_dir) as reopened:
        assert fingerprint(reopened.get_city(city_id)) == fingerprint(city4)
        assert reopened.get_scenario(scenario_id).totals == result.totals(0)


def test_an_unknown_id_says_so(store):
    with pytest.raises(NotFound) as info:
        store.get_city("0123456789abcdef")
    assert not isinstance(info.value, Deleted)
    assert "no saved city has the id '0123456789abcdef'" in str(info.value)
    with pytest.raises(NotFound, match="no saved scenario has the id"):
        store.get_scenario("nope'; --")


def test_a_deleted_id_says_it_was_deleted_and_can_be_restored(store, city4):
    city_id = store.save_city(city4)
    store.delete_city(city_id)
    with pytest.raises(Deleted) as info:
        store.get_city(city_id)
    assert "was deleted on" in str(info.value) and info.value.kind == "city"
    assert store.list_cities() == [] and len(store.list_cities(include_deleted=True)) == 1
    store.restore_city(city_id)
    assert fingerprint(store.get_city(city_id)) == fingerprint(city4)


def test_saving_a_deleted_city_again_brings_it_back(store, city4):
    city_id = store.save_city(city4)
    store.delete_city(city_id)
    assert store.save_city(city4) == city_id
    assert store.city_info(city_id).deleted_at is None


# ------------------------------------------------------------------ scenarios


def test_a_saved_scenario_opens_without_re_solving(store, city4, solved):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    scenario_id = store.save_scenario(city_id, sc, result, ctx=ctx, tags=["council", "2030"],
                                      notes="for the May meeting")
    saved = store.get_scenario(scenario_id)
    assert saved.name == "Justice first" and saved.city_id == city_id
    assert saved.tags == ("2030", "council") and saved.notes == "for the May meeting"
    assert saved.scenario.budget_usd_per_capita == 80.0 and saved.scenario_hash == result.scenarios[0].id
    assert saved.totals["abatement_t_co2_per_yr"] == result.totals(0)["abatement_t_co2_per_yr"]
    assert [k.label for k in saved.kpis] == [k.label for k in lab.kpis(ctx, result)]
    assert saved.versions == versions.current() and saved.changes() == []
    allocation = store.get_allocation(scenario_id)
    assert list(allocation.district_ids) == list(ctx.district_ids)
    np.testing.assert_array_equal(allocation.spend_usd, result.spend_usd[0])
    np.testing.assert_array_equal(allocation.units, result.units[0])
    np.testing.assert_array_equal(allocation.disadvantaged, ctx.dac)
    assert allocation.district_table()["spend_usd"].sum() == pytest.approx(
        result.totals(0)["cost_usd"])


def test_a_scenario_without_a_result_is_solved_when_saved(store, city4):
    city_id = store.save_city(city4)
    scenario_id = store.save_scenario(city_id, Scenario(budget_usd_per_capita=30.0), device="cpu")
    saved = store.get_scenario(scenario_id)
    assert saved.totals["status"] and saved.totals["budget_usd"] == pytest.approx(30.0 * 10_000)


def test_undefined_figures_survive_the_database(store, city4, solved):
    """A KPI that the data cannot give is NaN; PostgreSQL's JSON cannot hold NaN."""
    ctx, sc, result = solved
    no_income = city4.districts.drop(columns=["median_household_income"])
    city = replace(city4, districts=no_income)
    ctx2 = problem.context(city)
    res2 = optimizer.optimize(ctx2, sc, device="cpu")
    city_id = store.save_city(city)
    saved = store.get_scenario(store.save_scenario(city_id, sc, res2, ctx=ctx2))
    burden = {k.label: k for k in saved.kpis}["Energy burden"]
    assert np.isnan(burden.value) and np.isnan(burden.delta)


def test_a_result_of_another_city_is_refused(store, city4, chicago, solved):
    ctx, sc, result = solved
    chicago_id = store.save_city(chicago)
    with pytest.raises(Refused, match="other districts"):
        store.save_scenario(chicago_id, sc, result, ctx=ctx)
    with pytest.raises(Refused, match="holds no scenario"):
        store.save_scenario(store.save_city(city4), sc.replace(budget_usd_per_capita=1.0), result,
                            ctx=ctx)


@pytest.mark.parametrize("name", [QUOTES, EMOJI, LONG], ids=["quotes", "emoji", "10000 chars"])
def test_names_with_quotes_emoji_and_10000_characters(store, city4, solved, name):
    ctx, sc, result = solved
    city_id = store.save_city(replace(city4, name=name))
    scenario_id = store.save_scenario(city_id, sc, result, ctx=ctx, name=name, notes=name,
                                      tags=[name[:TAG_MAX_CHARS]])
    saved = store.get_scenario(scenario_id)
    assert saved.name == name == saved.scenario.name and saved.notes == name
    assert saved.tags == (name[:TAG_MAX_CHARS],)
    assert store.city_info(city_id).name == name == store.get_city(city_id).name
    assert [s.id for s in store.list_scenarios(search=name[:30])] == [scenario_id]
    assert [s.id for s in store.list_scenarios(tag=name[:TAG_MAX_CHARS])] == [scenario_id]
    renamed = store.update_scenario(scenario_id, name=name + "!")
    assert renamed.name == name + "!"


def test_search_treats_wildcards_as_text(store, city4, solved):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    a = store.save_scenario(city_id, sc, result, ctx=ctx, name="50% more_budget")
    store.save_scenario(city_id, sc, result, ctx=ctx, name="500 more budget")
    assert [s.id for s in store.list_scenarios(search="0% more_")] == [a]
    assert len(store.list_scenarios(search="MORE")) == 2  # case-insensitive


@pytest.mark.parametrize("bad, message", [
    ({"name": "   "}, "name is empty"),
    ({"name": "a\x00b"}, "NUL character"),
    ({"tags": ["x" * (TAG_MAX_CHARS + 1)]}, f"at most {TAG_MAX_CHARS}"),
    ({"tags": [""]}, "a tag is empty"),
    ({"notes": "a\x00"}, "NUL character"),
])
def test_bad_names_notes_and_tags_say_what_to_fix(store, city4, solved, bad, message):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    with pytest.raises(InputError, match=message):
        store.save_scenario(city_id, sc, result, ctx=ctx, **bad)
    assert store.list_scenarios() == []


def test_list_filter_rename_duplicate_delete_restore(store, city4, solved):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    other_city = store.save_city(replace(city4, name="Other"))
    a = store.save_scenario(city_id, sc, result, ctx=ctx, name="A", tags=["keep"])
    b = store.save_scenario(city_id, sc, result, ctx=ctx, name="B", notes="budget study")
    c = store.save_scenario(other_city, sc, result, ctx=ctx, name="C", tags=["keep"])
    assert [s.id for s in store.list_scenarios()] == [c, b, a]  # newest first
    assert [s.id for s in store.list_scenarios(city_id=city_id)] == [b, a]
    assert [s.id for s in store.list_scenarios(tag="keep")] == [c, a]
    assert [s.id for s in store.list_scenarios(search="budget")] == [b]
    updated = store.update_scenario(a, name="A2", tags=["new", "keep"], notes="n")
    assert (updated.name, updated.tags, updated.notes) == ("A2", ("keep", "new"), "n")
    assert updated.updated_at >= updated.created_at
    copy = store.duplicate_scenario(a)
    dup = store.get_scenario(copy)
    assert (dup.name, dup.tags, dup.totals) == ("A2 (copy)", ("keep", "new"), updated.totals)
    np.testing.assert_array_equal(store.get_allocation(copy).units, store.get_allocation(a).units)
    store.delete_scenario(a)
    with pytest.raises(Deleted, match="'A2'"):
        store.get_scenario(a)
    assert store.get_scenario(copy).name == "A2 (copy)"  # the copy shares the file, and stays
    assert a not in [s.id for s in store.list_scenarios()]
    assert a in [s.id for s in store.list_scenarios(include_deleted=True)]
    store.restore_scenario(a)
    assert store.get_scenario(a).name == "A2"


def test_a_city_with_saved_scenarios_is_not_deleted_unless_asked(store, city4, solved):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    ids = [store.save_scenario(city_id, sc, result, ctx=ctx, name=n) for n in "ABCD"]
    with pytest.raises(Refused) as info:
        store.delete_city(city_id)
    message = str(info.value)
    assert "has 4 saved scenario(s)" in message and "'A', 'B', 'C' and 1 more" in message
    assert store.city_info(city_id).scenarios == 4  # nothing was deleted
    store.delete_city(city_id, with_scenarios=True)
    assert store.list_scenarios() == []
    with pytest.raises(Deleted):
        store.get_scenario(ids[0])
    with pytest.raises(Deleted, match="was deleted"):
        store.save_scenario(city_id, sc, result, ctx=ctx)
    with pytest.raises(Refused, match="restore the city first"):
        store.restore_scenario(ids[0])
    store.restore_city(city_id)
    assert store.list_scenarios() == []  # its scenarios stay deleted until restored
    store.restore_scenario(ids[0])
    assert [s.id for s in store.list_scenarios()] == [ids[0]]


def test_purging_removes_rows_and_files_for_good(store, city4, solved):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    kept = store.save_city(replace(city4, name="Kept"))
    store.save_scenario(city_id, sc, result, ctx=ctx)
    store.delete_city(city_id, with_scenarios=True)
    assert store.purge_deleted(older_than_days=1) == (0, 0)  # deleted just now: kept
    assert store.purge_deleted(older_than_days=0) == (1, 1)
    with pytest.raises(NotFound) as info:
        store.get_city(city_id)
    assert not isinstance(info.value, Deleted)
    assert [c.id for c in store.list_cities(include_deleted=True)] == [kept]
    assert len(store.files.keys()) == 1 and store.check() == []


# ------------------------------------------------------------------ what changed since


def test_a_saved_scenario_says_when_re_solving_may_differ(store, city4, solved, monkeypatch):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    scenario_id = store.save_scenario(city_id, sc, result, ctx=ctx)
    same = store.resolve_scenario(scenario_id, device="cpu")
    assert same.differences == [] and same.changes == []
    now = versions.current()
    later = {**now, "tables": {**now["tables"], "interventions": "0" * 12},
             "code": {**now["code"], "the solvers": "1" * 12},
             "libraries": {**now["libraries"], "torch": "99.0"}}
    monkeypatch.setattr(versions, "current", lambda predictions=False: later)
    changes = store.get_scenario(scenario_id).changes()
    assert any("data/interventions.csv" in c for c in changes)
    assert any("the solvers" in c for c in changes)
    assert any(c.startswith("torch ") and "99.0" in c for c in changes)


def test_resolving_names_the_figures_that_differ(store, city4, solved):
    ctx, sc, result = solved
    city_id = store.save_city(city4)
    result.spend_usd[0] *= 1.5  # as if the saved figures came from another model
    result.abatement_t[0] *= 1.5
    scenario_id = store.save_scenario(city_id, sc, result, ctx=ctx)
    differences = store.resolve_scenario(scenario_id, device="cpu").differences
    assert any(d.startswith("abatement_t_co2_per_yr:") for d in differences)
    assert any(d.startswith("spend_usd per district") for d in differences)


# ------------------------------------------------------------------ files


def test_a_missing_or_damaged_file_is_a_clear_error(store, city4):
    city_id = store.save_city(city4)
    (key,) = store.files.keys()
    path = store.files.path(key)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(StoreUnavailable, match="damaged"):
        store.get_city(city_id)
    assert any("damaged" in p for p in store.check())
    path.unlink()
    with pytest.raises(StoreUnavailable, match="missing"):
        store.get_city(city_id)


def test_two_databases_sharing_a_data_directory_keep_their_files_apart(db_url, data_dir,
                                                                       tmp_path, city4):
    other_url = db_url or f"sqlite:///{tmp_path / 'other.sqlite3'}"
    with Store.open(None, data_dir) as first:
        city_id = first.save_city(city4)
    with Store.open(other_url, data_dir) as second:  # opening collects its own unused files
        assert second.files.root != first.files.root and second.list_cities() == []
        second.save_city(replace(city4, name="Other"))
    with Store.open(None, data_dir) as first:
        assert fingerprint(first.get_city(city_id)) == fingerprint(city4)
        assert first.check() == [] and len(first.files.keys()) == 1


def test_files_no_row_names_are_removed(store, city4):
    store.save_city(city4)
    orphan = store.files.put(b"left by a crash")
    (store.files.tmp / "x.part").write_bytes(b"half")
    assert store.collect_garbage() == 2
    assert not store.files.exists(orphan) and len(store.files.keys()) == 1
    assert store.check() == []
