"""One contract for every volume model (scikit-learn style).

``__init__`` stores parameters as given and does no work; ``fit(history) -> self`` validates and
learns (learned state in attributes ending in ``_``); ``predict(horizon)`` answers. ``history`` is
one case type's frame ``interval_start, volume, open`` on a regular grid (volume NaN where unknown:
masked holidays and data gaps); ``horizon`` is ``interval_start, open``. ``predict`` returns
``interval_start, volume`` and closed intervals are exactly 0 whatever the model does.

Prediction intervals are not the model's business: they are calibrated on backtest residuals in
:mod:`planner.forecast.intervals`, since the shipped intervals of most models under-cover.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from planner.forecast.calendar import slots_per_day


class Forecaster:
    """Base class: parameter handling, validation, and the closed-interval guarantee."""

    #: the name used in backtest.csv and the printed table
    name = "forecaster"
    #: True when ``fit`` takes ``prior=`` (the pooled shape of all types, for quiet types)
    uses_prior = False

    def get_params(self) -> dict[str, Any]:
        """Parameters as given to ``__init__`` (scikit-learn convention)."""
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self"}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @property
    def label(self) -> str:
        """Name plus the parameter that distinguishes variants (e.g. ``window_average(k=4)``)."""
        return self.name

    def fit(self, history: pd.DataFrame, **fit_params: Any) -> Forecaster:
        """Learn from one case type's history; returns self."""
        times, y, is_open, minutes = check_history(history)
        self.interval_minutes_ = minutes
        self.period_ = 7 * slots_per_day(minutes)
        self.history_start_ = times[0]
        self.history_end_ = times[-1] + pd.Timedelta(minutes=minutes)
        self._fit(times, y, is_open, **fit_params)
        return self

    def predict(self, horizon: pd.DataFrame) -> pd.DataFrame:
        """Forecast ``volume`` for every row of ``horizon``; closed intervals are exactly 0."""
        if not hasattr(self, "history_end_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(history) first")
        times, is_open = check_horizon(horizon, self.interval_minutes_)
        vol = np.asarray(self._predict(times, is_open), dtype=float)
        vol = np.where(is_open & np.isfinite(vol), np.maximum(vol, 0.0), 0.0)
        return pd.DataFrame({"interval_start": times, "volume": vol})

    # subclasses implement these two
    def _fit(self, times: pd.DatetimeIndex, y: np.ndarray, is_open: np.ndarray,
             **fit_params: Any) -> None:
        raise NotImplementedError

    def _predict(self, times: pd.DatetimeIndex, is_open: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _positions(self, times: pd.DatetimeIndex) -> np.ndarray:
        """Index of each time on the history grid (history_start_ = 0)."""
        step = pd.Timedelta(minutes=self.interval_minutes_)
        return np.asarray((times - self.history_start_) // step, dtype=np.int64)


def _grid_step(times: pd.DatetimeIndex) -> int:
    if len(times) < 2:
        raise ValueError("need at least two intervals to know the interval length")
    # asi8 counts in the index's own unit (pandas 3 parses strings to microseconds): go to ns.
    diffs = np.diff(times.as_unit("ns").asi8)
    step = int(diffs[0])
    if step <= 0 or (diffs != step).any():
        raise ValueError("interval_start must be a regular, increasing grid without holes "
                         "(missing data is volume NaN, not a missing row)")
    minutes = step // 60_000_000_000
    if minutes * 60_000_000_000 != step or (24 * 60) % minutes:
        raise ValueError(f"interval length of {step / 6e10:g} minutes does not divide a day")
    return minutes


def check_history(history: pd.DataFrame) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray, int]:
    """Validate a history frame; returns times, volume (float, NaN unknown), open, minutes."""
    missing = {"interval_start", "volume"} - set(history.columns)
    if missing:
        raise ValueError(f"history needs columns {sorted(missing)}")
    times = pd.DatetimeIndex(history["interval_start"])
    minutes = _grid_step(times)
    if times[0] != times[0].normalize():
        raise ValueError("history must start at midnight (whole days)")
    if len(times) % slots_per_day(minutes):
        raise ValueError("history must cover whole days")
    y = history["volume"].to_numpy(dtype=float, na_value=np.nan)
    if (y[np.isfinite(y)] < 0).any():
        raise ValueError("volume must be >= 0")
    is_open = (history["open"].to_numpy(dtype=bool) if "open" in history
               else np.ones(len(times), dtype=bool))
    return times, y, is_open, minutes


def check_horizon(horizon: pd.DataFrame, minutes: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Validate a horizon frame; returns times and open."""
    if "interval_start" not in horizon:
        raise ValueError("horizon needs an interval_start column")
    times = pd.DatetimeIndex(horizon["interval_start"])
    step = pd.Timedelta(minutes=minutes)
    if len(times) and ((times - times[0]) % step != pd.Timedelta(0)).any():
        raise ValueError(f"horizon intervals must lie on the {minutes}-minute grid of the history")
    is_open = (horizon["open"].to_numpy(dtype=bool) if "open" in horizon
               else np.ones(len(times), dtype=bool))
    return times, is_open


def usable(y: np.ndarray, is_open: np.ndarray) -> np.ndarray:
    """Volume with closed intervals as 0 and unknown (masked) as NaN: what models learn from."""
    return np.where(is_open, y, np.where(np.isnan(y), np.nan, 0.0))
