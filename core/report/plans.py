"""The plans a briefing describes: each solved scenario (in the city's currency) with core's
tables of it (``core.plan.lab.kpis``, ``core.plan.results``) and its hash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.plan import lab, results, status
from core.plan.problem import CityContext
from core.plan.results import Result
from core.plan.scenario import Scenario
from core.release import Released
from core.report import identity
from core.report import withheld as public


@dataclass(frozen=True)
class Plan:
    """One solved scenario (in the city's currency) and core's tables of it."""

    scenario: Scenario
    totals: dict
    kpis: list[lab.KpiDelta]
    measures: pd.DataFrame  # core.plan.results.by_intervention
    districts: pd.DataFrame  # core.plan.results.district_table
    quintiles: pd.DataFrame  # core.plan.results.burden_by_quintile
    hash: str
    store_id: str | None
    withheld: public.Withheld | None = None  # on the portal: the districts it withholds

    @property
    def currency(self) -> str:
        return self.totals["currency"]

    def counted(self, districts: np.ndarray) -> np.ndarray:
        """``districts`` (bool per district) less those the portal withholds: the districts
        the briefing may count or name."""
        return districts if self.withheld is None else districts & self.withheld.released

    @property
    def empty(self) -> bool:
        """True when the optimizer returned no plan to describe (see core.plan.status)."""
        return self.totals["status"] in (*status.EMPTY, "infeasible", "solver failed")


def plans(ctx: CityContext, result_list: Sequence[Result], fingerprint: str,
          store_ids: Sequence[str | None] = (),
          released: Sequence[Released] | None = None) -> list[Plan]:
    """Every scenario of every result, in order, with core's tables of it; with ``released``
    (one release per scenario, in the same order), the released figures only (:func:`shown`).

    Raises ValueError when ``released`` does not hold one release per scenario."""
    n = sum(len(res.scenarios) for res in result_list)
    if released is not None and len(released) != n:
        raise ValueError(f"a briefing on the portal needs one release per scenario: "
                         f"{n} scenarios, {len(released)} releases")
    out = []
    for res in result_list:
        for s, sc in enumerate(res.scenarios):
            i = len(out)
            store_id = store_ids[i] if i < len(store_ids) else None
            digest = identity.scenario_hash(sc, fingerprint)
            if released is None:
                out.append(Plan(sc, res.totals(s), lab.kpis(ctx, res, s),
                                results.by_intervention(ctx, res, s),
                                results.district_table(ctx, res, s),
                                results.burden_by_quintile(ctx, res, s), digest, store_id))
            else:
                out.append(shown(ctx, res, s, public.of(released[i], ctx.district_ids), digest,
                                 store_id))
    return out


def shown(ctx: CityContext, result: Result, s: int, withheld: public.Withheld, digest: str,
          store_id: str | None) -> Plan:
    """Scenario ``s`` as the portal may show it: the withheld districts' figures blank (NaN),
    its totals the release's, its other sums (per intervention, the share to disadvantaged
    districts, the baseline emissions and the energy burden, by quintile too) over the
    released districts; with noised totals, the baseline and burden are city-wide, as the
    totals are."""
    where = withheld.released
    totals, kpis = public.plan_kpis(ctx, result, s, withheld)
    districts = results.district_table(ctx, result, s)
    figures = [c for c in districts.columns if c not in ("district_id", "name", "data",
                                                          "disadvantaged")]
    districts.loc[withheld.mask, figures] = float("nan")
    return Plan(result.scenarios[s], totals, kpis, results.by_intervention(ctx, result, s, where), districts,
                results.burden_by_quintile(ctx, result, s, where), digest, store_id, withheld)


def kpi(plan: Plan, label: str) -> lab.KpiDelta:
    return next(k for k in plan.kpis if k.label == label)
