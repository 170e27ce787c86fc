"""Plotly figures of the Compare page, built from core.plan.compare tables (tests call these
directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.i18n import _

PCT = 100.0
#: one colour per compared scenario, A to D (Okabe-Ito: told apart with colour blindness)
SCENARIO_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
BEFORE_COLOR = "#adb5bd"
BAR_CHART_BASE_PX, BAR_PX = 140, 22  # a horizontal bar chart's height: room per bar
MARGIN = dict(l=10, r=10, t=90, b=40)  # room for the title, then the legend above the plot
LEGEND = dict(orientation="h", y=1.02, yanchor="bottom", x=0)  # above the plot


def _title(text: str) -> dict:
    """A chart's title at the top left, above its legend."""
    return dict(text=text, x=0, xanchor="left", y=0.98, yref="container", yanchor="top")


def _legend(letter: str, names: dict[str, str]) -> str:
    name = names[letter]
    return f"{letter}: {name if len(name) <= 40 else name[:39] + '…'}"


def abatement_by_intervention(frame: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Abatement (t CO2/yr) per intervention, one bar per scenario
    (:func:`core.plan.compare.by_intervention`)."""
    traces = []
    for i, (letter, rows) in enumerate(frame.groupby("scenario", sort=True)):
        traces.append(go.Bar(
            y=rows["label"], x=rows["abatement_t_co2_per_yr"], orientation="h",
            name=_legend(letter, names), marker=dict(color=SCENARIO_COLORS[i]),
            hovertemplate=f"{letter}: " + _("%{y}: %{x:,.0f} t CO2/yr<extra></extra>")))
    return go.Figure(traces, layout=dict(
        barmode="group", title=_title(_("Abatement by intervention, per scenario")),
        xaxis=dict(title=dict(text=_("abatement (t CO2/yr)"))),
        yaxis=dict(autorange="reversed", title=dict(text=_("intervention"))),
        height=BAR_CHART_BASE_PX + BAR_PX * len(frame),
        margin=MARGIN, legend=LEGEND))


def burden_by_quintile(frame: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """Mean energy burden (% of income) by district income quintile: before the plans (one
    bar when every scenario's prices give the same one), and after each plan
    (:func:`core.plan.compare.burden_by_quintile`)."""
    wide_before = frame.pivot(index="quintile", columns="scenario", values="burden_before")
    wide_after = frame.pivot(index="quintile", columns="scenario", values="burden_after")
    q = [f"Q{int(v)}" for v in wide_before.index]
    same = np.allclose(wide_before.to_numpy(), wide_before.iloc[:, [0]].to_numpy(),
                       equal_nan=True)
    befores = {_("before the plans"): wide_before.iloc[:, 0]} if same else \
        {_("before {c}").format(c=c): wide_before[c] for c in wide_before.columns}
    traces = [go.Bar(x=q, y=v * PCT, name=label, marker=dict(color=BEFORE_COLOR),
                     hovertemplate="%{x} " + label + _(": %{y:.2f} % of income<extra></extra>"))
              for label, v in befores.items()]
    for i, c in enumerate(wide_after.columns):
        traces.append(go.Bar(x=q, y=wide_after[c] * PCT,
                             name=_("after {legend}").format(legend=_legend(c, names)),
                             marker=dict(color=SCENARIO_COLORS[i]),
                             hovertemplate="%{x} after " + c + ": %{y:.2f} % of income"
                                           "<extra></extra>"))
    return go.Figure(traces, layout=dict(
        title=_title(_("Energy burden by income quintile, before and after each plan")),
        xaxis=dict(title=dict(text=_("district income quintile (Q1 = lowest income)"))),
        yaxis=dict(title=dict(text=_("energy burden (% of income)"))), barmode="group",
        height=360, margin=MARGIN, legend=LEGEND))
