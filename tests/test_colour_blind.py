"""The app's colours stay apart for readers with colour-vision deficiency (issue 12).

Each set of colours that must be told apart (the chart palette, the map categories, the
disadvantaged flag, the burden clusters, the compared scenarios) is simulated for
protanopia, deuteranopia and tritanopia and must keep every pair at least
:data:`MIN_DELTA_E` apart in CIELAB; the sequential scales (viridis, each half of RdBu) must
keep their lightness in order, so that they read without hue at all.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied to
linear sRGB. Colour difference: CIE 1976 (Delta E*ab, D65).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.assess import inequality, maps
from dashboard import palette
from dashboard.compare.charts import SCENARIO_COLORS

MACHADO_2009 = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
MIN_DELTA_E = 10.0  # clearly different at a glance (a just-noticeable difference is ~2.3)
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])
NO_DATA = "#{:02x}{:02x}{:02x}".format(*maps.NO_DATA[:3])


def _hex(colour) -> str:
    return colour if isinstance(colour, str) else "#{:02x}{:02x}{:02x}".format(*colour[:3])


def lab(colour, deficiency: str | None = None) -> np.ndarray:
    """CIELAB of a hex colour or RGB triple, as seen with ``deficiency`` (None: as is)."""
    h = _hex(colour).lstrip("#")
    c = np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if deficiency:
        linear = np.clip(np.asarray(MACHADO_2009[deficiency]) @ linear, 0, 1)
    t = SRGB_TO_XYZ @ linear / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


SETS = {
    "chart palette": [palette.ACCENT, palette.MUTED],
    "map categories and no data": [*maps.CATEGORY_COLORS, NO_DATA],
    "disadvantaged flag (Equity page)": ["#b2182b", "#d1e5f0", NO_DATA],
    "burden clusters": [*inequality.CLUSTER_COLORS.values(), NO_DATA],
    "compared scenarios": list(SCENARIO_COLORS),
}


@pytest.mark.parametrize("deficiency", list(MACHADO_2009))
@pytest.mark.parametrize("name", list(SETS))
def test_colours_that_mean_different_things_stay_apart(name, deficiency):
    apart = {(_hex(a), _hex(b)): float(np.linalg.norm(lab(a, deficiency) - lab(b, deficiency)))
             for a, b in itertools.combinations(SETS[name], 2)}
    close = {pair: round(d, 1) for pair, d in apart.items() if d < MIN_DELTA_E}
    assert close == {}, f"{name} with {deficiency}: too close (Delta E) {close}"


@pytest.mark.parametrize("deficiency", [None, *MACHADO_2009])
def test_sequential_scales_read_by_lightness_alone(deficiency):
    viridis = [lab(h, deficiency)[0] for h in maps._VIRIDIS]
    assert viridis == sorted(viridis, reverse=True)  # light = low
    diverging = [lab(h, deficiency)[0] for h in maps._DIVERGING]
    middle = len(diverging) // 2
    assert diverging[:middle + 1] == sorted(diverging[:middle + 1])  # to the light centre
    assert diverging[middle:] == sorted(diverging[middle:], reverse=True)


def test_the_check_sees_colours_a_dichromat_confuses():
    red, green = "#d62728", "#2ca02c"  # apart as seen, close with deuteranopia
    assert np.linalg.norm(lab(red) - lab(green)) > 4 * MIN_DELTA_E
    assert np.linalg.norm(lab(red, "deuteranopia") - lab(green, "deuteranopia")) < MIN_DELTA_E
