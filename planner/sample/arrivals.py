"""True arrival rates (intraday and weekly seasonality, trend, holidays, closed night) and Poisson draws."""

from __future__ import annotations

from collections.abc import Sequence

import holidays as holidays_lib
import numpy as np
import pandas as pd

from planner.sample.spec import (
    AFTER_HOLIDAY_FACTOR,
    CHANNEL_HOURS,
    HOLIDAY_FACTOR,
    WEEKDAY_WEIGHT,
    CaseTypeSpec,
)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def interval_grid(start: pd.Timestamp, days: int, minutes: int = 30) -> pd.DatetimeIndex:
    """Naive local wall-clock interval starts covering ``days`` days from ``start`` (midnight)."""
    return pd.date_range(start, periods=days * 24 * 60 // minutes, freq=f"{minutes}min")


def wallclock_duration(grid: pd.DatetimeIndex, tz: str) -> np.ndarray:
    """Real length of each wall-clock interval relative to its nominal length.

    1 normally; 0 inside the spring-forward gap (that clock time never happens); 2 in the autumn
    fall-back hour (it happens twice), so a 24/7 queue gets twice the arrivals there.
    """
    factor = np.ones(len(grid))
    gap = grid.tz_localize(tz, ambiguous=True, nonexistent="NaT").isna()
    twice = grid.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").isna()
    factor[np.asarray(gap)] = 0.0
    factor[np.asarray(twice)] = 2.0
    return factor


def open_mask(grid: pd.DatetimeIndex, hours: dict[str, str], minutes: int = 30) -> np.ndarray:
    """True for intervals that lie inside the opening hours of their weekday."""
    minute = (grid.hour * 60 + grid.minute).to_numpy()
    wd = grid.day_of_week.to_numpy()
    out = np.zeros(len(grid), dtype=bool)
    for d, name in enumerate(_DAYS):
        span = hours.get(name, "closed")
        if span == "closed":
            continue
        if span == "24h":
            lo, hi = 0, 24 * 60
        else:
            a, b = span.split("-")
            lo = int(a[:2]) * 60 + int(a[3:])
            hi = int(b[:2]) * 60 + int(b[3:])
        out |= (wd == d) & (minute >= lo) & (minute + minutes <= hi)
    return out


def intraday_shape(channel: str, minute: np.ndarray) -> np.ndarray:
    """Relative arrival intensity by time of day (before normalisation)."""
    h = minute / 60.0 + 0.25  # mid-interval
    if channel == "phone":
        # Morning peak after opening, a lunch dip, a smaller afternoon peak, a quiet evening.
        return (0.25 + 1.0 * np.exp(-((h - 10.5) / 1.4) ** 2) + 0.75 * np.exp(-((h - 14.5) / 1.8) ** 2)
                + 0.15 * np.exp(-((h - 18.0) / 1.5) ** 2))
    if channel == "chat":
        # Flatter, with an evening shoulder after work.
        return (0.35 + 0.8 * np.exp(-((h - 11.5) / 2.0) ** 2) + 0.6 * np.exp(-((h - 15.0) / 2.0) ** 2)
                + 0.55 * np.exp(-((h - 20.0) / 1.6) ** 2))
    # Email: around the clock, mostly written in office hours, a little at night.
    return 0.12 + 1.0 * np.exp(-((h - 12.5) / 3.5) ** 2) + 0.3 * np.exp(-((h - 20.5) / 2.0) ** 2)


def holiday_dates(country: str, subdivision: str | None, years: Sequence[int]) -> set[pd.Timestamp]:
    """Public holidays as midnight timestamps (the `holidays` package)."""
    cal = holidays_lib.country_holidays(country, subdiv=subdivision, years=list(years))
    return {pd.Timestamp(d) for d in cal}


def true_rates(specs: Sequence[CaseTypeSpec], grid: pd.DatetimeIndex, tz: str,
               holiday_days: set[pd.Timestamp], origin: pd.Timestamp,
               minutes: int = 30) -> np.ndarray:
    """Expected arrivals per case type (rows) and interval (columns).

    rate = weekly volume x weekday share x intraday share (within opening hours) x trend x holiday
    factor x real interval length. The trend is exponential: (1 + g) ** (years since ``origin``).
    """
    minute = (grid.hour * 60 + grid.minute).to_numpy()
    wd = grid.day_of_week.to_numpy()
    day = grid.normalize()
    is_holiday = np.asarray(day.isin(list(holiday_days)))
    prev_day = day - pd.Timedelta(days=1)
    # "Day after a holiday" = first day the channel is open after a closed holiday (approximated
    # by the calendar day after; a Sunday after a holiday Saturday is closed on phone anyway).
    after_holiday = np.asarray(prev_day.isin(list(holiday_days))) & ~is_holiday
    duration = wallclock_duration(grid, tz)
    years = ((grid - origin) / pd.Timedelta(days=365.25)).to_numpy(dtype=float)
    out = np.zeros((len(specs), len(grid)))
    for k, spec in enumerate(specs):
        ch = spec.channel
        open_ = open_mask(grid, CHANNEL_HOURS[ch], minutes)
        shape = intraday_shape(ch, minute) * open_
        # Normalise the intraday shape per weekday so each open day's shares sum to 1.
        day_share = np.zeros(len(grid))
        for d in range(7):
            sel = wd == d
            one_day = shape[sel][: 24 * 60 // minutes]
            total = one_day.sum()
            if total > 0:
                day_share[sel] = shape[sel] / total
        weights = np.asarray(WEEKDAY_WEIGHT[ch], dtype=float)
        weekday_share = (weights / weights.sum())[wd]
        factor = np.where(is_holiday, HOLIDAY_FACTOR[ch], 1.0)
        factor = np.where(after_holiday & open_, factor * AFTER_HOLIDAY_FACTOR, factor)
        trend = (1.0 + spec.trend_per_year) ** years
        out[k] = spec.weekly_volume * weekday_share * day_share * trend * factor * duration
    return out


def draw_arrivals(rates: np.ndarray, grid: pd.DatetimeIndex, rng: np.random.Generator,
                  minutes: int = 30) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-homogeneous Poisson arrivals: a Poisson count per interval, times uniform within it.

    Returns (case type index, interval index, created_at as datetime64[s]) sorted by time.
    """
    counts = rng.poisson(rates)
    kind, interval = np.nonzero(counts)
    reps = counts[kind, interval]
    kind = np.repeat(kind, reps)
    interval = np.repeat(interval, reps)
    seconds = rng.integers(0, minutes * 60, size=len(kind))
    start = grid.to_numpy().astype("datetime64[s]")
    created = start[interval] + seconds.astype("timedelta64[s]")
    order = np.lexsort((kind, created))
    return kind[order], interval[order], created[order]


__all__ = [
    "draw_arrivals", "holiday_dates", "interval_grid", "intraday_shape", "open_mask",
    "true_rates", "wallclock_duration",
]
