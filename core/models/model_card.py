"""The model card: the data, features, settings, cross-validated metrics and limits of an
evaluated energy model, as plain data (saved as JSON) and as Markdown."""

from __future__ import annotations

from dataclasses import asdict

from core.intake.city import City
from core.models.cross_validation import MODEL_NAMES, Evaluation, ashrae_criteria

LIMITS = (
    "Cross-sectional: it learns how energy varies between districts of this city, not how a "
    "district responds to retrofits over time.",
    "Observed totals include all buildings; features describe residents, so districts with "
    "much commercial floor are harder to predict.",
    "Intervals are 90 % under the model's assumptions (lognormal errors); their coverage under "
    "cross-validation is reported, not guaranteed.",
    "The ASHRAE Guideline 14 criteria are written for monthly calibration of one building; "
    "here they are a yardstick for annual district totals.",
)


def model_card(ev: Evaluation, city: City) -> dict:
    """Data, features, settings, metrics and limits of an evaluation, as plain data."""
    return {
        "model": "Greenprint energy model: MLP Linear-ReLU-Linear-ReLU-Linear (AdamW, MSE) "
                 "deep ensemble, with median-intensity and log-linear baselines",
        "data": {"city": city.name, "source": city.source, "illustrative": city.illustrative,
                 "n_districts": ev.n_districts},
        "target_scale": ev.scale,
        "features": list(ev.features),
        "settings": {**asdict(ev.config), "device": ev.device, "folds_effective": ev.folds},
        "metric_conventions": "cv_rmse = RMSE / mean(observed); nmbe = sum(obs - pred) / "
                              "(n mean(obs)) as in ASHRAE Guideline 14, positive = under-prediction; out-of-fold "
                              "predictions, p = 0; fractions (0.15 = 15 %)",
        "targets": {t: {"n_used": r.n_used, "n_left_out": r.n_left_out,
                        "metrics": {k: r.scores[k].as_dict() for k in MODEL_NAMES},
                        "selected": r.selected, "reason": r.reason,
                        "median_epochs": r.epochs_median}
                    for t, r in ev.targets.items()},
        "unavailable": ev.unavailable,
        "ashrae_guideline_14": ashrae_criteria(),
        "limits": list(LIMITS),
        "training_seconds": round(ev.seconds, 2),
    }


def model_card_markdown(card: dict) -> str:
    """The card of ``model_card`` as a Markdown document."""
    lines = [f"# Model card: {card['data']['city']}", "", card["model"], "", "## Data",
             f"- {card['data']['n_districts']} districts; source: {card['data']['source']}"]
    if card["data"]["illustrative"]:
        lines.append("- illustrative data, not official statistics")
    lines += ["", "## Features", f"- target scale: {card['target_scale']}",
              f"- inputs: {', '.join(card['features']) or 'none'}", "", "## Settings"]
    lines += [f"- {k}: {v}" for k, v in card["settings"].items()]
    lines += ["", "## Metrics (cross-validated)", f"{card['metric_conventions']}.", "",
              "| target | model | CV(RMSE) % | NMBE % | R² | 90 % coverage % |",
              "|---|---|---|---|---|---|"]
    for t, tr in card["targets"].items():
        for name, m in tr["metrics"].items():
            cov = f"{m['coverage_90'] * 100:.1f}" if "coverage_90" in m else "-"
            mark = " (selected)" if name == tr["selected"] else ""
            lines.append(f"| {t} | {MODEL_NAMES[name]}{mark} | {m['cv_rmse'] * 100:.1f} | "
                         f"{m['nmbe'] * 100:.1f} | {m['r2']:.3f} | {cov} |")
    lines += [""] + [tr["reason"] for tr in card["targets"].values()]
    for t, why in card["unavailable"].items():
        lines.append(f"- {t}: not modelled, {why}")
    a = card["ashrae_guideline_14"]
    lines += ["", f"ASHRAE Guideline 14 yardstick: CV(RMSE) <= {a['cv_rmse_max']:.0%}, "
              f"|NMBE| <= {a['nmbe_abs_max']:.0%}.", "", "## Limits"]
    lines += [f"- {x}" for x in card["limits"]]
    return "\n".join(lines) + "\n"
