"""Saved scenarios of one city side by side.

A comparison reads what the store kept of each scenario (:mod:`core.store`: its headline
figures, its totals and its allocation per district and intervention), so it opens
without solving anything; only the energy burden by income quintile also needs the
city's context (:func:`core.plan.problem.context`) for bills and incomes, through the same
functions as the Scenario lab's chart (:func:`core.plan.results.burden_by_quintile`).

The scenarios are lettered A, B, C, D in the order given; a difference is a scenario's
figure minus A's (``B − A``), in the figure's unit (percentage points for a %). Money is in
the city's currency. Per-district maps share ONE colour scale: the classes are made over
every scenario's values together (:func:`core.assess.maps.classify`), so a colour means
the same amount on every map.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core import i18n
from core.assess import equity, maps
from core.errors import InputError
from core.i18n import N_, _
from core.plan import results
from core.plan.lab import KpiDelta
from core.plan.problem import CityContext
from core.plan.scenario import OBJECTIVES, PARAMETERS, Scenario
from core.store.records import Allocation, StoredScenario
from core.store.resolution import RESOLVE_RTOL

MIN_SCENARIOS, MAX_SCENARIOS = 2, 4
LETTERS = "ABCD"
MILLION = 1e6
PCT = 100.0
#: the per-district figures a comparison maps: column -> (label, unit; {cur}: the currency)
DISTRICT_FIGURES = {"spend_usd": ("Spending", "{cur}"),
                    "abatement_t_co2_per_yr": ("Abatement", "t CO2/yr"),
                    "bill_savings_usd_per_yr": ("Bill savings", "{cur}/yr")}
#: the scenario parameters, as the comparison names them: field -> (label, unit)
SHARE_FIELDS = ("grid_decarbonisation", "justice40_share", "burden_ceiling")


@dataclass(frozen=True)
class Entry:
    """One compared scenario: its letter, its saved record and its saved allocation."""

    letter: str
    saved: StoredScenario
    allocation: Allocation

    @property
    def name(self) -> str:
        return self.saved.name

    @property
    def currency(self) -> str:
        return self.saved.totals["currency"]


def entries(saved: Sequence[StoredScenario], allocations: Sequence[Allocation]) -> list[Entry]:
    """The compared scenarios, lettered in order. Raises InputError unless there are
    :data:`MIN_SCENARIOS` to :data:`MAX_SCENARIOS` of them, all of one city and its
    districts."""
    if not MIN_SCENARIOS <= len(saved) <= MAX_SCENARIOS:
        raise InputError(f"compare {MIN_SCENARIOS} to {MAX_SCENARIOS} saved scenarios; "
                         f"{len(saved)} chosen")
    if len({s.city_id for s in saved}) > 1:
        raise InputError("the scenarios belong to different cities; compare scenarios of one "
                         "city")
    first = allocations[0].district_ids
    for s, a in zip(saved, allocations, strict=True):
        if not np.array_equal(a.district_ids, first):
            raise InputError(f"the saved result of '{s.name}' covers other districts than the "
                             f"first scenario's; compare scenarios saved on the same city")
    return [Entry(letter, s, a) for letter, s, a in zip(LETTERS, saved, allocations,
                                                       strict=False)]


def saved_differences(saved: Sequence[KpiDelta], now: Sequence[KpiDelta]) -> list[str]:
    """The headline figures of a saved result that differ from the same scenario solved now
    (by more than :data:`core.store.resolution.RESOLVE_RTOL`), in words with their units; empty:
    the same figures."""
    out = []
    solved = {(k.label, k.unit): k.value for k in now}
    for k in saved:
        value = solved.get((k.label, k.unit), np.nan)
        same = (np.isnan(k.value) and np.isnan(value)) or np.isclose(k.value, value,
                                                                      rtol=RESOLVE_RTOL, atol=0)
        if not same:
            out.append(_("{label}: saved {saved:,.6g}, now {now:,.6g} {unit}").format(
                label=_(k.label), saved=k.value, now=value, unit=i18n.unit(k.unit)))
    return out


def difference_label(entry: Entry) -> str:
    return f"{entry.letter} − A"


def scenario_table(compared: Sequence[Entry]) -> pd.DataFrame:
    """One row per scenario: letter, name, tags, notes, when it was saved, ids."""
    return pd.DataFrame({
        "scenario": [e.letter for e in compared],
        "name": [e.name for e in compared],
        "tags": [", ".join(e.saved.tags) for e in compared],
        "notes": [e.saved.notes for e in compared],
        "saved": [e.saved.created_at.strftime("%Y-%m-%d %H:%M UTC") for e in compared],
        "status": [e.saved.totals["status"] for e in compared],
        "id": [e.saved.id for e in compared],
        "scenario_hash": [e.saved.scenario_hash for e in compared],
    })


def _figures(entry: Entry) -> list[tuple[str, str, float]]:
    """(figure, unit, value) of a scenario, in the language in effect: its saved KPIs, then
    abatement and budget."""
    t, cur = entry.saved.totals, entry.currency
    return ([(_(k.label), i18n.unit(k.unit), float(k.value)) for k in entry.saved.kpis]
            + [(_("Abatement"), i18n.unit("t CO2/yr"), float(t["abatement_t_co2_per_yr"])),
               (_("Budget"), f"M {cur}", float(t["budget_usd"]) / MILLION)])


def kpi_table(compared: Sequence[Entry]) -> pd.DataFrame:
    """Headline figures: ``figure``, ``unit``, a column per scenario (its letter) and, after
    each scenario but A, its difference from A (``B − A``, in the same unit)."""
    base = _figures(compared[0])
    out = pd.DataFrame({"figure": [f for f, _, _ in base], "unit": [u for _, u, _ in base]})
    first = np.array([v for _, _, v in base])
    for e in compared:
        figures = {(f, u): v for f, u, v in _figures(e)}
        values = np.array([figures.get((f, u), np.nan) for f, u, _ in base])
        out[e.letter] = values
        if e is not compared[0]:
            out[difference_label(e)] = values - first
    return out


def _parameter_text(field: str, value) -> str:
    """A parameter's value as the comparison shows it, in the language in effect."""
    if value is None:
        unset = {"grid_decarbonisation": N_("the city's path"), "burden_ceiling": N_("none")}
        return _(unset.get(field, N_("the city's")))
    if field in SHARE_FIELDS:
        return i18n.number_text(f"{value * PCT:,.4g}")
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if isinstance(value, dict):
        return "; ".join(f"{k} x {i18n.number_text(f'{m:g}')}"
                         for k, m in sorted(value.items())) or _("none")
    if field == "objective":
        return _(OBJECTIVES[value])
    return i18n.number_text(f"{value:,.6g}") if isinstance(value, float) else str(value)


