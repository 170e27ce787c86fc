"""The linear allocation problem as a plain LP for HiGHS: the exact reference.

The instance the torch solver (``core.plan.solvers.torch_exact``) solves, one scenario at
a time, in units ``x_j``::

    max v.x   s.t.  c.x <= max(B, c.lo),  sum_j (s - dac_j) c_j x_j <= 0,  lo <= x <= cap

solved by HiGHS through ``scipy.optimize.linprog``. It reports what the torch solver
reports: the budget dual is HiGHS's marginal of the budget row (objective units per
unit of money); Justice40 binds when its row has no slack and a positive marginal (relaxing it
would pay); a scenario whose forced spending breaks Justice40 is infeasible (Justice40
binds), and its plan is the forced spending alone.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import torch
from scipy.optimize import linprog

from core.plan.solvers import AllocationProblem, AllocationSolution

#: a row binds when its slack is below this share of the budget ...
_SLACK_REL = 1e-9
#: ... and its marginal above this share of the largest value per unit of money
_MARGINAL_REL = 1e-9


def _solve_row(value, cost, cap, dac, budget: float, share: float, lo) -> tuple:
    """One scenario (1-D numpy arrays over items): (status, x, objective, j40 binding, dual,
    seconds in linprog).

    Items without room (cap <= lo) are constants, not columns: a column fixed at its bound
    would leave the rows' marginals undetermined."""
    hi = np.maximum(cap, lo)
    free = hi > lo
    row_j40 = (share - dac) * cost
    forced = float(cost @ lo)
    if not free.any():  # nothing to choose: the forced plan meets Justice40 or nothing does
        met = float(row_j40 @ lo) <= _SLACK_REL * max(forced, 1.0)
        return "optimal" if met else "infeasible", lo, float(value @ lo), not met, 0.0, 0.0
    t0 = time.perf_counter()
    res = linprog(-value[free], A_ub=sp.csr_matrix(np.vstack([cost[free], row_j40[free]])),
                  b_ub=np.array([max(budget, forced) - cost[~free] @ lo[~free],
                                 -(row_j40[~free] @ lo[~free])]),
                  bounds=np.column_stack([lo[free], hi[free]]), method="highs")
    seconds = time.perf_counter() - t0
    if res.status == 2:  # the forced spending alone breaks Justice40
        return "infeasible", lo, float(value @ lo), True, 0.0, seconds
    if res.status != 0:
        return res.message, np.full_like(cap, np.nan), float("nan"), False, float("nan"), seconds
    x = lo.copy()
    x[free] = res.x
    rho_scale = max(float(np.abs(value / cost).max(initial=0.0)), 1e-300)
    marginal = -res.ineqlin.marginals  # objective units per unit of each row's right-hand side
    binds = (res.ineqlin.residual[1] <= _SLACK_REL * max(budget, 1.0)
             and marginal[1] > _MARGINAL_REL * rho_scale)
    dual = float(marginal[0]) if budget >= forced else 0.0  # past the budget, more buys nothing
    return "optimal", x, float(value @ x), bool(binds), dual, seconds


def solve(problem: AllocationProblem) -> AllocationSolution:
    """Solve the S instances of ``problem`` with HiGHS, one after another."""
    value, cost, cap = (t.detach().cpu().numpy() for t in (problem.value, problem.cost, problem.cap))
    dac = problem.dac_items.cpu().numpy()
    lower = np.zeros_like(cap) if problem.lower is None else problem.lower.cpu().numpy()
    budget, share = problem.budget.cpu().numpy(), problem.share.cpu().numpy()
    rows = [_solve_row(value[s], cost[s], cap[s], dac[s], float(budget[s]), float(share[s]),
                       lower[s]) for s in range(value.shape[0])]
    status, x, objective, binds, dual, seconds = zip(*rows, strict=True)

    def back(a, dtype=problem.value.dtype):
        return torch.as_tensor(np.asarray(a), dtype=dtype, device=problem.value.device)
    spend = back(np.reshape(x, value.shape)) * problem.cost
    return AllocationSolution(spend, tuple(status), back(binds, torch.bool), back(dual),
                              back(objective), float(sum(seconds)))
