"""The app's first run (the overview map of the default city) imports none of the libraries
that only other pages compute with.

A cold start pays for every import of the first run (issue 13: torch alone took more
than half of it, imported by the store's records through the solver). Each check runs
code in a fresh interpreter and lists the heavy packages it imported; no wall-clock time
is asserted (benchmarks/startup.py prints the time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: packages the overview does not need: the solver and the energy model (torch),
#: statistics, charts and the briefing's PDF. (The first run opens the store, to say in the
#: sidebar whether saving is on, and so checks its migrations with alembic: after the page
#: is drawn, test_the_map_is_drawn_before_the_store_opens.)
HEAVY = ("torch", "scipy", "sklearn", "matplotlib", "weasyprint", "mapclassify")

FIRST_RUN = """
from tools.apptest import maps, open_app
at = open_app()
assert maps(at), "the overview shows no map"
"""


def imported_heavy(code: str, data_dir: Path, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """The packages of ``heavy`` that ``code`` imported, run in a fresh interpreter."""
    probe = (code + "\nimport json, sys\nprint('HEAVY=' + json.dumps("
             f"[m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, timeout=300,
                         env={**os.environ, "GREENPRINT_DATA_DIR": str(data_dir)})
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in reversed(out.stderr.splitlines()) if x.startswith("HEAVY="))
    return json.loads(line.removeprefix("HEAVY="))


def test_the_first_run_imports_none_of_the_heavy_packages(tmp_path):
    assert imported_heavy(FIRST_RUN, tmp_path) == []


def test_the_store_imports_neither_the_solver_nor_the_database_libraries(tmp_path):
    heavy = (*HEAVY, "alembic", "sqlalchemy")
    assert imported_heavy("import core.store\nfrom core.store import StoredScenario, StoreError",
                          tmp_path, heavy) == []
    assert imported_heavy("from core.store import Store", tmp_path, heavy) == ["sqlalchemy"]


ORDER = """
from dashboard import components
from core.store.store import Store
from tools.apptest import open_app
events = []
draw, open_ = components.district_map, Store.open.__func__
components.district_map = lambda *a, **k: events.append("map") or draw(*a, **k)
Store.open = classmethod(lambda cls, *a, **k: events.append("store") or open_(cls, *a, **k))
at = open_app()
assert not at.exception, at.exception
assert events == ["map", "store"], events
"""


def test_the_map_is_drawn_before_the_store_opens(tmp_path):
    """Opening the store (SQLAlchemy, alembic's check) waits until the page is drawn: the
    sidebar's note on saving comes last."""
    imported_heavy(ORDER, tmp_path)


def test_the_probe_sees_a_heavy_import(tmp_path):
    """The check can fail: the solver imports torch."""
    assert imported_heavy("import core.plan.optimizer", tmp_path) == ["torch"]


def test_the_portal_figures_import_none_of_the_briefing_libraries(tmp_path):
    """The Scenario lab computes the portal's plan figures (core.report.withheld); the
    briefing's matplotlib, Jinja2 and WeasyPrint load only when a briefing is made."""
    heavy = ("matplotlib", "jinja2", "weasyprint", "core.report.compose")
    assert imported_heavy("from core.report import withheld", tmp_path, heavy) == []
    assert "core.report.compose" in imported_heavy("from core.report import briefing", tmp_path,
                                                   heavy)
