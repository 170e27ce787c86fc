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

One stable sort of the items by ``rho`` serves every step: the greedy fill, and both
groups' prefixes on the line (each group is the sorted order with the other group's
items at zero capacity). Ties keep the items' order, so a scenario's plan is the same
whatever batch it is solved in. Scenarios of a batch whose items sort on the same keys (a
sweep of budgets or Justice40 shares) share one sort. Items in tranches (diminishing
returns) are sorted by their first tranche; where that order sorts the other tranches too,
merging the tranches completes the sort, faster than sorting every item (otherwise every
item is sorted): the same order either way. The optimum on the line is the first
breakpoint where the marginal value stops being positive: for a few items every breakpoint
is evaluated; for many, a search over the breakpoints of each group finds it (the marginal
value is non-increasing), testing 16 of them per step, ``log16(J)`` steps whatever the
batch size.
Both give the same point (tests/test_batching.py).
"""

from __future__ import annotations

import time

import torch

from core.plan.solvers import AllocationProblem, AllocationSolution

NEG_INF = float("-inf")
_TINY_SHARE = 1e-12
#: on the Justice40 line, evaluate every breakpoint when the rows hold at most this many
#: items in all (one vectorised pass); above it, search them (log16(J) small steps)
FULL_EVALUATION_ITEMS = 4_096
#: breakpoints each step of the search tests per group
SEARCH_WAYS = 16


def _row_min(x: torch.Tensor) -> torch.Tensor:
    """Smallest entry of each row of ``x`` [S, J] -> [S]; +inf for rows without entries (J = 0)."""
    if x.shape[1] == 0:
        return torch.full(x.shape[:1], float("inf"), dtype=x.dtype, device=x.device)
    return x.amin(1)


def _prefix_fill(sorted_cap: torch.Tensor, amount: torch.Tensor,
                 cum: torch.Tensor | None = None) -> torch.Tensor:
    """Fill sorted capacities [S, J] in order up to ``amount`` [S]. ``cum``: their cumulative
    sum when already computed (it is overwritten). Computed in place: on large batches a
    fresh tensor per step costs more than the arithmetic."""
    fill = sorted_cap.cumsum(1) if cum is None else cum
    fill.sub_(sorted_cap).neg_().add_(amount[:, None])  # amount - the start of each item
    return torch.minimum(fill.clamp_(min=0), sorted_cap, out=fill)


def _rate_at(cum: torch.Tensor, rates: torch.Tensor, total: torch.Tensor,
             at: torch.Tensor) -> torch.Tensor:
    """Value per unit of money of the item that the ``at``-th unit of money (per row) of a
    group buys: ``cum`` [S, J] is the group's cumulative capacity in the sorted order (flat
    over the other group's items), ``rates`` [S, J] the items' values per unit of money; -inf
    past the group's ``total``. A position below 0 reads as 0 (the group's first item)."""
    at = at.clamp(min=0).contiguous()
    idx = torch.searchsorted(cum, at, right=True).clamp(max=max(cum.shape[1] - 1, 0))
    r = rates.gather(1, idx)
    return torch.where(at < total[:, None], r, torch.full_like(r, NEG_INF))


class _Line:
    """The marginal value of moving along the Justice40 line (rows given):
    ``m(a) = rho_D(a) + k rho_N(k a + delta)`` at DAC spending ``a``."""

    def __init__(self, cumd, cumn, rates, k, has_k):
        self.cumd, self.cumn, self.rates, self.k, self.has_k = cumd, cumn, rates, k, has_k
        self.pd, self.pn = cumd[:, -1], cumn[:, -1]

    def at(self, a: torch.Tensor, n_at: torch.Tensor) -> torch.Tensor:
        """m at DAC spending ``a`` [S, Q] whose non-DAC spending is ``n_at`` [S, Q]."""
        m = _rate_at(self.cumd, self.rates, self.pd, a)
        m_n = _rate_at(self.cumn, self.rates, self.pn, n_at)
        return m + torch.where(self.has_k[:, None], self.k[:, None] * m_n, torch.zeros_like(m_n))


def _first_stop(line: _Line, a_lo, a_hi, delta, k_safe) -> torch.Tensor:
    """The first breakpoint in [a_lo, a_hi) where the marginal value is no longer positive
    (a_hi when there is none). The breakpoints: a_lo, the DAC group's cumulative capacities
    and the points where the non-DAC group's do (there the non-DAC position is taken
    exactly as ``cumn``: ``k * ((cumn - delta) / k) + delta`` can round just below it, which
    would read the rate of the item that ends there instead of the next one)."""
    k, has_k = line.k, line.has_k
    inf = torch.full_like(k, float("inf"))
    n_lo = torch.where(a_lo > 0, torch.zeros_like(delta), k * a_lo + delta)
    if line.cumd.numel() <= FULL_EVALUATION_ITEMS:  # every breakpoint at once
        n_pts = torch.where(has_k[:, None], (line.cumn - delta[:, None]) / k_safe[:, None],
                            inf[:, None])
        pts = torch.cat([a_lo[:, None], line.cumd, n_pts], 1)
        n_at = torch.cat([n_lo[:, None], k[:, None] * line.cumd + delta[:, None], line.cumn], 1)
        stop = (line.at(pts, n_at) <= 0) & (pts >= a_lo[:, None]) & (pts < a_hi[:, None])
        return torch.where(stop, pts, a_hi[:, None]).amin(1)
    # a 16-way search: along each group's breakpoints the marginal value only falls, so
    # "stops" is false and then true; each step tests 16 breakpoints of each group and keeps
    # the stretch where it turns (log16(J) steps: 4 for 65,000 items)
    j = line.cumd.shape[1]
    lo = torch.zeros(k.shape[0], 2, 1, dtype=torch.long, device=k.device)  # DAC, non-DAC
    hi = torch.full_like(lo, j)
    ways = torch.arange(SEARCH_WAYS, device=k.device)
    while bool((lo < hi).any()):
        at = lo + (hi - lo) * ways // SEARCH_WAYS  # [S, 2, W]: at[..., 0] = lo
        a, n_at = _breakpoints(line, at.clamp(max=j - 1), delta, k_safe, inf)
        stop = ((line.at(a, n_at) <= 0) & (a >= a_lo[:, None])).view(at.shape)
        before = (~stop).sum(2, keepdim=True)  # tested breakpoints before the turn
        last_go = at.gather(2, (before - 1).clamp(min=0))
        first_stop = torch.where(before < SEARCH_WAYS,
                                 at.gather(2, before.clamp(max=SEARCH_WAYS - 1)), hi)
        open_ = lo < hi  # a search that has found its breakpoint stays there
        lo, hi = (torch.where(open_ & (before > 0), last_go + 1, lo),
                  torch.where(open_, torch.where(before > 0, first_stop, lo), hi))
    a, _ = _breakpoints(line, lo.clamp(max=j - 1), delta, k_safe, inf)
    a = torch.where(lo.view(a.shape) < j, a, inf[:, None])
    first = torch.cat([torch.where(line.at(a_lo[:, None], n_lo[:, None]) <= 0, a_lo[:, None],
                                   inf[:, None]), a], 1)
    return torch.where(first < a_hi[:, None], first, a_hi[:, None]).amin(1)


def _breakpoints(line: _Line, idx, delta, k_safe, inf):
    """The DAC breakpoints ``idx[:, 0]`` and the non-DAC breakpoints ``idx[:, 1]`` [S, 2, W]
    of each row: their DAC spending and their non-DAC spending, each [S, 2 W]."""
    cd = line.cumd.gather(1, idx[:, 0])
    cn = line.cumn.gather(1, idx[:, 1])
    n_pt = torch.where(line.has_k[:, None], (cn - delta[:, None]) / k_safe[:, None], inf[:, None])
    return (torch.cat([cd, n_pt], 1),
            torch.cat([line.k[:, None] * cd + delta[:, None], cn], 1))


def _on_line(rates, room, u, dacf, b, share, fd, fn):
    """Optimum when the Justice40 row binds: on the line A_N = k A_D + delta (rows given).

    Every tensor [S, J] is in the sorted order (:func:`_descending`): ``rates`` the items'
    values per unit of money, ``room`` what each can take above its forced spending, ``u``
    that room where the item pays (rho > 0), ``dacf`` 1 for DAC items and 0 for the others.
    Returns the spending on the line in that order, and which rows are infeasible."""
    s = share.clamp(min=_TINY_SHARE)
    k = (1 - s) / s
    delta = k * fd - fn
    # a DAC item of negative value can still pay off on the line: it makes room for k units
    # of money of better items elsewhere, so the DAC group keeps every item with room
    ud = room * dacf
    un = torch.sub(u, u * dacf)  # u where not DAC (dacf is 0 or 1: exact)
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
    a_star = _first_stop(_Line(cumd, cumn, rates, k, has_k), a_lo, a_hi, delta,
                         k_safe).clamp(min=a_lo)
    yd = _prefix_fill(ud, a_star, cumd)
    yn = _prefix_fill(un, torch.where(has_k, k * a_star + delta, torch.zeros_like(k)).clamp(min=0),
                      cumn)
    return yd.add_(yn), infeasible  # each item is in one group: the other's prefix is zero there


def _descending(key: torch.Tensor, blocks: int = 1) -> torch.Tensor:
    """The order [S, J] that sorts each row of ``key`` from largest to smallest, ties in the
    items' order. Rows equal bit for bit to an earlier row (a sweep of budgets or Justice40
    shares) are sorted once and share that order: the same order as their own sort.
    ``blocks``: see :func:`_sorted_by_blocks`."""
    repeats = _repeated_rows(key)
    if repeats is None:
        return _sorted(key, blocks)
    distinct, of = repeats
    return _sorted(key.index_select(0, distinct), blocks).index_select(0, of)


def _sorted(key: torch.Tensor, blocks: int = 1) -> torch.Tensor:
    """:func:`_descending` of every row. A float64 key is sorted as the int64 of its bits,
    flipped below zero so that they order as the floats do (an integer sort is the faster
    one)."""
    if key.dtype != torch.float64:
        return torch.argsort(key, dim=1, descending=True, stable=True)
    bits = key.view(torch.int64)
    ordered = (bits >> 63).bitwise_and_(0x7FFF_FFFF_FFFF_FFFF).bitwise_xor_(bits)
    if blocks > 1 and key.shape[1] % blocks == 0 and key.shape[1] > blocks:
        return _sorted_by_blocks(ordered, blocks)
    return torch.sort(ordered, dim=1, descending=True, stable=True).indices


def _sorted_by_blocks(ordered: torch.Tensor, blocks: int) -> torch.Tensor:
    """The stable descending order [S, J] of integer keys whose items are ``blocks`` blocks of
    equal size that usually sort alike (tranches: the same items, each value scaled by one
    factor). The first block is sorted; where its order also sorts every other block (keys
    never rise along it, and ties keep the items' order), the blocks laid out in that order
    are sorted runs, which a stable sort merges in a fraction of a full sort's time, ties in
    block order (the items' order); a row where it does not gets the full sort. Either way
    the order is the full stable sort's."""
    s, j = ordered.shape
    p = j // blocks
    first = torch.sort(ordered[:, :p], dim=1, descending=True, stable=True).indices  # [S, P]
    runs = ordered.view(s, blocks, p).gather(2, first[:, None, :].expand(s, blocks, p))
    falls = runs[..., 1:] < runs[..., :-1]
    ties_in_order = (runs[..., 1:] == runs[..., :-1]) & (first[:, None, 1:] > first[:, None, :-1])
    sorts_all = (falls | ties_in_order).flatten(1).all(1)  # [S]
    merged = torch.sort(runs.view(s, j), dim=1, descending=True, stable=True).indices
    items = (first[:, None, :] + p * torch.arange(blocks, device=ordered.device)[:, None])
    order = items.view(s, j).gather(1, merged)
    if not bool(sorts_all.all()):
        rows = (~sorts_all).nonzero().squeeze(1)
        order[rows] = torch.sort(ordered[rows], dim=1, descending=True, stable=True).indices
    return order


def _repeated_rows(key: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor] | None:
    """When some rows of ``key`` [S, J] repeat an earlier row bit for bit: the distinct rows
    (indices [D], ascending) and the position among them of each row's first copy [S];
    None when every row differs. Rows are grouped by a sum of their bits first (one pass),
    then compared in full only within a group."""
    s = key.shape[0]
    if s < 2 or key.shape[1] == 0:
        return None
    bits = key.view(torch.int64 if key.element_size() == 8 else torch.int32)
    fingerprint = bits.sum(1)
    groups, group = torch.unique(fingerprint, return_inverse=True)
    if groups.numel() == s:  # every row differs
        return None
    rows = torch.arange(s, device=key.device)
    first = torch.full_like(groups, s, dtype=torch.long).scatter_reduce_(0, group, rows, "amin")
    same = first[group]
    same = torch.where((bits == bits.index_select(0, same)).all(1), same, rows)
    distinct = torch.unique(same)
    if distinct.numel() == s:
        return None
    return distinct, torch.searchsorted(distinct, same)


def solve(problem: AllocationProblem) -> AllocationSolution:
    """Solve the S instances of ``problem`` at once. Items with rho <= 0 are never bought
    beyond their forced minimum. An instance without items (J = 0) has one plan, spending
    nothing, which meets Justice40 (0 >= share x 0)."""
    t0 = time.perf_counter()
    rho = problem.rho
    budget, share = problem.budget, problem.share
    cap_usd = problem.cap_usd
    if problem.lower is None:
        lower = None
        room = cap_usd.clamp(min=0)  # (rho and cap_usd are the problem's: read-only)
        fd = fn = torch.zeros_like(budget)
    else:
        lower = problem.lower_usd
        room = (cap_usd - lower).clamp(min=0)
        dacf = problem.dac.to(rho.dtype)  # [J] or [S, J]
        fd, fn = (lower * dacf).sum(1), (lower * (1 - dacf)).sum(1)
    b = (budget - fd - fn).clamp(min=0)
    # one stable sort by value per unit of money (items without room last) serves the greedy
    # fill and both groups on the line; the work is done in that order and scattered back
    order = _descending(rho.masked_fill(room <= 0, NEG_INF), problem.blocks)
    rates, room_s = rho.gather(1, order), room.gather(1, order)
    dac_s = problem.dac_items.gather(1, order)
    dacf_s = dac_s.to(rho.dtype)
    u_s = torch.where(rates > 0, room_s, 0.0)  # the room of the items that pay

    # 1. the plain greedy fill, ignoring Justice40
    ys = _prefix_fill(u_s, b)
    ad0 = (ys * dacf_s).sum(1)
    an0 = ys.sum(1) - ad0
    tot0 = ad0 + an0 + fd + fn
    breaks = share * tot0 - (ad0 + fd) > 1e-12 * tot0.clamp(min=1.0)

    # 2. on the Justice40 line, only for the scenarios whose greedy plan breaks the row
    infeasible = torch.zeros_like(breaks)
    rows = breaks.nonzero().squeeze(1)
    if rows.numel() == breaks.numel():  # every row: no copies
        ys, infeasible = _on_line(rates, room_s, u_s, dacf_s, b, share, fd, fn)
    elif rows.numel():
        y1, inf_rows = _on_line(rates[rows], room_s[rows], u_s[rows], dacf_s[rows], b[rows],
                                share[rows], fd[rows], fn[rows])
        ys = ys.index_copy(0, rows, y1)
        infeasible = infeasible.index_copy(0, rows, inf_rows)

    y = torch.empty_like(ys).scatter_(1, order, ys)  # order is a permutation: fills every item
    spend = y if lower is None else lower + y
    budget_binds = (spend.sum(1) >= budget * (1 - 1e-9)) & (budget > 0)
    chosen_rates = torch.where(ys > 0, rates, float("inf"))
    marg_d = _row_min(torch.where(dac_s, chosen_rates, float("inf")))
    marg_n = _row_min(chosen_rates.masked_fill_(dac_s, float("inf")))
    line_dual = share * marg_d + (1 - share) * torch.where(torch.isfinite(marg_n), marg_n, 0.0)
    dual = torch.where(breaks, line_dual, torch.minimum(marg_d, marg_n))
    dual = torch.where(budget_binds & torch.isfinite(dual), dual, torch.zeros_like(dual))
    status = tuple("infeasible" if bad else "optimal" for bad in infeasible.tolist())
    objective = (rho * spend).sum(1)
    if spend.is_cuda:
        torch.cuda.synchronize()
    return AllocationSolution(spend, status, breaks, dual, objective, time.perf_counter() - t0)
