"""Plotly figures of the District profile page (tests call these directly)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.i18n import _
from dashboard.palette import ACCENT, MUTED


def percentile_bars(profile: pd.DataFrame, district_name: str) -> go.Figure:
    """Where the district stands on each indicator: percentile 0-100 among all districts."""
    p = profile.dropna(subset=["percentile"]).iloc[::-1]
    text = [f"{v:,.1f} {u}" if abs(v) < 100 else f"{v:,.0f} {u}"
            for v, u in zip(p["value"], p["unit"], strict=True)]
    fig = go.Figure(go.Bar(
        x=p["percentile"], y=p["indicator"], orientation="h", marker_color=MUTED,
        text=text, textposition="auto",
        hovertemplate=_("%{y}: percentile %{x:.0f}<extra></extra>")))
    fig.add_vline(x=50, line_dash="dot", line_color="#888",
                  annotation_text=_("city median"), annotation_position="top")
    fig.update_layout(title=_("{district_name}: percentile among districts").format(
        district_name=district_name),
                      xaxis=dict(title=_("percentile among districts (%)"), range=[0, 100]),
                      yaxis=dict(title=_("indicator")),
                      height=max(260, 34 * len(p) + 90), margin=dict(l=10, r=10, t=50, b=40))
    return fig


def distribution(values: pd.Series, value: float, label: str, unit: str) -> go.Figure:
    """Histogram of an indicator over all districts with this district marked."""
    fig = go.Figure(go.Histogram(x=values, nbinsx=20, marker_color=MUTED, opacity=0.75,
                                 hovertemplate=_("%{{x}} {unit}: %{{y}} "
                                                 "districts<extra></extra>").format(unit=unit)))
    fig.add_vline(x=value, line_color=ACCENT, line_width=3,
                  annotation_text=_("this district"), annotation_position="top right")
    fig.update_layout(title=_("{label}: every district").format(label=label),
                      xaxis_title=f"{label} ({unit})", yaxis_title=_("districts (count)"),
                      height=270, margin=dict(l=10, r=10, t=50, b=40), showlegend=False)
    return fig
