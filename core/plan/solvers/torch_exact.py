"""Exact batched solver for the allocation LP with one Justice40 coupling row.

For every scenario ``s`` (rows of the tensors) the problem is, in spending
``y_j = cost_j * x_j`` (money, in the city's currency) of item ``j``::

    maximise   sum_j rho_j y_j                 (rho = value per unit of money)
    subject to sum_j y_j <= B                  (budget)
               lo_j <= y_j <= U_j              (forced minimum and cap, in money)
               sum_{j in DAC} y_j >= s sum_j y_j   (Justice40 share of spending)

All items in one group (DAC or not) share the same budget and Justice40
coefficients, so an optimum funds each group as a prefix of its items sorted by
``rho`` (a fractional knapsack per group). What is left is a two-variable
concave problem in the group totals ``A_D, A_N``. Without the Justice40 row the
answer is the global greedy fill; when that breaks the row, the row binds and
the optimum lies on the line ``A_N = k A_D + delta`` (``k = (1 - s) / s``),
where the marginal value ``rho_D(A) + k rho_N(k A + delta)`` is non-increasing
and piecewise constant: its last positive piece ends at the optimum. Each step
is a sort, a cumulative sum or a ``searchsorted`` over the batch, so it runs
unchanged on a GPU, and the result is a vertex of the LP: exact up to float64
rounding (checked against HiGHS in the tests).
"""

from __future__ import annotations

import time

import torch

from core.plan.solvers import AllocationProblem, AllocationSolution

NEG_INF = float("-inf")
_TINY_SHARE = 1e-12


def _row_min(x: torch.Tensor) -> torch.Tensor:
    """Smallest entry of each row of ``x`` [S, J] -> [S]; +inf for rows without entries (J = 0)."""
    if x.shape[1] == 0:
        return torch.full(x.shape[:1], float("inf"), dtype=x.dtype, device=x.device)
    return x.amin(1)


def _prefix_fill(sorted_cap: torch.Tensor, amount: torch.Tensor) -> torch.Tensor:
    """Fill sorted capacities [S, J] in order up to ``amount`` [S]."""
    start = sorted_cap.cumsum(1) - sorted_cap
    return (amount[:, None] - start).clamp(min=0).minimum(sorted_cap)


def _rate_at(cum: torch.Tensor, rates: torch.Tensor, total: torch.Tensor,
             at: torch.Tensor) -> torch.Tensor:
    """Value per unit of money of the item that the ``at``-th unit of money (per row) of a
    sorted group buys."""
    idx = torch.searchsorted(cum, at.contiguous(), right=True).clamp(max=cum.shape[1] - 1)
    r = rates.gather(1, idx)
    return torch.where(at < total[:, None], r, torch.full_like(r, NEG_INF))


def _on_line(rho, r, u, room, dac, b, share, fd, fn):
    """Optimum when the Justice40 row binds: on the line A_N = k A_D + delta (rows given)."""
    s = share.clamp(min=_TINY_SHARE)
    k = (1 - s) / s
    delta = k * fd - fn
    # a DAC item of negative value can still pay off on the line: it makes room for k units of money of
    # better items elsewhere, so the DAC group keeps every item with room
    has_room = room > 0
    rd = torch.where(dac & has_room, rho, NEG_INF)
    rn = torch.where(dac, NEG_INF, r)
    od, on = torch.argsort(rd, 1, descending=True), torch.argsort(rn, 1, descending=True)
    ud = torch.where(dac, room, 0.0).gather(1, od)
    un = torch.where(dac, 0.0, u).gather(1, on)
    rds, rns = rd.gather(1, od), rn.gather(1, on)
    cumd, cumn = ud.cumsum(1), un.cumsum(1)
    pd, pn = cumd[:, -1], cumn[:, -1]
    has_k = k > 0
    inf = torch.full_like(k, float("inf"))
    k_safe = torch.where(has_k, k, torch.ones_like(k))
    a_lo = torch.where(has_k, (-delta / k_safe).clamp(min=0), torch.zeros_like(k))
    a_hi = torch.minimum(torch.minimum((b - delta) / (1 + k), pd),
                         torch.where(has_k, (pn - delta) / k_safe, inf))
    infeasible = ((a_lo > a_hi * (1 + 1e-12) + 1e-9) | (~has_k & (delta < 0)))
    a_hi = torch.maximum(a_hi, a_lo)
    n_pts = torch.where(has_k[:, None], (cumn - delta[:, None]) / k_safe[:, None], inf[:, None])
    # m is non-increasing and changes only at breakpoints, so the optimum is the first
    # breakpoint after which the marginal value is no longer positive (no sort needed)
    # the N-group position of each point; at an N breakpoint it is taken exactly as ``cumn``:
    # k * ((cumn - delta) / k) + delta can round just below cumn, which would read the rate of
    # the item that ends there instead of the next one and step past the optimum
    pts = torch.cat([a_lo[:, None], cumd, n_pts], 1)
    n_lo = torch.where(a_lo > 0, torch.zeros_like(delta), k * a_lo + delta)
    n_at = torch.cat([n_lo[:, None], k[:, None] * cumd + delta[:, None], cumn], 1)
    m = _rate_at(cumd, rds, pd, pts)
    m_n = _rate_at(cumn, rns, pn, n_at)
    m = m + torch.where(has_k[:, None], k[:, None] * m_n, torch.zeros_like(m_n))
    stop = (m <= 0) & (pts >= a_lo[:, None]) & (pts < a_hi[:, None])
    a_star = torch.where(stop, pts, a_hi[:, None]).amin(1).clamp(min=a_lo)
    yd = _prefix_fill(ud, a_star)
    yn = _prefix_fill(un, torch.where(has_k, k * a_star + delta, torch.zeros_like(k)).clamp(min=0))
    y1 = torch.zeros_like(u).scatter(1, od, yd) + torch.zeros_like(u).scatter(1, on, yn)
    # items that are not in a group carry zero capacity there, so the scatter adds nothing for them
    return y1, infeasible


