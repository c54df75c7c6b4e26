"""The two baselines every other model must beat.

- :class:`SeasonalNaive`: the same interval one week earlier.
- :class:`SeasonalWindowAverage`: the same interval of the week averaged over the last ``weeks``
  weeks. Hard to beat 3 to 14 days ahead (Taylor 2008, "A comparison of univariate time series
  methods for forecasting intraday arrivals at a call center", Management Science 54(2)); ``weeks``
  is chosen per case type by the backtest.

Masked weeks (holidays, gaps) are skipped, so a holiday is never copied into next week: the window
reaches one week further back instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.forecast.base import Forecaster, usable
from planner.forecast.calendar import slot_of_week


def week_blocks(y: np.ndarray, period: int) -> tuple[np.ndarray, int]:
    """Whole weeks ending at the end of ``y``, oldest first: (weeks x period, offset of row 0)."""
    m = len(y) // period
    start = len(y) - m * period
    return y[start:].reshape(m, period), start


def last_valid_mean(block: np.ndarray, k: int) -> np.ndarray:
    """Per column, the mean of the ``k`` most recent non-NaN rows (NaN if a column has none).

    Parameters
    ----------
    block : ndarray (weeks, period)
        Oldest week first; NaN = unknown.
    k : int
        Number of valid weeks to average.
    """
    recent = block[::-1]
    valid = ~np.isnan(recent)
    take = valid & (np.cumsum(valid, axis=0) <= k)
    n = take.sum(axis=0)
    total = np.where(take, recent, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


class _WeekProfile(Forecaster):
    """A forecast that is one value per interval of the week (``profile_``, Monday 00:00 first)."""

    def _weeks_to_average(self) -> int:
        raise NotImplementedError

    def _fit(self, times: pd.DatetimeIndex, y: np.ndarray, is_open: np.ndarray) -> None:
        period = self.period_
        block, start = week_blocks(usable(y, is_open), period)
        if block.shape[0] == 0:
            raise ValueError(f"{self.name} needs at least one whole week of history")
        values = last_valid_mean(block, self._weeks_to_average())
        sow = slot_of_week(times[start:start + period], self.interval_minutes_)
        profile = np.zeros(period)
        profile[sow] = np.nan_to_num(values, nan=0.0)
        self.profile_ = profile

    def _predict(self, times: pd.DatetimeIndex, is_open: np.ndarray) -> np.ndarray:
        return self.profile_[slot_of_week(times, self.interval_minutes_)]


class SeasonalNaive(_WeekProfile):
    """Same interval last week (the most recent week that is not masked)."""

    name = "seasonal_naive"

    def __init__(self) -> None:
        pass

    def _weeks_to_average(self) -> int:
        return 1


class SeasonalWindowAverage(_WeekProfile):
    """Same interval and weekday averaged over the last ``weeks`` (unmasked) weeks.

    Parameters
    ----------
    weeks : int
        Window length k in weeks (>= 1).
    """

    name = "window_average"

    def __init__(self, weeks: int = 4) -> None:
        self.weeks = weeks

    @property
    def label(self) -> str:
        return f"window_average(k={self.weeks})"

    def _weeks_to_average(self) -> int:
        if int(self.weeks) != self.weeks or self.weeks < 1:
            raise ValueError(f"weeks must be a whole number >= 1, got {self.weeks!r}")
        return int(self.weeks)
