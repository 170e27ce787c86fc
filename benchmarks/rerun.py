"""Server time of one rerun: a budget move on the Scenario lab, an indicator change on the Overview.

    python benchmarks/rerun.py [--moves 12]

Drives the app headless with Streamlit's AppTest on the default city (77 districts) and
times the script run itself on the server side (``ScriptRunner._run_script``, what every
session's rerun costs the server process), median over ``--moves`` changes:

- Scenario lab: the sidebar budget slider moved to a new value each time (a new scenario,
  so the solve and everything after it run; nothing is served from a cache of results);
- Overview: the indicator select box set to the next indicator each time.

References measured in the same run: a bare script with one slider moved the same way
(what Streamlit itself costs per rerun under AppTest) and one warm solve at 77 districts
(``core.plan.optimizer.optimize``). Ratios are printed against both.

Before the rerun work of issue 13 (pydeck's indented spec, geometry re-encoded per move,
download payloads built per move, three plotly charts validated through update_layout,
mapclassify's pure-Python Fisher-Jenks, reference tables re-read per call), the same
measurement on the shared 2-core machine (this script run on a copy of the tree before it)
gave medians of 118-138 ms per lab move and 82-84 ms per overview change.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from dashboard import nav
from tools.apptest import open_app

TIMEOUT = 120
BARE_SCRIPT = 'import streamlit as st\nst.title("bare")\nst.sidebar.slider("x", 0, 1000, 100, 10, key="budget")\n'

_script_seconds: list[float] = []


def _timed(run_script):
    def wrapper(self, rerun_data):
        t0 = time.perf_counter()
        try:
            return run_script(self, rerun_data)
        finally:
            _script_seconds.append(time.perf_counter() - t0)
    return wrapper


script_runner.ScriptRunner._run_script = _timed(script_runner.ScriptRunner._run_script)


def _median_ms(at: AppTest, change, values) -> float:
    change(at, values[0])  # warm: caches, imports, first draw
    change(at, values[1])
    _script_seconds.clear()
    for v in values[2:]:
        change(at, v)
        assert not at.exception, [e.message for e in at.exception]
    return statistics.median(_script_seconds) * 1000


def _move_budget(at: AppTest, value: int) -> None:
    at.sidebar.slider(key="budget").set_value(value).run()


def lab_ms(moves: int) -> float:
    at = open_app(nav.SCENARIO_LAB, timeout_s=TIMEOUT)
    return _median_ms(at, _move_budget, [110 + 10 * i for i in range(moves + 2)])


def overview_ms(moves: int) -> float:
    at = open_app(timeout_s=TIMEOUT)
    options = list(at.selectbox(key="overview_indicator").options)
    values = [options[(i + 1) % len(options)] for i in range(moves + 2)]
    return _median_ms(at, lambda a, v: a.selectbox(key="overview_indicator").set_value(v).run(),
                      values)


def bare_ms(moves: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bare.py"
        path.write_text(BARE_SCRIPT)
        at = AppTest.from_file(str(path), default_timeout=TIMEOUT).run()
        return _median_ms(at, _move_budget, [110 + 10 * i for i in range(moves + 2)])


def solve_ms(moves: int) -> float:
    from core.intake.city import default_city
    from core.plan import optimizer, problem
    from core.plan.scenario import Scenario

    ctx = problem.context(default_city())
    optimizer.optimize(ctx, Scenario(budget_usd_per_capita=100))
    times = []
    for i in range(moves):
        t0 = time.perf_counter()
        optimizer.optimize(ctx, Scenario(budget_usd_per_capita=110 + 10 * i))
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=12, help="timed changes per page")
    args = parser.parse_args(argv)
    bare = bare_ms(args.moves)
    solve = solve_ms(args.moves)
    lab = lab_ms(args.moves)
    overview = overview_ms(args.moves)
    print(f"median server script time per rerun, 77 districts, {args.moves} changes each")
    print(f"{'':34s}{'ms':>8s}{'x bare':>9s}{'x solve':>9s}")
    for name, ms in [("Scenario lab: budget slider move", lab),
                     ("Overview: indicator change", overview),
                     ("reference: bare script, 1 slider", bare),
                     ("reference: one warm solve", solve)]:
        print(f"{name:34s}{ms:8.1f}{ms / bare:9.2f}{ms / solve:9.1f}")
    print("before the rerun work (recorded, same script): lab 118-138 ms, overview 82-84 ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
