"""Gradient boosting with Poisson loss on calendar features, the level handled explicitly.

A tree model on calendar features alone pools all history and under-forecasts a growing queue (it
cannot extrapolate). Here the target is the volume *relative to the level*: each interval's
deseasonalised daily level ``L`` (a local linear trend, :func:`planner.forecast.level.fit_level`)
is an exposure. Fitting ``y / L`` with sample weight ``L`` under Poisson deviance is exactly a
Poisson model of ``y`` with offset ``log L``; the trees learn the weekday-by-interval shape (and
holiday effects), and the trend is extrapolated by the level line, not by the trees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from planner.forecast.base import Forecaster
from planner.forecast.calendar import slots_per_day
from planner.forecast.level import fit_level
from planner.forecast.profile import daily_totals, day_matrix


def calendar_features(times: pd.DatetimeIndex, minutes: int) -> np.ndarray:
    """Columns: interval of day, weekday (categorical).

    Public holidays are not a feature: they are masked in history (too few to learn from) and
    handled for every model alike by the special-day adjustment of the orchestrator.
    """
    slot = (times.hour * 60 + times.minute).to_numpy() // minutes
    return np.column_stack([slot, times.day_of_week.to_numpy()]).astype(float)


class PoissonBoosting(Forecaster):
    """scikit-learn HistGradientBoostingRegressor(loss='poisson') with a level offset.

    Parameters
    ----------
    train_weeks : int
        Weeks of history the trees learn from (and the level line is fitted on).
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to :class:`sklearn.ensemble.HistGradientBoostingRegressor`.
    random_state : int
        Seed (the model is deterministic without early stopping; kept for the contract).
    """

    name = "boosting"

    def __init__(self, train_weeks: int = 12, max_iter: int = 150, learning_rate: float = 0.08,
                 max_leaf_nodes: int = 15, min_samples_leaf: int = 20,
                 l2_regularization: float = 1.0, random_state: int = 0) -> None:
        self.train_weeks = train_weeks
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def _fit(self, times: pd.DatetimeIndex, y: np.ndarray, is_open: np.ndarray,
             **_: object) -> None:
        minutes = self.interval_minutes_
        spd = slots_per_day(minutes)
        vol, opened, weekday = day_matrix(times, y, is_open, minutes)
        days = vol.shape[0]
        # a flat, unweighted level line over the training window: the trees see weekday shape
        self.level_ = fit_level(daily_totals(vol, opened), weekday,
                                window_days=7 * self.train_weeks, halflife_days=None)
        first = max(days - 7 * self.train_weeks, 0)
        x_day = np.repeat(np.arange(first, days) - days, spd)
        sel = slice(first * spd, days * spd)
        level = self.level_.level(x_day) / spd
        target = y[sel]
        feats = calendar_features(times[sel], minutes)
        rows = is_open[sel] & np.isfinite(target) & (level > 0)
        self.model_ = HistGradientBoostingRegressor(
            loss="poisson", max_iter=self.max_iter, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization, early_stopping=False,
            categorical_features=[1], random_state=self.random_state)
        if rows.sum() < 2 * self.min_samples_leaf or target[rows].sum() <= 0:
            self.constant_ = float(np.nanmean(target[rows])) if rows.any() else 0.0
            return
        self.constant_ = None
        # one OpenMP thread: on small data the thread start-up and contention on a shared machine
        # cost 20x the fit itself
        with threadpool_limits(1, user_api="openmp"):
            self.model_.fit(feats[rows], target[rows] / level[rows], sample_weight=level[rows])

    def _predict(self, times: pd.DatetimeIndex, is_open: np.ndarray) -> np.ndarray:
        if self.constant_ is not None:
            return np.full(len(times), self.constant_)
        minutes = self.interval_minutes_
        days = np.asarray((times.normalize() - self.history_end_.normalize()).days)
        level = self.level_.level(days) / slots_per_day(minutes)
        with threadpool_limits(1, user_api="openmp"):
            shape = self.model_.predict(calendar_features(times, minutes))
        return shape * level
