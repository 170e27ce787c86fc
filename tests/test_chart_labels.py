"""Every chart the pages draw has a title and named axes, and a number axis says its unit
(issue 12, WCAG 1.1.1 / 1.3.1): the figures are caught as each page hands them to Streamlit."""

from __future__ import annotations

import numbers

import pytest
from streamlit.delta_generator import DeltaGenerator

from dashboard import nav
from tools.apptest import open_app


def _numeric(values: list) -> bool:
    return all(isinstance(v, numbers.Number) for v in values)


def problems(fig) -> list[str]:
    """What a reader misses in ``fig``: its title, an axis title, an axis' unit."""
    title = fig.layout.title.text
    found = [] if title else ["no title"]
    for axis in ("x", "y"):
        values = [v for trace in fig.data
                  for v in (() if getattr(trace, axis, None) is None else getattr(trace, axis))]
        if not values:
            continue
        text = fig.layout[f"{axis}axis"].title.text
        if not text:
            found.append(f"{title!r}: the {axis} axis has no title")
        elif _numeric(values) and "(" not in text:
            found.append(f"{title!r}: the {axis} axis {text!r} gives no unit in brackets")
    return found


@pytest.mark.parametrize("page", nav.ALL)
def test_every_chart_has_a_title_and_axis_titles_with_units(page, monkeypatch):
    figures = []
    draw = DeltaGenerator.plotly_chart

    def caught(self, figure, *args, **kwargs):
        figures.append(figure)
        return draw(self, figure, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "plotly_chart", caught)
    open_app(page)
    assert [p for fig in figures for p in problems(fig)] == []
    if page in (nav.EQUITY, nav.SCENARIO_LAB, nav.DISTRICT):
        assert figures  # the check sees the charts it is for
