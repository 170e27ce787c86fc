"""Plotly figures of the Energy model page (tests call these directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.i18n import N_, _
from core.models.cross_validation import MODEL_NAMES, TargetResult
from dashboard.palette import ACCENT, MUTED

NETWORK = "model"  # the network's name in MODEL_NAMES: the one model with an interval


def predicted_vs_observed(result: TargetResult, names: np.ndarray, label: str) -> go.Figure:
    """Out-of-fold predictions of the model used for the target (``result.selected``)
    against observations (kWh/yr, log axes), named by that model; with the network's 90 %
    intervals where the network is the model used (the baselines give none)."""
    observed, predicted = result.observed, result.oof[result.selected]
    ok = np.isfinite(observed) & np.isfinite(predicted)
    o, p = observed[ok], predicted[ok]
    error_y = None
    if result.selected == NETWORK:
        lo, hi = result.oof_lower[ok], result.oof_upper[ok]
        error_y = dict(type="data", symmetric=False, array=np.clip(hi - p, 0, None),
                       arrayminus=np.clip(p - lo, 0, None), color="rgba(49,104,142,0.35)",
                       thickness=1)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=o, y=p, mode="markers", name=_(MODEL_NAMES[result.selected]), text=names[ok],
        marker=dict(color=MUTED, size=7), error_y=error_y,
        hovertemplate=_("%{text}<br>observed %{x:,.0f} kWh/yr<br>predicted %{y:,.0f} kWh/yr"
                      "<extra></extra>")))
    span = [float(min(o.min(), p.min())), float(max(o.max(), p.max()))] if ok.any() else [1, 10]
    fig.add_trace(go.Scatter(x=span, y=span, mode="lines", name=_("predicted = observed"),
                             line=dict(color=ACCENT, dash="dash")))
    fig.update_layout(title=_("{label}: cross-validated prediction vs observation").format(
        label=label),
                      xaxis=dict(title=_("observed (kWh/yr)"), type="log"),
                      yaxis=dict(title=_("predicted (kWh/yr)"), type="log"), height=420,
                      legend=dict(orientation="h", y=-0.2), margin=dict(l=10, r=10, t=50, b=10))
    return fig


def interval_caption(result: TargetResult, level: str) -> str:
    """What the bars of :func:`predicted_vs_observed` are (``level``: the intervals' level,
    %): the network's interval, or none where a baseline is the model used."""
    if result.selected == NETWORK:
        return _("Bars: the network's {level} % prediction interval under "
                 "cross-validation.").format(level=level)
    return _("No bars: the model used ({model}) gives no prediction interval; only the "
             "network does.").format(model=_(MODEL_NAMES[result.selected]))


def degree_day_split(monthly: pd.DataFrame, label: str) -> go.Figure:
    """City monthly energy split into its fitted terms (base, heating and, for electricity,
    cooling), with the observed total."""
    fig = go.Figure()
    for col, term, color in (("base_kwh", N_("base"), "#8d99ae"),
                             ("heating_kwh", N_("heating"), ACCENT),
                             ("cooling_kwh", N_("cooling"), MUTED)):
        if col not in monthly:  # a term the fuel has none of (gas does not cool)
            continue
        name = _(term)
        fig.add_trace(go.Bar(x=monthly["month"], y=monthly[col], name=name, marker_color=color,
                             hovertemplate=_("month %{{x}}: %{{y:,.0f}} kWh "
                                             "({name})<extra></extra>").format(name=name)))
    fig.add_trace(go.Scatter(x=monthly["month"], y=monthly["observed_kwh"], name=_("observed"),
                             mode="markers", marker=dict(color="#111", size=8)))
    fig.update_layout(barmode="stack",
                      title=_("{label}: degree-day split by month").format(label=label),
                      xaxis=dict(title=_("month (1 = January)"), dtick=1),
                      yaxis_title=_("energy (kWh/month)"), height=340,
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig
