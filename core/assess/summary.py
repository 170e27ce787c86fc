"""Every map said in words and as a table (WCAG 1.1.1: a text alternative for a map).

A map of districts reads as one sentence (:func:`numeric_summary`: the highest, the lowest
and the median district, with the unit; :func:`category_summary`: how many districts fall in
each category) and as a table of every district with its value and its class, the legend
entry its colour stands for (:func:`class_labels`). :func:`of_choropleth` makes both from a
:class:`core.assess.maps.Choropleth`, :func:`of_map` from any fill and legend (diverging or
categorical maps).

The colour scales themselves are colour-blind safe: viridis for sequential classes, ColorBrewer
RdBu for signed values, and categories told apart by lightness as well as hue (core.assess.maps);
the table and the sentence do not depend on colour at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.assess.maps import NO_DATA, Choropleth, format_value
from core.i18n import _, ngettext, number


@dataclass(frozen=True)
class MapText:
    """A map in words: ``summary``, one sentence; ``table``, one row per district (District,
    Id, the value under the map's label and unit, Class: the legend entry; Data when known);
    ``value_column``, the value's column (None: a categorical map), shown with ``digits``
    decimals."""

    summary: str
    table: pd.DataFrame
    value_column: str | None = None
    digits: int = 0


def _hex(rgb: Sequence[int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb[:3]))


def class_labels(fill: Sequence[Sequence[int]], legend: list[dict]) -> list[str]:
    """Each district's legend entry, found by its fill colour (RGB[A] per district); the
    outline rows of a legend (predicted districts) are not classes. "no data" for the no-data
    grey; "" when no entry has the colour."""
    by_colour = {row["color"].lower(): row["label"] for row in legend if not row.get("outline")}
    by_colour[_hex(NO_DATA)] = _("no data")
    return [by_colour.get(_hex(rgb), "") for rgb in fill]


def _districts(n: int) -> str:
    return ngettext("{n} district", "{n} districts", n).format(n=number(n))


def numeric_summary(names: Sequence[str], values, unit: str, digits: int = 0) -> str:
    """"Highest: A (v unit); lowest: B (v unit); median: m unit over N districts.", and how
    many districts have no data. Ties go to the first district in ``names``' order."""
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    if not ok.any():
        return _("No district has data for this map.")
    masked_hi, masked_lo = np.where(ok, v, -np.inf), np.where(ok, v, np.inf)
    hi, lo = int(np.argmax(masked_hi)), int(np.argmin(masked_lo))

    def amount(x: float) -> str:
        return f"{format_value(x, digits)} {unit}".strip()

    text = _("Highest: {high} ({high_value}); lowest: {low} ({low_value}); median: {median} "
             "over {districts}.").format(
        high=names[hi], high_value=amount(v[hi]), low=names[lo], low_value=amount(v[lo]),
        median=amount(float(np.median(v[ok]))), districts=_districts(int(ok.sum())))
    if missing := int((~ok).sum()):
        text += " " + ngettext("{n} district has no data.", "{n} districts have no data.",
                               missing).format(n=number(missing))
    return text


def category_summary(labels: Sequence[str], legend: list[dict]) -> str:
    """"A: 23 districts; B: 54 districts." in the legend's order (districts without an
    entry are not counted)."""
    counts = pd.Series(list(labels)).value_counts()
    named = [_("no data") if row["color"].lower() == _hex(NO_DATA) else row["label"]
             for row in legend if not row.get("outline")]
    parts = [_("{category}: {districts}").format(category=name,
                                                 districts=_districts(int(counts[name])))
             for name in named if name in counts.index]
    return "; ".join(parts) + "." if parts else _("No district has data for this map.")


def _table(properties: pd.DataFrame, classes: list[str], value_column: str | None = None,
           values=None, class_column: str | None = None) -> pd.DataFrame:
    """District, Id, the value (when a column name is given), the class (under
    ``class_column``, default "Class"), and Data when known."""
    table = pd.DataFrame({_("District"): properties["name"].astype(str).to_numpy(),
                          _("Id"): properties["district_id"].astype(str).to_numpy()})
    if value_column is not None:
        table[value_column] = values
    table[class_column or _("Class")] = classes
    if "data" in properties:
        table[_("Data")] = properties["data"].to_numpy()
    return table


def of_choropleth(view: Choropleth, digits: int = 0) -> MapText:
    """A choropleth (core.assess.maps.choropleth) in words and as a table: numbers rounded to
    ``digits`` decimals; a categorical one (``view.classes.scheme == "categories"``) counts
    its districts per category."""
    classes = class_labels(view.fill, view.legend)
    heading = f"{view.label} ({view.unit})" if view.unit else view.label
    p = view.properties
    if view.classes.scheme == "categories":
        return MapText(category_summary(classes, view.legend),
                       _table(p, classes, class_column=heading))
    values = p["value"].astype(float).round(digits).to_numpy()
    return MapText(numeric_summary(p["name"].tolist(), p["value"], view.unit, digits),
                   _table(p, classes, heading, values), heading, digits)


def of_map(properties: pd.DataFrame, fill, legend: list[dict], label: str, unit: str = "",
           values=None, digits: int = 0) -> MapText:
    """Any district map in words and as a table: ``properties`` (district_id, name, in map
    order; ``data`` when known), its fill colours and legend. With ``values`` (a number per
    district, in ``unit``) the sentence names the highest, lowest and median district;
    without, it counts the districts per legend entry."""
    classes = class_labels(fill, legend)
    if values is None:
        return MapText(category_summary(classes, legend),
                       _table(properties, classes, class_column=label))
    v = np.asarray(values, dtype=float)
    heading = f"{label} ({unit})" if unit else label
    return MapText(numeric_summary(properties["name"].astype(str).tolist(), v, unit, digits),
                   _table(properties, classes, heading, np.round(v, digits)), heading, digits)
