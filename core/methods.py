"""The method notes shown on the Methods & sources page: the docstrings of the modules
that make the numbers, so the page and the code can never tell different stories."""

from __future__ import annotations

import ast
import inspect

from core import paths

#: (title, module) in the order a reader meets the numbers
SECTIONS: tuple[tuple[str, str], ...] = (
    ("Data quality and its score", "core.intake.quality"),
    ("Estimated columns", "core.intake.estimates"),
    ("Reference values: currency, factors, prices, thresholds, costs",
     "core.intake.reference_values"),
    ("Carbon", "core.assess.carbon"),
    ("Energy cost, burden and disadvantaged districts", "core.assess.equity"),
    ("Inequality and spatial statistics", "core.assess.inequality"),
    ("Goodness-of-fit metrics", "core.models.metrics"),
    ("Verdict: good, fair or poor", "core.models.yardstick"),
    ("Energy model", "core.models.energy"),
    ("Energy model: the network and its batched training", "core.models.network"),
    ("Degree-day model", "core.models.degree_days"),
    ("Optimizer", "core.plan.optimizer"),
    ("Exact solver (batched torch)", "core.plan.solvers.torch_exact"),
    ("Exact reference (HiGHS)", "core.plan.solvers.highs"),
    ("Small areas: what the public portal releases", "core.release.rule"),
    ("Illustrative data generator", "core.sample.attributes"),
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
