"""statsforecast's MSTL and AutoETS behind planner's Forecaster contract (benchmarks only).

MSTL models the 30-minute series itself (daily and weekly seasons). AutoETS is used top-down, the
way a planner would use it on call-centre data: on daily totals with a weekly season, spread over
the day by each weekday's intraday shares of the last four weeks. Fed the 30-minute series with a
daily season, AutoETS picks a non-seasonal model whose forecast from a closed night is zero.

statsforecast pins pandas below 3, so it is the benchmark extra (`pip install ".[bench]"`), never a
dependency of the product.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from planner.forecast import Forecaster
from planner.forecast.base import usable

#: label -> statsforecast's own 80% intervals, one frame per predict call (in call order)
NATIVE: dict[str, list[pd.DataFrame]] = {}


class StatsForecastModel(Forecaster):
    """statsforecast's MSTL or AutoETS.

    Closed intervals are zeros of the series (as a user of the library would feed it); masked days
    (holidays, gaps) are filled with the same interval a week earlier, since the models need a
    complete series.
    """

    def __init__(self, kind: str = "mstl", train_weeks: int = 12) -> None:
        self.kind = kind
        self.train_weeks = train_weeks

    @property
    def label(self) -> str:
        return {"mstl": "sf_MSTL", "autoets": "sf_AutoETS"}[self.kind]

    def _model(self):
        from statsforecast.models import MSTL, AutoETS

        spd = 24 * 60 // self.interval_minutes_
        if self.kind == "mstl":
            return MSTL(season_length=[spd, 7 * spd])
        return AutoETS(season_length=7)

    def _fit(self, times, y, is_open, **_):
        period = self.period_
        y = usable(y, is_open)
        for i in np.flatnonzero(np.isnan(y)):
            y[i] = y[i - period] if i >= period and np.isfinite(y[i - period]) else 0.0
        self.y_ = y[-self.train_weeks * period:]

    def _predict(self, times, is_open):
        if self.kind == "autoets":
            return self._predict_top_down(times)
        pos = self._positions(times) - int((self.history_end_ - self.history_start_)
                                           / pd.Timedelta(minutes=self.interval_minutes_))
        h = int(pos.max()) + 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self._model().forecast(y=self.y_, h=h, level=[80])
        NATIVE.setdefault(self.label, []).append(pd.DataFrame({
            "interval_start": times, "lo": np.maximum(out["lo-80"][pos], 0.0),
            "hi": out["hi-80"][pos]}))
        return out["mean"][pos]

    def _predict_top_down(self, times):
        spd = self.period_ // 7
        days = len(self.y_) // spd
        grid = self.y_[len(self.y_) - days * spd:].reshape(days, spd)
        daily = grid.sum(axis=1)
        # weekday of each row of the grid (the history ends at a midnight)
        first = (self.history_end_.normalize() - pd.Timedelta(days=days)).dayofweek
        weekday = (first + np.arange(days)) % 7
        shares = np.zeros((7, spd))
        recent = np.arange(days) >= days - 28
        for wd in range(7):
            rows = grid[recent & (weekday == wd)]
            if rows.sum() > 0:
                shares[wd] = rows.sum(axis=0) / rows.sum()
        ahead = int((times[-1].normalize() - self.history_end_.normalize()).days) + 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self._model().forecast(y=daily, h=ahead)
        day = np.asarray((times.normalize() - self.history_end_.normalize()).days)
        slot = np.asarray((times.hour * 60 + times.minute) // self.interval_minutes_)
        return np.maximum(out["mean"][day], 0.0) * shares[times.dayofweek.to_numpy(), slot]