def parameter_table(compared: Sequence[Entry], differing_only: bool = True) -> pd.DataFrame:
    """The scenarios' parameters (``parameter``, ``unit``, a column of text per letter):
    those that differ (all with ``differing_only=False``)."""
    cur = compared[0].currency
    rows = []
    for field, (label, unit) in PARAMETERS.items():
        values = [getattr(e.saved.scenario, field) for e in compared]
        if differing_only and all(v == values[0] for v in values):
            continue
        rows.append({"parameter": _(label), "unit": i18n.unit(unit.format(cur=cur)),
                     **{e.letter: _parameter_text(field, v)
                        for e, v in zip(compared, values, strict=True)}})
    return pd.DataFrame(rows, columns=["parameter", "unit", *[e.letter for e in compared]])


def district_values(compared: Sequence[Entry], figure: str) -> np.ndarray:
    """[S, N] a per-district figure of :data:`DISTRICT_FIGURES` of each scenario (summed
    over the interventions)."""
    if figure not in DISTRICT_FIGURES:
        raise ValueError(f"unknown figure '{figure}'; choose one of {', '.join(DISTRICT_FIGURES)}")
    return np.stack([getattr(e.allocation, figure).sum(1) for e in compared])


def on_one_scale(values: np.ndarray, no_data: np.ndarray | None = None,
                 scheme: str = "natural_breaks", k: int = 5) -> list[maps.Classes]:
    """Classes of each row of ``values`` ([S, N]) on one scale: the bins are those of all
    the rows' values together; ``no_data`` (bool per district) takes no class."""
    v = np.asarray(values, dtype=float)
    if no_data is not None:
        v = np.where(np.asarray(no_data, dtype=bool)[None, :], np.nan, v)
    overall = maps.classify(v.ravel(), scheme, k)
    index = overall.index.reshape(v.shape)
    return [replace(overall, index=index[s]) for s in range(v.shape[0])]


