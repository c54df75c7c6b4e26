"""Demand weeks to months ahead: weekly volume per case type with an 80% interval.

Each type's recent level (the forecast's recent-level model: a robust level at the end of the
history x weekday effects x intraday shares, one week ahead) is carried forward week by week, moved
by the yearly factor of the same week last year where the history holds more than a year, and by a
yearly growth (``capacity.growth_per_year``, or measured year over year). The model's week gives
the intraday shape each week's volume is spread over; the calendar (opening hours, public holidays)
and the marked events of events.csv apply as in the weekly forecast. The interval comes from the
method's own errors on the history, by weeks ahead (a rolling-origin backtest on weekly totals),
with a variance growing linearly in the horizon beyond the weeks the history can test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.forecast.anomalies import clean_history
from planner.forecast.backtest import fit_model, pooled_prior
from planner.forecast.base import check_history
from planner.forecast.calendar import (
    arrival_calendar,
    holiday_dates,
    holiday_mask,
    interval_grid,
    open_mask,
    slot_of_week,
    slots_per_day,
)
from planner.forecast.events import apply_to_forecast, apply_to_history, marked_events
from planner.forecast.history import History, build_history, interval_counts, volumes_to_interval
from planner.forecast.pipeline import history_frames, history_handle_time
from planner.forecast.profile import PooledShape, daily_totals, day_matrix
from planner.forecast.recent import RecentLevelModel
from planner.forecast.yearly import YEAR_DAYS, yearly_factors
from planner.io.folder import DataFolder

#: days compared year over year for the measured growth
LEVEL_DAYS = 56
#: a backtest origin needs this many weeks of history before it
MIN_TRAIN_WEEKS = 4
#: two-sided 80% interval of a normal log error
Z80 = 1.2816
#: log-error variance per week ahead when the history is too short to measure it
FALLBACK_VARIANCE_PER_WEEK = 0.0025


@dataclass(frozen=True)
class Demand:
    """Interval volumes of every future week (``intervals``: case_type, interval_start, volume,
    volume_low, volume_high, aht_seconds) and their weekly totals (``weekly``)."""

    intervals: pd.DataFrame
    weekly: pd.DataFrame
    start: pd.Timestamp
    weeks: int
    growth_per_year: float
    growth_source: str
    notes: tuple[str, ...] = field(default=())


def _history(folder: DataFolder, minutes: int) -> tuple[History, list, pd.DataFrame | None,
                                                         pd.DataFrame | None]:
    config = folder.config
    cases, volumes = history_frames(folder)
    counts = interval_counts(cases, minutes) if cases is not None else volumes_to_interval(volumes, minutes)
    types = list(folder.case_types)
    hist = build_history(counts, config, minutes, rows_mean_presence=cases is None, case_types=types)
    marked = marked_events(folder.events)
    hist, _ = apply_to_history(hist, marked)
    return hist, marked, cases, volumes


def _daily(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Daily totals (NaN unknown or closed all day), weekday, the usable interval volumes by day,
    and which days are open at all."""
    times, y, is_open, minutes = check_history(frame)
    vol, opened, weekday = day_matrix(times, y, is_open, minutes)
    return daily_totals(vol, opened), weekday, vol, opened.any(axis=1)


def typical_week(frame: pd.DataFrame, prior: PooledShape | None, minutes: int) -> np.ndarray:
    """The week after ``frame`` as the recent-level model forecasts it, by interval of the week
    (Monday 00:00 first), on the type's usual opening hours (no holiday)."""
    times = pd.DatetimeIndex(frame["interval_start"])
    first = times[-1].normalize() + pd.Timedelta(days=1)
    week = interval_grid(first, first + pd.Timedelta(days=7), minutes)
    spd = slots_per_day(minutes)
    # the usual hours of each weekday: open in any of the last four weeks
    opened = frame["open"].to_numpy(dtype=bool)[-28 * spd:].reshape(-1, spd)
    days = times[-28 * spd::spd].day_of_week.to_numpy()
    usual = np.array([opened[days == week[d * spd].day_of_week].any(axis=0) for d in range(7)]).ravel()
    model = fit_model(RecentLevelModel(), frame, prior)
    volume = model.predict(pd.DataFrame({"interval_start": week, "open": usual}))["volume"].to_numpy()
    out = np.zeros(7 * spd)
    out[slot_of_week(week, minutes)] = np.nan_to_num(volume)
    return out


def weekly_level(frame: pd.DataFrame, prior: PooledShape | None, minutes: int) -> float:
    """Expected total of the week after ``frame``."""
    return float(typical_week(frame, prior, minutes).sum())


def measured_growth(daily: np.ndarray) -> float | None:
    """Year-over-year growth: the last LEVEL_DAYS days over the same days a year earlier (None
    when the history is shorter than that)."""
    n = len(daily)
    if n < YEAR_DAYS + LEVEL_DAYS:
        return None
    now = daily[n - LEVEL_DAYS:]
    then = daily[n - LEVEL_DAYS - YEAR_DAYS:n - YEAR_DAYS]
    both = np.isfinite(now) & np.isfinite(then)
    if both.sum() < LEVEL_DAYS // 2 or then[both].sum() <= 0:
        return None
    return float(now[both].sum() / then[both].sum() - 1.0)


