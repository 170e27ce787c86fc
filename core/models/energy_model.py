"""Annual energy per district: a small torch MLP ensemble, two baselines, honest validation.

What is predicted
    ``log(energy / basis)`` per target (``electricity_kwh``, ``gas_kwh``), where the
    basis is floor area (kWh per m²) or, when a city has no floor area, population
    (kWh per person). Predictions are turned back into kWh/yr with the lognormal
    mean ``exp(mu + s²/2) * basis`` so that totals are not biased low.

Models compared on the same k folds (seeded; leave-one-out available)
    * ``model``: the network of the source design, Linear-ReLU-Linear-ReLU-Linear,
      AdamW, MSE, inputs standardised (extensive features as ``log1p``), weight
      decay and early stopping on an inner validation split; a deep ensemble of
      ``members`` networks per fold gives 90 % prediction intervals.
    * ``baseline_intensity``: the median intensity of the training rows x basis.
    * ``baseline_loglinear``: least squares of log intensity on the same
      standardised features.

Speed: every network (all folds x ensemble members x targets, plus the final
ensemble trained on all rows) is ONE batched model: weights are stacked along a
leading member axis and trained together with ``torch.bmm``; each member has its
own row masks. AdamW is element-wise, so this equals training them one by one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import norm

from core.device import pick_device
from core.errors import InputError
from core.intake import columns as cols
from core.intake.city import City
from core.models import metrics

TARGETS: tuple[str, ...] = ("electricity_kwh", "gas_kwh")
#: Canonical columns used as features when the city has them.
CANONICAL_FEATURES: tuple[str, ...] = (
    "floor_area_m2", "population", "households", "housing_units", "median_household_income",
    "per_capita_income", "renter_share", "poverty_rate", "building_age_years", "stories_mean",
    "roof_area_m2",
)
_LOG_KINDS = {"count", "money", "area", "energy"}  # extensive or skewed: log1p before scaling
BASES: tuple[str, ...] = ("floor_area_m2", "population")
MODEL_NAMES: dict[str, str] = {
    "model": "neural network (deep ensemble)",
    "baseline_intensity": "median intensity",
    "baseline_loglinear": "log-linear regression",
}
INTERVAL_LEVEL = 0.90  # the issue asks for 90 % prediction intervals
MIN_ROWS = 10  # fewer usable districts than this: no model is trained for the target
FINAL_GROUP = -1  # the member group trained on all rows (the others are the CV folds)
# leave-one-out trains 2 x (n + 1) x members networks on stacked copies of the data: memory
# grows with n^2, so above this k-fold is the only choice (an engineering limit, not a domain one)
LOO_MAX_DISTRICTS = 500
MIN_EPOCHS = 5  # the least epochs of training and of patience, however large the city

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of the network and its validation. Defaults are judgement values chosen to
    generalise at 50-100 rows (small layers, strong decay, early stopping) and to stay fast
    at 100,000 rows; they are the same for every city, never tuned to the bundled one."""

    hidden: int = 16
    lr: float = 0.003
    weight_decay: float = 0.05
    max_epochs: int = 1500  # optimizer steps, in full-batch epochs (see fit_batched)
    patience: int = 60  # in the same units
    min_delta: float = 1e-3  # relative improvement of the validation loss that resets patience
    val_share: float = 0.2
    members: int = 5
    folds: int | None = 5  # None = leave-one-out
    seed: int = 0
    batch_rows: int = 2048  # full batch up to this many rows, mini-batches of this size beyond
    device: str = "auto"


# --------------------------------------------------------------------------- features


@dataclass(frozen=True)
class Design:
    """Model inputs of every district: transformed features (NaN imputed) and the basis."""

    features: tuple[str, ...]
    X: np.ndarray  # (n, d) log1p / raw, missing values imputed with the column median
    basis: str
    basis_values: np.ndarray  # (n,)
    district_ids: np.ndarray


def feature_columns(city: City) -> tuple[str, ...]:
    present = [c for c in CANONICAL_FEATURES if city.has(c)]
    extra = [c for c in city.extra_features if c in city.districts and c not in present]
    return tuple(present + extra)


