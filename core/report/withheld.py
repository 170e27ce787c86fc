"""A briefing on the public portal: which districts the release rule withholds
(:func:`core.release.release` of a plan's district table), so that the briefing's maps,
tables and sentences use the released figures only, and its totals are the release's.

A plan's district figures (spending, abatement, bill savings, units installed) rest on all
the release's bases, so the same districts are withheld for each of them (and in every
scenario of one city). The briefing draws them in the portal's withheld colour, leaves
them out of its tables and its named districts, and sums the released districts only;
its "Small areas" paragraph says how many are withheld, why, and under which rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.i18n import _
from core.release import Released, Total, shown
from core.release import figures as release_figures

#: the app's URL path of its Methods & sources page (below the base URL)
METHODS_PATH = "methods"
#: a plan's total (core.plan.results.Result.totals) -> the released figure it sums
TOTALS = {"cost_usd": "spend_usd", "abatement_t_co2_per_yr": "abatement_t_co2_per_yr",
          "bill_savings_usd_per_yr": "bill_savings_usd_per_yr"}


@dataclass(frozen=True)
class Withheld:
    """The districts of a plan (in the order of its city context) whose figures the release
    withholds, each with its public reason (:func:`core.release.shown.public_reason`: the
    rule's thresholds, never the district's own counts), the rule in words, and the
    release's totals by figure."""

    mask: np.ndarray  # bool per district: withheld
    reasons: tuple[str, ...]  # per district: why ("" when released)
    rule: str
    totals: Mapping[str, Total]

    @property
    def n(self) -> int:
        """How many districts are withheld."""
        return int(self.mask.sum())

    @property
    def released(self) -> np.ndarray:
        """Bool per district: released (the districts the briefing counts)."""
        return ~self.mask

    @property
    def noised(self) -> bool:
        """True when the release's totals are city-wide totals with noise (they then cover
        the withheld districts too)."""
        return any(self.totals[k].noised for k in TOTALS.values() if k in self.totals)

    def why(self) -> list[tuple[str, int]]:
        """Each public reason with how many districts it withholds, most frequent first."""
        return Counter(r for r in self.reasons if r).most_common()


def of(released: Released, district_ids: Sequence) -> Withheld:
    """The plan figures withheld by ``released`` (a release of a table with a plan's district
    figures, :func:`core.plan.results.district_table`) for the districts ``district_ids``.

    Raises ValueError when the release holds none of a plan's figures."""
    keys = [k for k in released.figures if k in release_figures.PLAN_FIGURES
            or k.endswith(release_figures.PLAN_UNITS_SUFFIX)]
    if not keys:
        raise ValueError(f"the release {released.what!r} holds no plan figure "
                         f"({', '.join(release_figures.PLAN_FIGURES)}): release the plan's "
                         "district table (core.plan.results.district_table)")
    per_figure = [shown.withheld_reasons(released, k, district_ids) for k in keys]
    reasons = tuple(next((r for r in rs if r), "") for rs in zip(*per_figure, strict=True))
    return Withheld(np.array([bool(r) for r in reasons]), reasons, str(released.rule.describe()),
                    dict(released.totals))


def plan_totals(totals: dict, withheld: Withheld) -> dict:
    """A plan's totals (``Result.totals`` over the released districts) with its sums replaced
    by the release's totals (the same, or city-wide with noise when the rule adds it)."""
    out = dict(totals)
    for key, figure in TOTALS.items():
        if figure in withheld.totals:
            out[key] = withheld.totals[figure].value
    return out


def plan_kpis(ctx, result, s: int, withheld: Withheld) -> tuple[dict, list]:
    """Scenario ``s``'s totals and headline figures as the portal may publish them (the Lab
    and the briefing alike): sums over the released districts with the release's totals
    (city-wide with noise when the rule adds it); the baseline, the energy burden and the
    share to disadvantaged districts over the released districts (the burden and baseline
    city-wide with noise, as the totals are). Over released districts because a sum over a
    part of the city (the disadvantaged districts) minus its released members would give a
    withheld district's figure."""
    from core.plan import lab  # the optimizer's modules: only when a plan is shown

    where = withheld.released
    totals = plan_totals(result.totals(s, None if withheld.noised else where), withheld)
    if withheld.noised:  # the share to disadvantaged districts: released districts only
        totals["dac_benefit_share"] = result.totals(s, where)["dac_benefit_share"]
    return totals, lab.kpis(ctx, result, s, where=None if withheld.noised else where,
                            totals=totals)


def kpi_note(withheld: Withheld, n: int) -> str:
    """What the portal's plan figures cover when the release withholds districts."""
    return (_("Sums, the energy burden and the share to disadvantaged districts cover the "
              "{released:,} released districts of {n:,}; {withheld:,} are withheld under the "
              "release rule (Methods & sources).") if not withheld.noised else
            _("Totals are city-wide with noise added (the release rule's privacy option); the "
              "share to disadvantaged districts covers the {released:,} released districts of "
              "{n:,}.")).format(released=n - withheld.n, n=n, withheld=withheld.n)


def methods_link(base_url: str) -> str:
    """The address of the app's Methods & sources page."""
    return base_url.split("?", 1)[0].rstrip("/") + "/" + METHODS_PATH


def section(withheld: Withheld, n_districts: int, base_url: str) -> dict:
    """The "Small areas" paragraph: how many districts are withheld, why, under which rule,
    and what the totals cover."""
    released = n_districts - withheld.n
    if not withheld.n:
        return {"text": _("This briefing is published on the public portal, where a release "
                          "rule protects the people behind small areas' figures ({rule}). All "
                          "of the city's {total:,} districts pass it: every figure is shown.")
                .format(rule=withheld.rule, total=n_districts),
                "why": [], "link": methods_link(base_url)}
    totals = (_("The city totals (spending, abatement, bill savings) cover every district, the "
                "withheld ones included, with Laplace noise from the city's privacy budget; "
                "the other figures add up the {released:,} released districts only.")
              if withheld.noised else
              _("The totals and shares add up the {released:,} released districts only."))
    return {
        "text": _("This briefing is published on the public portal, where a release rule "
                  "protects the people behind small areas' figures ({rule}). It withholds "
                  "{n:,} of the city's {total:,} districts: they are drawn in pink on the maps "
                  "and left out of the tables and the text.").format(
                      rule=withheld.rule, n=withheld.n, total=n_districts)
        + " " + totals.format(released=released),
        "why": [_("{reason} ({n:,} districts)").format(reason=r, n=n) for r, n in withheld.why()],
        "link": methods_link(base_url),
    }
