"""The calendar of a center: the interval grid, opening hours, closed dates and public holidays.

Timestamps are naive local wall-clock times, so the grid is regular in wall-clock time: a week is
always ``7 * 24 * 60 / interval_minutes`` intervals, also across daylight-saving changes (an hour
that does not exist simply has no arrivals; a repeated hour lands in one bucket).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from planner.errors import ContractError, Problem
from planner.io.config import CenterConfig, PlannerConfig


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


def holiday_dates(center: CenterConfig, years: Iterable[int]) -> dict[date, str]:
    """Public holidays of ``center.country`` (and subdivision) in ``years``: date -> name.

    Uses the ``holidays`` package. No country configured means no holidays.
    """
    if not center.country:
        return {}
    import holidays

    try:
        cal = holidays.country_holidays(center.country, subdiv=center.subdivision,
                                        years=sorted(set(years)))
    except NotImplementedError as err:
        raise ContractError([Problem("planner.toml", None, "center.country", center.country,
                                     f"a country (and subdivision) the holidays package knows "
                                     f"({err})")]) from None
    return {d: str(n) for d, n in sorted(cal.items())}


def _span_mask(minutes: np.ndarray, span: tuple) -> np.ndarray:
    start, end = span
    lo = start.hour * 60 + start.minute
    hi = end.hour * 60 + end.minute or 24 * 60
    return (minutes >= lo) & (minutes < hi)


def open_mask(times: pd.DatetimeIndex, center: CenterConfig, holidays: dict[date, str],
              interval_minutes: int) -> np.ndarray:
    """True where the center is open: opening hours of the weekday, minus closed dates, minus
    public holidays unless ``open_on_holidays``. An interval is open when it starts inside the span.
    """
    minutes = (times.hour * 60 + times.minute).to_numpy()
    weekday = times.day_of_week.to_numpy()
    out = np.zeros(len(times), dtype=bool)
    for wd in range(7):
        span = center.open_span(wd)
        if span is None:
            continue
        sel = weekday == wd
        out[sel] = _span_mask(minutes[sel], span)
    days = times.normalize()
    closed_days = {pd.Timestamp(d) for d in center.closed_dates}
    if not center.open_on_holidays:
        closed_days |= {pd.Timestamp(d) for d in holidays}
    if closed_days:
        out &= ~days.isin(list(closed_days))
    return out


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
