"""The method notes shown on the Methods & sources page: the docstrings of the modules
that make the numbers, so the page and the code can never tell different stories."""

from __future__ import annotations

import ast
import inspect

from core import paths

#: (title, module) in the order a reader meets the numbers
SECTIONS: tuple[tuple[str, str], ...] = (
    ("Data quality and its score", "core.quality"),
    ("Carbon", "core.carbon"),
    ("Energy cost, burden and disadvantaged districts", "core.equity"),
    ("Inequality and spatial statistics", "core.inequality"),
    ("Goodness-of-fit metrics", "core.metrics"),
    ("Energy model", "core.energy_model"),
    ("Degree-day model", "core.degree_days"),
    ("Optimizer", "core.optimizer"),
    ("Exact reference (HiGHS)", "core.reference_lp"),
    ("Illustrative data generator", "core.synthetic"),
)


def notes() -> list[tuple[str, str]]:
    """(title, text) for each section, the text being the module's docstring.

    Read from the source files, not imported: the Methods page must not load torch.
    """
    out = []
    for title, name in SECTIONS:
        source = (paths.ROOT / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        out.append((title, inspect.cleandoc(ast.get_docstring(ast.parse(source)) or "")))
    return out