def basis_of(city: City) -> str | None:
    """Floor area when every district has a positive one, else population, else None."""
    d = city.districts
    for b in BASES:
        if b in d and (d[b].astype(float) > 0).all():
            return b
    for b in BASES:  # floor area for most districts: still per m², the rest left out
        if city.has(b) and (d[b].astype(float) > 0).mean() > 0.5:
            return b
    return None


def design(city: City) -> Design:
    d = city.districts
    basis = basis_of(city)
    if basis is None:
        raise ValueError("neither floor area nor population is positive for most districts")
    names, columns = [], []
    for c in feature_columns(city):
        v = pd.to_numeric(d[c], errors="coerce").astype(float).to_numpy()
        spec = cols.CANONICAL.get(c)
        if spec is not None and spec.kind in _LOG_KINDS:
            v = np.log1p(np.clip(v, 0, None))
        finite = np.isfinite(v)
        if finite.sum() < 2 or np.nanstd(v) == 0:
            continue  # constant or empty: carries no information
        v = np.where(finite, v, np.nanmedian(v))
        names.append(c)
        columns.append(v)
    X = np.column_stack(columns) if columns else np.zeros((len(d), 0))
    return Design(tuple(names), X, basis, d[basis].astype(float).to_numpy(),
                  d["district_id"].astype(str).to_numpy())


def available_targets(city: City) -> list[str]:
    return [t for t in TARGETS if city.has(t)]


# --------------------------------------------------------------------------- batched MLP


@dataclass
class Ensemble:
    """Stacked weights of M networks and the standardisation each was trained with."""

    W1: torch.Tensor  # (M, d, h)
    b1: torch.Tensor  # (M, 1, h)
    W2: torch.Tensor  # (M, h, h)
    b2: torch.Tensor
    W3: torch.Tensor  # (M, h, 1)
    b3: torch.Tensor  # (M, 1, 1)
    x_mean: torch.Tensor  # (M, 1, d)
    x_sd: torch.Tensor
    y_mean: torch.Tensor  # (M, 1)
    y_sd: torch.Tensor
    epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))

    @property
    def params(self) -> list[torch.Tensor]:
        return [self.W1, self.b1, self.W2, self.b2, self.W3, self.b3]

    def standardise(self, X: torch.Tensor) -> torch.Tensor:
        """Shared inputs X (n, d) as each member's standardised inputs (M, n, d)."""
        return (X.unsqueeze(0) - self.x_mean) / self.x_sd

    def forward(self, Xs: torch.Tensor) -> torch.Tensor:
        """Standardised outputs (M, n) for standardised inputs (M, n, d)."""
        h = torch.relu(torch.baddbmm(self.b1, Xs, self.W1))
        h = torch.relu(torch.baddbmm(self.b2, h, self.W2))
        return torch.baddbmm(self.b3, h, self.W3).squeeze(-1)

    @torch.no_grad()
    def predict_log(self, X: np.ndarray | torch.Tensor, chunk: int = 65536) -> np.ndarray:
        """Log intensity (M, n) of every member for every row."""
        dev = self.W1.device
        Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
        outs = [self.forward(self.standardise(Xt[i:i + chunk])) * self.y_sd + self.y_mean
                for i in range(0, Xt.shape[0], chunk)]
        return torch.cat(outs, dim=1).cpu().numpy().astype(float)

    def select(self, idx: np.ndarray) -> Ensemble:
        i = torch.as_tensor(idx, device=self.W1.device)
        return Ensemble(*(t.detach()[i].clone() for t in (
            self.W1, self.b1, self.W2, self.b2, self.W3, self.b3,
            self.x_mean, self.x_sd, self.y_mean, self.y_sd)), epochs=self.epochs[idx])

    def state(self) -> dict[str, torch.Tensor]:
        names = ("W1", "b1", "W2", "b2", "W3", "b3", "x_mean", "x_sd", "y_mean", "y_sd")
        return {n: getattr(self, n).detach().cpu() for n in names}


