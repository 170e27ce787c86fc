"""core/ must stay importable without streamlit: the CLI and tests depend on it. And the
runtime (core/ outside core/sample, dashboard/, pages/, the CLI, the bundled city) never
imports the sample generator, which builds illustrative data offline (data/build,
benchmarks, tests). Import checks run in a fresh interpreter: this test process has
imported core.sample through other tests."""

import ast
import subprocess
import sys
from pathlib import Path

from core import paths

ROOT = paths.ROOT
CORE = ROOT / "core"
SAMPLE = "core.sample"


def is_sample(name: str) -> bool:
    return name == SAMPLE or name.startswith(SAMPLE + ".")


def imported_names(path: Path) -> list[str]:
    """Every module an ``import`` or ``from ... import`` in the file names (``from a import b``
    names both ``a`` and ``a.b``: b may be a module)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def module_names(package: Path) -> list[str]:
    """Dotted names of every module in a package folder under ROOT (``__main__`` left out)."""
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
             for p in sorted(package.rglob("*.py"))]
    return [n for n in names if not n.endswith("__main__")]


def test_no_module_in_core_imports_streamlit():
    offenders = [f"{path.relative_to(ROOT)}: {n}" for path in CORE.rglob("*.py")
                 for n in imported_names(path) if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_importing_all_of_core_does_not_load_streamlit():
    modules = module_names(CORE)
    assert "core.plan.solvers.highs" in modules and "core.sample.attributes" in modules
    code = ("import sys, importlib\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_runtime_module_imports_the_sample_generator():
    runtime = [p for folder in ("core", "dashboard", "pages") for p in (ROOT / folder).rglob("*.py")
               if CORE / "sample" not in p.parents]
    assert len(runtime) > 40 and ROOT / "pages" / "data.py" in runtime
    offenders = [f"{p.relative_to(ROOT)}: {n}" for p in runtime for n in imported_names(p)
                 if is_sample(n)]
    assert offenders == []


def run_python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_importing_core_and_the_dashboard_and_loading_the_default_city_skip_core_sample():
    # every module but the sample package, and dashboard/app.py, whose import runs the app
    modules = [m for m in module_names(CORE) + module_names(ROOT / "dashboard")
               if not is_sample(m) and m != "dashboard.app"]
    assert "core.cli" in modules and "dashboard.data.upload" in modules
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "from core.intake.city import default_city\n"
            "assert default_city().degree_days is not None\n"
            f"print(sorted(m for m in sys.modules if m == {SAMPLE!r} "
            f"or m.startswith({SAMPLE + '.'!r})))")
    out = run_python("-c", code)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_the_cli_on_the_bundled_city_skips_core_sample():
    city = [str(paths.DEFAULT_BOUNDARIES), "--attributes", str(paths.DEFAULT_ATTRIBUTES)]
    for args in (["-m", "core", "--help"], ["-m", "core", "summary", *city]):
        out = run_python("-X", "importtime", *args)
        assert out.returncode == 0, out.stderr[-2000:]
        # importtime writes one line per import: "import time: self | cumulative | name"
        names = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()
                 if line.startswith("import time:")]
        assert "core.cli" in names, args
        assert [n for n in names if is_sample(n)] == [], args
