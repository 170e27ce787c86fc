"""Policy briefings: a plan, its assumptions, data, model and methods, as HTML and PDF.

* ``compose``: :func:`core.report.compose.briefing` gathers core's figures into a
  :class:`core.report.compose.Briefing` (``.html()``, ``.pdf()`` bytes);
* ``figures``: the maps and charts, static SVG drawn offline with matplotlib;
* ``render``: the Jinja2 template and the WeasyPrint PDF, which fetches nothing;
* ``identity``: the scenario hash and the permalink;
* ``withheld``: the public portal's briefing, with the release rule's withheld districts;
* ``text``: numbers with their units and currency.

Never imports streamlit: the app and ``python -m core report`` call the same function.
Importing the package, or a part such as ``withheld``, does not import ``compose`` (and with
it matplotlib, Jinja2 and WeasyPrint): ``Briefing`` and ``briefing`` load on first use.
"""

import importlib


def __getattr__(name: str):
    if name in ("Briefing", "briefing"):
        return getattr(importlib.import_module("core.report.compose"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Briefing", "briefing"]
