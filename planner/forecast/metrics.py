"""Forecast accuracy measures, as pure functions over arrays.

Only intervals that are open and known count: structural zeros (closed intervals) and masked days
would flatter every model equally and shrink the MASE scale, so they are excluded from both.
"""

from __future__ import annotations

import numpy as np


def mase_scale(y: np.ndarray, valid: np.ndarray, period: int) -> float:
    """In-sample MAE of the seasonal-naive forecast with period ``period`` (Hyndman and Koehler
    2006): mean |y[t] - y[t - period]| over pairs where both intervals are valid; NaN if none."""
    y = np.asarray(y, dtype=float)
    if len(y) <= period:
        return float("nan")
    ok = valid[period:] & valid[:-period]
    if not ok.any():
        return float("nan")
    return float(np.abs(y[period:] - y[:-period])[ok].mean())


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |e| / sum actual (NaN when there is no volume)."""
    total = float(np.sum(actual))
    return float(np.sum(np.abs(forecast - actual)) / total) if total > 0 else float("nan")


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Relative bias: sum (forecast - actual) / sum actual; positive = over-forecast."""
    total = float(np.sum(actual))
    return float(np.sum(forecast - actual) / total) if total > 0 else float("nan")


def coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of actuals inside [low, high]."""
    if len(actual) == 0:
        return float("nan")
    return float(np.mean((actual >= low) & (actual <= high)))