def _properties(ids, names, values: np.ndarray, value_text: list[str], index: np.ndarray) -> pd.DataFrame:
    """A map's district properties, as :func:`core.assess.maps.choropleth` makes them."""
    return pd.DataFrame({"district_id": np.asarray(ids).astype(str),
                         "name": np.asarray(names).astype(str), "value": values,
                         "value_text": value_text, "class": index + 1,
                         "data": maps.data_labels(index, np.zeros(len(index), dtype=bool))})


def shared_maps(ids, names, values: np.ndarray, label: str, unit: str, digits: int = 0,
                no_data: np.ndarray | None = None, scheme: str = "natural_breaks",
                k: int = 5) -> list[maps.Choropleth]:
    """One choropleth per row of ``values`` ([S, N]), all on one colour scale
    (:func:`on_one_scale`), with the same legend."""
    classes = on_one_scale(values, no_data, scheme, k)
    out = []
    for row, c in zip(np.asarray(values, dtype=float), classes, strict=True):
        shown = np.where(c.index >= 0, row, np.nan)
        props = _properties(ids, names, shown, [maps.format_value(v, digits) for v in shown],
                            c.index)
        out.append(maps.Choropleth(label, label, unit, c, props, maps.fill_colors(c),
                                   maps.legend(c, unit, digits),
                                   np.zeros(len(row), dtype=bool)))
    return out


@dataclass(frozen=True)
class DifferenceMap:
    """A scenario's per-district figure minus A's, coloured on a diverging scale."""

    properties: pd.DataFrame
    fill: list[list[int]]
    legend: list[dict]
    identical: bool  # no district's figure differs


def difference_map(ids, names, values: np.ndarray, i: int, unit: str, digits: int = 0,
                   no_data: np.ndarray | None = None) -> DifferenceMap:
    """Row ``i`` of ``values`` ([S, N]) minus row 0, per district, with its colours and
    legend (:func:`core.assess.maps.diverging`); districts without data have no value."""
    v = np.asarray(values, dtype=float)
    diff = v[i] - v[0]
    if no_data is not None:
        diff = np.where(np.asarray(no_data, dtype=bool), np.nan, diff)
    fill, legend = maps.diverging(diff, unit, digits)
    index = np.where(np.isfinite(diff), 0, -1)
    text = [maps.format_value(d, digits) if np.isfinite(d) else "no data" for d in diff]
    text = [("+" + t) if np.isfinite(d) and d > 0 else t for t, d in zip(text, diff, strict=True)]
    finite = diff[np.isfinite(diff)]
    scale = float(np.abs(v[np.isfinite(v)]).max(initial=0.0))
    identical = bool(np.all(np.abs(finite) <= RESOLVE_RTOL * scale))
    return DifferenceMap(_properties(ids, names, diff, text, index), fill, legend, identical)


