"""Estimated columns: what Greenprint fills in when a column an analysis needs is absent.

Estimates
---------
When the city has no value at all in one of these columns (the column is absent, or empty
in every district), it is estimated from what the city has::

    electricity_kwh = residential_electricity_kwh + nonresidential_electricity_kwh
    gas_kwh         = residential_gas_kwh + nonresidential_gas_kwh
                      (derived, not estimated: utility data often gives the domestic and
                      non-domestic parts and no total; a district missing a part gets none)
    households    = population / persons_per_household
    housing_units = households / occupancy_rate
    roof_area_m2  = floor_area_m2 / stories_mean x roof_usable_share
                    (the footprint times its usable share, when the city has both)
                  = land area x building_coverage_share x roof_usable_share
                    (otherwise; land area in an equal-area projection)

in this order (housing units may use estimated households). The energy burden's income
basis is reported the same way: when the city has no median household income but has
per-capita income, a district's aggregate income is population x per-capita income
(see *Energy cost, burden and disadvantaged districts*).

The figures come from ``data/estimate_parameters.csv``, each with its source. A user can
override any of them for a city (the Data page; ``--estimate NAME=VALUE`` on the command
line): a count per household must be above 0, a share above 0 and at most 1.

Rules
-----
* A column the user supplies always wins: it is never estimated, and a column with some
  values is never completed district by district (its gaps stay gaps, so that observed
  and estimated values are never mixed in one column).
* A district without the inputs of an estimate gets no value, nor does a district without
  data (no attribute row or no population, :func:`core.intake.columns.with_data`).
* Every estimate is written to the lineage with its formula, figures and sources, listed
  in the quality report (as a note, never a problem: it adds nothing to the score),
  carried by the city (``City.estimates``) so that pages mark the figures it feeds,
  written into exports and saved with the city. A saved city's estimates are made again
  when it is read, from the figures in force (the same values, unless a figure changed).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from core import reference_tables
from core.assess import equity
from core.constants import M2_PER_KM2
from core.errors import InputError
from core.i18n import N_, _, lazy
from core.intake import columns, geometry

TABLE = "estimate_parameters"
USER_SOURCE = N_("set by the user")
#: how each figure reads in a caption (``value`` as given, ``percent`` = value x 100)
PHRASES = {
    "persons_per_household": N_("{value:g} persons per household"),
    "occupancy_rate": N_("{percent:.1f} % of housing units occupied"),
    "building_coverage_share": N_("roofs on {percent:.0f} % of the land"),
    "roof_usable_share": N_("{percent:.0f} % of the roof usable for solar"),
}
VERBS = (N_("estimated"), N_("derived"))  # Estimate.verb, translated in captions
#: the key of the income-basis entry of ``City.estimates`` (no column is added)
INCOME = "aggregate_income"


@dataclass(frozen=True)
class Figure:
    """One figure of ``data/estimate_parameters.csv``, or the user's value for it."""

    name: str
    value: float
    unit: str
    source: str  # the table's source; the user's value says USER_SOURCE
    reference: float  # the table's value

    @property
    def overridden(self) -> bool:
        return self.source == USER_SOURCE

    @property
    def phrase(self) -> str:
        """E.g. ``2.58 persons per household`` (``(set by the user)`` when overridden)."""
        phrase = _(PHRASES[self.name]) if self.name in PHRASES else "{value:g} " + self.unit
        text = phrase.format(value=self.value, percent=self.value * 100)
        return f"{text} ({_(USER_SOURCE)})" if self.overridden else text

    @property
    def short_source(self) -> str:
        """The source up to its last colon: the publication, without the figures quoted
        (the table's sources read ``publication: figures``)."""
        return self.source.rpartition(":")[0] or self.source

    def __str__(self) -> str:
        where = (f"{USER_SOURCE}; reference {self.reference:g}" if self.overridden
                 else f"source: {self.source}")
        return f"{self.name} = {self.value:g} {self.unit} ({where})"


