"""Plotly figures of the Scenario lab, built from core.plan.results / core.plan.lab tables (tests call
these directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.i18n import _
from dashboard.palette import ACCENT, MUTED

PCT = 100.0
LIGHT = "rgba(49,104,142,0.25)"
MARGIN = dict(l=10, r=10, t=50, b=40)


def abatement_by_intervention(table: pd.DataFrame, currency: str) -> go.Figure:
    """Abatement (t CO2/yr) and spending (millions of ``currency``) of the plan per intervention."""
    # one constructor with nested properties: plotly validates each once (a slider move
    # redraws this chart, and update_layout's "a_b" paths cost more than the chart itself)
    return go.Figure(go.Bar(
        x=table["abatement_t_co2_per_yr"], y=table["label"], orientation="h",
        marker=dict(color=MUTED),
        customdata=np.column_stack([table["spend_usd"] / 1e6, table["units"]]),
        hovertemplate=_("%{y}: %{x:,.0f} t CO2/yr<br>%{customdata[0]:,.1f} M ") + currency + _(", "
                      "%{customdata[1]:,.0f} units<extra></extra>")),
        layout=dict(title=dict(text=_("Abatement by intervention")),
                    xaxis=dict(title=dict(text=_("abatement (t CO2/yr)"))),
                    yaxis=dict(title=dict(text=_("intervention"))), height=300, margin=MARGIN))


def macc(table: pd.DataFrame, currency: str) -> go.Figure:
    """Marginal abatement cost curve: width = abatement potential (t CO2/yr), height = cost
    per tonne (``currency``/t CO2, annualised capex minus bill savings), cheapest first."""
    t = table.dropna(subset=["mac_usd_per_t"]).sort_values("mac_usd_per_t")
    width = t["potential_t_co2_per_yr"].to_numpy()
    left = np.concatenate([[0.0], np.cumsum(width)[:-1]])
    zero_line = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=0, y1=0,
                     line=dict(color="#888"))  # what fig.add_hline(y=0) adds, without its cost
    return go.Figure(go.Bar(
        x=left + width / 2, y=t["mac_usd_per_t"], width=width,
        marker=dict(color=MUTED, line=dict(color="white", width=1)),
        text=t["label"], textposition="outside",
        customdata=np.column_stack([width, t["abatement_t_co2_per_yr"]]),
        hovertemplate="%{text}: %{y:,.0f} " + currency + _("/t CO2<br>potential "
                      "%{customdata[0]:,.0f} t/yr, "
                      "in plan %{customdata[1]:,.0f} t/yr<extra></extra>")),
        layout=dict(shapes=[zero_line],
                    title=dict(
                        text=_("Marginal abatement cost curve (whole potential at the caps)")),
                    xaxis=dict(title=dict(text=_("abatement potential (t CO2/yr)"))),
                    yaxis=dict(title=dict(text=_("marginal abatement cost "
                                                 "({currency}/t CO2)").format(currency=currency))),
                    height=360, margin=MARGIN, showlegend=False))


def pareto(frame: pd.DataFrame, current_budget_usd_per_capita: float, currency: str) -> go.Figure:
    """Abatement against budget (``currency`` per resident; one batched solve), with the DAC
    share on hover."""
    fig = go.Figure(go.Scatter(
        x=frame["budget_usd_per_capita"], y=frame["abatement_t_co2_per_yr"], mode="lines+markers",
        line_color=MUTED, customdata=frame["dac_share"] * PCT,
        hovertemplate="%{x:,.0f} " + currency + _(" per resident: %{y:,.0f} t CO2/yr, "
                      "%{customdata:.0f} % in disadvantaged districts<extra></extra>")))
    fig.add_vline(x=current_budget_usd_per_capita, line_color=ACCENT, line_dash="dot",
                  annotation_text=_("this scenario"))
    fig.update_layout(title=_("Pareto front: abatement against budget"),
                      xaxis_title=_("budget ({currency} per resident)").format(currency=currency),
                      yaxis_title=_("abatement (t CO2/yr)"),
                      height=340, margin=MARGIN)
    return fig


def monte_carlo_band(frame: pd.DataFrame, currency: str) -> go.Figure:
    """10-90 % band and median of abatement over price and grid-path draws, by budget
    (``currency`` per resident)."""
    x = frame["budget_usd_per_capita"]
    fig = go.Figure([
        go.Scatter(x=x, y=frame["p90_t_co2_per_yr"], mode="lines", line_width=0, showlegend=False,
                   hovertemplate=_("90th percentile %{y:,.0f} t CO2/yr<extra></extra>")),
        go.Scatter(x=x, y=frame["p10_t_co2_per_yr"], mode="lines", fill="tonexty", fillcolor=LIGHT, line_width=0,
                   name=_("10-90 % band"),
                   hovertemplate=_("10th percentile %{y:,.0f} t CO2/yr<extra></extra>")),
        go.Scatter(x=x, y=frame["median_t_co2_per_yr"], line_color=MUTED, name=_("median"),
                   hovertemplate=_("median %{y:,.0f} t CO2/yr<extra></extra>")),
    ])
    fig.update_layout(title=_("Monte Carlo: abatement under uncertain prices and grid path"),
                      xaxis_title=_("budget ({currency} per resident)").format(currency=currency),
                      yaxis_title=_("abatement (t CO2/yr)"),
                      height=340, margin=MARGIN)
    return fig


def burden_by_quintile(frame: pd.DataFrame) -> go.Figure:
    """Mean energy burden (% of income) before and after, by district income quintile."""
    q = [f"Q{int(v)}" for v in frame["quintile"]]
    return go.Figure([
        go.Bar(x=q, y=frame["burden_before"] * PCT, name=_("before"), marker=dict(color="#adb5bd"),
               hovertemplate=_("%{x} before: %{y:.2f} % of income<extra></extra>")),
        go.Bar(x=q, y=frame["burden_after"] * PCT, name=_("after"), marker=dict(color=MUTED),
               hovertemplate=_("%{x} after: %{y:.2f} % of income<extra></extra>")),
    ], layout=dict(title=dict(text=_("Energy burden by income quintile (Q1 = lowest income)")),
                   xaxis=dict(title=dict(text=_("district income quintile (Q1 = lowest income)"))),
                   yaxis=dict(title=dict(text=_("energy burden (% of income)"))), barmode="group",
                   height=320, margin=MARGIN))