def by_intervention(compared: Sequence[Entry], labels: Mapping[str, str]) -> pd.DataFrame:
    """Per intervention and scenario: ``units``, ``spend_usd`` (the city's currency) and
    ``abatement_t_co2_per_yr``; an intervention a scenario's catalogue lacked counts 0.
    ``labels``: intervention key -> its name (the catalogue's ``label``)."""
    keys = list(dict.fromkeys(k for e in compared for k in e.allocation.keys))
    rows = []
    for e in compared:
        a = e.allocation
        for key in keys:
            j = a.keys.index(key) if key in a.keys else None
            rows.append({"intervention": key, "label": labels.get(key, key),
                         "scenario": e.letter,
                         **{q: float(getattr(a, q)[:, j].sum()) if j is not None else 0.0
                            for q in ("units", "spend_usd", "abatement_t_co2_per_yr")}})
    return pd.DataFrame(rows)


def burden_by_quintile(compared: Sequence[Entry], contexts: Sequence[CityContext]) -> pd.DataFrame:
    """Energy burden (share of income) before and after each scenario's plan, by district
    income quintile (1 = lowest income): ``quintile``, ``scenario``, ``burden_before``,
    ``burden_after``. ``contexts``: each scenario's city context (the districts it planned
    for: its ``observed_only``); the same figures as
    :func:`core.plan.results.burden_by_quintile` of the solved result."""
    frames = []
    for e, ctx in zip(compared, contexts, strict=True):
        if not np.array_equal(np.asarray(ctx.district_ids).astype(str), e.allocation.district_ids):
            raise InputError(f"the city's districts are not those '{e.name}' was saved on")
        sc: Scenario = e.saved.scenario
        savings = e.allocation.bill_savings_usd_per_yr.sum(1)
        before = equity.burden_by_income_quintile(results.bills_usd(ctx, sc), ctx.households,
                                                  ctx.income_usd)
        after = equity.burden_by_income_quintile(results.bills_usd(ctx, sc, savings),
                                                 ctx.households, ctx.income_usd)
        frames.append(pd.DataFrame({"quintile": before["quintile"].astype(int).to_numpy(),
                                    "scenario": e.letter,
                                    "burden_before": before["mean_burden"].to_numpy(),
                                    "burden_after": after["mean_burden"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def disadvantaged_spending(compared: Sequence[Entry]) -> pd.DataFrame:
    """Per scenario: ``spend_m_usd`` and ``spend_dac_m_usd`` (in disadvantaged districts;
    millions of the city's currency), ``dac_share_pct`` (:func:`core.assess.equity.benefit_share`,
    the plan's Justice40 figure, %), its minimum ``justice40_pct`` (%), and
    ``dac_districts_reached`` of ``dac_districts``."""
    rows = []
    for e in compared:
        a = e.allocation
        spend = a.spend_usd.sum(1)
        dac = np.asarray(a.disadvantaged, dtype=bool)
        rows.append({"scenario": e.letter, "name": e.name,
                     "spend_m_usd": float(spend.sum()) / MILLION,
                     "spend_dac_m_usd": float(spend[dac].sum()) / MILLION,
                     "dac_share_pct": equity.benefit_share(spend, dac) * PCT,
                     "justice40_pct": float(e.saved.scenario.justice40_share) * PCT,
                     "dac_districts_reached": int((spend[dac] > 0).sum()),
                     "dac_districts": int(dac.sum())})
    return pd.DataFrame(rows)


def district_table(compared: Sequence[Entry], names) -> pd.DataFrame:
    """One row per district: id, name, disadvantaged, then each scenario's spending, abatement
    and bill savings (``spend_usd_A``, ...)."""
    first = compared[0].allocation
    out = pd.DataFrame({"district_id": first.district_ids, "name": np.asarray(names).astype(str),
                        "disadvantaged": first.disadvantaged})
    for figure in DISTRICT_FIGURES:
        for e, row in zip(compared, district_values(compared, figure), strict=True):
            out[f"{figure}_{e.letter}"] = row
    return out


def tables(compared: Sequence[Entry], contexts: Sequence[CityContext],
           labels: Mapping[str, str], names) -> dict[str, pd.DataFrame]:
    """Every table of the comparison, by sheet name; money columns are named by the city's
    currency (``spend_gbp``: :func:`core.plan.results.export_table`)."""
    cur = compared[0].currency
    quintiles = burden_by_quintile(compared, contexts)
    out = {
        "Scenarios": scenario_table(compared),
        "Headline figures": kpi_table(compared),
        "Parameters": parameter_table(compared, differing_only=False),
        "Interventions": by_intervention(compared, labels),
        "Burden by quintile": quintiles.assign(burden_before=quintiles["burden_before"] * PCT,
                                               burden_after=quintiles["burden_after"] * PCT)
        .rename(columns={"burden_before": "burden_before_pct_of_income",
                         "burden_after": "burden_after_pct_of_income"}),
        "Disadvantaged": disadvantaged_spending(compared),
        "Districts": district_table(compared, names),
    }
    return {name: results.export_table(t, cur) for name, t in out.items()}


def to_xlsx(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The tables as an Excel workbook, one sheet each (openpyxl)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()


def tidy(compared: Sequence[Entry], contexts: Sequence[CityContext],
         labels: Mapping[str, str], names) -> pd.DataFrame:
    """Every figure of the comparison in one long table, one row per figure and scenario:
    ``section``, ``item``, ``unit``, ``scenario`` (letter), ``name``, ``value`` and
    ``difference_from_A`` (in the same unit)."""
    cur = compared[0].currency
    named = {e.letter: e.name for e in compared}
    rows = []

    def add(section: str, item: str, unit: str, letter: str, value: float) -> None:
        rows.append((section, item, unit, letter, named[letter], float(value)))

    for r in kpi_table(compared).itertuples(index=False):
        for e in compared:
            add("headline", r.figure, r.unit, e.letter, getattr(r, e.letter))
    for r in by_intervention(compared, labels).itertuples(index=False):
        add("intervention", f"{r.label}: units", "units", r.scenario, r.units)
        add("intervention", f"{r.label}: spending", cur, r.scenario, r.spend_usd)
        add("intervention", f"{r.label}: abatement", "t CO2/yr", r.scenario,
            r.abatement_t_co2_per_yr)
    for r in burden_by_quintile(compared, contexts).itertuples(index=False):
        add("burden by income quintile", f"Q{r.quintile} before", "% of income", r.scenario,
            r.burden_before * PCT)
        add("burden by income quintile", f"Q{r.quintile} after", "% of income", r.scenario,
            r.burden_after * PCT)
    for r in disadvantaged_spending(compared).itertuples(index=False):
        add("disadvantaged", "spending", f"M {cur}", r.scenario, r.spend_m_usd)
        add("disadvantaged", "spending in disadvantaged districts", f"M {cur}", r.scenario,
            r.spend_dac_m_usd)
        add("disadvantaged", "share of spending in disadvantaged districts", "%", r.scenario,
            r.dac_share_pct)
        add("disadvantaged", "Justice40 minimum", "%", r.scenario, r.justice40_pct)
        add("disadvantaged", "disadvantaged districts reached", "districts", r.scenario,
            r.dac_districts_reached)
    ids = compared[0].allocation.district_ids
    district_names = np.asarray(names).astype(str)
    for figure, (label, unit) in DISTRICT_FIGURES.items():
        for e, row in zip(compared, district_values(compared, figure), strict=True):
            for i, n, v in zip(ids, district_names, row, strict=True):
                add(f"district: {label.lower()}", f"{i} {n}", unit.format(cur=cur), e.letter, v)
    out = pd.DataFrame(rows, columns=["section", "item", "unit", "scenario", "name", "value"])
    first = out[out["scenario"] == "A"].set_index(["section", "item", "unit"])["value"]
    key = pd.MultiIndex.from_frame(out[["section", "item", "unit"]])
    out["difference_from_A"] = out["value"].to_numpy() - first.reindex(key).to_numpy()
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV (UTF-8)."""
    return frame.to_csv(index=False).encode("utf-8")
