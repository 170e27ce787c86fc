"""The two baselines the network must beat, on the same rows and the same folds.

* median intensity: the median of ``energy / basis`` over the training rows, times the basis;
* log-linear regression: least squares of log intensity on the standardised features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def median_intensity(energy: np.ndarray, basis: np.ndarray) -> float:
    """Median of ``energy / basis`` (kWh/yr per m² or per person) over the given rows."""
    return float(np.median(energy / basis))


@dataclass(frozen=True)
class LogLinear:
    """Least squares of log intensity on standardised features, with an intercept."""

    mean: np.ndarray  # (d,) feature means of the training rows
    sd: np.ndarray  # (d,) feature standard deviations (1 where constant)
    coef: np.ndarray  # (d + 1,) intercept first
    s2: float  # residual variance (log units), for the lognormal mean

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray) -> LogLinear:
        """Fit log intensity ``y`` (n,) on features ``X`` (n, d)."""
        mean = X.mean(0)
        sd = X.std(0)
        sd = np.where(sd > 0, sd, 1.0)
        A = np.column_stack([np.ones(len(y)), (X - mean) / sd])
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        dof = max(len(y) - A.shape[1], 1)
        s2 = float(np.sum((y - A @ coef) ** 2) / dof)
        return cls(mean, sd, coef, s2)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Log of the lognormal mean intensity (the fit plus ``s2 / 2``) for features ``X``."""
        return np.column_stack([np.ones(len(X)), (X - self.mean) / self.sd]) @ self.coef + self.s2 / 2
