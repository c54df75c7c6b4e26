"""Abnormal days in a case type's history: found, reported, and kept out of every model's fit.

:func:`clean_history` takes one type's history frame (the models' input), finds events, outliers and
a level shift with :mod:`planner.forecast.regimes`, and returns the frame every model learns from:
event and outlier days unknown (NaN, as a data gap), the days before a level shift scaled to the
current level. Each finding is an :class:`Anomaly` for anomalies.csv, the CLI and the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.forecast.base import check_history
from planner.forecast.calendar import slots_per_day
from planner.forecast.profile import daily_totals, day_matrix
from planner.forecast.regimes import MIN_DAILY, follow_level, read_regimes

ANOMALY_COLUMNS = ["case_type", "start", "end", "kind", "change", "action"]
ACTIONS = {"event": "excluded", "outlier": "excluded", "level_shift": "history scaled to it"}


@dataclass(frozen=True)
class Anomaly:
    """An abnormal stretch of one case type's history and what the forecast did with it."""

    case_type: str
    start: pd.Timestamp
    end: pd.Timestamp
    #: event (a temporary surge or dip), outlier (one odd day), level_shift, or marked (events.csv)
    kind: str
    #: volume against the level around it: +0.85 = 85% above
    change: float
    action: str

    def describe(self) -> str:
        """'billing: Tue 14 Feb 2026 +85%, event, excluded'."""
        span = (f"{self.start:%a %d %b %Y}" if self.start == self.end
                else f"{self.start:%a %d %b}..{self.end:%a %d %b %Y}")
        change = "" if not np.isfinite(self.change) else f" {self.change:+.0%}"
        return f"{self.case_type}: {span}{change}, {self.kind.replace('_', ' ')}, {self.action}"


def anomaly_table(anomalies: list[Anomaly]) -> pd.DataFrame:
    """anomalies.csv: one row per finding, oldest first."""
    rows = [{"case_type": a.case_type, "start": a.start.date(), "end": a.end.date(), "kind": a.kind,
             "change": round(a.change, 4) if np.isfinite(a.change) else np.nan,
             "action": a.action} for a in anomalies]
    return pd.DataFrame(rows, columns=ANOMALY_COLUMNS).sort_values(
        ["start", "case_type"], kind="stable").reset_index(drop=True)


def weekday_effects(daily: np.ndarray, weekday: np.ndarray, weeks: int = 12) -> np.ndarray:
    """Robust multiplicative weekday effects (Monday first, mean 1 over open weekdays, 0 closed).

    Each whole week (aligned to the end of history) whose open days are all known gives every
    weekday its ratio to that week's mean; the effect is the median ratio over the last ``weeks``
    such weeks, so a surge week or a trend does not bend it.
    """
    n = len(daily) // 7 * 7
    d, wd = daily[len(daily) - n:], weekday[len(daily) - n:]
    open_days = np.unique(wd[np.isfinite(d) & (np.nan_to_num(d) > 0)])
    effects = np.zeros(7)
    if len(open_days) == 0:
        return effects
    blocks = d.reshape(-1, 7)
    days = wd.reshape(-1, 7)
    ratios: dict[int, list[float]] = {int(k): [] for k in open_days}
    used = 0
    for block, names in zip(blocks[::-1], days[::-1], strict=True):
        is_open = np.isin(names, open_days)
        if not np.isfinite(block[is_open]).all() or used >= weeks:
            continue
        mean = block[is_open].mean()
        if mean <= 0:
            continue
        used += 1
        for value, name in zip(block[is_open], names[is_open], strict=True):
            ratios[int(name)].append(value / mean)
    for k in open_days:
        values = ratios[int(k)]
        if values:
            effects[k] = np.median(values)
        else:
            seen = d[(wd == k) & np.isfinite(d)]
            effects[k] = seen.mean() / np.nanmean(d) if len(seen) and np.nanmean(d) > 0 else 1.0
    mean = effects[open_days].mean()
    effects[open_days] = effects[open_days] / mean if mean > 0 else 1.0
    return effects


def log_levels(daily: np.ndarray, weekday: np.ndarray, effects: np.ndarray) -> np.ndarray:
    """Log of the deseasonalised daily totals (NaN where unknown or the weekday is closed)."""
    eff = effects[weekday]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(eff > 0, daily / np.where(eff > 0, eff, 1.0), np.nan)
    return np.log(np.maximum(z, 0.5))


def clean_history(frame: pd.DataFrame, case_type: str = "") -> tuple[pd.DataFrame, list[Anomaly]]:
    """The history a model should learn from, and what was found in it.

    Parameters
    ----------
    frame : DataFrame
        One type's ``interval_start, volume, open`` (the :class:`~planner.forecast.base.Forecaster`
        history contract).
    case_type : str
        For the reported anomalies.
    """
    times, y, is_open, minutes = check_history(frame)
    vol, opened, weekday = day_matrix(times, y, is_open, minutes)
    daily = daily_totals(vol, opened)
    known = np.isfinite(daily)
    if not known.any() or np.nanmedian(daily[known & (daily > 0)] if (daily > 0).any() else [0]) < MIN_DAILY:
        return frame, []
    excluded = np.zeros(len(daily), dtype=bool)
    for _ in range(2):
        effects = weekday_effects(np.where(excluded, np.nan, daily), weekday)
        u = log_levels(daily, weekday, effects)
        regimes = read_regimes(u, follow_level(u, counts=daily))
        excluded = regimes.excluded
    if not regimes.found:
        return frame, []
    spd = slots_per_day(minutes)
    day_starts = times[::spd]
    anomalies = [Anomaly(case_type, day_starts[a], day_starts[b], kind, change, ACTIONS[kind])
                 for kind, a, b, change in regimes.found]
    scale = np.repeat(regimes.rescale, spd)
    drop = np.repeat(regimes.excluded, spd)
    out = frame.copy()
    out["volume"] = np.where(drop, np.nan, y * scale)
    return out, anomalies
