"""core/ has no import cycle: the imports between its modules form an acyclic graph.

Every module under core/ is parsed with ast (nothing is imported). An edge goes from a
module to each core module it imports:

* ``import core.a.b`` and ``from core.a import b``, where ``b`` is a module: to ``core.a.b``;
* ``from core.a import name``, where ``name`` is not a module: to ``core.a`` (for a
  package, its ``__init__.py``), so ``from core import cli`` counts as importing
  ``core/cli/__init__.py``;
* relative imports resolve against the importing module's package.

Imports inside functions count (a deferred import is still a dependency); those under
``if TYPE_CHECKING:`` do not (they never run). The package ``__init__`` that Python runs
before a submodule is no edge: a package may import its own submodules (``core.cli``
registers its commands) as long as none of them imports the package back.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file of every module in ``package`` (packages by their __init__)."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:``."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ``modules`` that module ``name`` (at ``path``) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {m for m in found if m in modules and m != name}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    modules = module_names(root, package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (``[a, b, ..., a]``), or None when the graph is acyclic."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_core_has_no_import_cycle():
    graph = import_graph(ROOT, "core")
    assert len(graph) > 40 and graph["core.cli"] >= {"core.cli.validate", "core.cli.common"}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_check_finds_a_cycle_through_a_package_init(tmp_path):
    """The shape core/cli had: the package imports a command module that imports the package."""
    pkg = tmp_path / "pkg"
    (pkg / "cli").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "helpers.py").write_text("from typing import TYPE_CHECKING\n"
                                    "if TYPE_CHECKING:\n    from pkg.cli import run\n")
    (pkg / "cli" / "__init__.py").write_text("from . import run\napp = object()\n")
    (pkg / "cli" / "run.py").write_text("def f():\n    from pkg import cli\n    return cli.app\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.helpers"] == set()  # TYPE_CHECKING only
    assert find_cycle(graph) == ["pkg.cli", "pkg.cli.run", "pkg.cli"]
    (pkg / "cli" / "run.py").write_text("from pkg import helpers\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) is None
