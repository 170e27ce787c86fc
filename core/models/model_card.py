"""The model card: the data, features, settings, cross-validated metrics, verdict and limits
of an evaluated energy model, as plain data (saved as JSON) and as Markdown. The verdict
(good / fair / poor, see :mod:`core.models.yardstick`) is made here once, for the card, the
Energy model page and ``python -m core evaluate``."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core import footprint
from core.i18n import N_, _, lazy
from core.intake import columns as cols
from core.intake.city import City
from core.models import yardstick
from core.models.cross_validation import MODEL_NAMES, Evaluation, TargetResult
from core.models.degree_days import FUELS

LIMITS = (
    N_("Cross-sectional: it learns how energy varies between districts of this city, not how a "
    "district responds to retrofits over time."),
    N_("Observed totals include all buildings; features describe residents, so districts with "
    "much commercial floor are harder to predict."),
    N_("Intervals are 90 % under the model's assumptions (lognormal errors); their coverage under "
    "cross-validation is reported, not guaranteed."),
    N_("The ASHRAE Guideline 14 criteria are written for monthly calibration of one building; "
    "here they are a yardstick for annual district totals."),
)


@dataclass(frozen=True)
class Verdict:
    """How good a target's selected model is, why, and what would make it better."""

    band: str  # "good", "fair" or "poor"
    reason: str  # the band and the figures against the yardstick, one sentence
    helps: tuple[str, ...]  # what would help (empty for a good model)

    @property
    def text(self) -> str:
        """The verdict as one paragraph for a page or a terminal."""
        reason = _(self.reason)
        out = f"{reason[0].upper()}{reason[1:]}."
        return out + (_(" What would help: {helps}.").format(
            helps="; ".join(_(h) for h in self.helps)) if self.helps else "")

    def as_dict(self) -> dict:
        return {"band": self.band, "reason": self.reason, "helps": list(self.helps)}

    @classmethod
    def from_dict(cls, data: dict) -> Verdict:
        """The verdict ``as_dict`` wrote (a saved card's, or ``evaluate --json``'s)."""
        return cls(data["band"], data["reason"], tuple(data["helps"]))


def verdict(result: TargetResult, city: City) -> Verdict:
    """The verdict on ``result``'s selected model, scored out-of-fold, for ``city``."""
    chosen = result.scores[result.selected]
    band, reason = yardstick.grade(chosen.cv_rmse, chosen.nmbe)
    if band == "good":
        return Verdict(band, reason, ())
    helps = []
    if result.basis != "floor_area_m2":
        helps.append(lazy("a floor-area column mapped onto floor_area_m2 (the model then predicts "
                     "kWh per m², which varies far less between districts than kWh per resident)"))
    helps.append(lazy("more districts: it learned from {n_used}, and finer units such as "
                 "census tracts give it more to learn from", n_used=result.n_used))
    if not all(city.has(c) for c in FUELS.get(result.target, ())):
        helps.append(lazy("monthly readings ({target}_01..12) with a degree-day table, so "
                     "that the degree-day model is judged month by month, as ASHRAE Guideline "
                     "14's limits are written", target=result.target))
    return Verdict(band, lazy("{label}: {reason}", label=lazy(cols.label_of(result.target)),
                              reason=reason), tuple(helps))


def verdicts(ev: Evaluation, city: City) -> dict[str, Verdict]:
    """The verdict of every modelled target."""
    return {t: verdict(r, city) for t, r in ev.targets.items()}


def model_card(ev: Evaluation, city: City) -> dict:
    """Data, features, settings, metrics and limits of an evaluation, as plain data."""
    return {
        "model": N_("Greenprint energy model: MLP Linear-ReLU-Linear-ReLU-Linear with a "
                    "linear path started at least squares (AdamW, MSE), deep ensemble, "
                    "back-transform bias-corrected by smearing; city-wide-intensity and "
                    "log-linear baselines"),
        "data": {"city": city.name, "source": city.source, "illustrative": city.illustrative,
                 "n_districts": ev.n_districts},
        "reference_values": {"currency": city.references.currency,
                             "summary": city.references.summary(),
                             "values": city.references.frame().to_dict(orient="records")},
        "target_scale": ev.scale,
        "features": list(ev.features),
        "settings": {**asdict(ev.config), "device": ev.device, "folds_effective": ev.folds},
        "metric_conventions": N_("cv_rmse = RMSE / mean(observed); nmbe = sum(obs - pred) / "
                                 "(n mean(obs)) as in ASHRAE Guideline 14, positive = "
                                 "under-prediction; out-of-fold predictions, p = 0; fractions "
                                 "(0.15 = 15 %)"),
        "targets": {t: {"n_used": r.n_used, "n_left_out": r.n_left_out,
                        "metrics": {k: r.scores[k].as_dict() for k in MODEL_NAMES},
                        "selected": r.selected, "reason": r.reason,
                        "verdict": verdict(r, city).as_dict(),
                        "median_epochs": r.epochs_median}
                    for t, r in ev.targets.items()},
        "unavailable": ev.unavailable,
        "ashrae_guideline_14": yardstick.criteria(),
        "limits": list(LIMITS),
        "training_seconds": round(ev.seconds, 2),
        **({} if ev.footprint is None else {"computation": {
            "energy_wh": ev.footprint.energy_wh, "co2_g": ev.footprint.co2_g,
            "method": ev.footprint.method, "cpu_seconds": round(ev.footprint.cpu_seconds, 2),
            "note": "energy and CO2 of this training and cross-validation (core.footprint), "
                    "CO2 at the city's grid factor"}}),
    }


def computation_text(card: dict) -> str | None:
    """The card's training footprint in words ("Training and cross-validation: 0.5 Wh, 0.2 g
    CO2 (estimated from CPU time)"), or None for a card saved without one."""
    if not (c := card.get("computation")):
        return None
    return _("Training and cross-validation: {footprint}").format(
        footprint=footprint.text(c["energy_wh"], c["co2_g"], c["method"]))


def model_card_markdown(card: dict) -> str:
    """The card of ``model_card`` as a Markdown document."""
    lines = [f"# Model card: {card['data']['city']}", "", card["model"], "", "## Data",
             f"- {card['data']['n_districts']} districts; source: {card['data']['source']}"]
    if card["data"]["illustrative"]:
        lines.append("- illustrative data, not official statistics")
    if refs := card.get("reference_values"):  # cards saved before issue 10 have none
        lines += ["", "## Reference values of the city",
                  f"Used for its carbon, bills and plans (not by the energy model): "
                  f"{refs['summary']}.", "", "| name | value | unit | source |", "|---|---|---|---|"]
        lines += [f"| {r['name']} | {r['value']} | {r['unit']} | {r['source']} |"
                  for r in refs["values"]]
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
              f"|NMBE| <= {a['nmbe_abs_max']:.0%}.", "", "## Verdict"]
    for tr in card["targets"].values():
        if "verdict" in tr:  # cards saved before verdicts existed have none
            v = Verdict.from_dict(tr["verdict"])
            lines.append(f"- **{v.band}**: {v.text}")
    if computation := computation_text(card):
        lines += ["", "## Footprint of the computation", computation + "."]
    lines += ["", "## Limits"]
    lines += [f"- {x}" for x in card["limits"]]
    return "\n".join(lines) + "\n"
