"""``python -m core --help`` starts without the libraries the commands compute with.

Every command module is imported to build the help, so a heavy import at the top of any
of them (torch, scipy, pandas, the store's SQLAlchemy, the briefing's WeasyPrint) makes
every command start slowly (issue 13: 3.7 s and 395 MiB). Each check runs the CLI in a
fresh interpreter and lists the heavy packages it imported; no wall-clock time is
asserted (benchmarks/cli.py prints the time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: packages a command imports only when it runs
HEAVY = ("torch", "scipy", "sklearn", "numpy", "pandas", "geopandas", "shapely", "pyarrow",
         "pandera", "sqlalchemy", "alembic", "matplotlib", "weasyprint", "jinja2")

#: runs ``python -m core ARGS`` in this interpreter, then prints which of HEAVY it imported
PROBE = """
import json, runpy, sys
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["python -m core", *args]
code = 0
try:
    runpy.run_module("core", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
print("HEAVY=" + json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)
sys.exit(code)
"""


def imported_heavy(*args: str, heavy: tuple[str, ...] = HEAVY) -> tuple[int, list[str], str]:
    """(exit code, the packages of ``heavy`` imported, stdout) of ``python -m core ARGS``."""
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(heavy)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    line = next(x for x in reversed(out.stderr.splitlines()) if x.startswith("HEAVY="))
    return out.returncode, json.loads(line.removeprefix("HEAVY=")), out.stdout


@pytest.mark.parametrize("args", [("--help",), ("optimize", "--help"), ("report", "--help"),
                                  ("cities", "--help"), ("scenarios", "save", "--help")])
def test_help_imports_none_of_the_heavy_packages(args):
    code, heavy, stdout = imported_heavy(*args)
    assert code == 0 and "Usage" in stdout
    assert heavy == [], f"python -m core {' '.join(args)} imported {heavy}"


def test_the_probe_sees_a_command_that_does_import_them(tmp_path):
    """A command that runs loads torch: the probe would see a heavy import at the top."""
    code, heavy, _ = imported_heavy("sweep", str(tmp_path / "missing.geojson"), "--scenario",
                                    str(tmp_path / "missing.json"), "--vary",
                                    "budget_usd_per_capita=0:10:2", heavy=("numpy", "torch"))
    assert code == 2  # the scenario file is missing: a clean input error after the imports
    assert heavy == ["numpy", "torch"]
