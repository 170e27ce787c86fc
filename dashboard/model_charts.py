"""Plotly figures of the Energy model and Equity pages (tests call these directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import ACCENT, MUTED

PERCENT = 100  # shares are drawn as percent


def predicted_vs_observed(observed: np.ndarray, predicted: np.ndarray, lower: np.ndarray,
                          upper: np.ndarray, names: np.ndarray, label: str,
                          model: str) -> go.Figure:
    """Out-of-fold predictions against observations (log axes), with 90 % intervals."""
    ok = np.isfinite(observed) & np.isfinite(predicted)
    o, p, lo, hi = observed[ok], predicted[ok], lower[ok], upper[ok]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=o, y=p, mode="markers", name=model, text=names[ok], marker=dict(color=MUTED, size=7),
        error_y=dict(type="data", symmetric=False, array=np.clip(hi - p, 0, None),
                     arrayminus=np.clip(p - lo, 0, None), color="rgba(49,104,142,0.35)",
                     thickness=1),
        hovertemplate="%{text}<br>observed %{x:,.0f} kWh/yr<br>predicted %{y:,.0f} kWh/yr"
                      "<extra></extra>"))
    span = [float(min(o.min(), p.min())), float(max(o.max(), p.max()))] if ok.any() else [1, 10]
    fig.add_trace(go.Scatter(x=span, y=span, mode="lines", name="predicted = observed",
                             line=dict(color=ACCENT, dash="dash")))
    fig.update_layout(title=f"{label}: cross-validated prediction vs observation",
                      xaxis=dict(title="observed (kWh/yr)", type="log"),
                      yaxis=dict(title="predicted (kWh/yr)", type="log"), height=420,
                      legend=dict(orientation="h", y=-0.2), margin=dict(l=10, r=10, t=50, b=10))
    return fig


def degree_day_split(monthly: pd.DataFrame, label: str) -> go.Figure:
    """City monthly energy split into base, heating and cooling, with the observed total."""
    fig = go.Figure()
    for col, name, color in (("base_kwh", "base", "#8d99ae"), ("heating_kwh", "heating", ACCENT),
                             ("cooling_kwh", "cooling", MUTED)):
        fig.add_trace(go.Bar(x=monthly["month"], y=monthly[col], name=name, marker_color=color,
                             hovertemplate=f"month %{{x}}: %{{y:,.0f}} kWh ({name})<extra></extra>"))
    fig.add_trace(go.Scatter(x=monthly["month"], y=monthly["observed_kwh"], name="observed",
                             mode="markers", marker=dict(color="#111", size=8)))
    fig.update_layout(barmode="stack", title=f"{label}: degree-day split by month",
                      xaxis=dict(title="month", dtick=1), yaxis_title="kWh/month", height=340,
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig


def lorenz_curve(curve: pd.DataFrame, gini: float) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=curve["population_share"] * 100, y=curve["value_share"] * 100,
                             mode="lines", name="energy burden", line=dict(color=ACCENT, width=3),
                             hovertemplate="%{x:.0f} % of households carry %{y:.0f} % of the "
                                           "burden<extra></extra>"))
    fig.add_trace(go.Scatter(x=[0, 100], y=[0, 100], mode="lines", name="equal burden",
                             line=dict(color="#888", dash="dot")))
    fig.update_layout(title=f"Lorenz curve of energy burden (Gini {gini:.3f})",
                      xaxis_title="households, lowest burden first (cumulative %)",
                      yaxis_title="burden (cumulative %)", height=380,
                      legend=dict(orientation="h", y=-0.25), margin=dict(l=10, r=10, t=50, b=10))
    return fig


def quintile_bars(quintiles: pd.DataFrame, high_share: float, severe_share: float) -> go.Figure:
    """Mean burden per income quintile (shares in, percent on screen) with the two thresholds."""
    high_pct, severe_pct = high_share * PERCENT, severe_share * PERCENT
    labels = [f"Q{q}: {lo:,.0f}–{hi:,.0f} USD/yr" for q, lo, hi in zip(
        quintiles["quintile"], quintiles["income_min_usd"], quintiles["income_max_usd"], strict=True)]
    fig = go.Figure(go.Bar(x=labels, y=quintiles["mean_burden"] * PERCENT, marker_color=MUTED,
                           hovertemplate="%{x}<br>mean burden %{y:.1f} % of income<extra></extra>"))
    fig.add_hline(y=high_pct, line_dash="dash", line_color=ACCENT,
                  annotation_text=f"high ({high_pct:g} %)")
    fig.add_hline(y=severe_pct, line_dash="dot", line_color="#b2182b",
                  annotation_text=f"severe ({severe_pct:g} %)")
    fig.update_layout(title="Energy burden by income quintile of districts (1 = lowest income)",
                      yaxis_title="group burden: bills / income (% of income)", height=380,
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig
