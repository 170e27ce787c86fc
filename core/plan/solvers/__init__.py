"""Solvers of the linear allocation problem: one protocol, one module per solver.

The optimizer (core.plan.optimizer) hands a solver an :class:`AllocationProblem`, S
instances stacked on a leading scenario axis, and reads back an
:class:`AllocationSolution`. A solver is any object (a module will do) with
``solve(problem) -> AllocationSolution``; :data:`SOLVERS` names the ones shipped.
A new solver is one new module here with such a ``solve`` plus its line in
:data:`SOLVERS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import torch

from core.errors import InputError


@dataclass(frozen=True)
class AllocationProblem:
    """S instances of ``max value.x  s.t.  cost.x <= budget,  Justice40,  lower <= x <= cap``.

    Items are (district, intervention, tranche) triples; ``x`` counts units installed. The
    Justice40 row asks that at least ``share`` of the spending ``cost.x`` go to DAC items.
    Forced units are bought even beyond the budget (the budget row reads
    ``cost.x <= max(budget, cost.lower)``; the optimizer reports the overrun), so only
    Justice40 can make an instance infeasible.

    ``rho`` and ``cap_usd`` are computed once per problem (the solver and the statuses both
    read them): treat them as read-only.
    """

    value: torch.Tensor  # [S, J] objective units per unit installed
    cost: torch.Tensor  # [S, J] money per unit (> 0), in the city's currency
    cap: torch.Tensor  # [S, J] units
    dac: torch.Tensor  # [J] or [S, J] bool: the item is in a disadvantaged district
    budget: torch.Tensor  # [S] money
    share: torch.Tensor  # [S] Justice40 share of spending, 0..1
    lower: torch.Tensor | None = None  # [S, J] units forced in (None = 0)
    #: the items are this many blocks of equal size (tranches of the same district x
    #: intervention pairs) that usually sort alike by value per unit of money: a hint a solver
    #: may use to sort faster (core.plan.solvers.torch_exact), never a change of the problem
    blocks: int = 1

    @cached_property
    def rho(self) -> torch.Tensor:
        """Value per unit of money [S, J]."""
        return self.value / self.cost

    @cached_property
    def cap_usd(self) -> torch.Tensor:
        """Spending cap per item [S, J], money."""
        return self.cost * self.cap

    @property
    def lower_usd(self) -> torch.Tensor:
        """Forced spending per item [S, J], money (zeros when nothing is forced)."""
        if self.lower is None:  # a broadcast zero, not a tensor of zeros
            return self.cap.new_zeros(()).expand(self.value.shape)
        return self.lower * self.cost

    @property
    def dac_items(self) -> torch.Tensor:
        """The DAC flags on every row [S, J], bool."""
        return self.dac.expand_as(self.value)

    def capacity_usd(self) -> tuple[torch.Tensor, torch.Tensor]:
        """What the DAC items and the other items can absorb [S] each, money: the forced
        spending plus the room above it (every DAC item; other items of positive value)."""
        dac = self.dac.to(self.value.dtype)  # [J] or [S, J]
        room = self.cap_usd.clamp(min=0) if self.lower is None else \
            (self.cap_usd - self.lower_usd).clamp(min=0)
        useful = torch.where(self.rho > 0, room, 0.0)
        if dac.dim() == 1:  # one product per row, no [S, J] temporaries
            dac_usd, other_usd = room @ dac, useful @ (1 - dac)
        else:
            dac_usd, other_usd = (room * dac).sum(1), (useful * (1 - dac)).sum(1)
        if self.lower is None:
            return dac_usd, other_usd
        lower = self.lower_usd
        return dac_usd + (lower * dac).sum(1), other_usd + (lower * (1 - dac)).sum(1)

    def objective(self, spend_usd: torch.Tensor) -> torch.Tensor:
        """Objective value [S] of a plan given as spending per item [S, J] (money)."""
        return (self.rho * spend_usd).sum(1)

    def row(self, s: int) -> AllocationProblem:
        """Scenario ``s`` alone, as a batch of one."""
        return AllocationProblem(self.value[s:s + 1], self.cost[s:s + 1], self.cap[s:s + 1],
                                 self.dac_items[s:s + 1], self.budget[s:s + 1],
                                 self.share[s:s + 1],
                                 None if self.lower is None else self.lower[s:s + 1],
                                 self.blocks)

    def to(self, device: str | torch.device) -> AllocationProblem:
        """The same problem with every tensor on ``device``."""
        def move(t):
            return None if t is None else t.to(device)
        return AllocationProblem(*(move(t) for t in (self.value, self.cost, self.cap, self.dac,
                                                     self.budget, self.share, self.lower)),
                                 self.blocks)


@dataclass(frozen=True)
class AllocationSolution:
    """A solver's answer for S instances; tensors on the problem's device."""

    spend_usd: torch.Tensor  # [S, J] money per item (the city's currency; ``usd`` is historical)
    status: tuple[str, ...]  # per scenario: "optimal", "infeasible" or the solver's message
    j40_binding: torch.Tensor  # [S] bool: the Justice40 row limits the plan
    budget_dual: torch.Tensor  # [S] objective units per extra unit of money in the budget (0 when slack)
    objective: torch.Tensor  # [S] objective units of the plan returned
    seconds: float = 0.0  # time in the solver's own work (HiGHS: its linprog calls), s

    @property
    def infeasible(self) -> list[bool]:
        """Per scenario: no plan meets Justice40 with the forced spending."""
        return [st == "infeasible" for st in self.status]


class Solver(Protocol):
    """What the optimizer asks of a solver."""

    def solve(self, problem: AllocationProblem) -> AllocationSolution: ...


#: solver name -> module that implements it (imported on first use: HiGHS loads scipy)
SOLVERS: dict[str, str] = {
    "torch": "core.plan.solvers.torch_exact",
    "highs": "core.plan.solvers.highs",
}


def get_solver(name: str) -> Solver:
    """The solver called ``name`` (a key of :data:`SOLVERS`)."""
    if name not in SOLVERS:
        raise InputError(f"unknown solver {name!r}; use one of {', '.join(SOLVERS)}")
    return importlib.import_module(SOLVERS[name])
