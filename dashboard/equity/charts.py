"""Plotly figures of the Equity page (tests call these directly)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.i18n import _
from dashboard.palette import ACCENT, MUTED

PERCENT = 100  # shares are drawn as percent


def lorenz_curve(curve: pd.DataFrame, gini: float) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=curve["population_share"] * 100, y=curve["value_share"] * 100,
                             mode="lines", name=_("energy burden"),
                             line=dict(color=ACCENT, width=3),
                             hovertemplate=_("%{x:.0f} % of households carry %{y:.0f} % of the "
                                           "burden<extra></extra>")))
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name=_("equal burden"),
                             line=dict(color="#888", dash="dot")))
    fig.update_layout(title=_("Lorenz curve of energy burden (Gini {gini:.3f})").format(gini=gini),
                      xaxis_title=_("households, lowest burden first (cumulative %)"),
                      yaxis_title=_("burden (cumulative %)"), height=380,
                      legend=dict(orientation="h", y=-0.25), margin=dict(l=10, r=10, t=50, b=10))
    return fig


def quintile_bars(quintiles: pd.DataFrame, high_share: float, severe_share: float,
                  currency: str) -> go.Figure:
    """Mean burden per income quintile (shares in, percent on screen) with the two thresholds;
    the income ranges in ``currency`` per year."""
    high_pct, severe_pct = high_share * PERCENT, severe_share * PERCENT
    labels = [f"Q{q}: {lo:,.0f}–{hi:,.0f} {currency}/yr" for q, lo, hi in zip(
        quintiles["quintile"], quintiles["income_min_usd"], quintiles["income_max_usd"], strict=True)]
    fig = go.Figure(go.Bar(x=labels, y=quintiles["mean_burden"] * PERCENT, marker_color=MUTED,
                           hovertemplate=_(
                               "%{x}<br>mean burden %{y:.1f} % of income<extra></extra>")))
    fig.add_hline(y=high_pct, line_dash="dash", line_color=ACCENT,
                  annotation_text=_("high ({high_pct:g} %)").format(high_pct=high_pct))
    fig.add_hline(y=severe_pct, line_dash="dot", line_color="#b2182b",
                  annotation_text=_("severe ({severe_pct:g} %)").format(severe_pct=severe_pct))
    fig.update_layout(title=_("Energy burden by income quintile of districts (1 = lowest income)"),
                      xaxis_title=_("income quintile: districts' income range ({currency}/yr)"
                                    ).format(currency=currency),
                      yaxis_title=_("group burden: bills / income (% of income)"), height=380,
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig
