"""What a result was computed with, recorded with each saved scenario, and what changed since.

A saved result is the one a re-solve gives now when the same city and scenario go
through the same code, reference tables and numerical libraries. :func:`current` records
those (each as a digest of its files, or a version); :func:`changes` names the ones that
differ, so a saved scenario can say that re-solving now may give other figures (and
:meth:`core.store.Store.resolve_scenario` says whether it does).
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from functools import lru_cache
from importlib import metadata

from core import paths

#: the code that turns a stored city and a scenario into a result: reading the city back
#: (core/intake), the optimizer and its figures (core/plan, core/assess) and the modules
#: they share (core/*.py); digested by part, so a change names the part
RESULT_CODE = ("core/intake", "core/plan", "core/assess", "core/*.py")
#: the libraries whose version can change the numbers
LIBRARIES = ("torch", "numpy", "highspy")
DIGEST_CHARS = 12


def _digest(files) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(paths.ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:DIGEST_CHARS]


def _code_digests() -> dict[str, str]:
    out = {}
    for part in RESULT_CODE:
        path = paths.ROOT / part
        out[part] = _digest(path.rglob("*.py") if path.is_dir() else paths.ROOT.glob(part))
    return out


def _table_digests() -> dict[str, str]:
    return {p.stem: _digest([p]) for p in sorted(paths.DATA_DIR.glob("*.csv"))}


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


@lru_cache(maxsize=1)
def current() -> dict:
    """This installation's versions (computed once per process)."""
    return {"greenprint": metadata.version("greenprint"), "git": _git_commit(),
            "python": platform.python_version(), "code": _code_digests(),
            "tables": _table_digests(),
            "libraries": {name: metadata.version(name) for name in LIBRARIES}}


def changes(saved: dict, now: dict | None = None) -> list[str]:
    """What differs between the versions a result was saved with and ``now`` (default:
    :func:`current`), in words; empty when nothing that can change the result did."""
    now = now or current()
    out = []
    code = sorted(k for k in set(saved.get("code", {})) | set(now["code"])
                  if saved.get("code", {}).get(k) != now["code"].get(k))
    if code:
        out.append(f"the optimizer's code changed ({', '.join(code)})")
    tables = sorted(k for k in set(saved.get("tables", {})) | set(now["tables"])
                    if saved.get("tables", {}).get(k) != now["tables"].get(k))
    if tables:
        out.append("reference tables changed: " + ", ".join(f"data/{t}.csv" for t in tables))
    for name in LIBRARIES:
        was, is_ = saved.get("libraries", {}).get(name), now["libraries"].get(name)
        if was != is_:
            out.append(f"{name} {was or 'unknown'} is now {is_}")
    return out
