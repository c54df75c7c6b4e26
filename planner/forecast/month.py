"""Paydays and billing cycles: the first and last open days of a month, learned from the history.

Banks, insurers and utilities hear from their customers when money moves, so the first open days of
a month (and often its last) run above the weekday's usual level. Each open day gets its position in
its month (:data:`POSITIONS`: the first, second or last open day, or none); a position's effect is
the median of its days' deseasonalised log residuals against the level of the days around them,
shrunk toward 0 by signal / (signal + noise) (the noise from the other days' spread), and kept only
with :data:`MIN_DAYS` such days in the history and :data:`SIGNIFICANT` standard errors from 0. A
type without these effects (or too little history to tell) gets factors of 1. The models learn from
the history with the effects divided out (:meth:`MonthEffects.deseasonalise`) and the forecast
carries them back in (:meth:`MonthEffects.factors`), so a window average neither smears a month
start over its weeks nor misses the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.forecast.anomalies import log_levels, weekday_effects
from planner.forecast.base import check_history
from planner.forecast.calendar import slots_per_day
from planner.forecast.profile import daily_totals, day_matrix

POSITIONS = ("first", "second", "last")
#: days of a position the history must hold before its effect is believed
MIN_DAYS = 3
#: half-width of the window of days whose median is a day's local level [days]
LOCAL_DAYS = 10
#: standard errors an effect must stand from 0 to be believed (a payday is a pattern, not a chance)
SIGNIFICANT = 2.0
#: variance of a median over that of a mean of normal samples (pi / 2)
MEDIAN_VARIANCE = np.pi / 2
#: an effect is kept within this range (a month start is a rise of some percent, not a new level)
LIMITS = (-0.5, 0.5)


def month_positions(days: pd.DatetimeIndex, open_day: np.ndarray) -> np.ndarray:
    """Index into :data:`POSITIONS` of each day (-1: none, closed, or in a month not seen whole).

    ``days`` are consecutive calendar days; a month's first and second open days are known only
    when the month's first day is among them, its last open day only when its last day is.
    """
    out = np.full(len(days), -1, dtype=np.int64)
    if len(days) == 0:
        return out
    month = np.asarray(days.year * 12 + days.month)
    for m in np.unique(month):
        idx = np.flatnonzero(month == m)
        opened = idx[open_day[idx]]
        if len(opened) < 3:
            continue
        if days[idx[0]].day == 1:
            out[opened[0]], out[opened[1]] = 0, 1
        if (days[idx[-1]] + pd.Timedelta(days=1)).day == 1:
            out[opened[-1]] = 2
    return out


def calendar_positions(days: pd.DatetimeIndex, open_day: np.ndarray,
                       open_weekdays: frozenset[int]) -> np.ndarray:
    """:func:`month_positions` of ``days`` (consecutive), the months around them completed with the
    usual open weekdays (a horizon's month end, a history's first days)."""
    first, last = days[0], days[-1]
    cal = pd.date_range(first - pd.Timedelta(days=first.day - 1),
                        (last + pd.offsets.MonthEnd(0)).normalize(), freq="D")
    opened = np.isin(cal.day_of_week, sorted(open_weekdays))
    offset = (first - cal[0]).days
    opened[offset:offset + len(days)] = open_day
    return month_positions(cal, opened)[offset:offset + len(days)]


@dataclass(frozen=True)
class MonthEffects:
    """Log effects per position (0 where not learned) and the days the history gave them."""

    effects: np.ndarray
    days: np.ndarray
    #: weekdays the center is open on (the calendar assumed past a horizon's end)
    open_weekdays: frozenset[int]

    @property
    def active(self) -> bool:
        return bool(np.any(self.effects != 0))

    def describe(self) -> str:
        """'first open day of a month +12% (6 days seen), last -4% (6)'."""
        parts = [f"{POSITIONS[p]} {np.expm1(e):+.0%} ({self.days[p]} days seen)"
                 for p, e in enumerate(self.effects) if e != 0]
        return "open day of the month: " + ", ".join(parts)

    def factors(self, times: pd.DatetimeIndex, is_open: np.ndarray) -> np.ndarray:
        """Multiplier per interval of ``times`` (whole days on the interval grid)."""
        if not self.active or len(times) == 0:
            return np.ones(len(times))
        day = pd.DatetimeIndex(times).normalize()
        opened = pd.Series(np.asarray(is_open, dtype=bool)).groupby(np.asarray(day)).any()
        days = pd.DatetimeIndex(opened.index)
        position = calendar_positions(days, opened.to_numpy(), self.open_weekdays)
        per_day = np.where(position >= 0, np.exp(self.effects[np.maximum(position, 0)]), 1.0)
        return per_day[days.get_indexer(day)]

    def deseasonalise(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The history frame with each position's effect divided out (the models' input)."""
        if not self.active:
            return frame
        times, y, is_open, _ = check_history(frame)
        out = frame.copy()
        out["volume"] = y / self.factors(times, is_open)
        return out


def month_effects(frame: pd.DataFrame) -> MonthEffects:
    """Learn the month-position effects of one type's history frame (as it came: robust medians
    keep events out, and the anomaly search then runs on the history with the effects divided out)."""
    times, y, is_open, minutes = check_history(frame)
    vol, opened, weekday = day_matrix(times, y, is_open, minutes)
    daily = daily_totals(vol, opened)
    open_day = opened.any(axis=1)
    open_weekdays = frozenset(int(w) for w in np.unique(weekday[open_day]))
    none = MonthEffects(np.zeros(len(POSITIONS)), np.zeros(len(POSITIONS), dtype=np.int64),
                        open_weekdays)
    if len(daily) < 2 * 28:
        return none
    days = times[::slots_per_day(minutes)]
    position = calendar_positions(days, open_day, open_weekdays)
    u = log_levels(daily, weekday, weekday_effects(daily, weekday))
    usable = np.isfinite(u) & open_day & (np.nan_to_num(daily) > 0)
    plain = usable & (position < 0)
    # the level around each day: the median of the plain days within LOCAL_DAYS (a plain day's own
    # value is among them, which pulls its residual in a little and leaves the paydays' alone)
    level = pd.Series(np.where(plain, u, np.nan)).rolling(
        2 * LOCAL_DAYS + 1, center=True, min_periods=5).median().to_numpy()
    resid = np.where(usable, u - level, np.nan)
    base = resid[plain & np.isfinite(resid)]
    if len(base) < 10:
        return none
    spread = float(np.var(base, ddof=1))
    effects = np.zeros(len(POSITIONS))
    counts = np.zeros(len(POSITIONS), dtype=np.int64)
    for p in range(len(POSITIONS)):
        r = resid[(position == p) & np.isfinite(resid)]
        counts[p] = len(r)
        if len(r) < MIN_DAYS:
            continue
        # medians: an event day that falls on a month start does not make it a payday
        effect = float(np.median(r) - np.median(base))
        signal, noise = effect ** 2, MEDIAN_VARIANCE * spread / len(r)
        if signal < SIGNIFICANT ** 2 * noise:
            continue
        effects[p] = float(np.clip(effect * signal / (signal + noise), *LIMITS))
    return MonthEffects(effects, counts, open_weekdays)
