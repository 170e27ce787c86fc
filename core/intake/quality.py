"""Data-quality report of a staged city: what is missing, wrong, doubtful, and a score.

Checks
------
* completeness and type errors per column (text in a numeric column);
* out of range: negative counts, energy or areas, shares outside 0..1 (blocking,
  from :mod:`core.intake.schema`); implausible energy per person or per m² (warnings,
  thresholds in ``data/plausibility_thresholds.csv``);
* duplicate ids (blocking), duplicate geometries, exact duplicate rows (warnings);
* robust outliers: modified z-score ``0.6745 (x - median) / MAD`` above the
  threshold (Iglewicz and Hoaglin's 3.5), on log10 of positive quantities
  (counts, money, areas, energy, stories) and on raw values otherwise (shares,
  ages); monthly columns are left to their annual totals (warnings);
* ids on one side only, and ids that differ only by leading zeros;
* districts without data (no attribute row, or no population): a warning that lists
  them (they stay on the map as "no data" and are left out of the analyses); fewer
  districts with data than ``GREENPRINT_MIN_DISTRICTS_WITH_DATA`` is blocking (both
  from :mod:`core.intake.staging`);
* geometry: non-polygons (blocking), repaired polygons (lineage), overlaps and
  gaps between districts with their area (warnings);
* estimated columns (:mod:`core.intake.estimates`): listed as notes, severity
  ``note`` and check ``estimated``; they are not problems of the data, so they
  change neither the score nor usability, and the checks above look at the data
  as given (an estimated column's completeness is that of the data: 0).

Quality score
-------------
For district *d*::

    score_d = clip(100 - W_missing * missing_share_d
                       - W_blocking * n_blocking_d
                       - W_warning * n_warning_d, 0, 100)

where ``missing_share_d`` is the share of the city's mapped canonical numeric
columns that are empty for *d* in the data as given (estimated values do not
fill them), and ``n_blocking_d`` / ``n_warning_d`` count the
problems that name *d* (one per check and column). The weights are judgement
values in ``data/plausibility_thresholds.csv`` (40, 25 and 5 points). The overall
score is the mean of the district scores. A city is *usable* when no blocking
problem remains, whatever its score.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from core import i18n, reference_tables
from core.constants import M2_PER_KM2
from core.errors import Problem
from core.i18n import N_, _, deferred, lazy
from core.intake import columns as cols
from core.intake import geometry, lineage
from core.intake.estimates import Estimate
from core.intake.staging import Staged

THRESHOLDS = "plausibility_thresholds"
# 0.6745 = the 75th percentile of the standard normal: makes MAD comparable to a standard
# deviation (Iglewicz and Hoaglin 1993).
MAD_SCALE = 0.6745
LOG_KINDS = ("count", "money", "area", "energy", "number")
MONTHLY = frozenset(cols.MONTHLY_ELECTRICITY + cols.MONTHLY_GAS)
SCORE_MAX = 100.0
NOTE = "note"  # severity of an estimate in the report's tables
#: severity -> its word in the language in effect
SEVERITIES = {"blocking": N_("blocking"), "warning": N_("warning"), NOTE: N_("note")}
ESTIMATE_FIX = (lazy("map the city's own column to replace the estimate, or change the figures "
                "it uses"))


def problem_text(p: Problem) -> str:
    """A problem in one line, in the language in effect (``str(problem)``, core.i18n)."""
    return str(p)


def threshold(name: str) -> float:
    return reference_tables.value(THRESHOLDS, name)


@dataclass(frozen=True)
class QualityReport:
    """The whole report; tables are plain DataFrames that pages and the CLI show as they are."""

    n_districts: int
    problems: list[Problem]
    columns: pd.DataFrame  # column, canonical, unit, completeness, missing, type_errors, ...
    districts: pd.DataFrame  # district_id, name, score, blocking, warnings, missing_share
    overlaps: pd.DataFrame
    gaps: pd.DataFrame
    lineage: list[str]
    score: float
    ids: dict = field(default_factory=dict)
    estimates: dict[str, Estimate] = field(default_factory=dict)
    #: districts without data (no attribute row or no population): drawn as "no data"
    no_data_ids: tuple[str, ...] = ()

    @property
    def n_without_data(self) -> int:
        return len(self.no_data_ids)

    @property
    def n_with_data(self) -> int:
        return self.n_districts - self.n_without_data

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def notes(self) -> list[Problem]:
        """One note per estimate (check ``estimated``); never a problem of the data."""
        return [Problem(lazy("estimated"), deferred(lineage.shown, e.describe()), ESTIMATE_FIX,
                        e.column, (), blocking=False)
                for e in self.estimates.values()]

    def _entries(self) -> list[tuple[str, Problem]]:
        """(severity, problem or note): problems first, then the notes."""
        return ([("blocking" if p.blocking else "warning", p) for p in self.problems]
                + [(NOTE, n) for n in self.notes])

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    @property
    def usable(self) -> bool:
        return not self.blocking

    def issues(self) -> pd.DataFrame:
        """One row per problem and district it names (problems naming none: one row)."""
        rows = []
        for severity, p in self._entries():
            base = {"severity": severity, "check": p.check,
                    "column": p.column or "", "message": p.message, "fix": p.fix}
            for d in p.district_ids or ("",):
                rows.append({**base, "district_id": d})
        columns = ["severity", "check", "column", "district_id", "message", "fix"]
        return pd.DataFrame(rows, columns=columns)

    def problem_table(self) -> pd.DataFrame:
        """One row per problem and per note, with how many districts it names, written in the
        language in effect (the downloads, :meth:`to_csv` and :meth:`to_json`, keep English)."""
        return pd.DataFrame([{"severity": _(SEVERITIES[severity]),
                              "check": _(p.check), "column": p.column or "",
                              "districts": len(p.district_ids), "message": _(p.message),
                              "fix": _(p.fix)} for severity, p in self._entries()],
                            columns=["severity", "check", "column", "districts", "message", "fix"])

    def to_csv(self) -> str:
        return self.issues().to_csv(index=False)

    def to_dict(self) -> dict:
        return {
            "usable": self.usable, "score": round(self.score, 1), "n_districts": self.n_districts,
            "n_with_data": self.n_with_data, "n_without_data": self.n_without_data,
            "no_data_ids": list(self.no_data_ids),
            "n_blocking": len(self.blocking), "n_warnings": len(self.warnings),
            "score_formula": SCORE_FORMULA,
            "problems": [{"severity": "blocking" if p.blocking else "warning", "check": p.check,
                          "column": p.column, "message": p.message, "fix": p.fix,
                          "district_ids": list(p.district_ids)} for p in self.problems],
            "n_notes": len(self.notes),
            "notes": [{"severity": NOTE, "check": n.check, "column": n.column,
                       "message": n.message, "fix": n.fix} for n in self.notes],
            "estimates": {k: e.to_dict() for k, e in self.estimates.items()},
            "columns": _records(self.columns), "districts": _records(self.districts),
            "overlaps": _records(self.overlaps), "gaps": _records(self.gaps),
            "ids": self.ids, "lineage": list(self.lineage),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)


#: the score's formula (module docstring): English in the downloads, ``_(SCORE_FORMULA)`` where
#: it is shown
SCORE_FORMULA = N_("score = clip(100 - W_missing x missing share - W_blocking x blocking "
                   "problems - W_warning x warnings, 0, 100) per district; overall = mean of "
                   "districts; weights in data/plausibility_thresholds.csv")


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def assess(staged: Staged, prior_lineage: tuple[str, ...] = ()) -> QualityReport:
    """Every check of the module docstring on a staged city.

    The checks add warnings only: every blocking problem comes from staging, so a city is
    usable exactly when its staging found nothing blocking. ``prior_lineage`` (a saved
    city's) comes before the staging's in the report's lineage.
    """
    d = given(staged)
    problems = list(staged.problems)
    problems += _duplicate_geometries(d)
    problems += _implausible(d)
    problems += _outliers(d)
    topo = geometry.topology(d, threshold("overlap_min_m2"))
    problems += _topology_problems(topo)
    columns = column_table(d, staged, problems)
    districts = district_scores(d, problems)
    ids = {}
    if staged.ids is not None:
        ids = {"matched": staged.ids.n_matched, "boundary_only": list(staged.ids.boundary_only),
               "attribute_only": list(staged.ids.attribute_only),
               "leading_zeros": [list(p) for p in staged.ids.leading_zeros]}
    score = float(districts["score"].mean()) if len(districts) else 0.0
    no_data = tuple(d.loc[~cols.with_data(d), "district_id"].astype(str))
    return QualityReport(len(d), problems, columns, districts, topo.overlaps, topo.gaps,
                         [*prior_lineage, *staged.lineage], score, ids, dict(staged.estimates),
                         no_data)


def given(staged: Staged) -> pd.DataFrame:
    """The staged districts as the data gave them: estimated columns the data had left empty
    are empty again, those it did not have are left out."""
    d = staged.districts
    estimated = [c for c in staged.estimates if c in d]
    absent = [c for c in estimated if c not in staged.empty_estimated]
    out = d.drop(columns=absent)
    for c in staged.empty_estimated:
        out[c] = np.nan
    return out


def _numeric_present(d: pd.DataFrame) -> list[str]:
    return [c for c in cols.NUMERIC if c in d]


def column_table(d: pd.DataFrame, staged: Staged, problems: list[Problem]) -> pd.DataFrame:
    """Per column: completeness (share of districts with a value in the data as given; ``d``
    from :func:`given`), whether it is estimated, type errors, flagged values."""
    flagged: dict[tuple[str, str], set[str]] = {}
    for p in problems:
        if p.column:
            key = (p.column, "range" if p.check == "schema" else "outlier"
                   if p.check == "outlier" else "other")
            flagged.setdefault(key, set()).update(p.district_ids)
    rows = []
    shown = [*d.columns, *(c for c in staged.districts.columns if c not in d)]
    for c in [c for c in shown if c != d.geometry.name]:
        values = d[c] if c in d else pd.Series(np.nan, index=d.index)
        present = int(values.notna().sum())
        rows.append({
            "column": c, "canonical": c in cols.CANONICAL, "unit": cols.unit_of(c),
            "extra_feature": c in staged.extra_features, "estimated": c in staged.estimates,
            "completeness": present / len(d) if len(d) else 0.0,
            "missing": int(len(d) - present),
            "type_errors": staged.type_errors.get(c, 0),
            "out_of_range": len(flagged.get((c, "range"), ())),
            "outliers": len(flagged.get((c, "outlier"), ())),
        })
    return pd.DataFrame(rows)


def district_scores(d: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Quality score per district (formula in the module docstring)."""
    numeric = _numeric_present(d)
    missing_share = (d[numeric].isna().mean(axis=1).to_numpy() if numeric
                     else np.zeros(len(d)))
    index = {i: k for k, i in enumerate(d["district_id"].astype(str))}
    n_block = np.zeros(len(d))
    n_warn = np.zeros(len(d))
    for p in problems:
        rows = [index[i] for i in set(p.district_ids) if i in index]
        if p.blocking:
            n_block[rows] += 1
        else:
            n_warn[rows] += 1
    score = (SCORE_MAX - threshold("score_missing_weight") * missing_share
             - threshold("score_blocking_penalty") * n_block
             - threshold("score_warning_penalty") * n_warn)
    return pd.DataFrame({"district_id": d["district_id"].astype(str).to_numpy(),
                         "name": d["name"].astype(str).to_numpy(),
                         "score": np.clip(score, 0, SCORE_MAX),
                         "blocking": n_block.astype(int), "warnings": n_warn.astype(int),
                         "missing_share": missing_share})


def _duplicate_geometries(d) -> list[Problem]:
    geoms = d.geometry.to_numpy()
    ok = ~geometry.unusable(d.geometry)
    if ok.sum() < 2:
        return []
    wkb = pd.Series(shapely.to_wkb(shapely.normalize(geoms[ok]), hex=True),
                    index=d["district_id"].astype(str).to_numpy()[ok])
    dup = wkb.duplicated(keep=False)
    if not dup.any():
        return []
    return [Problem(lazy("duplicate geometries"), lazy("{sum} districts share their polygon "
                    "with another district", sum=int(dup.sum())),
                    lazy("remove the copies or exclude them"), "geometry",
                    tuple(wkb.index[dup]), blocking=False)]


def _total_energy(d: pd.DataFrame) -> pd.Series | None:
    parts = [d[c] for c in ("electricity_kwh", "gas_kwh") if c in d]
    if not parts:
        return None
    total = sum(p.fillna(0) for p in parts)
    return total.where(pd.concat(parts, axis=1).notna().any(axis=1))


def _implausible(d: pd.DataFrame) -> list[Problem]:
    energy = _total_energy(d)
    if energy is None:
        return []
    out = []
    ids = d["district_id"].astype(str)
    checks = []
    if "population" in d:
        per_person = energy / d["population"].where(d["population"] > 0)
        checks.append((per_person > threshold("max_energy_per_person_kwh"), "population",
                       lazy("energy per person"), per_person, "kWh/person/yr",
                       lazy("above {threshold:,.0f}",
                            threshold=threshold('max_energy_per_person_kwh'))))
    if "floor_area_m2" in d:
        per_m2 = energy / d["floor_area_m2"].where(d["floor_area_m2"] > 0)
        checks.append((per_m2 > threshold("max_energy_per_m2_kwh"), "floor_area_m2",
                       lazy("energy per m²"), per_m2, "kWh/m²/yr",
                       lazy("above {threshold:,.0f}",
                            threshold=threshold('max_energy_per_m2_kwh'))))
        checks.append((per_m2 < threshold("min_energy_per_m2_kwh"), "floor_area_m2",
                       lazy("energy per m²"), per_m2, "kWh/m²/yr",
                       lazy("below {threshold:,.0f}",
                            threshold=threshold('min_energy_per_m2_kwh'))))
    for mask, column, what, values, unit, bound in checks:
        mask = mask.fillna(False).to_numpy()
        if mask.any():
            example = float(values[mask].iloc[0])
            out.append(Problem(lazy("implausible"), lazy("{sum} district(s) have {what} {bound} "
                               "{unit}, e.g. {example:,.0f}", sum=int(mask.sum()), what=what,
                               bound=bound, unit=deferred(i18n.unit, unit), example=example),
                               lazy("check the units of energy, population and floor area "
                                    "(e.g. MWh entered as kWh)"), column,
                               tuple(ids[mask]), blocking=False))
    return out


def modified_z(values: pd.Series, log: bool) -> pd.Series:
    """Modified z-scores (NaN where the value is missing, or not positive on a log scale)."""
    v = values.astype(float)
    if log:
        v = np.log10(v.where(v > 0))
    med = v.median()
    mad = (v - med).abs().median()
    if not np.isfinite(mad) or mad == 0:
        return pd.Series(np.nan, index=values.index)
    return MAD_SCALE * (v - med) / mad


def _outliers(d: pd.DataFrame) -> list[Problem]:
    limit, min_values = threshold("mad_z_threshold"), threshold("mad_min_values")
    ids = d["district_id"].astype(str)
    out = []
    for c in _numeric_present(d):
        if c in MONTHLY or d[c].notna().sum() < min_values:
            continue
        log = cols.CANONICAL[c].kind in LOG_KINDS
        z = modified_z(d[c], log)
        mask = (z.abs() > limit).to_numpy()
        if mask.any():
            scale = lazy(" (on a log scale)") if log else ""
            out.append(Problem(lazy("outlier"), lazy("{sum} value(s) lie far from the median "
                               "{number} {unit_of}{scale}: modified z-score "
                               "above {limit:g}", sum=int(mask.sum()),
                               number=deferred(_number, float(d[c].median())),
                               unit_of=deferred(i18n.unit, cols.unit_of(c)), scale=scale,
                               limit=limit), lazy("check these values; keep them if they are "
                               "right"), c, tuple(ids[mask]), blocking=False))
    return out


def _number(value: float) -> str:
    """A value for a message without scientific notation: whole with separators from 100 on
    (175,900), three significant digits below (0.0512), with the locale's signs."""
    return i18n.number_text(f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}")


def _topology_problems(topo: geometry.Topology) -> list[Problem]:
    out = []
    if len(topo.overlaps):
        ids = tuple(sorted(set(topo.overlaps["district_a"]) | set(topo.overlaps["district_b"])))
        out.append(Problem(lazy("overlaps"), lazy("{n_overlaps} pair(s) of districts overlap, "
                           "{overlap_m2:,.4f} km² "
                           "({overlap_m22:,.0f} m²) in all", n_overlaps=len(topo.overlaps),
                           overlap_m2=topo.overlap_m2 / M2_PER_KM2, overlap_m22=topo.overlap_m2),
                           lazy("fix the boundaries so that districts do not overlap (areas and "
                           "densities count the overlap twice)"), "geometry", ids, blocking=False))
    if len(topo.gaps):
        ids = tuple(sorted({i for s in topo.gaps["district_ids"] for i in s.split(", ") if i}))
        out.append(Problem(lazy("gaps"), lazy("{n_gaps} hole(s) enclosed by the city, "
                           "{gap_m2:,.4f} km² ({gap_m22:,.0f} m²) "
                           "in all: gaps between districts, or areas that are not part of the city",
                           n_gaps=len(topo.gaps), gap_m2=topo.gap_m2 / M2_PER_KM2,
                           gap_m22=topo.gap_m2),
                           lazy("close gaps between neighbouring districts; enclaves may stay"),
                           "geometry", ids, blocking=False))
    return out
