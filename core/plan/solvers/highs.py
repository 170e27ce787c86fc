"""The linear allocation problem as a plain LP for HiGHS: the exact reference.

Same instance as ``core.plan.solvers.torch_exact.solve`` for one scenario, in units ``x_j``::

    max v.x   s.t.  c.x <= B,  sum_j (s - dac_j) c_j x_j <= 0,  lo <= x <= cap
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog


@dataclass(frozen=True)
class ReferenceSolution:
    status: str  # "optimal" | "infeasible" | HiGHS's message
    objective: float
    x: np.ndarray
    seconds: float


def solve(value: np.ndarray, cost: np.ndarray, cap: np.ndarray, dac: np.ndarray, budget: float,
          share: float, lower: np.ndarray | None = None) -> ReferenceSolution:
    """Solve one instance with HiGHS (all arrays 1-D over items; cost > 0)."""
    value, cost, cap = (np.asarray(a, dtype=float) for a in (value, cost, cap))
    dac = np.asarray(dac, dtype=bool)
    lo = np.zeros_like(cap) if lower is None else np.asarray(lower, dtype=float)
    a_ub = sp.csr_matrix(np.vstack([cost, (share - dac) * cost]))
    t0 = time.perf_counter()
    res = linprog(-value, A_ub=a_ub, b_ub=np.array([budget, 0.0]),
                  bounds=np.column_stack([lo, np.maximum(cap, lo)]), method="highs")
    seconds = time.perf_counter() - t0
    if res.status == 2:
        return ReferenceSolution("infeasible", float("nan"), np.full_like(cap, np.nan), seconds)
    if res.status != 0:
        return ReferenceSolution(res.message, float("nan"), np.full_like(cap, np.nan), seconds)
    return ReferenceSolution("optimal", float(-res.fun), res.x, seconds)
