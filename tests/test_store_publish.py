"""Publishing saved scenarios on the public portal (issue 12), on SQLite and PostgreSQL: the
flag and its time, the published listing, deletes refused while published, the migration
from revision 0002 with data, what a briefing of a published scenario needs, and the CLI."""

from __future__ import annotations

import functools
import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.models import cross_validation, network
from core.plan import optimizer, problem
from core.plan.scenario import SCENARIO_DIR, Scenario
from core.report import briefing
from core.store import Deleted, NotFound, Refused, Store, database
from tests import test_store_backends as backends

# the store fixtures (tests/test_store_backends.py), run on SQLite and PostgreSQL
data_dir, db_url, pg_server, store, store_env = (
    backends.data_dir, backends.db_url, backends.pg_server, backends.store, backends.store_env)

runner = CliRunner()


@pytest.fixture
def saved(store, city4):
    """Two saved scenarios of the 4-district city: (city id, [first id, second id])."""
    ctx = problem.context(city4)
    city_id = store.save_city(city4)
    ids = []
    for name, share in (("Option A", 0.4), ("Option B", 0.6)):
        sc = Scenario(name=name, budget_usd_per_capita=80.0, justice40_share=share)
        ids.append(store.save_scenario(city_id, sc, optimizer.optimize(ctx, sc, device="cpu"),
                                       ctx=ctx, tags=["council"]))
    return city_id, ids


def test_a_scenario_is_published_and_unpublished_with_its_time(store, saved):
    _city_id, (a, b) = saved
    assert not store.get_scenario(a).published and store.get_scenario(a).published_at is None
    assert store.list_scenarios(published_only=True) == []
    first = store.publish_scenario(a)
    assert first.published and first.published_at is not None
    again = store.publish_scenario(a)  # publishing again keeps the first stamp
    assert again.published_at == first.published_at
    assert [s.id for s in store.list_scenarios(published_only=True)] == [a]
    assert {s.id for s in store.list_scenarios()} == {a, b}  # the default lists all
    assert [s.id for s in store.list_scenarios(published_only=True, tag="council")] == [a]
    off = store.publish_scenario(a, published=False)
    assert not off.published and off.published_at is None
    assert store.list_scenarios(published_only=True) == []


def test_a_published_scenario_and_its_city_cannot_be_deleted(store, saved):
    city_id, (a, b) = saved
    store.publish_scenario(a)
    with pytest.raises(Refused, match="published on the portal; unpublish it first"):
        store.delete_scenario(a)
    with pytest.raises(Refused, match="published on the portal"):
        store.delete_city(city_id, with_scenarios=True)
    assert store.get_scenario(a).published and store.city_info(city_id).scenarios == 2
    store.delete_scenario(b)  # an unpublished one still goes
    dup = store.duplicate_scenario(a)
    assert not store.get_scenario(dup).published  # a copy is not published
    store.publish_scenario(a, published=False)
    store.delete_city(city_id, with_scenarios=True)
    with pytest.raises(Deleted):
        store.publish_scenario(a)
    with pytest.raises(NotFound):
        store.publish_scenario("000000000000")


def test_a_store_at_revision_0002_with_scenarios_is_migrated_unpublished(db_url, data_dir, city4):
    ctx = problem.context(city4)
    sc = Scenario(name="Before publishing", budget_usd_per_capita=80.0)
    with Store.open(db_url, data_dir) as opened:
        city_id = opened.save_city(city4)
        scenario_id = opened.save_scenario(city_id, sc, optimizer.optimize(ctx, sc, device="cpu"),
                                           ctx=ctx, tags=["kept"])
        with opened._writer.begin() as conn:
            database.downgrade(conn, "0002")
        columns = {c["name"] for c in sa.inspect(opened._reader).get_columns("scenarios")}
        assert "published" not in columns and "published_at" not in columns
    with Store.open(db_url, data_dir) as opened:  # migrates to the head
        with opened._reader.connect() as conn:
            assert database.revision(conn) == database.head() == "0003"
        back = opened.get_scenario(scenario_id)
        assert (back.published, back.published_at, back.tags) == (False, None, ("kept",))
        assert back.totals["status"] == "optimal" and opened.check() == []
        assert opened.publish_scenario(scenario_id).published


def test_a_published_scenario_s_briefing_can_be_made_from_the_store(store, saved, monkeypatch):
    _city_id, (a, _b) = saved
    monkeypatch.setattr(network, "TrainConfig", functools.partial(network.TrainConfig,
                                                                  max_epochs=40, members=2))
    monkeypatch.setattr(cross_validation, "TrainConfig", network.TrainConfig)
    with pytest.raises(NotFound, match="is not published"):
        store.briefing_inputs(a, published_only=True, device="cpu")
    store.publish_scenario(a)
    i = store.briefing_inputs(a, published_only=True, device="cpu")
    assert i.result.scenarios[0].name == "Option A" and i.scenario_id == a
    assert i.result.totals(0)["abatement_t_co2_per_yr"] == pytest.approx(
        store.get_scenario(a).totals["abatement_t_co2_per_yr"], rel=1e-6)
    brief = briefing(i.city, i.ctx, i.result, i.quality, i.card, city_id=i.city_id,
                     scenario_ids=[i.scenario_id])
    assert f"scenario={a}" in brief.html().decode() and brief.title == "Option A"


def _cli(*args: str, code: int = 0) -> dict:
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == code, r.output
    return json.loads(r.stdout)


def test_the_cli_publishes_and_unpublishes(store_env):
    city = _cli("cities", "save", str(paths.DEFAULT_BOUNDARIES), "--attributes",
                str(paths.DEFAULT_ATTRIBUTES))
    scenario = _cli("scenarios", "save", "--city", city["id"], "--scenario",
                    str(SCENARIO_DIR / "justice40.json"), "--device", "cpu")
    assert scenario["published"] is False and scenario["published_at"] is None
    published = _cli("scenarios", "publish", scenario["id"])
    assert published["published"] is True and published["published_at"]
    assert [s["id"] for s in _cli("scenarios", "list", "--published")] == [scenario["id"]]
    text = runner.invoke(app, ["scenarios", "show", scenario["id"]])
    assert text.exit_code == 0 and "published on the portal since" in text.output
    refused = _cli("scenarios", "delete", scenario["id"], code=1)
    assert "unpublish it first" in refused["message"]
    text = runner.invoke(app, ["scenarios", "unpublish", scenario["id"]])
    assert text.exit_code == 0 and "is not published" in text.output
    assert _cli("scenarios", "list", "--published") == []
    _cli("scenarios", "delete", scenario["id"])
    gone = _cli("scenarios", "publish", scenario["id"], code=2)
    assert "was deleted on" in gone["message"]
    text = runner.invoke(app, ["scenarios", "publish", "nope"])
    assert text.exit_code == 2 and "no saved scenario has the id 'nope'" in text.output
    assert "Traceback" not in text.output