def solve(problem: AllocationProblem) -> AllocationSolution:
    """Solve the S instances of ``problem`` at once. Items with rho <= 0 are never bought
    beyond their forced minimum. An instance without items (J = 0) has one plan, spending
    nothing, which meets Justice40 (0 >= share x 0)."""
    t0 = time.perf_counter()
    rho, lower = problem.rho, problem.lower_usd
    budget, share = problem.budget, problem.share
    dac = problem.dac_items
    dacf = dac.to(rho.dtype)
    room = (problem.cap_usd - lower).clamp(min=0)
    fd, fn = (lower * dacf).sum(1), (lower * (1 - dacf)).sum(1)
    b = (budget - fd - fn).clamp(min=0)
    pos = (rho > 0) & (room > 0)
    r = torch.where(pos, rho, torch.full_like(rho, NEG_INF))
    u = torch.where(pos, room, torch.zeros_like(room))

    # 1. the plain greedy fill, ignoring Justice40
    order = torch.argsort(r, dim=1, descending=True)
    y0 = torch.zeros_like(u).scatter(1, order, _prefix_fill(u.gather(1, order), b))
    ad0, an0 = (y0 * dacf).sum(1), (y0 * (1 - dacf)).sum(1)
    tot0 = ad0 + an0 + fd + fn
    breaks = share * tot0 - (ad0 + fd) > 1e-12 * tot0.clamp(min=1.0)

    # 2. on the Justice40 line, only for the scenarios whose greedy plan breaks the row
    y = y0
    infeasible = torch.zeros_like(breaks)
    rows = breaks.nonzero().squeeze(1)
    if rows.numel():
        y1, inf_rows = _on_line(rho[rows], r[rows], u[rows], room[rows], dac[rows], b[rows],
                                share[rows], fd[rows], fn[rows])
        y = y0.index_copy(0, rows, y1)
        infeasible = infeasible.index_copy(0, rows, inf_rows)

    spend = lower + y
    budget_binds = (spend.sum(1) >= budget * (1 - 1e-9)) & (budget > 0)
    chosen = y > 0
    marg = torch.where(chosen, rho, torch.full_like(rho, float("inf")))
    marg_d = _row_min(torch.where(chosen & dac, rho, float("inf")))
    marg_n = _row_min(torch.where(chosen & ~dac, rho, float("inf")))
    line_dual = share * marg_d + (1 - share) * torch.where(torch.isfinite(marg_n), marg_n, 0.0)
    dual = torch.where(breaks, line_dual, _row_min(marg))
    dual = torch.where(budget_binds & torch.isfinite(dual), dual, torch.zeros_like(dual))
    status = tuple("infeasible" if bad else "optimal" for bad in infeasible.tolist())
    if spend.is_cuda:
        torch.cuda.synchronize()
    return AllocationSolution(spend, status, breaks, dual, problem.objective(spend),
                              time.perf_counter() - t0)
