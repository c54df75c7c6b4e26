"""The calendar of a center: the interval grid, opening hours, closed dates and public holidays.

Timestamps are naive local wall-clock times, so the grid is regular in wall-clock time: a week is
always ``7 * 24 * 60 / interval_minutes`` intervals, also across daylight-saving changes (an hour
that does not exist simply has no arrivals; a repeated hour lands in one bucket).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from planner.io.calendar import holiday_dates, open_mask
from planner.io.config import CenterConfig, PlannerConfig

__all__ = ["holiday_dates", "open_mask"]  # re-exported: the shared calendar


def slots_per_day(interval_minutes: int) -> int:
    """Intervals in one day."""
    return 24 * 60 // interval_minutes


def interval_grid(start: pd.Timestamp, end: pd.Timestamp, interval_minutes: int) -> pd.DatetimeIndex:
    """Interval starts from ``start`` (included) to ``end`` (excluded), both on the grid."""
    return pd.date_range(start, end, freq=f"{interval_minutes}min", inclusive="left").astype(
        "datetime64[ns]")


def slot_of_day(times: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """0-based interval of the day."""
    return ((times.hour * 60 + times.minute) // interval_minutes).to_numpy(dtype=np.int64)


def slot_of_week(times: pd.DatetimeIndex, interval_minutes: int) -> np.ndarray:
    """0-based interval of the week, Monday 00:00 = 0 (the seasonal period of every model)."""
    return times.day_of_week.to_numpy(dtype=np.int64) * slots_per_day(interval_minutes) + slot_of_day(
        times, interval_minutes)


def holiday_mask(times: pd.DatetimeIndex, holidays: dict[date, str]) -> np.ndarray:
    """True on public holidays."""
    if not holidays:
        return np.zeros(len(times), dtype=bool)
    return times.normalize().isin([pd.Timestamp(d) for d in holidays])


#: channels whose arrivals do not wait for opening hours (worked from a backlog within a deadline)
BACKLOG_CHANNELS = ("email", "backoffice")


def arrival_calendar(config: PlannerConfig, case_type: str) -> CenterConfig:
    """The calendar a case type's arrivals follow.

    A type with its own ``opening_hours`` follows them; an email or back-office type without them
    arrives around the clock and on holidays too (its customers do not know the opening hours: the
    backlog is worked when the center is open, which is the requirements stage's business); any
    other type follows the center's hours.
    """
    ct = config.case_type(case_type)
    center = config.center
    if ct.opening_hours is not None:
        return center.model_copy(update={"opening_hours": ct.opening_hours})
    if ct.channel in BACKLOG_CHANNELS:
        return center.model_copy(update={
            "opening_hours": {d: "24h" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
            "closed_dates": [], "open_on_holidays": True})
    return center
