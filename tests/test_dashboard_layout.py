"""dashboard/ keeps only UI, grouped by page, with the session's state in one module."""

import ast
from pathlib import Path

from core import paths
from dashboard import nav

UI = [p for folder in ("dashboard", "pages") for p in sorted((paths.ROOT / folder).rglob("*.py"))]
STATE = paths.ROOT / "dashboard" / "state.py"


def attribute_uses(path: Path, attribute: str) -> list[int]:
    """Lines of the file that use ``<something>.<attribute>`` (e.g. st.session_state)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted({node.lineno for node in ast.walk(tree)
                   if isinstance(node, ast.Attribute) and node.attr == attribute})


def test_only_the_state_module_touches_the_session_state():
    offenders = {str(p.relative_to(paths.ROOT)): lines for p in UI
                 if p != STATE and (lines := attribute_uses(p, "session_state"))}
    assert offenders == {}
    assert attribute_uses(STATE, "session_state")  # the check sees what it looks for


#: dashboard packages that every page uses, not one page's own: the district map component
SHARED_PACKAGES = {"map"}


def test_each_page_specific_package_belongs_to_a_page():
    """dashboard/<package>/ is named after the page it serves (pages/<package>.py exists),
    or is one of the few components shared by every page."""
    packages = [p.name for p in (paths.ROOT / "dashboard").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()]
    assert packages  # scenario_lab, energy_model, data, equity, district
    page_files = {Path(page).stem for page in nav.ALL}
    assert set(packages) - SHARED_PACKAGES <= page_files, set(packages) - page_files
    assert SHARED_PACKAGES <= set(packages)  # no stale entry


def test_no_dashboard_module_is_a_dev_tool():
    """The dev server for browser tests and benchmarks lives in tools/, not in the app."""
    assert not (paths.ROOT / "dashboard" / "devserver.py").exists()
    assert (paths.ROOT / "tools" / "devserver.py").exists()
