"""Daily level, trend and weekday effects: the part of a call-center forecast that moves.

A model that pools all history on calendar features alone under-forecasts a growing queue; here the
deseasonalised daily total is fitted with a weighted local linear trend over a recent window and
extrapolated, and the weekday effects are estimated around that trend (so a trend does not leak
into them). The slope is shrunk toward zero by its own standard error, so noise on a quiet queue
is not extrapolated as growth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.forecast.shrink import shrink_shares

#: a slope needs at least four weeks of days: a trend read from two weeks is mostly noise (on the
#: bank log a two-week "trend" in February turned a 27% over-forecast into 35%)
MIN_TREND_DAYS = 27


@dataclass(frozen=True)
class LevelFit:
    """Level ``a`` [cases/day] at the first day after history, slope ``b`` [cases/day per day],
    and multiplicative weekday effects (Monday first; 0 for weekdays never open, mean 1 otherwise).
    """

    a: float
    b: float
    weekday: np.ndarray

    def level(self, x: np.ndarray) -> np.ndarray:
        """Deseasonalised level on days ``x`` (0 = first day after history), never below 0."""
        return np.maximum(self.a + self.b * np.asarray(x, dtype=float), 0.0)

    def daily(self, x: np.ndarray, weekday: np.ndarray) -> np.ndarray:
        """Expected daily totals on days ``x`` with weekdays ``weekday``."""
        return self.level(x) * self.weekday[np.asarray(weekday)]


def _wls_line(x: np.ndarray, z: np.ndarray, w: np.ndarray, trend: bool) -> tuple[float, float, float]:
    """Weighted least-squares line z = a + b x; returns a, b and the standard error of b."""
    sw = w.sum()
    xm = (w * x).sum() / sw
    zm = (w * z).sum() / sw
    if not trend:
        return zm, 0.0, 0.0
    sxx = (w * (x - xm) ** 2).sum()
    if sxx <= 0:
        return zm, 0.0, 0.0
    b = (w * (x - xm) * (z - zm)).sum() / sxx
    a = zm - b * xm
    resid = z - a - b * x
    dof = max(len(z) - 2, 1)
    # effective-sample-size style variance of the slope under weights
    s2 = (w * resid**2).sum() / sw * len(z) / dof
    se = float(np.sqrt(s2 * (w**2 * (x - xm) ** 2).sum()) / sxx)
    return float(a), float(b), se


def fit_level(daily: np.ndarray, weekday: np.ndarray, *, window_days: int = 56,
              halflife_days: float | None = 28.0, trend: bool = True,
              iterations: int = 3, prior_weekday: np.ndarray | None = None) -> LevelFit:
    """Fit level, trend and weekday effects to daily totals.

    Parameters
    ----------
    daily : ndarray (days,)
        Daily totals over open intervals [cases]; NaN for unknown days (masked) or days that are
        closed all day. The last element is the last history day.
    weekday : ndarray (days,)
        0 = Monday.
    window_days : int
        Only the most recent ``window_days`` days are used.
    halflife_days : float or None
        Exponential down-weighting of older days; None = equal weights.
    trend : bool
        Fit a slope (True) or a flat level (False).
    prior_weekday : ndarray (7,), optional
        Weekday effects to shrink toward (those of all types pooled), see
        :func:`planner.forecast.shrink.shrink_shares`.

    Returns
    -------
    LevelFit
        With x = 0 the first day after the history.
    """
    n = len(daily)
    x_all = np.arange(n, dtype=float) - n
    sel = slice(max(n - window_days, 0), n)
    d, wd, x = daily[sel], weekday[sel], x_all[sel]
    ok = np.isfinite(d)
    d, wd, x = d[ok], wd[ok], x[ok]
    effects = np.zeros(7)
    if len(d) == 0 or d.sum() <= 0:
        seen = np.unique(wd)
        effects[seen] = 1.0
        return LevelFit(0.0, 0.0, effects)
    weights = np.ones(len(d)) if halflife_days is None else 0.5 ** (-x / halflife_days)
    seen = np.unique(wd)
    effects[seen] = 1.0
    a = b = 0.0
    for _ in range(iterations):
        a, b = _line(d, wd, x, weights, effects, trend)
        fitted = np.maximum(a + b * x, 1e-9)
        counts = np.array([d[wd == day].sum() for day in seen])
        base = np.array([fitted[wd == day].sum() for day in seen])
        if prior_weekday is not None and prior_weekday[seen].sum() > 0:
            # borrow the weekday pattern of the pooled types when this type is quiet
            post = shrink_shares(counts, prior_weekday[seen] * base)
            counts = post * counts.sum()
        effects[seen] = counts / base
        mean = effects[seen].mean()
        if mean > 0:
            effects[seen] /= mean
        else:
            effects[seen] = 1.0
    # refit the level on the final effects so a and b match them
    a, b = _line(d, wd, x, weights, effects, trend)
    return LevelFit(float(a), float(b), effects)


def _line(d: np.ndarray, wd: np.ndarray, x: np.ndarray, weights: np.ndarray, effects: np.ndarray,
          trend: bool) -> tuple[float, float]:
    """Level line of the deseasonalised totals; weekdays with effect 0 carry no level information."""
    use = effects[wd] > 0
    z = d[use] / effects[wd[use]]
    xs, ws = x[use], weights[use]
    a, b, se = _wls_line(xs, z, ws, trend and len(xs) > 0 and xs.max() - xs.min() >= MIN_TREND_DAYS)
    if b != 0.0:
        # shrink the slope by its signal-to-noise ratio (James-Stein style)
        b *= b * b / (b * b + se * se)
        # keep the level line through the weighted mean after shrinking the slope
        a = float((ws * (z - b * xs)).sum() / ws.sum())
    return a, b
