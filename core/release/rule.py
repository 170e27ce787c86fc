"""Before a district's figure is published on the public portal, a release rule decides
whether it may be shown. The planner's mode shows exact figures; the portal shows only what
:func:`core.release.release` lets through, in maps, tables, downloads and briefings alike.

**Which districts are withheld.** Each figure rests on one or more kinds of data (its
*bases*): the utility's **electricity** or **gas** customers (electricity and gas use,
emissions, bills, energy burden, the disadvantaged flag, a plan's savings) and the
district's **residents** (population, households, incomes, renter share, poverty; and
every per-resident figure). A district's figure is withheld when one of its bases fails:

* *electricity* or *gas*, where the city gives the fuel's customer count
  (`electricity_customers`, `gas_customers`): the **15/15 rule** of US utility regulators,
  at least 15 customers and no one customer above 15 % of the district's use of that fuel
  (checked where the city gives `largest_electricity_customer_share` /
  `largest_gas_customer_share`; where it does not, only the count is checked, and the
  release says so). Source: California Public Utilities Commission, Decision 14-05-016
  (2014), on aggregated energy-usage data released without customer consent.
* *electricity* or *gas* where the customer count is unknown, and *residents* always: the
  **small-area threshold** of a statistical agency, at least 100 residents and 40
  households (the households where the city gives them, not where Greenprint estimated
  them from population), the thresholds below which the UK Office for National
  Statistics did not publish an area's 2001 Census statistics. A district of 100 residents
  or more usually has 15 customers or more; the 15 % condition cannot be checked without
  customer data, and the release says so.

The thresholds are in `data/release_thresholds.csv`, with their sources; a city may set
its own in its release rule file (`GREENPRINT_RELEASE_RULE`). A figure that rests on
none of these (floor area, building age) is published as given.

**Suppression, not aggregation, and no recovery by subtraction.** A withheld figure is
left blank, with the reason, rather than merged into a neighbouring district: the
districts keep the boundaries the public knows, and the map shows which are withheld.
Three things make sure that a blank cannot be filled in by subtraction:

1. *Totals are over released districts only*: a published total never includes a
   withheld value (its label says how many districts it covers), so "total minus the
   released districts" gives nothing.
2. *Complementary suppression*: a city-wide total published elsewhere (a utility's annual
   report, the planner's mode) would still give the withheld districts' sum. So when the
   withheld districts of a basis would not pass the rule as one group (one district
   alone, or fewer than 15 customers, 100 residents or a customer above 15 % between
   them), further districts are withheld with them, the smallest first (the largest users
   first when a dominant customer must be diluted), until the group passes: what
   subtraction can reveal is then an aggregate that the rule itself would publish. The
   withheld set is decided per basis, so every figure resting on a basis hides the same
   districts, and no figure can be rebuilt from others (emissions from electricity and
   gas, say).
3. *Group figures over released districts only*: a figure over part of the city (an
   income quintile's energy burden, the Lorenz curve, the Gini and Theil indices, the
   share of households with a high burden, a plan's share of spending to disadvantaged
   districts) minus its released members could give a single withheld district's value,
   which complementary suppression does not prevent. The portal computes these over the
   released districts, in the Equity page, the Scenario lab and its briefings alike, and
   says how many districts they cover.

**Differential privacy (optional, per city).** A city may also publish its *city-wide*
totals (all districts, the withheld ones included) with noise from the Laplace mechanism
of OpenDP: for each figure with a total, the city states the most that one customer or
resident can add to it (its *bound*, in the figure's unit), and each release spends a
privacy loss ε from the city's budget; the noise scale is bound / ε per figure (ε split
evenly between the figures of one release). The total then carries noise that hides any
one contributor up to the bound, and "total minus released districts" gives the withheld
districts' sum only with that noise. The district figures themselves stay exact (they
passed the rule): noising them too would have to noise every figure derived from them,
or a per-resident figure would give the exact energy back. Every release is recorded in
the privacy ledger of the store (what, ε, the budget, when); a release that would spend
more than the budget is refused, and the same release asked for again is served from the
ledger at no further cost (the noise is drawn once: drawing it again for each visitor
would let an average remove it). The guarantee holds for contributors within the bound;
one larger than it (the dominant customer that the 15 % condition is about) is protected
by suppression only.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core import reference_tables
from core.errors import InputError
from core.i18n import lazy, lazy_join
from core.intake import documents
from core.settings import get_settings

TABLE = "release_thresholds"


def threshold(name: str) -> float:
    """A sourced threshold of ``data/release_thresholds.csv`` (unit in its ``unit`` column)."""
    return reference_tables.value(TABLE, name)


class Privacy(BaseModel):
    """Differential-privacy noise on a city's published totals.

    ``epsilon``: privacy loss one release spends (split evenly between its noised totals);
    ``budget``: the most the city's releases may spend together (the ledger adds them up);
    ``bounds``: per figure with a total, the most that one contributor (a customer, a
    resident) can add to it, in the figure's unit; those figures' totals get noise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epsilon: float = Field(gt=0, allow_inf_nan=False)
    budget: float = Field(gt=0, allow_inf_nan=False)
    bounds: dict[str, float] = Field(min_length=1)

    @field_validator("bounds")
    @classmethod
    def _positive_bounds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, b in v.items() if not (math.isfinite(b) and b > 0)]
        if bad:
            raise ValueError(f"each bound must be a positive number (the most one contributor "
                             f"adds to the figure's total); not so for {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _within_budget(self) -> Privacy:
        if self.epsilon > self.budget:
            raise ValueError(f"epsilon {self.epsilon:g} is more than the whole budget "
                             f"{self.budget:g}: no release could be made")
        return self


class ReleaseRule(BaseModel):
    """What a district figure must pass to be published; the sourced thresholds by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_customers: int = Field(default_factory=lambda: int(threshold("min_customers")), ge=1)
    max_customer_share: float = Field(default_factory=lambda: threshold("max_customer_share"),
                                      gt=0, le=1)
    min_population: float = Field(default_factory=lambda: threshold("min_population"), ge=0,
                                  allow_inf_nan=False)
    min_households: float = Field(default_factory=lambda: threshold("min_households"), ge=0,
                                  allow_inf_nan=False)
    privacy: Privacy | None = None

    def describe(self) -> str:
        """The rule in one line, for a release's notes and the Methods page."""
        text = (lazy("at least {min_customers} customers and no one customer above "
                "{max_customer_share:.0%} of a fuel's use (where customer counts are "
                "known); at least {min_population:,.0f} residents and "
                "{min_households:,.0f} households", min_customers=self.min_customers,
                max_customer_share=self.max_customer_share, min_population=self.min_population,
                min_households=self.min_households))
        if self.privacy:
            text = lazy_join("", (text, lazy("; city-wide totals with Laplace noise, "
                                             "ε = {epsilon:g} "
                                             "per release of a budget of {budget:g}",
                                             epsilon=self.privacy.epsilon,
                                             budget=self.privacy.budget)))
        return text


def from_dict(data: dict | None, where: str = "release rule") -> ReleaseRule:
    """A rule from plain data (a rule file's content); InputError naming each bad field."""
    if data is not None and not isinstance(data, dict):
        raise InputError(f"{where}: expected an object with release-rule fields")
    try:
        return ReleaseRule.model_validate(data or {})
    except ValidationError as exc:
        lines = [(f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "")
                 + e["msg"].removeprefix("Value error, ") for e in exc.errors()]
        raise InputError(f"{where} is not valid: " + "; ".join(lines)) from None


def load(path: str | Path) -> ReleaseRule:
    """A rule file (``.json``, ``.yaml`` or ``.yml``; the size and depth limits of scenario
    files apply)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"release rule file not found: {path} (GREENPRINT_RELEASE_RULE names it)")
    return from_dict(documents.read(path), f"release rule file {path.name}")


def configured() -> ReleaseRule:
    """The portal's rule: ``GREENPRINT_RELEASE_RULE``'s file, else the sourced thresholds
    with no noise."""
    path = get_settings().release_rule
    return ReleaseRule() if path is None else load(path)
