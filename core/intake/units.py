"""Unit conversion to the canonical units (kWh, m², shares).

Factors are definitions (exact or standard reference values), not assumptions
about a city, so they live here rather than in a data table. Each carries its
reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.i18n import N_, _, lazy

# 1 international foot = 0.3048 m exactly (NIST SP 811, 2008, B.8).
M2_PER_FT2 = 0.3048**2
# 1 therm = 100,000 Btu(IT) = 29.3071 kWh (US EIA, "Units and calculators: energy conversion").
KWH_PER_THERM = 29.3071
# Natural gas, higher heating value ~1,037 Btu/ft3 (US EIA, Natural Gas Annual 2022, heat content
# of natural gas consumed) = 38.64 MJ/m3 = 10.73 kWh/m3.
KWH_PER_M3_GAS = 1037 * 1055.05585 / 0.3048**3 / 3.6e6
KWH_PER_MWH = 1000.0
KWH_PER_GJ = 1e9 / 3.6e6
KWH_PER_MMBTU = 1e6 * 1055.05585 / 3.6e6

#: For each kind of quantity, the accepted units and the factor to the canonical unit.
UNITS: dict[str, dict[str, float]] = {
    "energy": {
        "kWh": 1.0,
        "MWh": KWH_PER_MWH,
        "GJ": KWH_PER_GJ,
        "therm": KWH_PER_THERM,
        "MMBtu": KWH_PER_MMBTU,
        "m3": KWH_PER_M3_GAS,
    },
    "area": {"m2": 1.0, "ft2": M2_PER_FT2, "km2": 1e6},
    "share": {"share": 1.0, "percent": 0.01},
}

CANONICAL_UNIT = {"energy": "kWh", "area": "m2", "share": "share"}


#: the words a message uses for a kind of quantity (a key of :data:`UNITS`)
KINDS = {"energy": N_("energy"), "area": N_("area"), "share": N_("share")}


class UnitError(ValueError):
    """A unit that Greenprint does not know for this kind of column (its message a
    :func:`core.i18n.lazy` message, written in the language in effect by ``str()``)."""

    def __str__(self) -> str:
        return _(self.args[0]) if self.args else ""


def factor(kind: str, unit: str) -> float:
    """Multiplier from ``unit`` to the canonical unit of ``kind``.

    Raises
    ------
    UnitError
        When the unit is unknown; the message lists the accepted units.
    """
    table = UNITS.get(kind)
    if table is None:
        return 1.0
    key = _normalise(unit)
    for name, f in table.items():
        if _normalise(name) == key:
            return f
    raise UnitError(lazy("unknown {kind} unit '{unit}'; accepted: {accepted}",
                         kind=lazy(KINDS.get(kind, kind)), unit=unit, accepted=", ".join(table)))


def convert(values: pd.Series | np.ndarray | float, kind: str, unit: str):
    """Convert ``values`` from ``unit`` to the canonical unit of ``kind``."""
    return values * factor(kind, unit)


def therm_to_kwh(therms):
    return therms * KWH_PER_THERM


def ft2_to_m2(ft2):
    return ft2 * M2_PER_FT2


def _normalise(unit: str) -> str:
    u = unit.strip().lower().replace("²", "2").replace("³", "3").replace(" ", "")
    aliases = {"sqft": "ft2", "sqm": "m2", "%": "percent", "pct": "percent", "therms": "therm",
               "fraction": "share", "0..1": "share", "sq.ft": "ft2", "ccf": "ccf"}
    return aliases.get(u, u)