def error_variance(frame: pd.DataFrame, prior: PooledShape | None, daily: np.ndarray,
                   open_day: np.ndarray, weeks: int) -> tuple[np.ndarray, int]:
    """Variance of the log error of the weekly level by weeks ahead (0-based), from origins every
    week of the history; beyond what the history tests, a line in the horizon. Also how many
    errors it rests on."""
    n = len(daily)
    known = np.where(open_day, daily, 0.0)  # a day closed all day is a known zero
    errors: list[tuple[int, float]] = []
    spd = len(frame) // n
    for origin in range(n - 7, 7 * MIN_TRAIN_WEEKS - 1, -7):
        forecast = weekly_level(frame.iloc[:origin * spd], prior, spd and 1440 // spd)
        if forecast <= 0:
            continue
        for h in range((n - origin) // 7):
            week = known[origin + 7 * h:origin + 7 * h + 7]
            if not np.isfinite(week).all() or week.sum() <= 0:
                continue
            errors.append((h, float(np.log(week.sum() / forecast))))
    if len(errors) < 3:
        return FALLBACK_VARIANCE_PER_WEEK * (np.arange(weeks) + 1.0), len(errors)
    h = np.array([e[0] for e in errors], dtype=float)
    sq = np.array([e[1] for e in errors]) ** 2
    # sigma^2(h) = a + b h, both >= 0: least squares, then the slope clipped at zero
    b = max(float(np.polyfit(h, sq, 1)[0]), 0.0) if np.ptp(h) > 0 else 0.0
    a = max(float(np.mean(sq - b * h)), 1e-6)
    return a + b * np.arange(weeks), len(errors)


def weekly_demand(folder: DataFolder, weeks: int, start: pd.Timestamp | None = None) -> Demand:
    """Interval and weekly volume per case type for ``weeks`` weeks from ``start`` (default: the
    day after the history)."""
    config = folder.config
    minutes = config.center.interval_minutes
    hist, marked, cases, volumes = _history(folder, minutes)
    notes: list[str] = list(hist.notes)
    first = pd.Timestamp(start).normalize() if start is not None else \
        hist.times[-1].normalize() + pd.Timedelta(days=1)
    times = interval_grid(first, first + pd.Timedelta(weeks=weeks), minutes)
    week_of = np.asarray((times - first).days // 7)
    hol = holiday_dates(config.center, range(times[0].year, times[-1].year + 1))
    handle = history_handle_time(cases, volumes, hist.case_types, minutes, hist)
    stated = config.capacity.growth_per_year
    prior = pooled_prior(hist, len(hist.times))
    frames, rows = [], []
    growth_used: list[float] = []
    source = "planner.toml" if stated is not None else ""
    for name in hist.case_types:
        raw = hist.frame(name)
        frame, _ = clean_history(raw, name)
        daily, _, _, open_day = _daily(frame)
        shape = typical_week(frame, prior, minutes)
        base = float(shape.sum())
        shape = shape / base if base > 0 else shape
        growth = stated
        if growth is None:
            growth = measured_growth(daily)
            source = source or ("measured year over year" if growth is not None else "")
            if growth is None:
                growth = 0.0
        growth_used.append(growth)
        share = shape[slot_of_week(times, minutes)]
        weeks_ahead = np.asarray((times - first).days) / 7.0
        trend = (1.0 + growth) ** (weeks_ahead * 7.0 / 365.25)
        # from the history before cleaning, as the weekly forecast: a December peak every year is
        # an outlier to the level model but the very thing the yearly factor must see
        season = yearly_factors(raw, times, origin=first)
        volume = base * share * trend * season
        is_open = open_mask(times, arrival_calendar(config, name), hol)
        is_hol = holiday_mask(times, hol) & is_open
        volume = np.where(is_open, volume, 0.0)
        volume = np.where(is_hol, volume * hist.holiday_factor.get(name, 0.5), volume)
        variance, used = error_variance(frame, prior, daily, open_day, weeks)
        if used < 3:
            notes.append(f"{name}: too little history to measure the error by weeks ahead; "
                         f"interval from an assumed {FALLBACK_VARIANCE_PER_WEEK:g} log-variance per week")
        half = Z80 * np.sqrt(variance[week_of])
        frames.append(pd.DataFrame({
            "case_type": name, "interval_start": times, "volume": volume,
            "volume_low": volume * np.exp(-half), "volume_high": volume * np.exp(half),
            "aht_seconds": handle.lookup(name, times, minutes)}))
        if (season != 1.0).any():
            rows.append(name)
    intervals = pd.concat(frames, ignore_index=True)
    intervals, uplift = apply_to_forecast(intervals, marked)
    notes += uplift
    if rows:
        notes.append(f"yearly factors from the same weeks last year: {', '.join(rows)}")
    if source == "":
        source = "none (history under a year and capacity.growth_per_year not set)"
    intervals["week_start"] = first + pd.to_timedelta(
        np.tile(week_of, len(hist.case_types)) * 7, unit="D")
    weekly = (intervals.groupby(["week_start", "case_type"], sort=False)
              [["volume", "volume_low", "volume_high"]].sum().reset_index())
    growth = float(np.mean(growth_used)) if growth_used else 0.0
    return Demand(intervals.drop(columns="week_start"), weekly, first, weeks, growth, source,
                  tuple(dict.fromkeys(notes)))
