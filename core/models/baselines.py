"""The two baselines the network must beat, on the same rows and the same folds, and the
bias correction that every model's back-transform from log intensity shares.

* city-wide intensity: the training rows' total energy over their total basis (kWh/yr per m²
  or per person), times the basis;
* log-linear regression: least squares of log intensity on the standardised features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_LEVERAGE = 0.99  # rows whose own fit depends on them more than this have no held-out residual


def city_intensity(energy: np.ndarray, basis: np.ndarray) -> float:
    """Total energy over total basis (kWh/yr per m² or per person) of the given rows: the
    median intensity times its ``smearing`` factor on these rows comes to exactly this, so
    the baseline's predicted total of its training rows equals their observed total."""
    return float(np.sum(energy) / np.sum(basis))


def smearing(observed: np.ndarray, held_out: np.ndarray) -> float:
    """The factor that makes back-transformed predictions unbiased for totals (dimensionless).

    ``held_out`` are predictions ``exp(log intensity) x basis`` (kWh/yr) for rows the
    predicting fit did not use, ``observed`` the same rows' kWh/yr. The factor is Duan's
    (1983) smearing estimate ``mean(exp(residual))`` weighted by each row's prediction, that
    is ``sum(observed) / sum(held_out)``: multiplied by it, the predictions of these rows add
    up to what was observed. 1 when there is nothing to estimate it from.
    """
    ok = np.isfinite(observed) & np.isfinite(held_out) & (held_out > 0)
    total = float(np.sum(held_out[ok]))
    return float(np.sum(observed[ok]) / total) if ok.any() and total > 0 else 1.0


@dataclass(frozen=True)
class LogLinear:
    """Least squares of log intensity on standardised features, with an intercept."""

    mean: np.ndarray  # (d,) feature means of the training rows
    sd: np.ndarray  # (d,) feature standard deviations (1 where constant)
    coef: np.ndarray  # (d + 1,) intercept first

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray) -> LogLinear:
        """Fit log intensity ``y`` (n,) on features ``X`` (n, d)."""
        mean = X.mean(0)
        sd = X.std(0)
        sd = np.where(sd > 0, sd, 1.0)
        coef, *_ = np.linalg.lstsq(_design(X, mean, sd), y, rcond=None)
        return cls(mean, sd, coef)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Log intensity (the fit, before the back-transform) for features ``X``."""
        return _design(X, self.mean, self.sd) @ self.coef

    def held_out(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Leave-one-out log intensity of the rows ``(X, y)`` this model was fitted on.

        Closed form, ``y - r / (1 - h)`` with ``r`` the residual and ``h`` the leverage of each
        row; NaN for a row with leverage above ``MAX_LEVERAGE`` (its fit hinges on it alone).
        """
        A = _design(X, self.mean, self.sd)
        U, s, _ = np.linalg.svd(A, full_matrices=False)
        rank = s > s.max(initial=0) * max(A.shape) * np.finfo(float).eps
        h = np.sum(U[:, rank] ** 2, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = y - (y - A @ self.coef) / (1 - h)
        return np.where(h <= MAX_LEVERAGE, out, np.nan)


def _design(X: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """An intercept column, then the standardised features."""
    return np.column_stack([np.ones(len(X)), (X - mean) / sd])
