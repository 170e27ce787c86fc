"""The method notes shown on the Methods & sources page: the docstrings of the modules
that make the numbers, so the page and the code can never tell different stories."""

from __future__ import annotations

import ast
import inspect

from core import paths
from core.i18n import N_

#: (title, module) in the order a reader meets the numbers (titles translated where shown)
SECTIONS: tuple[tuple[str, str], ...] = (
    (N_("Data quality and its score"), "core.intake.quality"),
    (N_("Estimated columns"), "core.intake.estimates"),
    (N_("Reference values: currency, factors, prices, thresholds, costs"),
     "core.intake.reference_values"),
    (N_("Carbon"), "core.assess.carbon"),
    (N_("Energy cost, burden and disadvantaged districts"), "core.assess.equity"),
    (N_("Inequality and spatial statistics"), "core.assess.inequality"),
    (N_("Goodness-of-fit metrics"), "core.models.metrics"),
    (N_("Verdict: good, fair or poor"), "core.models.yardstick"),
    (N_("Energy model"), "core.models.energy"),
    (N_("Energy model: the network and its batched training"), "core.models.network"),
    (N_("Degree-day model"), "core.models.degree_days"),
    (N_("Optimizer"), "core.plan.optimizer"),
    (N_("Exact solver (batched torch)"), "core.plan.solvers.torch_exact"),
    (N_("Exact reference (HiGHS)"), "core.plan.solvers.highs"),
    (N_("Small areas: what the public portal releases"), "core.release.rule"),
    (N_("Illustrative data generator"), "core.sample.attributes"),
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
