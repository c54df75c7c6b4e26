"""Synthetic centers with known rates, for the forecast tests (no file reads)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.io.config import CenterConfig, PlannerConfig

HOURS = {"mon": "08:00-20:00", "tue": "08:00-20:00", "wed": "08:00-20:00", "thu": "08:00-20:00",
         "fri": "08:00-20:00", "sat": "09:00-17:00", "sun": "closed"}
WEEKDAY = np.array([1.15, 1.05, 1.0, 1.0, 0.95, 0.5, 0.0])


def config(**center) -> PlannerConfig:
    args = {"timezone": "Europe/London", "opening_hours": HOURS, **center}
    return PlannerConfig(center=CenterConfig(**args))


def rates(start: str, weeks: int, daily: float, growth_per_week: float = 0.0,
          minutes: int = 30, peak: float = 11.0) -> pd.DataFrame:
    """True arrival rate per interval: level x trend x weekday x a two-peak intraday shape."""
    times = pd.date_range(start, periods=weeks * 7 * 24 * 60 // minutes, freq=f"{minutes}min")
    hour = times.hour + times.minute / 60
    wd = times.day_of_week.to_numpy()
    shape = np.exp(-0.5 * ((hour - peak) / 1.5) ** 2) + 0.7 * np.exp(-0.5 * ((hour - 15) / 2) ** 2)
    shape = np.asarray(shape)
    is_open = np.where(wd < 5, (hour >= 8) & (hour < 20), np.where(wd == 5, (hour >= 9) & (hour < 17),
                                                                   False))
    shape = np.where(is_open, shape, 0.0)
    per_day = pd.Series(shape).groupby(np.arange(len(times)) // (24 * 60 // minutes)).transform("sum")
    days = (times - times[0]).days.to_numpy()
    level = daily * (1 + growth_per_week) ** (days / 7)
    share = np.divide(shape, per_day.to_numpy(), out=np.zeros(len(shape)),
                      where=per_day.to_numpy() > 0)
    rate = level * WEEKDAY[wd] * share
    return pd.DataFrame({"interval_start": times, "rate": rate, "open": is_open})


def counts(rate: pd.DataFrame, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate["rate"].to_numpy()).astype(float)


def cases_frame(types: dict[str, pd.DataFrame], seed: int = 0) -> pd.DataFrame:
    """cases.csv-like frame from per-type rate tables (created_at uniform within the interval)."""
    rng = np.random.default_rng(seed)
    rows = []
    for name, rate in types.items():
        n = rng.poisson(rate["rate"].to_numpy())
        t = np.repeat(rate["interval_start"].to_numpy(), n)
        minutes = int((rate["interval_start"].iloc[1] - rate["interval_start"].iloc[0]).seconds // 60)
        t = t + (rng.random(len(t)) * minutes * 60).astype("timedelta64[s]")
        handle = rng.lognormal(np.log(300), 0.6, len(t))
        rows.append(pd.DataFrame({"created_at": t, "case_type": name, "handle_seconds": handle}))
    out = pd.concat(rows, ignore_index=True).sort_values("created_at", kind="stable")
    out["case_id"] = [f"C{i}" for i in range(len(out))]
    return out.reset_index(drop=True)