@dataclass(frozen=True)
class Estimate:
    """An estimated column (or the income basis): how it was made and from what."""

    column: str  # the column filled in; INCOME for the income basis
    formula: str  # in column and figure names, e.g. "population / persons_per_household"
    figures: tuple[Figure, ...]
    inputs: tuple[str, ...]  # the city's columns it is made from
    districts: int  # districts that got a value
    note: str = ""
    verb: str = "estimated"  # "derived" for an exact sum of the city's own columns

    def describe(self) -> str:
        """The lineage entry: formula, figures and their sources."""
        figures = "; ".join(map(str, self.figures))
        note = f"; {self.note}" if self.note else ""
        return (f"{self.column}: {self.verb} as {self.formula}"
                + (f", {figures}" if figures else "") + f" ({self.districts} district(s)){note}")

    def caption(self) -> str:
        """A short line for the figures it feeds, e.g. ``households: estimated, 2.58 persons
        per household, source: US Census Bureau, ...``."""
        if not self.figures:
            return _("{column}: {verb} as {formula}").format(
                column=self.column, verb=_(self.verb), formula=self.formula)
        parts = [f.phrase for f in self.figures]
        sources = list(dict.fromkeys(f.short_source for f in self.figures if not f.overridden))
        if sources:
            parts.append(_("source: {sources}").format(sources="; ".join(sources)))
        return _("{column}: estimated, {parts}").format(column=self.column, parts=", ".join(parts))

    def same_as(self, other: Estimate) -> bool:
        """True when both come from the same formula, inputs and figure values."""
        return (self.formula, self.inputs, [(f.name, f.value) for f in self.figures]) == \
            (other.formula, other.inputs, [(f.name, f.value) for f in other.figures])

    def to_dict(self) -> dict:
        out = asdict(self)
        out["figures"] = [{**asdict(f), "overridden": f.overridden} for f in self.figures]
        out["inputs"] = list(self.inputs)
        out["caption"] = self.caption()
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> Estimate:
        figures = tuple(Figure(f["name"], float(f["value"]), f["unit"], f["source"],
                               float(f["reference"])) for f in data.get("figures", ()))
        return cls(data["column"], data["formula"], figures, tuple(data.get("inputs", ())),
                   int(data.get("districts", 0)), data.get("note", ""),
                   data.get("verb", "estimated"))


# --------------------------------------------------------------------------- figures

def reference_figures() -> dict[str, Figure]:
    """Every figure of ``data/estimate_parameters.csv``, by name."""
    t = reference_tables.table(TABLE)
    return {r.name: Figure(r.name, float(r.value), r.unit, r.source, float(r.value))
            for r in t.itertuples()}


def _is_share(figure: Figure) -> bool:
    return figure.unit == "share"


def checked_value(name: str, value: object) -> float:
    """A user's value for figure ``name`` as a number (raises InputError: unknown figure,
    not a number, not above 0, or a share above 1)."""
    ref = reference_figures()
    if name not in ref:
        raise InputError(lazy("'{name}' is not a figure used to estimate columns; use one of "
                              "{names}", name=name, names=", ".join(ref)))
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(lazy("the estimate figure {name} must be a number, got '{value}'",
                              name=name, value=str(value))) from None
    if not np.isfinite(number) or number <= 0 or (_is_share(ref[name]) and number > 1):
        fields = {"name": name, "value": str(value)}
        raise InputError(
            lazy("the estimate figure {name} must be a share above 0 and at most 1, got {value}",
                 **fields) if _is_share(ref[name]) else
            lazy("the estimate figure {name} must be a number above 0 ({unit}), got {value}",
                 unit=ref[name].unit, **fields))
    return number


def figures(overrides: Mapping[str, object] | None = None) -> dict[str, Figure]:
    """The reference figures with the user's values in place (raises InputError, see
    :func:`checked_value`)."""
    out = reference_figures()
    for name, value in (overrides or {}).items():
        number = checked_value(name, value)
        out[name] = replace(out[name], value=number, source=USER_SOURCE)
    return out


# --------------------------------------------------------------------------- rules

Compute = Callable[[gpd.GeoDataFrame, Mapping[str, float]], pd.Series]


@dataclass(frozen=True)
class Rule:
    """One way to estimate a column: usable when the city has every input column."""

    column: str
    formula: str
    inputs: tuple[str, ...]
    figures: tuple[str, ...]
    compute: Compute
    verb: str = "estimated"
    note: str = ""


def _positive(values: pd.Series) -> pd.Series:
    v = values.astype(float)
    return v.where(v > 0)


def _land_m2(d: gpd.GeoDataFrame) -> pd.Series:
    return geometry.area_km2(d) * M2_PER_KM2


def _total(fuel: str) -> Rule:
    """A fuel's total as the sum of its residential (domestic) and non-residential parts."""
    parts = (f"residential_{fuel}_kwh", f"nonresidential_{fuel}_kwh")
    return Rule(f"{fuel}_kwh", " + ".join(parts), parts, (),
                lambda d, f: d[parts[0]].astype(float) + d[parts[1]].astype(float), "derived",
                N_("the data gives the domestic and non-domestic parts but no total"))


