"""The one door to publication: :func:`release` applies a city's release rule to a table of
district figures and returns what may be shown (:class:`Released`). The rule, its sources
and the differential-privacy option are explained in :mod:`core.release.rule`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.assess.indicators import CURRENCY_ATTR
from core.errors import InputError
from core.i18n import deferred, lazy, number, significant, unit
from core.intake.city import City
from core.release import figures as figs
from core.release import noise
from core.release.rule import ReleaseRule
from core.release.suppress import BasisData, Suppression, basis_data, failures, suppress

if TYPE_CHECKING:
    from core.store.ledger import LedgerEntry, PrivacyLedger

#: how many unknown district ids a message quotes
IDS_QUOTED = 5
COMPLEMENT = ("withheld so that no total minus the published districts can reveal the other "
              "withheld districts (complementary suppression)")


@dataclass(frozen=True)
class Total:
    """A published total of an additive figure (``unit``): over the released districts
    (exact), or over all districts with data with Laplace noise (``scale`` in the unit,
    ``epsilon`` spent)."""

    figure: str
    value: float
    unit: str
    districts: int  # districts whose values it adds up
    withheld: int  # districts whose value the table withholds
    scale: float | None = None
    epsilon: float | None = None

    @property
    def noised(self) -> bool:
        return self.scale is not None

    @property
    def scope(self) -> str:
        """What the total covers, in words (for its label): a :class:`~core.i18n.Lazy`
        message, English as a string (the release note) and in the reader's language where
        shown with ``_()``."""
        if self.noised:
            return lazy("all {n} districts with data, withheld ones included, with Laplace "
                        "noise of scale {scale} {unit} (ε = {epsilon:.3g})", n=self.districts,
                        scale=deferred(_number, self.scale), unit=deferred(unit, self.unit),
                        epsilon=self.epsilon)
        if self.withheld:
            return lazy("the {n} released districts only ({withheld} withheld not included)",
                        n=self.districts, withheld=self.withheld)
        return lazy("all {n} districts with data", n=self.districts)


def _number(x: float) -> str:
    """A number as a label shows it, for the locale: whole with thousands separators from
    100 up, else three significant digits."""
    return number(x) if abs(x) >= 100 else significant(x)


@dataclass(frozen=True)
class Released:
    """What may be published of a table of district figures.

    ``table``: the input with every withheld value blank (NaN); ``withheld`` and ``reasons``:
    ``district_id`` and, per figure, whether its value is withheld and why ("" when shown);
    ``totals``: per additive figure, the total that may be published; ``notes``: what the
    rule could not check, in words; ``ledger_entry``: the privacy-ledger entry of the noised
    totals (None without noise)."""

    what: str
    table: pd.DataFrame
    withheld: pd.DataFrame
    reasons: pd.DataFrame
    figures: Mapping[str, figs.Figure]
    totals: Mapping[str, Total]
    rule: ReleaseRule
    notes: tuple[str, ...]
    ledger_entry: LedgerEntry | None = None

    def withheld_ids(self, figure: str) -> tuple[str, ...]:
        """Ids of the districts whose ``figure`` is withheld, in table order."""
        return tuple(self.withheld.loc[self.withheld[figure], "district_id"].astype(str))

    def summary(self) -> str:
        """One line per figure with withheld values, e.g. ``electricity_kwh: 6 of 795``."""
        lines = []
        for key in self.figures:
            n = int(self.withheld[key].sum())
            if n:
                lines.append(f"{key}: {n} of {int(self.table[key].notna().sum()) + n} districts "
                             "withheld")
        return "\n".join(lines) or "nothing withheld"


def release(city: City, table: pd.DataFrame, rule: ReleaseRule | None = None, *,
            what: str = "district figures", ledger: PrivacyLedger | None = None,
            extra: Iterable[figs.Figure] = ()) -> Released:
    """Apply ``rule`` (default: the sourced thresholds, no noise) to ``table``.

    ``table``: ``district_id`` (districts of ``city``), optionally ``name`` and ``data``, and
    one column per figure (an indicator of :func:`core.assess.indicators.indicator_table`, a
    plan's figure of :func:`core.plan.results.district_table`, or one of ``extra``); money
    is in ``table.attrs["currency"]`` (else the city's currency). ``what`` names the table
    in the privacy ledger. With noise (``rule.privacy``) a ``ledger`` is required.

    Raises InputError for a table or rule it cannot apply (unknown figure or district, no
    ledger), and core.store.BudgetExceeded when the noised totals would pass the city's
    privacy budget (nothing is published then)."""
    rule = ReleaseRule() if rule is None else rule
    currency = table.attrs.get(CURRENCY_ATTR, city.references.currency)
    figures = figs.figures_of(table.columns, currency, extra)
    ids = _district_ids(city, table)
    values = {k: _numeric(table[k], k) for k in figures}
    d = _aligned(city, ids)
    households_given = city.has("households") and not city.estimated("households")
    needed = sorted({b for f in figures.values() for b in f.bases})
    data = {b: basis_data(d, b, households_given) for b in needed}
    outcome = {b: suppress(data[b], rule) for b in needed}

    withheld = pd.DataFrame({"district_id": ids})
    reasons = pd.DataFrame({"district_id": ids})
    shown = table.copy()
    for key, fig in figures.items():
        mask, why = _figure_mask(fig, values[key], data, outcome, rule)
        withheld[key] = mask
        reasons[key] = why
        shown[key] = np.where(mask, np.nan, values[key])
    totals = {k: _exact_total(k, figures[k], values[k], withheld[k].to_numpy())
              for k in figs.additive(figures)}
    entry = None
    if rule.privacy is not None:
        noised, entry = _noised_totals(city, what, rule, figures, values, withheld, ledger)
        totals.update(noised)
    notes = _notes(rule, outcome, city, households_given)
    return Released(what, shown, withheld, reasons, figures, totals, rule, notes, entry)


# ------------------------------------------------------------------ table and city


def _district_ids(city: City, table: pd.DataFrame) -> list[str]:
    if "district_id" not in table:
        raise InputError("the table of figures has no district_id column; give one row per "
                         "district with its id")
    ids = table["district_id"].astype(str)
    repeated = sorted(set(ids[ids.duplicated()]))
    if repeated:
        raise InputError(f"the table of figures repeats district ids {', '.join(repeated[:IDS_QUOTED])}"
                         "; give one row per district")
    unknown = sorted(set(ids) - set(city.districts["district_id"].astype(str)))
    if unknown:
        more = f" and {len(unknown) - IDS_QUOTED} more" if len(unknown) > IDS_QUOTED else ""
        raise InputError(f"the table of figures has districts that are not in {city.name}: "
                         f"{', '.join(unknown[:IDS_QUOTED])}{more}; release a table of this city")
    return ids.tolist()


def _numeric(column: pd.Series, key: str) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce")
    if (values.isna() & column.notna()).any():
        raise InputError(f"figure {key!r} holds values that are not numbers; a release "
                         "publishes numbers only")
    return values.to_numpy(dtype=float)


def _aligned(city: City, ids: list[str]) -> pd.DataFrame:
    """The city's districts (without geometry) in the order of ``ids``."""
    d = pd.DataFrame(city.districts.drop(columns=city.districts.geometry.name))
    return d.set_index(d["district_id"].astype(str)).loc[ids].reset_index(drop=True)


# ------------------------------------------------------------------ withholding


def _figure_mask(fig: figs.Figure, values: np.ndarray, data: Mapping[str, BasisData],
                 outcome: Mapping[str, Suppression], rule: ReleaseRule
                 ) -> tuple[np.ndarray, list[str]]:
    """Whether each value of ``fig`` is withheld (a basis withholds its district), and why."""
    has = ~np.isnan(values)
    mask = np.zeros(len(values), bool)
    why: list[list[str]] = [[] for _ in values]
    for b in sorted(fig.bases):
        hit = outcome[b].withheld & has
        mask |= hit
        for i in np.flatnonzero(hit):
            why[i].append(f"{b}: {outcome[b].reasons[i]}")
    if fig.additive:
        _complete(mask, has, why, [data[b] for b in sorted(fig.bases)], rule)
    return mask, ["; ".join(w) for w in why]


def _complete(mask: np.ndarray, has: np.ndarray, why: list[list[str]],
              data: list[BasisData], rule: ReleaseRule) -> None:
    """Withhold further values of an additive figure (in place) until its withheld values pass
    every basis's rule as a group. The bases' own complementary suppression already does so
    wherever the figure has a value in each district of the bases' data; this covers a
    figure with values missing where its bases have data."""
    while mask.any():
        if not any(failures(bd, np.flatnonzero(mask), rule) for bd in data):
            return
        candidates = np.flatnonzero(has & ~mask)
        if candidates.size == 0:
            return
        size = np.nan_to_num(data[0].population[candidates], nan=0.0)
        i = int(candidates[np.argmin(size)])
        mask[i] = True
        why[i].append(COMPLEMENT)


# ------------------------------------------------------------------ totals


def _exact_total(key: str, fig: figs.Figure, values: np.ndarray, withheld: np.ndarray) -> Total:
    shown = ~withheld & ~np.isnan(values)
    return Total(key, float(values[shown].sum()), fig.unit, int(shown.sum()), int(withheld.sum()))


def _noised_totals(city: City, what: str, rule: ReleaseRule, figures: Mapping[str, figs.Figure],
                   values: Mapping[str, np.ndarray], withheld: pd.DataFrame,
                   ledger: PrivacyLedger | None) -> tuple[dict[str, Total], LedgerEntry | None]:
    """City-wide totals (withheld districts included) with Laplace noise, spent from the
    city's budget in the ledger (or the same release's entry, if it was made before)."""
    privacy = rule.privacy
    registry = {**figs.known(city.references.currency), **figures}
    wrong = [k for k in privacy.bounds if k not in registry or not registry[k].additive]
    if wrong:
        raise InputError(f"privacy.bounds names {', '.join(map(repr, wrong))}, which "
                         f"{'is' if len(wrong) == 1 else 'are'} not a figure with a total; "
                         f"figures with totals: {', '.join(figs.additive(registry))}")
    keys = [k for k in privacy.bounds if k in figures]
    if not keys:
        return {}, None
    if ledger is None:
        raise InputError("the release rule adds differential-privacy noise, which must be "
                         "spent from the city's budget in the privacy ledger: open the store "
                         "and pass core.store.PrivacyLedger(store) as ledger")
    true = {k: float(np.nansum(values[k])) for k in keys}
    epsilon = privacy.epsilon / len(keys)
    city_id = ledger.city_id(city)
    key = _release_key(city_id, what, true, privacy.bounds, epsilon)
    entry = ledger.find(key)
    if entry is None:
        drawn = {k: noise.laplace(true[k], privacy.bounds[k], epsilon) for k in keys}
        spent = sum(n.epsilon for n in drawn.values())
        entry, _new = ledger.spend(
            city=city_id, release_key=key, what=what, epsilon=spent, budget=privacy.budget,
            totals={k: {"value": n.value, "scale": n.scale, "epsilon": n.epsilon,
                        "bound": n.bound} for k, n in drawn.items()})
    out = {}
    for k in keys:
        t = entry.totals[k]
        out[k] = Total(k, float(t["value"]), figures[k].unit, int((~np.isnan(values[k])).sum()),
                       int(withheld[k].sum()), float(t["scale"]), float(t["epsilon"]))
    return out, entry


def _release_key(city_id: str, what: str, true: Mapping[str, float],
                 bounds: Mapping[str, float], epsilon: float) -> str:
    """The same release (city, table, true totals, bounds, loss) has the same key: it is
    served from the ledger, not drawn again."""
    text = json.dumps({"city": city_id, "what": what, "totals": {k: repr(v) for k, v in true.items()},
                       "bounds": {k: repr(float(bounds[k])) for k in true}, "epsilon": repr(epsilon)},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------ notes


def _notes(rule: ReleaseRule, outcome: Mapping[str, Suppression], city: City,
           households_given: bool) -> tuple[str, ...]:
    notes = [f"release rule: {rule.describe()}"]
    notes += [s.note for s in outcome.values() if s.note]
    if city.has("households") and not households_given:
        notes.append(f"households are Greenprint's estimate from population, so the "
                     f"{rule.min_households:,.0f}-household threshold is not applied (the "
                     f"{rule.min_population:,.0f}-resident one is)")
    return tuple(notes)
