"""Laplace noise on a published total, by OpenDP (its "contrib" measurements, which its
documentation asks a program to enable explicitly). The scale is the smallest for which
OpenDP's own privacy map certifies the loss: ``measurement(bound, epsilon).map(bound) <=
epsilon`` (bound / epsilon, up to OpenDP's rounding of floats). OpenDP draws from a
cryptographically secure source: the noise cannot be seeded or replayed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from core.errors import InputError


@dataclass(frozen=True)
class Noised:
    """A total with noise: ``value`` (the figure's unit), the Laplace ``scale`` (same unit)
    and the privacy loss ``epsilon`` OpenDP certifies for a contributor of at most ``bound``."""

    value: float
    scale: float
    epsilon: float
    bound: float


@lru_cache(maxsize=1)
def _opendp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def measurement(bound: float, epsilon: float) -> tuple[object, float]:
    """The OpenDP Laplace measurement on one float total for a contributor of at most
    ``bound`` (the total's unit) and a privacy loss of at most ``epsilon``, and its scale."""
    if not (math.isfinite(bound) and bound > 0):
        raise InputError(f"a bound must be a positive number; got {bound!r}")
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise InputError(f"epsilon must be a positive number; got {epsilon!r}")
    dp = _opendp()
    space = dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float)
    scale = dp.binary_search_param(lambda s: dp.m.make_laplace(*space, scale=s),
                                   d_in=float(bound), d_out=float(epsilon))
    return dp.m.make_laplace(*space, scale=scale), float(scale)


def laplace(total: float, bound: float, epsilon: float) -> Noised:
    """``total`` with Laplace noise for a contributor of at most ``bound``, spending at most
    ``epsilon``."""
    if not math.isfinite(total):
        raise InputError(f"a total must be a finite number to be published; got {total!r}")
    m, scale = measurement(bound, epsilon)
    return Noised(float(m(float(total))), scale, float(m.map(float(bound))), float(bound))
