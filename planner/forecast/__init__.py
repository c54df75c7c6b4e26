"""Forecast case volume and handle time per case type and interval.

``forecast(history, config, weeks=1)`` is the stage; the models keep one scikit-learn-like contract
(:class:`Forecaster`) and :func:`run_backtest` scores any of them.
"""

from planner.forecast.backtest import TypeBacktest, default_models, run_backtest
from planner.forecast.base import Forecaster
from planner.forecast.baselines import SeasonalNaive, SeasonalWindowAverage
from planner.forecast.boosting import PoissonBoosting
from planner.forecast.handle_time import HandleTime, estimate_handle_time
from planner.forecast.history import History, build_history, interval_counts
from planner.forecast.pipeline import (
    BACKTEST_COLUMNS,
    CASE_COLUMNS,
    FORECAST_COLUMNS,
    ForecastResult,
    forecast,
)
from planner.forecast.profile import PooledShape, ProfileModel, pooled_shape

__all__ = [
    "BACKTEST_COLUMNS", "CASE_COLUMNS", "FORECAST_COLUMNS", "ForecastResult", "Forecaster", "HandleTime", "History",
    "PoissonBoosting", "PooledShape", "ProfileModel", "SeasonalNaive", "SeasonalWindowAverage",
    "TypeBacktest", "build_history", "default_models", "estimate_handle_time", "forecast",
    "interval_counts", "pooled_shape", "run_backtest",
]
