"""The recent-level model: today's robust daily level x weekday effect x intraday share (top-down).

The daily total is forecast from the level a robust exponential smoothing filter
(:func:`planner.forecast.regimes.follow_level`) reaches at the end of the history, not from a window
of weeks: it follows a level shift within days and a drift within a week or two, while one odd day
moves it little. Its smoothing weight is chosen per type by how well the level after each day
predicted the following week (the horizon the forecast serves). The weekday effects are the robust
ones of :func:`planner.forecast.anomalies.weekday_effects` and the intraday shares those of the
profile model, shrunk toward the pooled shape for quiet types.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.forecast.anomalies import log_levels, weekday_effects
from planner.forecast.base import Forecaster
from planner.forecast.profile import (
    PooledShape,
    daily_totals,
    day_matrix,
    profile_shares,
    weekday_counts,
)
from planner.forecast.regimes import CLIP, follow_level

#: smoothing weights tried per type
ALPHAS = (0.03, 0.06, 0.1, 0.15, 0.25, 0.4)
#: days ahead the level is judged on (one week)
AHEAD = 7


def week_ahead_error(u: np.ndarray, before: np.ndarray, days: int = 84) -> float:
    """Mean absolute log error of the level after each known day for the next ``AHEAD`` known days,
    over the last ``days`` days."""
    known = np.flatnonzero(np.isfinite(u))
    if len(known) < AHEAD + 2:
        return float("nan")
    known = known[known >= len(u) - days - AHEAD] if len(known) > days else known
    errors = [np.abs(u[known[i + 1:i + 1 + AHEAD]] - before[known[i + 1]]).mean()
              for i in range(len(known) - 1)]
    return float(np.mean(errors))


def choose_alpha(u: np.ndarray, counts: np.ndarray) -> float:
    """The smoothing weight of :data:`ALPHAS` with the least week-ahead error."""
    scores = [week_ahead_error(u, follow_level(u, a, counts=counts).before) for a in ALPHAS]
    if not np.isfinite(scores).any():
        return ALPHAS[2]
    return ALPHAS[int(np.nanargmin(scores))]


class RecentLevelModel(Forecaster):
    """Robust recent daily level x weekday effect x intraday share (see module docstring).

    Parameters
    ----------
    profile_weeks : int
        Weeks of history for the intraday shares.
    weekday_weeks : int
        Whole weeks for the weekday effects.
    smooth : int
        Smoothing half-width [intervals] of the prior shape that quiet types borrow.
    """

    name = "recent_level"
    uses_prior = True

    def __init__(self, profile_weeks: int = 8, weekday_weeks: int = 12, smooth: int = 1) -> None:
        self.profile_weeks = profile_weeks
        self.weekday_weeks = weekday_weeks
        self.smooth = smooth

    def _fit(self, times: pd.DatetimeIndex, y: np.ndarray, is_open: np.ndarray,
             prior: PooledShape | None = None) -> None:
        vol, opened, weekday = day_matrix(times, y, is_open, self.interval_minutes_)
        daily = daily_totals(vol, opened)
        self.weekday_ = weekday_effects(daily, weekday, self.weekday_weeks)
        u = log_levels(daily, weekday, self.weekday_)
        if not np.isfinite(u).any():
            self.level_ = 0.0
        else:
            self.alpha_ = choose_alpha(u, daily)
            path = follow_level(u, self.alpha_, counts=daily)
            # back from the log scale: the mean of exp(residual) over ordinary recent days
            # (a log-level is a median; the forecast should be a mean)
            r = u - path.before
            recent = np.isfinite(r) & (np.abs(np.nan_to_num(path.resid)) <= CLIP)
            recent[: max(len(u) - 56, 0)] = False
            smear = float(np.mean(np.exp(r[recent]))) if recent.sum() >= 7 else 1.0
            self.level_ = float(np.exp(path.final) * smear)
        counts, pattern = weekday_counts(vol, opened, weekday, self.profile_weeks)
        self.shares_ = profile_shares(counts, pattern, None if prior is None else prior.shares,
                                      self.smooth)

    def _predict(self, times: pd.DatetimeIndex, is_open: np.ndarray) -> np.ndarray:
        weekday = times.day_of_week.to_numpy()
        slot = (times.hour * 60 + times.minute).to_numpy() // self.interval_minutes_
        return self.level_ * self.weekday_[weekday] * self.shares_[weekday, slot]
