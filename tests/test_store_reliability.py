"""The store under crashes and concurrency, on SQLite and PostgreSQL, with real processes.

* A writer killed (SIGKILL) in the middle of a save: after its file is on disk and before
  its row is committed, in the middle of writing the file, and at several moments of a
  loop of saves. The store then opens, is consistent (every row's files present and
  unchanged, no orphan row or tag, no file left over), and every save reported before
  the kill is there.
* Two processes saving at the same moment (the same city, and scenarios of it) both
  succeed: one city row, every scenario.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.intake.city import write_city
from core.plan.scenario import Scenario
from core.store import Store
from tests import test_store_backends as backends

# the store fixtures (tests/test_store_backends.py), run on SQLite and PostgreSQL
data_dir, db_url, pg_server = (
    backends.data_dir, backends.db_url, backends.pg_server)

ROOT = Path(__file__).resolve().parent.parent
STARTUP_S = 120  # a child imports torch and geopandas: seconds, more on a busy machine

CHILD = r'''
import json, os, signal, sys, time
from dataclasses import replace
from pathlib import Path

url, data_dir, mode, city_file = sys.argv[1] or None, sys.argv[2], sys.argv[3], sys.argv[4]
from core.intake.city import load_city
from core.plan.scenario import Scenario
from core.store import Store, files

def say(**kw):
    print(json.dumps(kw), flush=True)

def die():
    os.kill(os.getpid(), signal.SIGKILL)

city = load_city(city_file)
store = Store.open(url, data_dir)

if mode == "kill-before-commit":  # the file is complete on disk, the row not committed
    put = files.Files.put
    def put_then_die(self, data):
        put(self, data)
        die()
    files.Files.put = put_then_die
    store.save_city(replace(city, name="never committed"))
elif mode == "kill-mid-file":  # half the file written, not renamed into place
    def write_half_then_die(part, final):
        Path(part).write_bytes(Path(part).read_bytes()[:100])
        die()
    files.os.replace = write_half_then_die
    store.save_city(replace(city, name="never committed"))
elif mode == "loop":  # saves of every kind until killed
    city_id = store.save_city(city)
    base = store.save_scenario(city_id, Scenario(name="base"), tags=["a", "b"], device="cpu")
    say(ready=True, city=city_id, scenario=base)
    for i in range(100_000):
        say(city=store.save_city(replace(city, name=f"variant {i}")))
        copy = store.duplicate_scenario(base, name=f"copy {i}")
        say(scenario=copy)
        store.update_scenario(copy, tags=["a", "b", f"t{i}"], notes=f"notes {i}")
        say(updated=copy, tags=["a", "b", f"t{i}"])
elif mode == "concurrent":  # wait for the go file, then save the same city and scenarios
    go = Path(sys.argv[5])
    say(ready=True)
    while not go.exists():
        time.sleep(0.005)
    city_id = store.save_city(city)
    say(city=city_id)
    for k in range(int(sys.argv[6])):
        say(scenario=store.save_scenario(city_id, Scenario(name=f"{os.getpid()}-{k}",
                                                           budget_usd_per_capita=10.0 + k),
                                         device="cpu"))
    say(done=True)
'''


def child(db_url, data_dir, mode: str, city_file: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.Popen([sys.executable, "-c", CHILD, db_url or "", str(data_dir), mode,
                             str(city_file), *extra], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_line(proc: subprocess.Popen) -> dict:
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=STARTUP_S)
        raise AssertionError(f"the child stopped (exit {proc.returncode}): {proc.stderr.read()[-3000:]}")
    return json.loads(line)


@pytest.fixture
def city_file(city4, tmp_path) -> Path:
    return write_city(city4, tmp_path / "city.parquet")


def assert_consistent(db_url, data_dir) -> Store:
    """Open the store and check it; return it open."""
    store = Store.open(db_url, data_dir)
    assert store.check() == []
    assert list(store.files.tmp.iterdir()) == []  # no half-written file left
    assert store.collect_garbage() == 0  # opening removed the complete files no row names
    return store


def saved_before(db_url, data_dir, city4) -> tuple[str, str]:
    """A city and a scenario saved before any crash, to find again after it."""
    with Store.open(db_url, data_dir) as store:
        city_id = store.save_city(city4)
        return city_id, store.save_scenario(city_id, Scenario(name="before"), device="cpu")


@pytest.mark.parametrize("mode", ["kill-before-commit", "kill-mid-file"])
def test_a_writer_killed_mid_save_leaves_no_half_row_and_loses_nothing(
        db_url, data_dir, city_file, city4, mode):
    city_id, scenario_id = saved_before(db_url, data_dir, city4)
    with Store.open(db_url, data_dir) as store:
        files_before = store.files.keys()
    proc = child(db_url, data_dir, mode, city_file)
    proc.wait(timeout=STARTUP_S)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()[-3000:]
    with assert_consistent(db_url, data_dir) as store:
        assert [c.id for c in store.list_cities()] == [city_id]  # no half-saved city
        assert store.get_scenario(scenario_id).name == "before"
        assert store.get_city(city_id).n == city4.n
        assert store.files.keys() == files_before  # the killed save's file is gone


@pytest.mark.slow
def test_a_writer_killed_at_any_moment_of_a_loop_of_saves(db_url, data_dir, city_file, city4):
    city_id, scenario_id = saved_before(db_url, data_dir, city4)
    for delay_s in (0.1, 0.6):
        proc = child(db_url, data_dir, "loop", city_file)
        ready = read_line(proc)
        time.sleep(delay_s)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=STARTUP_S)
        reported = [json.loads(line) for line in out.splitlines() if line.strip()]
        with assert_consistent(db_url, data_dir) as store:
            assert store.get_scenario(scenario_id).name == "before"
            assert store.get_city(city_id).n == city4.n
            cities = {c.id for c in store.list_cities()}
            scenarios = {s.id: s for s in store.list_scenarios()}
            assert ready["city"] in cities and ready["scenario"] in scenarios
            for event in reported:
                if "city" in event:
                    assert event["city"] in cities
                if "scenario" in event:
                    assert event["scenario"] in scenarios
                    assert {"a", "b"} <= set(scenarios[event["scenario"]].tags)  # never half
                if "updated" in event:
                    assert set(scenarios[event["updated"]].tags) == set(event["tags"])
            for s in scenarios.values():  # every copy came with its tags, in one transaction
                assert {"a", "b"} <= set(s.tags) or s.name == "before", s


@pytest.mark.slow
def test_two_processes_saving_at_the_same_time_both_succeed(db_url, data_dir, city_file, city4,
                                                          tmp_path):
    go = tmp_path / "go"
    n = 4
    procs = [child(db_url, data_dir, "concurrent", city_file, str(go), str(n)) for _ in range(2)]
    for proc in procs:
        assert read_line(proc) == {"ready": True}
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=STARTUP_S)
        assert proc.returncode == 0, err[-3000:]
        results.append([json.loads(line) for line in out.splitlines() if line.strip()])
    city_ids = {e["city"] for r in results for e in r if "city" in e}
    scenario_ids = [e["scenario"] for r in results for e in r if "scenario" in e]
    assert len(city_ids) == 1 and len(scenario_ids) == 2 * n == len(set(scenario_ids))
    with assert_consistent(db_url, data_dir) as store:
        assert [c.id for c in store.list_cities()] == list(city_ids)
        assert {s.id for s in store.list_scenarios()} == set(scenario_ids)