def _init(M: int, d: int, h: int, seed: int, dev: torch.device):
    """PyTorch's Linear default, uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases,
    drawn per member from ``(seed, member)``: member m starts the same whatever the batch."""
    shapes = (((d, h), d), ((1, h), d), ((h, h), h), ((1, h), h), ((h, 1), h), ((1, 1), h))
    per_member = []
    for m in range(M):
        gen = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, m]).generate_state(1)[0]))
        per_member.append([(torch.rand(shape, generator=gen) * 2 - 1) / math.sqrt(max(fan_in, 1))
                           for shape, fan_in in shapes])
    return tuple(torch.stack([w[i] for w in per_member]).to(dev).requires_grad_(True)
                 for i in range(len(shapes)))


def _masked_stats(V: torch.Tensor, mask: torch.Tensor,
                  per_member: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and sd over each member's masked rows.

    ``V`` is (n, d) shared features (-> (M, d)) or, with ``per_member``, (M, n) targets (-> (M,)).
    """
    w = mask / mask.sum(1, keepdim=True).clamp(min=1)
    if per_member:
        mean = (w * V).sum(1)
        var = (w * (V - mean[:, None]) ** 2).sum(1)
    else:
        mean = w @ V
        var = w @ (V ** 2) - mean ** 2
    return mean, var.clamp(min=0).sqrt()


def fit_batched(X: np.ndarray, Y: np.ndarray, train: np.ndarray, val: np.ndarray,
                config: TrainConfig, progress: Progress | None = None) -> Ensemble:
    """Train M networks at once.

    Parameters
    ----------
    X
        (n, d) features shared by all members.
    Y
        (M, n) target (log intensity) of each member; NaN where unknown.
    train, val
        (M, n) boolean masks: rows each member fits, and rows it early-stops on.
    """
    dev = pick_device(config.device)
    torch.manual_seed(config.seed)
    M, n = Y.shape
    Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
    Yt = torch.as_tensor(np.nan_to_num(Y), dtype=torch.float32, device=dev)
    tr = torch.as_tensor(train, dtype=torch.float32, device=dev)
    va = torch.as_tensor(val, dtype=torch.float32, device=dev)
    x_mean, x_sd = _masked_stats(Xt, tr, per_member=False)
    x_sd = torch.where(x_sd > 0, x_sd, torch.ones_like(x_sd))
    y_mean, y_sd = _masked_stats(Yt, tr, per_member=True)
    y_sd = torch.where(y_sd > 0, y_sd, torch.ones_like(y_sd))
    Ys = (Yt - y_mean[:, None]) / y_sd[:, None]
    ens = Ensemble(*_init(M, X.shape[1], config.hidden, config.seed, dev),
                   x_mean[:, None, :], x_sd[:, None, :], y_mean[:, None], y_sd[:, None])
    weights = [ens.W1, ens.W2, ens.W3]
    biases = [ens.b1, ens.b2, ens.b3]
    opt = torch.optim.AdamW([{"params": weights, "weight_decay": config.weight_decay},
                             {"params": biases, "weight_decay": 0.0}], lr=config.lr)
    best = [p.detach().clone() for p in ens.params]
    best_loss = torch.full((M,), float("inf"), device=dev)
    since = torch.zeros(M, dtype=torch.long, device=dev)
    best_epoch = torch.zeros(M, dtype=torch.long, device=dev)
    n_val = va.sum(1).clamp(min=1)
    has_val = va.sum(1) > 0
    with torch.no_grad():
        Xs = ens.standardise(Xt)  # (M, n, d), computed once
    full = n <= config.batch_rows
    # Budgets count optimizer steps: with mini-batches an epoch takes several steps, so a
    # large city runs fewer, equally costly-per-row epochs (at least a few each).
    steps_per_epoch = math.ceil(n / config.batch_rows)
    max_epochs = max(math.ceil(config.max_epochs / steps_per_epoch), MIN_EPOCHS)
    patience = max(math.ceil(config.patience / steps_per_epoch), MIN_EPOCHS)
    perm_gen = torch.Generator().manual_seed(config.seed + 1)
    def track(out: torch.Tensor, epoch: int) -> None:
        """Early stopping: remember each member's parameters at its best validation loss."""
        nonlocal best_loss, best_epoch, since
        sq = (out - Ys) ** 2
        v = torch.where(has_val, (sq * va).sum(1) / n_val,
                        (sq * tr).sum(1) / tr.sum(1).clamp(min=1))
        better = (v < best_loss * (1 - config.min_delta)) & (since <= patience)
        best_loss = torch.where(better, v, best_loss)
        best_epoch = torch.where(better, torch.full_like(best_epoch, epoch), best_epoch)
        since = torch.where(better, torch.zeros_like(since), since + 1)
        for b, p in zip(best, ens.params, strict=True):
            b.copy_(torch.where(better.view(-1, *([1] * (p.dim() - 1))), p.detach(), b))

    for epoch in range(max_epochs):
        if full:  # one step per epoch; the forward pass before the step also scores validation
            out = ens.forward(Xs)
            with torch.no_grad():
                track(out.detach(), epoch)
            loss = (((out - Ys) ** 2 * tr).sum(1) / tr.sum(1).clamp(min=1)).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        else:
            order = torch.randperm(n, generator=perm_gen).to(dev)
            for r in torch.split(order, config.batch_rows):
                m = tr[:, r]
                err = (ens.forward(Xs[:, r]) - Ys[:, r]) ** 2 * m
                loss = (err.sum(1) / m.sum(1).clamp(min=1)).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            with torch.no_grad():
                track(torch.cat([ens.forward(x) for x in torch.split(Xs, config.batch_rows, dim=1)],
                                dim=1), epoch + 1)
        stopped = since > patience
        done = bool(stopped.all())
        if progress is not None and (epoch % 20 == 0 or done):
            progress(max(epoch / max_epochs, float(stopped.float().mean())),
                     f"epoch {epoch + 1}: {int(stopped.sum())} of {M} networks stopped early")
        if done:
            break
    with torch.no_grad():
        for b, p in zip(best, ens.params, strict=True):
            p.copy_(b)
            p.requires_grad_(False)
    ens.epochs = best_epoch.cpu().numpy() + 1
    return ens


# --------------------------------------------------------------------------- baselines


def loglinear_fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Least squares of ``y`` on standardised ``X`` with an intercept: (mean, sd, coef, s²)."""
    mean = X.mean(0)
    sd = X.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    A = np.column_stack([np.ones(len(y)), (X - mean) / sd])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    dof = max(len(y) - A.shape[1], 1)
    s2 = float(np.sum((y - A @ coef) ** 2) / dof)
    return mean, sd, coef, s2


def loglinear_predict(fit, X: np.ndarray) -> np.ndarray:
    mean, sd, coef, s2 = fit
    return np.column_stack([np.ones(len(X)), (X - mean) / sd]) @ coef + s2 / 2


# --------------------------------------------------------------------------- evaluation


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


@dataclass(frozen=True)
class Evaluation:
    city_name: str
    n_districts: int
    district_ids: np.ndarray
    features: tuple[str, ...]
    config: TrainConfig
    folds: int  # effective number of folds (n for leave-one-out)
    device: str
    seconds: float
    targets: dict[str, TargetResult]
    ensemble: Ensemble | None  # final members (targets x members), for saving
    unavailable: dict[str, str]  # target -> why it was not modelled

    @property
    def scale(self) -> str:
        """What the networks predict, in words."""
        if not self.targets:
            return "no target"
        basis = next(iter(self.targets.values())).basis
        return ("log of kWh/yr per m² of floor area" if basis == "floor_area_m2" else
                "log of kWh/yr per resident (the city has no usable floor area)")

    def as_json(self) -> dict:
        """The ``python -m core evaluate --json`` shape."""
        out = {}
        for t, r in self.targets.items():
            out[t] = {name: r.scores[name].as_dict() for name in MODEL_NAMES}
            out[t]["selected"] = r.selected
        return {"n_districts": self.n_districts, "targets": out}


def _selection(scores: dict[str, metrics.Scores], target: str) -> tuple[str, str]:
    """The model with the lowest CV(RMSE), and a sentence saying why."""
    ranked = sorted(MODEL_NAMES, key=lambda k: (np.nan_to_num(scores[k].cv_rmse, nan=np.inf),
                                                list(MODEL_NAMES).index(k)))
    best = ranked[0]
    label = cols.label_of(target).lower()
    others = ", ".join(f"{MODEL_NAMES[k]} {scores[k].cv_rmse:.1%}" for k in ranked[1:])
    if best == "model":
        why = (f"For {label} the {MODEL_NAMES[best]} is used: it has the lowest cross-validated "
               f"CV(RMSE), {scores[best].cv_rmse:.1%} (against {others}).")
    else:
        why = (f"For {label} the {MODEL_NAMES[best]} is used: it has the lowest cross-validated "
               f"CV(RMSE), {scores[best].cv_rmse:.1%} (against {others}); the neural network "
               "is no better on this city's data.")
    return best, why


def evaluate(city: City, config: TrainConfig | None = None,
             progress: Progress | None = None) -> Evaluation:
    """Cross-validate the network and both baselines on every target the city observes,
    then fit the final ensemble on all rows; one batched training run for everything."""
    cfg = config or TrainConfig()
    if cfg.folds is None and city.n > LOO_MAX_DISTRICTS:
        raise InputError(f"leave-one-out is offered up to {LOO_MAX_DISTRICTS:,} districts (it trains "
                         f"one ensemble per district); this city has {city.n:,}: use k-fold, "
                         "e.g. 5 folds")
    start = time.perf_counter()
    say = progress or (lambda f, m: None)
    say(0.0, "preparing features")
    targets = available_targets(city)
    unavailable = {t: f"the city has no observed '{t}' column" for t in TARGETS if t not in targets}
    dsg = design(city)
    n = city.n
    rng = np.random.default_rng(cfg.seed)
    plans = []  # per target: used rows, folds, log intensity
    for t in targets:
        y = city.districts[t].astype(float).to_numpy()
        used = np.isfinite(y) & (y > 0) & np.isfinite(dsg.basis_values) & (dsg.basis_values > 0)
        if used.sum() < MIN_ROWS:
            unavailable[t] = (f"only {int(used.sum())} districts have a positive '{t}' and "
                              f"{dsg.basis}; at least {MIN_ROWS} are needed")
            continue
        fold = np.full(n, -1)
        fold[used] = metrics.fold_ids(int(used.sum()), cfg.folds, cfg.seed)
        logy = np.full(n, np.nan)
        logy[used] = np.log(y[used] / dsg.basis_values[used])
        plans.append((t, y, used, fold, logy, int(fold[used].max()) + 1))
    if not plans:
        return Evaluation(city.name, n, dsg.district_ids, dsg.features, cfg, 0,
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
    z = float(norm.ppf(0.5 + INTERVAL_LEVEL / 2))
    results: dict[str, TargetResult] = {}
    final_members = []
    for ti, (t, y, used, fold, logy, k_t) in enumerate(plans):
        b = dsg.basis_values

        def group(f, ti=ti):
            sel = np.flatnonzero((index_arr[:, 0] == ti) & (index_arr[:, 1] == f))
            mu = pred[sel].mean(0)
            spread2 = pred[sel].var(0)
            resid2 = np.nanmean([np.mean((pred[s][va[s]] - Y[s][va[s]]) ** 2) for s in sel])
            return sel, mu, spread2, resid2

        oof = {name: np.full(n, np.nan) for name in MODEL_NAMES}
        lo = np.full(n, np.nan)
        hi = np.full(n, np.nan)
        for f in range(k_t):
            test = used & (fold == f)
            train_rows = used & (fold != f)
            _sel, mu, spread2, resid2 = group(f)
            s2 = spread2 + resid2
            oof["model"][test] = np.exp(mu[test] + s2[test] / 2) * b[test]
            lo[test] = np.exp(mu[test] - z * np.sqrt(s2[test])) * b[test]
            hi[test] = np.exp(mu[test] + z * np.sqrt(s2[test])) * b[test]
            oof["baseline_intensity"][test] = np.median(y[train_rows] / b[train_rows]) * b[test]
            fit = loglinear_fit(dsg.X[train_rows], logy[train_rows])
            oof["baseline_loglinear"][test] = np.exp(loglinear_predict(fit, dsg.X[test])) * b[test]
        sc = {"model": metrics.scores(y[used], oof["model"][used], lower=lo[used], upper=hi[used])}
        for name in ("baseline_intensity", "baseline_loglinear"):
            sc[name] = metrics.scores(y[used], oof[name][used])
        selected, reason = _selection(sc, t)
        sel, mu, spread2, resid2 = group(FINAL_GROUP)
        final_members.append(sel)
        s2 = spread2 + resid2
        with np.errstate(invalid="ignore", over="ignore"):
            fitted = {
                "model": np.exp(mu + s2 / 2) * b,
                "baseline_intensity": np.full(n, np.median(y[used] / b[used])) * b,
                "baseline_loglinear": np.exp(loglinear_predict(
                    loglinear_fit(dsg.X[used], logy[used]), dsg.X)) * b,
            }
            f_lo = np.exp(mu - z * np.sqrt(s2)) * b
            f_hi = np.exp(mu + z * np.sqrt(s2)) * b
        results[t] = TargetResult(
            t, dsg.basis, int(used.sum()), int(n - used.sum()), used, np.where(used, y, np.nan),
            oof, lo, hi, sc, selected, reason, fitted, f_lo, f_hi,
            float(np.median(ens.epochs[index_arr[:, 0] == ti])))
    say(1.0, "done")
    return Evaluation(city.name, n, dsg.district_ids, dsg.features, cfg, k,
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


def scores_table(ev: Evaluation, criteria: dict[str, float] | None = None) -> pd.DataFrame:
    """Model and baselines side by side per target, in %, with the ASHRAE yardstick."""
    crit = criteria or ashrae_criteria()
    rows = []
    for t, r in ev.targets.items():
        for name, label in MODEL_NAMES.items():
            s = r.scores[name]
            rows.append({
                "target": cols.label_of(t), "model": label, "cv_rmse_pct": s.cv_rmse * 100,
                "nmbe_pct": s.nmbe * 100, "r2": s.r2,
                "coverage_90_pct": s.coverage_90 * 100 if s.coverage_90 is not None else np.nan,
                "meets_ashrae": bool(s.cv_rmse <= crit["cv_rmse_max"]
                                     and abs(s.nmbe) <= crit["nmbe_abs_max"]),
                "selected": name == r.selected,
            })
    return pd.DataFrame(rows)


def ashrae_criteria(resolution: str = "monthly") -> dict[str, float]:
    """CV(RMSE) and |NMBE| limits of ASHRAE Guideline 14 (data/model_criteria.csv)."""
    from core import reference_tables

    t = reference_tables.table("model_criteria").set_index("resolution")
    return {"cv_rmse_max": float(t.loc[resolution, "cv_rmse_max"]),
            "nmbe_abs_max": float(t.loc[resolution, "nmbe_abs_max"])}


# --------------------------------------------------------------------------- model card


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


def save(ev: Evaluation, city: City, out_dir: str | Path) -> list[Path]:
    """Write the final ensemble's weights and the model card (JSON and Markdown)."""
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    card = model_card(ev, city)
    paths = [out / "energy_model.pt", out / "model_card.json", out / "model_card.md"]
    if ev.ensemble is not None:
        torch.save({"state": ev.ensemble.state(), "features": list(ev.features),
                    "targets": list(ev.targets), "members": ev.config.members,
                    "basis": next(iter(ev.targets.values())).basis}, paths[0])
    else:
        paths.pop(0)
    (out / "model_card.json").write_text(json.dumps(card, indent=2, default=float))
    (out / "model_card.md").write_text(model_card_markdown(card))
    return paths