RULES: tuple[Rule, ...] = (
    _total("electricity"),
    _total("gas"),
    Rule("households", "population / persons_per_household", ("population",),
         ("persons_per_household",),
         lambda d, f: d["population"].astype(float) / f["persons_per_household"]),
    Rule("housing_units", "households / occupancy_rate", ("households",), ("occupancy_rate",),
         lambda d, f: d["households"].astype(float) / f["occupancy_rate"]),
    Rule("roof_area_m2", "floor_area_m2 / stories_mean x roof_usable_share",
         ("floor_area_m2", "stories_mean"), ("roof_usable_share",),
         lambda d, f: (d["floor_area_m2"].astype(float) / _positive(d["stories_mean"])
                       * f["roof_usable_share"])),
    Rule("roof_area_m2", "land area x building_coverage_share x roof_usable_share", (),
         ("building_coverage_share", "roof_usable_share"),
         lambda d, f: (_land_m2(d) * f["building_coverage_share"] * f["roof_usable_share"])),
)
#: the columns that can be estimated, in the order they are
COLUMNS: tuple[str, ...] = tuple(dict.fromkeys(r.column for r in RULES))


def _has(d: pd.DataFrame, column: str) -> bool:
    return column in d and d[column].notna().any()


def rule_for(d: pd.DataFrame, column: str) -> Rule | None:
    """The first rule for ``column`` whose inputs the city has (None when none fits)."""
    return next((r for r in RULES if r.column == column and all(_has(d, c) for c in r.inputs)),
                None)


def income_estimate(d: pd.DataFrame) -> Estimate | None:
    """The income-basis entry when the burden rests on per-capita income (else None)."""
    if equity.income_basis(d) is not equity.PER_CAPITA_BASIS:
        return None
    known = np.isfinite(equity.district_income_usd(d)).sum()
    return Estimate(INCOME, "population x per_capita_income", (), equity.PER_CAPITA_BASIS.columns,
                    int(known), N_("no median household income: energy burden = bills / "
                                   "aggregate income; per-capita income is aggregate income / "
                                   "population (US Census Bureau), so this is the aggregate "
                                   "itself"))


# --------------------------------------------------------------------------- applying

@dataclass
class Estimated:
    """The districts with their estimated columns, what was estimated, and the lineage."""

    districts: gpd.GeoDataFrame
    estimates: dict[str, Estimate]
    lineage: list[str]
    was_empty: tuple[str, ...]  # estimated columns the data had, with no value in them


def estimate(districts: gpd.GeoDataFrame, overrides: Mapping[str, object] | None = None,
             saved: Mapping[str, Mapping] | None = None,
             supplied: Collection[str] = ()) -> Estimated:
    """Estimate every column of :data:`COLUMNS` the city has no value in (module docstring).

    ``overrides``: the user's figures by name (raises InputError when one is not valid).
    ``saved``: a saved city's estimates (``City.estimates`` as dicts); their columns are made
    again from the figures in force, unless ``supplied`` (the attribute table's columns)
    brings the column. The lineage records an estimate unless the saved city already did
    with the same figures.
    """
    figs = figures(overrides)
    before = _readable(saved or {})
    d = districts.drop(columns=[c for c in before if c in COLUMNS and c in districts
                                and c not in supplied])
    out: dict[str, Estimate] = {}
    lineage: list[str] = []
    given = set(d.columns)
    for column in COLUMNS:
        rule = None if _has(d, column) else rule_for(d, column)
        if rule is None:
            continue
        values = rule.compute(d, {n: figs[n].value for n in rule.figures}).astype(float)
        d[column] = values.where(np.isfinite(values) & columns.with_data(d))
        out[column] = Estimate(column, rule.formula, tuple(figs[n] for n in rule.figures),
                               rule.inputs, int(d[column].notna().sum()), rule.note, rule.verb)
    if (income := income_estimate(d)) is not None:
        out[INCOME] = income
    for key, e in out.items():
        if key not in before or not e.same_as(before[key]):
            lineage.append(e.describe())
    return Estimated(d, out, lineage, tuple(c for c in out if c in given))


def _readable(saved: Mapping[str, Mapping]) -> dict[str, Estimate]:
    """A saved city's estimates that can be read (its metadata is a courtesy: a garbled
    entry is left out, and its column is then taken as the city's data)."""
    out = {}
    for key, data in saved.items() if isinstance(saved, Mapping) else ():
        try:
            out[str(key)] = Estimate.from_dict(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return out


def captions(estimates: Mapping[str, Estimate], keys: Collection[str] | None = None) -> list[str]:
    """The captions of the estimates among ``keys`` (all when None), in estimation order."""
    order = [*COLUMNS, INCOME]
    chosen = [k for k in order if k in estimates and (keys is None or k in keys)]
    return [estimates[k].caption() for k in chosen]
