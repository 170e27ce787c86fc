"""What a result was computed with, recorded with each saved scenario, and what changed since.

A saved result is the one a re-solve gives now when the same city and scenario go
through the same code, reference tables and numerical libraries. :func:`current` records
those, each as a digest of its files (or a version); :func:`changes` names the ones that
differ, so a saved scenario can say that re-solving now may give other figures (and
:meth:`core.store.Store.resolve_scenario` says whether it does).

What counts is only what determines a solve's figures (:data:`SOLVE_CODE`):

* the plan's formulation, from a scenario to the allocation problem and from its solution
  to the saved totals and KPIs (``core/plan``: scenario, problem, interventions,
  optimizer, results, status, lab);
* the solvers' numerical code (``core/plan/solvers``);
* the figures the problem is made of: emission factors, prices, the energy burden and the
  disadvantaged rule, the city's reference values, which districts have data, estimated
  inputs (``core/assess/carbon.py``, ``core/assess/equity.py``, ``core/intake``'s
  ``reference_values``, ``columns``, ``estimates``, ``units``, ``core/reference_tables.py``);
* the energy model (``core/models``), only for a result that used districts' predicted
  energy (:data:`PREDICTION_CODE`);
* the reference tables the solve reads (:data:`SOLVE_TABLES`, ``data/<name>.csv``), and the
  numerical libraries (:data:`LIBRARIES`).

Not counted: the pages, the CLI, the briefing, the Compare page's helpers, maps, other
indicators, the store itself, messages and their translations, the footprint of the
computing (``core/footprint.py``: measured, not part of the plan), and reading a city's
files (a stored city is read back with the values it was saved with).
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from functools import lru_cache
from importlib import metadata

from core import paths

#: the code that determines a solve's figures, by part (a change names the part); paths
#: relative to the repository, globs allowed
SOLVE_CODE = {
    "the plan's formulation": ("core/plan/scenario.py", "core/plan/problem.py",
                               "core/plan/interventions.py", "core/plan/optimizer.py",
                               "core/plan/results.py", "core/plan/status.py",
                               "core/plan/lab.py"),
    "the solvers": ("core/plan/solvers/*.py",),
    "the carbon and equity figures": ("core/assess/carbon.py", "core/assess/equity.py",
                                      "core/intake/reference_values.py",
                                      "core/intake/columns.py", "core/intake/estimates.py",
                                      "core/intake/units.py", "core/reference_tables.py"),
}
#: the code that predicts the energy of districts without an observation (counted for a
#: result whose plan used such predictions)
PREDICTION_CODE = {"the energy model (predicted energy)": ("core/models/*.py",)}
#: the reference tables a solve reads: the interventions, the optimizer's parameters, the
#: scenario limits, factors, prices and thresholds, and the figures of estimated inputs
SOLVE_TABLES = ("emission_factors", "energy_prices", "equity_thresholds",
                "estimate_parameters", "interventions", "optimizer_parameters",
                "scenario_limits")
#: the reference tables the energy model reads (counted with PREDICTION_CODE)
PREDICTION_TABLES = ("model_criteria",)
#: the libraries whose version can change the numbers
LIBRARIES = ("torch", "numpy", "highspy")
DIGEST_CHARS = 12


def files_of(patterns) -> list:
    """The files of ``patterns`` (paths or globs relative to the repository), sorted."""
    return sorted({p for pattern in patterns for p in paths.ROOT.glob(pattern) if p.is_file()})


def _digest(files) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(paths.ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:DIGEST_CHARS]


def _code_digests(parts: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {part: _digest(files_of(patterns)) for part, patterns in parts.items()}


def _table_digests(names) -> dict[str, str]:
    return {name: _digest([paths.reference_table(name)]) for name in names}


def _git_commit() -> str | None:
    """The checkout's commit, when Greenprint runs from a git checkout (for the record only)."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True,
                             text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


@lru_cache(maxsize=2)
def current(predictions: bool = False) -> dict:
    """This installation's versions of what determines a solve (computed once per process);
    with ``predictions``, for a result that used predicted energy, the energy model too."""
    code, tables = dict(SOLVE_CODE), list(SOLVE_TABLES)
    if predictions:
        code.update(PREDICTION_CODE)
        tables += PREDICTION_TABLES
    return {"greenprint": metadata.version("greenprint"), "git": _git_commit(),
            "python": platform.python_version(), "code": _code_digests(code),
            "tables": _table_digests(sorted(tables)),
            "libraries": {name: metadata.version(name) for name in LIBRARIES}}


def changes(saved: dict, now: dict | None = None) -> list[str]:
    """What differs between the versions a result was saved with and ``now`` (default:
    :func:`current`, with the energy model when the saved record has it), in words; empty
    when nothing that can change the result did."""
    now = now or current(any(part in saved.get("code", {}) for part in PREDICTION_CODE))
    out = []
    code = sorted(k for k in set(saved.get("code", {})) | set(now["code"])
                  if saved.get("code", {}).get(k) != now["code"].get(k))
    if saved.get("code") and not set(saved["code"]) & set(now["code"]):
        out.append("it was saved by an earlier Greenprint, which recorded its code by folder")
    elif code:
        out.append(f"the code changed: {', '.join(code)}")
    tables = sorted(k for k in set(saved.get("tables", {})) | set(now["tables"])
                    if saved.get("tables", {}).get(k) != now["tables"].get(k))
    if tables:
        out.append("reference tables changed: " + ", ".join(f"data/{t}.csv" for t in tables))
    for name in LIBRARIES:
        was, is_ = saved.get("libraries", {}).get(name), now["libraries"].get(name)
        if was != is_:
            out.append(f"{name} {was or 'unknown'} is now {is_}")
    return out
