"""A batch of scenarios is solved in chunks within a memory budget, with the same plans.

The optimizer groups scenarios by shape and solves each group in chunks of at most
``GREENPRINT_SOLVE_MEMORY_MB`` (core.plan.optimizer): a scenario's plan must not depend on
the chunk it lands in, on the batch it is part of, nor on which of the exact solver's two
searches of the Justice40 line ran; and every linear plan stays the LP optimum HiGHS
finds. No test here times anything (benchmarks/optimizer.py does).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.plan import optimizer, problem, results
from core.plan.scenario import Scenario
from core.plan.solvers import AllocationProblem, torch_exact
from core.sample.city import sample_city

T = torch.float64
ONE_CHUNK = 1e9  # MB: every shape in one chunk


@pytest.fixture(scope="module")
def ctx():
    return problem.context(sample_city(120, seed=3))


def mixed_batch() -> list[Scenario]:
    """Scenarios of every shape (tranches, interactions, burden ceiling), shares and
    objectives, interleaved so that each shape's scenarios are scattered in the batch."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(24):
        out.append(Scenario(
            budget_usd_per_capita=float(rng.uniform(5, 900)),
            justice40_share=float(rng.choice([0.0, 0.4, 0.6, 0.9])),
            equity_weight=float(rng.uniform(0, 1)),
            grid_decarbonisation=float(rng.uniform(0, 0.8)),
            objective=("min_emissions", "min_cost", "min_burden")[i % 3],
            carbon_price_usd_per_t=float(rng.uniform(0, 150)),
            diminishing_returns=bool(i % 2),
            interactions=i % 5 == 0,
            burden_ceiling=0.03 if i % 7 == 0 else None,
            tech_cost_multipliers={"envelope_retrofit": 0.2} if i % 5 == 0 else {}))
    return out


def assert_same(a, b, rel: float = 1e-12) -> None:
    """Two results of the same scenarios agree: plans, figures, statuses and the final
    linear instances (to ``rel`` of each array's scale)."""
    assert a.status == b.status and a.messages == b.messages and a.binding == b.binding
    assert a.iterations == b.iterations
    for name in ("units", "spend_usd", "abatement_t", "bill_savings_usd", "objective",
                 "budget_usd", "max_violation_rel", "budget_dual"):
        x, y = getattr(a, name), getattr(b, name)
        scale = max(float(np.abs(x).max(initial=0.0)), 1.0)
        assert np.abs(x - y).max(initial=0.0) <= rel * scale, name
    for name in ("value", "cost", "cap"):
        x, y = getattr(a.linear, name), getattr(b.linear, name)
        assert torch.allclose(x, y, rtol=rel, atol=rel * max(float(x.abs().max()), 1.0)), name
    assert torch.allclose(a.linear_spend_usd, b.linear_spend_usd, rtol=rel,
                          atol=rel * max(float(a.linear_spend_usd.abs().max()), 1.0))


