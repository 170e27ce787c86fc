"""axe-core, the accessibility checker the browser tests inject into each page.

The npm package is installed into a git-ignored folder by the same command .ci/run runs:

    npm install --prefix .cache/axe axe-core@4.14.1

:func:`script` finds ``axe.min.js`` there; :func:`run` injects it into a Playwright page and
returns axe's violations of the WCAG 2.0, 2.1 and 2.2 A and AA rules.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from tools.devserver import ROOT

VERSION = "4.14.1"  # pinned: a new axe release may add rules, so an upgrade is a deliberate step
FOLDER = ROOT / ".cache" / "axe"
SCRIPT = FOLDER / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = ["npm", "install", "--prefix", str(FOLDER), f"axe-core@{VERSION}", "--no-audit",
           "--no-fund"]
#: The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA (axe's rule tags).
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
#: The impacts a test fails on (axe's impacts: minor, moderate, serious, critical).
BLOCKING = ("serious", "critical")


def installed_version() -> str | None:
    """The version of axe-core in :data:`FOLDER`, or None when it is not installed."""
    package = SCRIPT.parent / "package.json"
    if not SCRIPT.exists() or not package.exists():
        return None
    return json.loads(package.read_text())["version"]


def script(install: bool = False) -> str:
    """The text of axe.min.js at the pinned version; with ``install``, run npm first when it
    is missing or another version. Raises FileNotFoundError saying the command to run."""
    if install and installed_version() != VERSION:
        subprocess.run(INSTALL, check=True, capture_output=True, text=True)
    if installed_version() != VERSION:
        raise FileNotFoundError(f"axe-core {VERSION} is not in {FOLDER}: run `npm install "
                                f"--prefix .cache/axe axe-core@{VERSION}` in the repository "
                                "root")
    return SCRIPT.read_text()


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page: its id, impact, help text and the offending nodes'
    CSS selectors."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:8]) + (" ..." if len(self.targets) > 8 else "")
        return f"{self.rule} ({self.impact}, {len(self.targets)} nodes): {self.help} -> {shown}"


def _selector(target) -> str:
    """axe's target: a selector, or a list of them through shadow roots / iframes."""
    return " >> ".join(_selector(t) for t in target) if isinstance(target, list) else str(target)


def run(page, source: str) -> list[Violation]:
    """Inject axe (``source``: :func:`script`) into ``page``, check the whole document against
    :data:`WCAG_AA_TAGS` and return every violation, most severe first (nothing excluded)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            const r = await axe.run(document, options);
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           targets: v.nodes.map(n => n.target)}));
        }""",
        list(WCAG_AA_TAGS))
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    found = [Violation(v["id"], v["impact"] or "minor", v["help"],
                       tuple(_selector(t) for t in v["targets"])) for v in result]
    return sorted(found, key=lambda v: (order.get(v.impact, 4), v.rule))


def blocking(violations: list[Violation]) -> list[Violation]:
    """The violations a test fails on: serious or critical."""
    return [v for v in violations if v.impact in BLOCKING]
