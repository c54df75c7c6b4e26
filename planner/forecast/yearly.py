"""Yearly seasonality from the same weeks last year, where the history is longer than a year.

Every model forecasts from the recent level; a December peak or a summer lull is what last year did
*relative to its own recent weeks*. For each forecast week the factor is the deseasonalised daily
level of the same weekdays 52 weeks earlier over that of the ``RECENT_WEEKS`` before them, both from
the cleaned history (events, holidays and gaps unknown). It is shrunk toward 1 by the noise of the
days it rests on and left at 1 without enough history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.forecast.anomalies import weekday_effects
from planner.forecast.base import check_history
from planner.forecast.profile import daily_totals, day_matrix

#: weeks before the same week last year that it is compared with
RECENT_WEEKS = 4
YEAR_DAYS = 364
#: factors are kept within this range (a year-old week is a weak witness of a larger change)
LIMITS = (0.5, 2.0)


def yearly_factors(frame: pd.DataFrame, times: pd.DatetimeIndex,
                   origin: pd.Timestamp | None = None) -> np.ndarray:
    """Multiplier per interval of ``times`` (ones where last year cannot tell).

    ``origin`` (a day): compare the same week last year with the weeks before ``origin`` a year
    earlier instead of with the weeks before that week, for horizons of months, where the level
    carried forward is the one of the weeks before ``origin``.
    """
    out = np.ones(len(times))
    if len(times) == 0:
        return out
    hist_times, y, is_open, minutes = check_history(frame)
    first_day = hist_times[0].normalize()
    vol, opened, weekday = day_matrix(hist_times, y, is_open, minutes)
    daily = daily_totals(vol, opened)
    if len(daily) < YEAR_DAYS + 7 * RECENT_WEEKS + 7:
        return out
    effects = weekday_effects(daily, weekday, weeks=52)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(effects[weekday] > 0, daily / effects[weekday], np.nan)
    days = np.asarray((times.normalize() - first_day).days)
    start = int(days.min())
    anchor = None if origin is None else (pd.Timestamp(origin).normalize() - first_day).days - YEAR_DAYS
    for week_start in range(start, int(days.max()) + 1, 7):
        then = week_start - YEAR_DAYS
        ref = then if anchor is None else anchor
        ok = then >= 0 and ref >= 7 * RECENT_WEEKS
        target = z[then:then + 7] if ok else np.array([])
        base = z[ref - 7 * RECENT_WEEKS:ref] if ok else np.array([])
        target, base = target[np.isfinite(target)], base[np.isfinite(base)]
        if len(target) < 3 or len(base) < 10 or base.mean() <= 0:
            continue
        ratio = target.mean() / base.mean()
        # shrink toward 1 by signal / (signal + noise), the noise from the days' own spread
        spread = float(np.var(np.log(np.maximum(base, 0.5)), ddof=1))
        noise = spread / len(target) + spread / len(base)
        signal = np.log(ratio) ** 2
        weight = signal / (signal + noise) if signal > 0 else 0.0
        factor = float(np.clip(np.exp(weight * np.log(ratio)), *LIMITS))
        sel = (days >= week_start) & (days < week_start + 7)
        out[sel] = factor
    return out
