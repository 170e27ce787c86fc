"""Cross-validation of the energy model: the network ensemble and both baselines scored
out-of-fold on the same seeded folds, the model with the lowest CV(RMSE) selected per target,
and the final fit on all rows, all from one batched training run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.special import ndtri  # the normal quantile, as scipy.stats.norm.ppf: ~45 MB less

from core.assess import carbon
from core.device import pick_device
from core.errors import InputError
from core.footprint import Footprint, Meter
from core.i18n import N_, _, lazy, lazy_join, lazy_lower
from core.intake import columns as cols
from core.intake.city import City
from core.models import metrics, yardstick
from core.models.baselines import LogLinear, city_intensity, smearing
from core.models.features import MIN_ROWS, TARGETS, FeatureSpec, available_targets, design
from core.models.metrics import INTERVAL_LEVEL
from core.models.network import Ensemble, Progress, TrainConfig, fit_batched

MODEL_NAMES: dict[str, str] = {
    "model": N_("neural network (deep ensemble)"),
    "baseline_intensity": N_("city-wide intensity"),
    "baseline_loglinear": N_("log-linear regression"),
}
SMEARED = ("model", "baseline_loglinear")  # models whose back-transform carries a factor
FINAL_GROUP = -1  # the member group trained on all rows (the others are the CV folds)
# leave-one-out trains 2 x (n + 1) x members networks on stacked copies of the data: memory
# grows with n^2, so above this k-fold is the only choice (an engineering limit, not a domain one)
LOO_MAX_DISTRICTS = 500


@dataclass(frozen=True)
class TargetFit:
    """The three models of one target fitted on a set of rows (one fold's, or all of them)."""

    members: tuple[int, ...]  # positions of this target's networks in the ensemble they run in
    residual_var: float  # mean squared validation residual of those networks (log units)
    intensity: float  # the city-wide intensity baseline, kWh/yr per m² or per person
    loglinear: LogLinear
    smearing: dict[str, float]  # SMEARED model -> factor of its back-transform (dimensionless)

    def predict(self, member_log: np.ndarray, X: np.ndarray,
                basis: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """kWh/yr of every model, and the network's 90 % interval, for rows of inputs ``X``.

        ``member_log`` is (members, n), the log intensity of this fit's networks for the same
        rows. The network predicts the mean of its members' ``exp(log intensity) x basis``,
        the log-linear model ``exp(fit) x basis``, each times its smearing factor. The
        interval is lognormal around the members' mean log intensity, its variance the
        members' spread plus their validation residual variance.
        """
        mu = member_log.mean(0)
        s = np.sqrt(member_log.var(0) + self.residual_var)
        z = float(ndtri(0.5 + INTERVAL_LEVEL / 2))
        with np.errstate(invalid="ignore", over="ignore"):
            kwh = {"model": self.smearing["model"] * np.exp(member_log).mean(0) * basis,
                   "baseline_intensity": self.intensity * basis,
                   "baseline_loglinear": (self.smearing["baseline_loglinear"]
                                          * np.exp(self.loglinear.predict(X)) * basis)}
            lower = np.exp(mu - z * s) * basis
            upper = np.exp(mu + z * s) * basis
        return kwh, lower, upper


@dataclass(frozen=True)
class TargetResult:
    """Cross-validated evaluation of one target, and the final fit on all rows."""

    target: str
    basis: str
    n_used: int
    n_left_out: int
    used: np.ndarray  # (n,) bool: rows with a usable observation
    observed: np.ndarray  # (n,) kWh/yr, NaN where not usable
    oof: dict[str, np.ndarray]  # model name -> (n,) out-of-fold prediction, kWh/yr
    oof_lower: np.ndarray  # (n,) 90 % interval of the model under CV
    oof_upper: np.ndarray
    scores: dict[str, metrics.Scores]
    selected: str
    reason: str
    fitted: dict[str, np.ndarray]  # model name -> (n,) prediction from all rows, kWh/yr
    fitted_lower: np.ndarray
    fitted_upper: np.ndarray
    epochs_median: float
    final: TargetFit  # the fit on all rows; members index Evaluation.ensemble


@dataclass(frozen=True)
class Evaluation:
    """Cross-validated results of every target of a city, and the final ensemble."""

    city_name: str
    n_districts: int
    district_ids: np.ndarray
    inputs: FeatureSpec
    config: TrainConfig
    folds: int  # effective number of folds (n for leave-one-out)
    device: str
    seconds: float
    targets: dict[str, TargetResult]
    ensemble: Ensemble | None  # final members (targets x members), for saving
    unavailable: dict[str, str]  # target -> why it was not modelled
    footprint: Footprint | None = None  # energy and CO2 of this training (set by evaluate)

    @property
    def features(self) -> tuple[str, ...]:
        return self.inputs.names

    @property
    def scale(self) -> str:
        """What the networks predict, in words."""
        if not self.targets:
            return lazy("no target")
        basis = next(iter(self.targets.values())).basis
        return (lazy("log of kWh/yr per m² of floor area") if basis == "floor_area_m2" else
                lazy("log of kWh/yr per resident (the city has no usable floor area)"))

    def as_json(self) -> dict:
        """The ``python -m core evaluate --json`` shape."""
        out = {}
        for t, r in self.targets.items():
            out[t] = {name: r.scores[name].as_dict() for name in MODEL_NAMES}
            out[t]["selected"] = r.selected
        computation = {} if self.footprint is None else {"computation": {
            "energy_wh": self.footprint.energy_wh, "co2_g": self.footprint.co2_g,
            "method": self.footprint.method}}
        return {"n_districts": self.n_districts, "targets": out, **computation}


def _selection(scores: dict[str, metrics.Scores], target: str) -> tuple[str, str]:
    """The model with the lowest CV(RMSE), and a sentence saying why."""
    ranked = sorted(MODEL_NAMES, key=lambda k: (np.nan_to_num(scores[k].cv_rmse, nan=np.inf),
                                                list(MODEL_NAMES).index(k)))
    best = ranked[0]
    label = lazy_lower(cols.label_of(target))
    others = lazy_join(", ", (lazy("{model} {cv_rmse:.1%}", model=lazy(MODEL_NAMES[k]),
                                   cv_rmse=scores[k].cv_rmse) for k in ranked[1:]))
    if best == "model":
        why = (lazy("For {label} the {model_names} is used: it has the lowest cross-validated "
               "CV(RMSE), {cv_rmse:.1%} (against {others}).", label=label,
               model_names=lazy(MODEL_NAMES[best]), cv_rmse=scores[best].cv_rmse, others=others))
    else:
        why = (lazy("For {label} the {model_names} is used: it has the lowest cross-validated "
               "CV(RMSE), {cv_rmse:.1%} (against {others}); the neural network "
               "is no better on this city's data.", label=label,
               model_names=lazy(MODEL_NAMES[best]), cv_rmse=scores[best].cv_rmse, others=others))
    return best, why


def evaluate(city: City, config: TrainConfig | None = None,
             progress: Progress | None = None) -> Evaluation:
    """Cross-validate the network and both baselines on every target the city observes,
    then fit the final ensemble on all rows; one batched training run for everything.

    Training and scoring rows are the districts with data (``City.with_data``), a positive
    observed value and a positive basis; a value the model predicted earlier
    (``City.predicted``) is no observation and is left out like a missing one. The result
    carries the energy and CO2 of the run itself (core.footprint, at the city's grid factor).
    """
    with Meter(carbon.grid_factor_kg_per_kwh(city.references)) as meter:
        ev = _evaluate(city, config, progress)
    return replace(ev, footprint=meter.footprint)


def _evaluate(city: City, config: TrainConfig | None,
              progress: Progress | None) -> Evaluation:
    """:func:`evaluate` without its footprint."""
    cfg = config or TrainConfig()
    if cfg.folds is None and city.n > LOO_MAX_DISTRICTS:
        raise InputError(f"leave-one-out is offered up to {LOO_MAX_DISTRICTS:,} districts (it trains "
                         f"one ensemble per district); this city has {city.n:,}: use k-fold, "
                         "e.g. 5 folds")
    start = time.perf_counter()
    say = progress or (lambda f, m: None)
    say(0.0, "preparing features")
    targets = available_targets(city)
    unavailable = {t: lazy("the city has no observed '{t}' column", t=t)
                   for t in TARGETS if t not in targets}
    dsg = design(city)
    n = city.n
    rng = np.random.default_rng(cfg.seed)
    plans = []  # per target: used rows, folds, log intensity
    with_data = city.with_data.to_numpy()
    for t in targets:
        y = city.districts[t].astype(float).to_numpy()
        used = (np.isfinite(y) & (y > 0) & np.isfinite(dsg.basis_values) & (dsg.basis_values > 0)
                & with_data & ~city.predicted_mask(t))
        if used.sum() < MIN_ROWS:
            unavailable[t] = (lazy("only {sum} districts have a positive '{t}' and "
                              "{basis}; at least {min_rows} are needed", sum=int(used.sum()), t=t,
                              basis=dsg.basis, min_rows=MIN_ROWS))
            continue
        fold = np.full(n, -1)
        fold[used] = metrics.fold_ids(int(used.sum()), cfg.folds, cfg.seed)
        logy = np.full(n, np.nan)
        logy[used] = np.log(y[used] / dsg.basis_values[used])
        plans.append((t, y, used, fold, logy, int(fold[used].max()) + 1))
    if not plans:
        return Evaluation(city.name, n, dsg.district_ids, dsg.spec, cfg, 0,
                          str(pick_device(cfg.device)), time.perf_counter() - start, {}, None,
                          unavailable)
    # folds per target: with leave-one-out, targets with different usable rows differ
    k = max(plan[5] for plan in plans)
    # Members: for each target, for each fold f in 0..k_t-1 and the final group FINAL, E members.
    rows_Y, rows_tr, rows_va, index = [], [], [], []
    for ti, (_t, _y, used, fold, logy, k_t) in enumerate(plans):
        for f in [*range(k_t), FINAL_GROUP]:
            fit_rows = used & (fold != f) if f != FINAL_GROUP else used
            idx = np.flatnonzero(fit_rows)
            for e in range(cfg.members):
                n_val = max(1, int(round(cfg.val_share * idx.size)))
                val_idx = rng.choice(idx, size=n_val, replace=False)
                va = np.zeros(n, bool)
                va[val_idx] = True
                rows_Y.append(logy)
                rows_tr.append(fit_rows & ~va)
                rows_va.append(va)
                index.append((ti, f, e))
    say(0.02, f"training {len(index)} networks as one batched model")
    ens = fit_batched(dsg.X, np.array(rows_Y), np.array(rows_tr), np.array(rows_va), cfg,
                      progress=lambda fr, msg: say(0.02 + 0.93 * fr, msg))
    pred = ens.predict_log(dsg.X)  # (M, n)
    Y = np.array(rows_Y)
    va = np.array(rows_va)
    index_arr = np.array(index)
    b = dsg.basis_values
    results: dict[str, TargetResult] = {}
    final_members: list[np.ndarray] = []
    for ti, (t, y, used, fold, logy, k_t) in enumerate(plans):

        def fit_on(f: int, rows: np.ndarray, ti=ti, y=y, logy=logy) -> TargetFit:
            """Target ti's fold-f networks and both baselines fitted on ``rows``, each
            bias-corrected with residuals of ``rows`` that the predicting fit did not use."""
            sel = np.flatnonzero((index_arr[:, 0] == ti) & (index_arr[:, 1] == f))
            resid2 = np.nanmean([np.mean((pred[s][va[s]] - Y[s][va[s]]) ** 2) for s in sel])
            net_smear = smearing(np.concatenate([y[va[s]] for s in sel]),
                                 np.concatenate([np.exp(pred[s][va[s]]) * b[va[s]] for s in sel]))
            loglinear = LogLinear.fit(dsg.X[rows], logy[rows])
            held_out = np.exp(loglinear.held_out(dsg.X[rows], logy[rows])) * b[rows]
            return TargetFit(tuple(int(s) for s in sel), float(resid2),
                             city_intensity(y[rows], b[rows]), loglinear,
                             {"model": net_smear,
                              "baseline_loglinear": smearing(y[rows], held_out)})

        oof = {name: np.full(n, np.nan) for name in MODEL_NAMES}
        lo = np.full(n, np.nan)
        hi = np.full(n, np.nan)
        for f in range(k_t):
            test = used & (fold == f)
            fold_fit = fit_on(f, used & (fold != f))
            kwh, lower, upper = fold_fit.predict(pred[list(fold_fit.members)][:, test],
                                                 dsg.X[test], b[test])
            lo[test], hi[test] = lower, upper
            for name, values in kwh.items():
                oof[name][test] = values
        sc = {"model": metrics.scores(y[used], oof["model"][used], lower=lo[used], upper=hi[used])}
        for name in ("baseline_intensity", "baseline_loglinear"):
            sc[name] = metrics.scores(y[used], oof[name][used])
        selected, reason = _selection(sc, t)
        final = fit_on(FINAL_GROUP, used)
        fitted, f_lo, f_hi = final.predict(pred[list(final.members)], dsg.X, b)
        offset = sum(len(m) for m in final_members)
        final_members.append(np.array(final.members))
        results[t] = TargetResult(
            t, dsg.basis, int(used.sum()), int(n - used.sum()), used, np.where(used, y, np.nan),
            oof, lo, hi, sc, selected, reason, fitted, f_lo, f_hi,
            float(np.median(ens.epochs[index_arr[:, 0] == ti])),
            replace(final, members=tuple(range(offset, offset + len(final.members)))))
    say(1.0, "done")
    return Evaluation(city.name, n, dsg.district_ids, dsg.spec, cfg, k,
                      str(ens.W1.device), time.perf_counter() - start, results,
                      ens.select(np.concatenate(final_members)), unavailable)


def predictions(ev: Evaluation) -> pd.DataFrame:
    """One row per district: observed, selected prediction, interval and CV residual per target."""
    out = pd.DataFrame({"district_id": ev.district_ids})
    for t, r in ev.targets.items():
        out[f"{t}_observed"] = r.observed
        out[f"{t}_predicted"] = r.fitted[r.selected]
        out[f"{t}_lower"] = r.fitted_lower
        out[f"{t}_upper"] = r.fitted_upper
        out[f"{t}_cv_predicted"] = r.oof[r.selected]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{t}_cv_residual_pct"] = (r.oof[r.selected] - r.observed) / r.observed * 100
    return out


def scores_table(ev: Evaluation) -> pd.DataFrame:
    """Model and baselines side by side per target, in %, with the ASHRAE yardstick's verdict;
    targets, models and verdicts named in the language in effect."""
    rows = []
    for t, r in ev.targets.items():
        for name, label in MODEL_NAMES.items():
            s = r.scores[name]
            rows.append({
                "target": _(cols.label_of(t)), "model": _(label), "cv_rmse_pct": s.cv_rmse * 100,
                "nmbe_pct": s.nmbe * 100, "r2": s.r2,
                "coverage_90_pct": s.coverage_90 * 100 if s.coverage_90 is not None else np.nan,
                "meets_ashrae": yardstick.meets(s.cv_rmse, s.nmbe),
                "verdict": _(yardstick.grade(s.cv_rmse, s.nmbe)[0]),
                "selected": name == r.selected,
            })
    return pd.DataFrame(rows)
