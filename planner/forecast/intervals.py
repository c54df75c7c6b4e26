"""Prediction intervals calibrated on backtest residuals (split-conformal, Poisson-aware).

Residuals are standardised by the scale ``sqrt(forecast + 1 + dispersion * forecast**2)``: arrival
counts have variance about equal to their mean (so a busy interval gets a wider band than a quiet
one), plus an error of the day's level that grows with the forecast itself (negative-binomial-like
variance; ``dispersion`` is estimated from the backtest's residuals), and the
band is the forecast plus the empirical quantiles of the standardised residuals of the rolling-origin
backtest (Vovk et al. 2005; Lei et al. 2018 for split conformal). Coverage is then measured, not
assumed: each origin is scored with quantiles calibrated on the other origins.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def scale(forecast: np.ndarray, dispersion: float = 0.0) -> np.ndarray:
    """Residual scale of a count forecast: sqrt(forecast + 1 + dispersion forecast^2) (the +1 keeps
    quiet intervals sane)."""
    f = np.maximum(np.asarray(forecast, dtype=float), 0.0)
    return np.sqrt(f + 1.0 + dispersion * f * f)


def overdispersion(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Least-squares ``d`` in ``E[(actual - forecast)^2] = forecast + 1 + d forecast^2`` (>= 0)."""
    f = np.maximum(np.asarray(forecast, dtype=float), 0.0)
    r2 = (np.asarray(actual, dtype=float) - f) ** 2
    denom = float((f**4).sum())
    if denom <= 0:
        return 0.0
    return max(float((f**2 * (r2 - f - 1.0)).sum()) / denom, 0.0)


def standardised(actual: np.ndarray, forecast: np.ndarray, dispersion: float = 0.0) -> np.ndarray:
    """(actual - forecast) / scale(forecast)."""
    return (np.asarray(actual, dtype=float) - forecast) / scale(forecast, dispersion)


def conformal_quantiles(z: np.ndarray, level: float = 0.8) -> tuple[float, float]:
    """Lower and upper quantiles of standardised residuals for a central ``level`` band.

    Uses the finite-sample conformal rank ``ceil((n + 1) q) / n`` on each side.
    """
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    if len(z) == 0:
        raise ValueError("no residuals to calibrate on")
    n = len(z)
    tail = (1.0 - level) / 2.0
    hi_q = min(np.ceil((n + 1) * (1.0 - tail)) / n, 1.0)
    lo_q = max(np.floor((n + 1) * tail) / n, 0.0)
    return float(np.quantile(z, lo_q)), float(np.quantile(z, hi_q))


def apply_quantiles(forecast: np.ndarray, q: tuple[float, float],
                    dispersion: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Band ``forecast + q * scale(forecast)``, clipped at 0 and always containing the forecast."""
    s = scale(forecast, dispersion)
    low = np.clip(forecast + q[0] * s, 0.0, forecast)
    high = np.maximum(forecast + q[1] * s, forecast)
    return low, high


def poisson_band(forecast: np.ndarray, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """Fallback band when there is no backtest to calibrate on: Poisson quantiles of the forecast."""
    tail = (1.0 - level) / 2.0
    mu = np.maximum(np.asarray(forecast, dtype=float), 0.0)
    low = np.where(mu > 0, stats.poisson.ppf(tail, mu), 0.0)
    high = np.where(mu > 0, stats.poisson.ppf(1.0 - tail, mu), 0.0)
    return np.minimum(low, mu), np.maximum(high, mu)
