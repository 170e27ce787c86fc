"""The colours every chart shares (the figures themselves live beside their page).

Colour-blind safe (tests/test_colour_blind.py simulates protanopia, deuteranopia and
tritanopia): ACCENT (orange) and MUTED (blue) differ in hue and lightness for every reader;
the maps use viridis (sequential, light = low), ColorBrewer RdBu (signed values) and
categories that differ in lightness too (core.assess.maps); compared scenarios use Okabe-Ito
(dashboard/compare/charts.py). No chart or map says anything by colour alone: legends,
hover texts, and under each map a sentence and a table (core.assess.summary).
"""

from __future__ import annotations

ACCENT = "#d9480f"  # lines and markers that stand out (3:1 or more on white: WCAG 1.4.11)
MUTED = "#31688e"  # bars and points
