"""``python -m core cities ...`` and ``python -m core scenarios ...`` on SQLite and PostgreSQL:
a planner's day from the shell, ``--json`` output, and exit codes with messages (1 refused,
2 unknown or deleted id or unusable store), never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from core import paths
from core.cli import app
from core.plan.scenario import SCENARIO_DIR
from tests import test_store_backends as backends
from tools.devserver import free_port

# the store fixtures (tests/test_store_backends.py), run on SQLite and PostgreSQL
data_dir, db_url, pg_server, store_env = (
    backends.data_dir, backends.db_url, backends.pg_server, backends.store_env)

runner = CliRunner()
CITY = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES),
        "--degree-days", str(paths.DEFAULT_DEGREE_DAYS)]
NAME = 'Chicago "test" 🌆'


def cli_json(*args: str, code: int = 0):
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == code, r.output
    return json.loads(r.stdout)


def test_a_planner_saves_a_city_and_three_scenarios_and_finds_them(store_env, tmp_path):
    city = cli_json("cities", "save", *CITY, "--name", NAME)
    assert city["name"] == NAME and city["n_districts"] == 77 and city["scenarios"] == 0
    again = cli_json("cities", "save", *CITY, "--name", NAME)
    assert again["id"] == city["id"]  # the same upload is stored once
    ids = []
    for stem, tag in (("justice40", "equity"), ("business_as_usual", "baseline"), ("justice40", "equity")):
        saved = cli_json("scenarios", "save", "--city", city["id"], "--scenario",
                         str(SCENARIO_DIR / f"{stem}.json"), "--name", f"{stem} {len(ids)}",
                         "--tag", tag, "--tag", "council", "--notes", "for the council",
                         "--device", "cpu")
        assert saved["city_id"] == city["id"] and saved["totals"]["status"]
        assert saved["kpis"][0]["unit"] and saved["changes_since_saved"] == []
        ids.append(saved["id"])
    listed = cli_json("scenarios", "list", "--city", city["id"])
    assert [s["id"] for s in listed] == ids[::-1]
    assert {s["id"] for s in cli_json("scenarios", "list", "--tag", "equity")} == {ids[0], ids[2]}
    assert [s["id"] for s in cli_json("scenarios", "list", "--search", "business")] == [ids[1]]
    shown = cli_json("scenarios", "show", ids[0])
    assert shown["parameters"]["justice40_share"] == 0.4 and shown["tags"] == ["council", "equity"]
    assert cli_json("cities", "list")[0]["scenarios"] == 3
    text = runner.invoke(app, ["scenarios", "show", ids[0]])
    assert text.exit_code == 0 and "re-solving now: same code" in text.output
    assert "kt CO2/yr" in text.output
    text = runner.invoke(app, ["cities", "show", city["id"]])
    assert text.exit_code == 0 and NAME in text.output and "saved:" not in text.output


def test_deleting_a_city_with_scenarios_is_refused_then_done_when_asked(store_env):
    city = cli_json("cities", "save", *CITY)
    scenario = cli_json("scenarios", "save", "--city", city["id"], "--scenario",
                        str(SCENARIO_DIR / "business_as_usual.json"), "--device", "cpu")
    refused = cli_json("cities", "delete", city["id"], code=1)
    assert "has 1 saved scenario(s)" in refused["message"] and "--with-scenarios" in refused["message"]
    deleted = cli_json("cities", "delete", city["id"], "--with-scenarios")
    assert deleted["deleted_at"]
    gone = cli_json("scenarios", "show", scenario["id"], code=2)
    assert "was deleted on" in gone["message"]
    assert cli_json("cities", "list") == [] and len(cli_json("cities", "list", "--deleted")) == 1
    cli_json("cities", "restore", city["id"])
    cli_json("scenarios", "restore", scenario["id"])
    assert cli_json("scenarios", "show", scenario["id"])["name"] == "Business as usual"
    assert cli_json("scenarios", "delete", scenario["id"])["deleted_at"]


@pytest.mark.parametrize("args", [
    ["cities", "show", "0000000000000000"],
    ["cities", "delete", "nope"],
    ["scenarios", "show", "nope"],
    ["scenarios", "delete", "nope"],
    ["scenarios", "publish", "nope"],
    ["scenarios", "unpublish", "nope"],
    ["scenarios", "save", "--city", "nope", "--scenario", str(SCENARIO_DIR / "business_as_usual.json")],
])
def test_an_unknown_id_exits_2_with_a_message(store_env, args):
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "no saved" in r.output and "has the id" in r.output
    assert "Traceback" not in r.output


def test_a_bad_scenario_file_exits_2_naming_the_field(store_env, tmp_path):
    city = cli_json("cities", "save", *CITY)
    bad = tmp_path / "bad.json"
    bad.write_text('{"justice40_share": 2}')
    out = cli_json("scenarios", "save", "--city", city["id"], "--scenario", str(bad), code=2)
    assert "justice40_share" in out["message"]
    assert cli_json("scenarios", "list") == []


def test_an_unreachable_database_exits_2_without_a_traceback(tmp_path):
    port = free_port()
    env = {"GREENPRINT_DATA_DIR": str(tmp_path / "store"), "GREENPRINT_STORE_BUSY_TIMEOUT_S": "2",
           "GREENPRINT_DATABASE_URL": f"postgresql://u:secret@127.0.0.1:{port}/x",
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "core", "cities", "list"], cwd=paths.ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "cannot open the store" in out.stderr and "Traceback" not in out.stderr
    assert "secret" not in out.stderr + out.stdout


def test_empty_listings_say_how_to_start(store_env):
    r = runner.invoke(app, ["cities", "list"])
    assert r.exit_code == 0 and "no saved city" in r.output and "cities save" in r.output
    r = runner.invoke(app, ["scenarios", "list"])
    assert r.exit_code == 0 and "no saved scenario" in r.output
