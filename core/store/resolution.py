"""A saved scenario solved again now: on the same inputs the Scenario lab used when it was
saved (its saved city, with the energy model's predictions unless the scenario was
observed-only), compared with the saved figures; and what a briefing of it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.intake.city import City
from core.intake.quality import QualityReport
from core.store.errors import NotFound, shown
from core.store.records import QUANTITIES, Allocation, decode_floats, encode_floats
from core.store.scenarios import Scenarios, plan_context

if TYPE_CHECKING:  # the solver's modules import torch: only when something is solved
    from core.plan.problem import CityContext
    from core.plan.results import Result

#: relative difference above which a re-solved figure counts as different: float64 solves
#: of the same problem agree far more closely, so a larger one is a real change
RESOLVE_RTOL = 1e-6
#: totals compared by resolve_scenario: the plan's figures, not how long it took
COMPARED = ("status", "objective", "abatement_t_co2_per_yr", "cost_usd", "budget_usd",
            "bill_savings_usd_per_yr", "dac_benefit_share")


@dataclass(frozen=True)
class Resolution:
    """A saved scenario solved again now: the new result, on ``ctx``, and how it differs."""

    result: Result
    ctx: CityContext
    differences: list[str]  # figures that differ from the saved ones; empty: the same
    changes: list[str]  # what changed since saving (core.store.versions.changes)


@dataclass(frozen=True)
class BriefingInputs:
    """What :func:`core.report.briefing` needs for a saved scenario::

        briefing(i.city, i.ctx, i.result, i.quality, i.card, city_id=i.city_id,
                 scenario_ids=[i.scenario_id])
    """

    city: City  # with the energy model's predictions, as the plan used them
    ctx: CityContext
    result: Result  # the scenario solved now (named as saved)
    quality: QualityReport
    card: dict  # the energy model's card (core.models.model_card), of one cross-validation
    city_id: str
    scenario_id: str


class Resolving(Scenarios):
    """Re-solving and briefing saved scenarios (part of :class:`core.store.Store`)."""

    def resolve_scenario(self, scenario_id: str, device: str = "auto") -> Resolution:
        """Solve a saved scenario again now on its saved city, with the inputs the Lab used
        (:func:`core.store.scenarios.plan_context`: predicted energy unless the scenario is
        observed-only), and compare: the figures and the allocation that differ by more than
        :data:`RESOLVE_RTOL`."""
        from core.plan import optimizer  # torch: not at the app's start-up

        saved = self.get_scenario(scenario_id)
        ctx = plan_context(self.get_city(saved.city_id), saved.observed_only)
        result = optimizer.optimize(ctx, saved.scenario, device=device)
        now = Allocation.from_result(ctx, result)
        was = self.get_allocation(scenario_id)
        differences = differences_of(saved.totals, encode_floats(result.totals(0)))
        for quantity, unit in QUANTITIES.items():
            a, b = getattr(was, quantity), getattr(now, quantity)
            if a.shape != b.shape or not np.allclose(a, b, rtol=RESOLVE_RTOL, atol=0):
                differences.append(f"{quantity} per district and intervention ({unit}) differs")
        return Resolution(result, ctx, differences, saved.changes())

    def briefing_inputs(self, scenario_id: str, *, published_only: bool = False,
                        device: str = "auto") -> BriefingInputs:
        """Everything :func:`core.report.briefing` needs for a saved scenario: its city (with
        the energy model's predictions, from the same cross-validation as the model's card),
        the scenario solved now on the Lab's inputs, the city's quality report and the
        energy model's card. ``published_only``: NotFound unless it is published (the
        portal's briefings). Raises NotFound/Deleted, InputError when the energy model
        cannot be cross-validated on the city."""
        from core.plan import optimizer
        from core.report.inputs import model_evidence, saved_quality  # torch, matplotlib

        saved = self.get_scenario(scenario_id)
        if published_only and not saved.published:
            raise NotFound("scenario", saved.id, f"the scenario {shown(saved.name)} (id "
                           f"{saved.id}) is not published")
        city = self.get_city(saved.city_id)
        quality = saved_quality(city)
        city, card = model_evidence(city, device)
        ctx = plan_context(city, saved.observed_only)  # predicted already: nothing is trained
        result = optimizer.optimize(ctx, saved.scenario, device=device)
        return BriefingInputs(city, ctx, result, quality, card, saved.city_id, saved.id)


def differences_of(saved: dict, now: dict) -> list[str]:
    """The compared totals (:data:`COMPARED`) that differ, in words."""
    out = []
    for key in COMPARED:
        a, b = decode_floats(saved.get(key)), decode_floats(now.get(key))
        if isinstance(a, float) and isinstance(b, float):
            same = (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=RESOLVE_RTOL, atol=0)
        else:
            same = a == b
        if not same:
            out.append(f"{key}: saved {a!r}, now {b!r}")
    return out