class CountingSolver:
    """The exact solver, recording each call's scenarios and items per scenario."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def solve(self, problem_: AllocationProblem):
        self.calls.append(tuple(problem_.value.shape))
        return torch_exact.solve(problem_)


def test_a_chunked_batch_gives_the_plans_of_the_unchunked_one(ctx, monkeypatch):
    scs = mixed_batch()
    monkeypatch.setattr(optimizer, "CPU_CHUNK_ITEMS", 2**40)
    whole = optimizer.optimize(ctx, scs, device="cpu", memory_mb=ONE_CHUNK)
    cells = ctx.effects.cap_units.size  # per tranche of one scenario
    pairs = int((ctx.effects.cap_units > 0).sum())
    for per_chunk in (1, 2, 5):  # scenarios of three tranches that the budget holds
        budget_cells = per_chunk * cells * 3
        solver = CountingSolver()
        chunked = optimizer.optimize(ctx, scs, device="cpu", solver=solver,
                                     memory_mb=budget_cells * optimizer.BYTES_PER_CELL / 2**20)
        for rows, items in solver.calls:  # the budget bounds every chunk (one scenario at least)
            tranches = items // pairs
            assert rows == 1 or rows * cells * tranches <= budget_cells, (rows, items)
        assert len(solver.calls) > len(set(map(optimizer._Shape.of, scs)))  # chunked ...
        assert len(chunked.status) == len(scs)  # ... not refused
        assert_same(chunked, whole)


def test_each_scenario_gets_the_plan_it_gets_alone(ctx):
    scs = mixed_batch()
    batch = optimizer.optimize(ctx, scs, device="cpu")
    for s, sc in enumerate(scs):
        alone = optimizer.optimize(ctx, sc, device="cpu")
        for name in ("units", "spend_usd", "abatement_t", "objective", "budget_dual"):
            x, y = getattr(batch, name)[s], getattr(alone, name)[0]
            assert np.abs(x - y).max(initial=0.0) <= 1e-12 * max(float(np.abs(y).max()), 1.0)
        assert (batch.status[s], batch.messages[s]) == (alone.status[0], alone.messages[0])


def test_the_chunked_linear_plans_are_the_highs_optimum(ctx):
    scs = [sc for sc in mixed_batch() if sc.linear and not sc.burden_ceiling]
    res = optimizer.optimize(ctx, scs, device="cpu", memory_mb=0.01)  # one scenario a chunk
    assert res.status and all(st in ("optimal", "infeasible") for st in res.status)
    for s in range(len(scs)):
        check = results.check_against_highs(res, s)
        assert check["status"] == res.status[s]
        if check["status"] == "optimal":
            assert check["gap_rel"] <= 1e-9, (s, check)


def test_the_memory_budget_sets_the_chunk_size():
    cpu = torch.device("cpu")
    cells = 801 * 5 * 3
    per_scenario_mb = cells * optimizer.BYTES_PER_CELL / 2**20
    assert optimizer.chunk_size(cells, 10 * per_scenario_mb, torch.device("cuda")) == 10
    assert optimizer.chunk_size(cells, 0.5 * per_scenario_mb, cpu) == 1  # never refused
    assert optimizer.chunk_size(cells, 1e9, cpu) == optimizer.CPU_CHUNK_ITEMS // cells


def random_instance(s_n: int, j: int, seed: int, share: float) -> AllocationProblem:
    """``s_n`` instances of ``j`` items: values of both signs, ties, empty caps, DAC items."""
    g = torch.Generator().manual_seed(seed)
    dac = torch.rand(j, generator=g) < 0.35
    # DAC items worth less on average: the greedy plan underfunds them
    value = torch.randn(s_n, j, generator=g, dtype=T).round(decimals=1) + 0.3 - dac.to(T)
    cost = torch.rand(s_n, j, generator=g, dtype=T) + 0.5
    cap = torch.rand(s_n, j, generator=g, dtype=T) * 10 * (torch.rand(s_n, j, generator=g) > 0.1)
    budget = (cost * cap).sum(1) * torch.rand(s_n, generator=g, dtype=T) * 0.8
    return AllocationProblem(value, cost, cap, dac, budget, torch.full((s_n,), share, dtype=T))


@pytest.mark.parametrize("share", [0.3, 0.6, 0.95])
def test_the_two_searches_of_the_justice40_line_find_the_same_plan(share, monkeypatch):
    inst = random_instance(12, 700, seed=int(share * 100), share=share)
    monkeypatch.setattr(torch_exact, "FULL_EVALUATION_ITEMS", 10**12)
    every_point = torch_exact.solve(inst)
    monkeypatch.setattr(torch_exact, "FULL_EVALUATION_ITEMS", 0)
    binary = torch_exact.solve(inst)
    assert bool(every_point.j40_binding.all())  # the premise: the line is searched
    assert torch.equal(every_point.spend_usd, binary.spend_usd)
    assert every_point.status == binary.status
    assert torch.equal(every_point.budget_dual, binary.budget_dual)


def test_the_integer_sort_orders_as_the_floats_ties_in_item_order():
    key = torch.tensor([[0.5, -1.0, float("-inf"), 0.5, 2.0, -0.25, 1e-300, -1e-300, 0.0, 3.0,
                         float("-inf"), -1.0]], dtype=T)
    order = torch_exact._descending(key)
    expected = torch.argsort(key, dim=1, descending=True, stable=True)
    assert torch.equal(order, expected)
