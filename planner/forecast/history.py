"""Volume history on the interval grid: cases or volumes.csv -> one array per case type, with the
center's calendar (open, public holiday) and the days that must not be learned from (masked).

Masked days are public holidays (so no model copies a holiday into next week) and data gaps (open
days without a single case of any type, or without a row in volumes.csv). Every such decision is
written to ``notes`` so the run reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.errors import ContractError, PlannerError, Problem
from planner.forecast.calendar import (
    arrival_calendar,
    holiday_dates,
    holiday_mask,
    interval_grid,
    open_mask,
    slots_per_day,
)
from planner.io.config import PlannerConfig

# Fewer than this many cases per open day on average and a day with no case is plausible, not a gap.
GAP_MIN_DAILY = 20.0
#: an open public holiday without any in history is assumed to bring half a normal day's volume
HOLIDAY_PRIOR = 0.5


@dataclass(frozen=True)
class History:
    """Interval volumes of every case type on one regular grid, with the calendar.

    ``volume[t]`` and ``open[t]`` are arrays over ``times`` per case type (volume NaN on masked
    days; open from the type's arrival calendar); ``holiday`` and ``masked`` (intervals no model
    learns from) are boolean arrays over ``times``.
    """

    times: pd.DatetimeIndex
    interval_minutes: int
    volume: dict[str, np.ndarray]
    open: dict[str, np.ndarray]
    holiday: np.ndarray
    masked: np.ndarray
    notes: tuple[str, ...] = field(default=())
    #: volume on an open public holiday relative to a normal day, per type (see holiday_factor)
    holiday_factor: dict[str, float] = field(default_factory=dict)
    #: volume on the day after a public holiday relative to a normal day (catch-up), per type
    after_holiday_factor: dict[str, float] = field(default_factory=dict)

    @property
    def case_types(self) -> list[str]:
        return list(self.volume)

    def frame(self, case_type: str, end: int | None = None) -> pd.DataFrame:
        """The history of one type as models see it: interval_start, volume (NaN = unknown), open."""
        stop = len(self.times) if end is None else end
        return pd.DataFrame({
            "interval_start": self.times[:stop],
            "volume": self.volume[case_type][:stop],
            "open": self.open[case_type][:stop],
        })


def interval_counts(cases: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """Offered cases per case type and interval (every case counts, abandoned ones too)."""
    start = cases["created_at"].dt.floor(f"{interval_minutes}min")
    out = (pd.DataFrame({"case_type": cases["case_type"].astype(str), "interval_start": start})
           .dropna().groupby(["case_type", "interval_start"]).size().rename("volume").reset_index())
    out["volume"] = out["volume"].astype(float)
    return out


def volumes_to_interval(volumes: pd.DataFrame, interval_minutes: int) -> pd.DataFrame:
    """volumes.csv re-aggregated to ``interval_minutes`` (coarser only: finer cannot be invented)."""
    v = volumes[["case_type", "interval_start", "volume"]].copy()
    minutes = v["interval_start"].dt.hour * 60 + v["interval_start"].dt.minute
    step = int(np.gcd.reduce(np.r_[minutes.to_numpy(dtype=np.int64), 24 * 60]))
    if interval_minutes % step:
        raise ContractError([Problem("volumes.csv", None, "interval_start", f"{step}-minute steps",
                                     f"intervals of {interval_minutes} minutes or finer (volumes "
                                     f"cannot be split into shorter intervals)")])
    v["case_type"] = v["case_type"].astype(str)
    v["interval_start"] = v["interval_start"].dt.floor(f"{interval_minutes}min")
    return v.groupby(["case_type", "interval_start"], as_index=False)["volume"].sum()


def build_history(counts: pd.DataFrame, config: PlannerConfig, interval_minutes: int,
                  *, rows_mean_presence: bool = False,
                  case_types: list[str] | None = None) -> History:
    """Put interval counts on the full grid from the first to the last history day.

    Parameters
    ----------
    counts : DataFrame
        ``case_type, interval_start, volume`` (from :func:`interval_counts` or volumes.csv).
    config : PlannerConfig
        Opening hours, closed dates, holidays.
    interval_minutes : int
        Grid step.
    rows_mean_presence : bool
        True for volumes.csv: a day without any row is missing data (a gap), not a zero.
    case_types : list of str, optional
        Types to include (also those without history: all zeros, noted).
    """
    if counts.empty:
        raise PlannerError("the history has no cases: nothing to forecast from")
    first = counts["interval_start"].min().normalize()
    last = counts["interval_start"].max().normalize() + pd.Timedelta(days=1)
    center = config.center
    hol = holiday_dates(center, range(first.year, last.year + 2))
    # days closed all day right after the last case (a Sunday) are known zeros, not the future
    names = list(case_types) if case_types else sorted(counts["case_type"].unique())
    for _ in range(6):
        day = interval_grid(last, last + pd.Timedelta(days=1), interval_minutes)
        if any(open_mask(day, arrival_calendar(config, n), hol).any()
               for n in names):
            break
        last += pd.Timedelta(days=1)
    times = interval_grid(first, last, interval_minutes)
    is_hol = holiday_mask(times, hol)
    pos = pd.Index(times)
    notes: list[str] = []
    types = list(case_types) if case_types else sorted(counts["case_type"].unique())
    volume: dict[str, np.ndarray] = {}
    opened: dict[str, np.ndarray] = {}
    for name in types:
        is_open = open_mask(times, arrival_calendar(config, name), hol)
        opened[name] = is_open
        sub = counts[counts["case_type"] == name]
        arr = np.zeros(len(times))
        if len(sub):
            idx = pos.get_indexer(sub["interval_start"])
            np.add.at(arr, idx, sub["volume"].to_numpy(dtype=float))
        else:
            notes.append(f"{name}: no history at all; forecast is zero")
        closed_mass = arr[~is_open].sum()
        if closed_mass > 0:
            notes.append(f"{name}: {closed_mass:.0f} of {arr.sum():.0f} cases "
                         f"({closed_mass / max(arr.sum(), 1):.1%}) arrived while the center is "
                         f"closed (opening hours, closed dates, holidays); they are not forecast")
        volume[name] = arr

    spd = slots_per_day(interval_minutes)
    is_open = np.logical_or.reduce(list(opened.values()))
    ndays = len(times) // spd
    day_open = is_open.reshape(ndays, spd).any(axis=1)
    day_total = sum(volume.values()).reshape(ndays, spd).sum(axis=1)
    if rows_mean_presence:
        present = np.zeros(len(times), dtype=bool)
        present[pos.get_indexer(counts["interval_start"])] = True
        day_gap = day_open & ~present.reshape(ndays, spd).any(axis=1)
        zero_rows = is_open & ~present & ~np.repeat(day_gap, spd)
        if zero_rows.any():
            notes.append(f"volumes: {int(zero_rows.sum())} open interval(s) without a row on days "
                         f"that have rows; read as 0 cases (exports drop zero rows)")
    else:
        day_gap = (day_total == 0) & (_typical_day(volume, opened, ndays, spd) >= GAP_MIN_DAILY)
    if day_gap.any():
        days = pd.DatetimeIndex(times[::spd][day_gap])
        notes.append(f"history has {int(day_gap.sum())} open day(s) without data "
                     f"({_ranges(days)}); treated as missing, not as zero demand")
    day_hol = is_hol.reshape(ndays, spd).any(axis=1)
    if (day_hol & day_open).any() or (day_hol & (day_total > 0)).any():
        days = pd.DatetimeIndex(times[::spd][day_hol])
        notes.append(f"public holidays in history masked ({_ranges(days)})")
    factors, after = {}, {}
    day_after = np.r_[False, day_hol[:-1]] & ~day_hol
    for name, arr in volume.items():
        type_open = opened[name].reshape(ndays, spd).any(axis=1)
        by_day = np.where(opened[name], arr, 0.0).reshape(ndays, spd)
        normal = type_open & ~day_gap & ~day_hol & ~day_after
        factors[name] = holiday_factor(by_day, day_hol & type_open & ~day_gap, normal)
        after[name] = holiday_factor(by_day, day_after & type_open & ~day_gap, normal, prior=1.0)
    masked = np.repeat(day_gap | day_hol, spd)
    for name in volume:
        volume[name] = np.where(masked, np.nan, volume[name])
    usable = int((~day_gap & ~day_hol & day_open).sum())
    if ndays < 7 or usable < 3:
        raise PlannerError(
            f"the history spans {ndays} day(s) ({times[0]:%Y-%m-%d} to {times[-1]:%Y-%m-%d}) with "
            f"{usable} usable open day(s); the forecast needs at least one full week")
    return History(times, interval_minutes, volume, opened, is_hol, masked, tuple(notes), factors,
                   after)


def _typical_day(volume: dict[str, np.ndarray], opened: dict[str, np.ndarray], ndays: int,
                 spd: int) -> np.ndarray:
    """Expected daily total of every day: for each type open that day, its median total on open
    days of the same weekday. A day with a typical total of 20 and not one case is a data gap;
    a Sunday open only for a type without history is not."""
    weekday = np.arange(ndays) % 7  # relative weekday; only equality matters
    out = np.zeros(ndays)
    for name, arr in volume.items():
        is_open = opened[name].reshape(ndays, spd).any(axis=1)
        totals = arr.reshape(ndays, spd).sum(axis=1)
        for wd in range(7):
            days = (weekday == wd) & is_open
            if days.any():
                out[days] += np.median(totals[days])
    return out


def holiday_factor(days: np.ndarray, holiday: np.ndarray, normal: np.ndarray,
                   prior: float = HOLIDAY_PRIOR) -> float:
    """Volume on special days (open public holidays, days after one) relative to a normal day.

    Each special day in history is compared with the mean of the same weekday over the two weeks
    before and after; the pooled ratio is shrunk toward ``prior`` with the weight of one day.

    Parameters
    ----------
    days : ndarray (days, slots)
        Volume per day and interval (closed intervals count 0).
    holiday, normal : ndarray (days,) of bool
        Special days to learn from; ordinary open days to compare with.
    prior : float
        Factor without evidence (0.5 for a holiday, 1 for the day after).
    """
    totals = days.sum(axis=1)
    actual = expected = 0.0
    count = 0
    for i in np.flatnonzero(holiday):
        near = [j for j in (i - 14, i - 7, i + 7, i + 14) if 0 <= j < len(totals) and normal[j]]
        if near:
            actual += totals[i]
            expected += totals[near].mean()
            count += 1
    if count == 0 or expected <= 0:
        return prior
    per_day = expected / count
    return float((actual + prior * per_day) / (expected + per_day))


def _ranges(days: pd.DatetimeIndex, limit: int = 4) -> str:
    """'2026-05-04..2026-05-10, 2026-06-01' for a sorted list of days."""
    if len(days) == 0:
        return ""
    runs: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for d in days:
        if runs and d - runs[-1][1] == pd.Timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    text = [f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in runs[:limit]]
    more = f" and {len(runs) - limit} more" if len(runs) > limit else ""
    return ", ".join(text) + more
