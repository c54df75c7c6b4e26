"""The forecast stage as one library call: history in, forecast.csv and backtest.csv frames out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from planner.errors import MissingInputError, PlannerError
from planner.forecast.anomalies import Anomaly, anomaly_table, clean_history
from planner.forecast.backtest import (
    BASELINE,
    Progress,
    TypeBacktest,
    best_window,
    default_models,
    fit_model,
    pooled_prior,
    run_backtest,
)
from planner.forecast.base import Forecaster
from planner.forecast.calendar import (
    arrival_calendar,
    holiday_dates,
    holiday_mask,
    interval_grid,
    open_mask,
)
from planner.forecast.combination import COMBINATION, Combination
from planner.forecast.events import apply_to_forecast, apply_to_history, marked_events
from planner.forecast.handle_time import HandleTime, estimate_handle_time
from planner.forecast.history import (
    History,
    build_history,
    interval_counts,
    volumes_to_interval,
)
from planner.forecast.intervals import apply_quantiles, poisson_band
from planner.forecast.month import month_effects
from planner.forecast.profile import ProfileModel
from planner.forecast.yearly import yearly_factors
from planner.io.config import PlannerConfig
from planner.io.folder import DataFolder

FORECAST_COLUMNS = ["case_type", "interval_start", "volume", "volume_low", "volume_high",
                    "aht_seconds"]
BACKTEST_COLUMNS = ["case_type", "model", "chosen", "mase", "mase_vs_baseline", "wape", "bias",
                    "coverage", "origins", "note"]
# The columns of cases.csv the forecast reads (a data folder loaded for it need hold no others).
CASE_COLUMNS: tuple[str, ...] = ("created_at", "case_type", "handle_seconds", "abandoned")


@dataclass(frozen=True)
class ForecastResult:
    """``forecast`` (forecast.csv), ``backtest`` (backtest.csv), what was abnormal in the history
    (``anomalies``, anomalies.csv) and the notes of the run."""

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    notes: tuple[str, ...] = field(default=())
    chosen: dict[str, str] = field(default_factory=dict)
    anomalies: tuple[Anomaly, ...] = field(default=())

    @property
    def anomaly_table(self) -> pd.DataFrame:
        """anomalies.csv."""
        return anomaly_table(list(self.anomalies))


def history_frames(history: DataFolder | pd.DataFrame) -> tuple[pd.DataFrame | None,
                                                                 pd.DataFrame | None]:
    """(cases, volumes) from a data folder or a single frame."""
    if isinstance(history, DataFolder):
        if history.cases is None and history.volumes is None:
            raise MissingInputError(f"forecast needs cases.csv or volumes.csv in {history.path}")
        return history.cases, (history.volumes if history.cases is None else None)
    if "created_at" in history:
        return history, None
    if {"interval_start", "volume"} <= set(history.columns):
        return None, history
    raise MissingInputError("history must be cases (created_at, case_type) or volumes "
                            "(case_type, interval_start, volume)")


def forecast(history: DataFolder | pd.DataFrame, config: PlannerConfig | None = None, *,
             weeks: int = 1, start: date | datetime | str | None = None,
             interval_minutes: int | None = None, level: float = 0.8,
             models: Sequence[Forecaster] | None = None,
             events: pd.DataFrame | None = None,
             progress: Progress | None = None,
             case_types: Sequence[str] | None = None) -> ForecastResult:
    """Forecast volume (with an interval) and handle time per case type and interval.

    Parameters
    ----------
    history : DataFolder or DataFrame
        A data folder (its cases, else its volumes), or a cases / volumes frame.
    config : PlannerConfig, optional
        Calendar and case types; the folder's config when ``history`` is a DataFolder.
    weeks : int
        Horizon, 1 to 6 weeks.
    start : date, optional
        First forecast day (default: the day after the last history day). History on or after
        ``start`` is ignored, so a past week can be re-forecast.
    interval_minutes : int, optional
        15, 30 or 60 (default: the config's).
    level : float
        Central coverage of ``volume_low`` .. ``volume_high``.
    models : sequence of Forecaster, optional
        Candidate models (default: :func:`~planner.forecast.backtest.default_models`).
    events : DataFrame, optional
        events.csv rows (default: the folder's): ``exclude`` and ``uplift`` events marked by hand.
    progress : callable, optional
        ``progress(case_type, done, total)`` during the backtest.
    case_types : sequence of str, optional
        Forecast only these case types (a share of many queues, run apart and joined): the history
        of every type is still read, so each type's forecast is the one a forecast of all of
        them gives it.
    """
    if config is None:
        config = history.config if isinstance(history, DataFolder) else PlannerConfig()
    if not 1 <= weeks <= 6:
        raise PlannerError(f"weeks must be between 1 and 6, got {weeks}")
    if not 0 < level < 1:
        raise PlannerError(f"interval level must be between 0 and 1 (e.g. 0.8), got {level}")
    minutes = interval_minutes or config.center.interval_minutes
    if minutes not in (15, 30, 60):
        raise PlannerError(f"interval must be 15, 30 or 60 minutes, got {minutes}")
    cases, volumes = history_frames(history)
    counts = interval_counts(cases, minutes) if cases is not None else volumes_to_interval(
        volumes, minutes)
    types = sorted(set(config.case_types) | set(counts["case_type"].unique()))
    notes: list[str] = []
    first_day = None if start is None else pd.Timestamp(start).normalize()
    if first_day is not None:
        before = counts["interval_start"] < first_day
        if not before.all():
            notes.append(f"history from {first_day:%Y-%m-%d} on ignored (forecast starts there)")
        counts = counts[before]
        if counts.empty:
            raise PlannerError(f"no history before the start date {first_day:%Y-%m-%d}")
    hist = build_history(counts, config, minutes, rows_mean_presence=cases is None,
                         case_types=types)
    notes += hist.notes
    if events is None and isinstance(history, DataFolder):
        events = history.events
    marked = marked_events(events)
    hist, anomalies = apply_to_history(hist, marked)
    if first_day is None:
        first_day = hist.times[-1].normalize() + pd.Timedelta(days=1)
    elif first_day > hist.times[-1] + pd.Timedelta(minutes=minutes):
        notes.append(f"forecast starts {first_day:%Y-%m-%d}, "
                     f"{(first_day - hist.times[-1]).days} day(s) after the history ends")

    candidates = list(models) if models is not None else default_models()
    results = run_backtest(hist, weeks=weeks, level=level, models=candidates, progress=progress,
                           case_types=case_types)
    for r in results.values():
        notes += r.notes
    handle = history_handle_time(cases, volumes, types if case_types is None else list(results), minutes, hist)
    notes += handle.notes
    frame = _final_forecast(hist, results, handle, config, first_day, weeks, minutes, level, notes,
                            candidates, anomalies)
    frame, uplift_notes = apply_to_forecast(frame, marked)
    notes += uplift_notes
    if anomalies:
        shown = "; ".join(a.describe() for a in anomalies[:5])
        more = f" and {len(anomalies) - 5} more (anomalies.csv)" if len(anomalies) > 5 else ""
        notes.append(f"history anomalies: {shown}{more}")
    # the same note from every type (a short history) is said once
    return ForecastResult(frame, _backtest_table(results), tuple(dict.fromkeys(notes)),
                          {t: r.chosen for t, r in results.items()}, tuple(anomalies))


def history_handle_time(cases: pd.DataFrame | None, volumes: pd.DataFrame | None, types: list[str],
                 minutes: int, hist: History) -> HandleTime:
    if cases is not None:
        samples = pd.DataFrame({"case_type": cases["case_type"].astype(str),
                                "time": cases["created_at"],
                                "handle_seconds": (cases["handle_seconds"].astype(float)
                                                   if "handle_seconds" in cases else np.nan)})
        if "abandoned" in cases:
            samples = samples[~cases["abandoned"].fillna(False).astype(bool).to_numpy()]
    else:
        assert volumes is not None
        samples = pd.DataFrame({"case_type": volumes["case_type"].astype(str),
                                "time": volumes["interval_start"],
                                "handle_seconds": (volumes["aht_seconds"].astype(float)
                                                   if "aht_seconds" in volumes else np.nan),
                                "weight": volumes["volume"].astype(float)})
    end = hist.times[-1] + pd.Timedelta(minutes=minutes)
    return estimate_handle_time(samples, types, minutes, end=end)


def _model_for(label: str, candidates: Sequence[Forecaster],
               members: Sequence[str] = ()) -> Forecaster:
    """A fresh copy of the candidate with this label (the profile model for fallbacks)."""
    if label == COMBINATION:
        return Combination([_model_for(m, candidates) for m in members])
    for model in candidates:
        if model.label == label:
            return type(model)(**model.get_params())
    return ProfileModel()


def _final_forecast(hist: History, results: dict[str, TypeBacktest], handle: HandleTime,
                    config: PlannerConfig, first_day: pd.Timestamp, weeks: int, minutes: int,
                    level: float, notes: list[str], candidates: Sequence[Forecaster],
                    anomalies: list[Anomaly]) -> pd.DataFrame:
    """Fit each type's chosen model on all history (events left out, a level shift followed) and
    forecast the horizon; what was abnormal is added to ``anomalies``."""
    times = interval_grid(first_day, first_day + pd.Timedelta(weeks=weeks), minutes)
    hol = holiday_dates(config.center, range(times[0].year, times[-1].year + 1))
    prior = pooled_prior(hist, len(hist.times))
    frames = []
    holidays_open: set = set()
    for name, res in results.items():
        is_open = open_mask(times, arrival_calendar(config, name), hol)
        is_hol = holiday_mask(times, hol) & is_open
        holidays_open |= {d.date() for d in times[is_hol]}
        horizon = pd.DataFrame({"interval_start": times, "open": is_open})
        model = _model_for(res.chosen, candidates, res.members)
        raw = hist.frame(name)
        # paydays first: a month start is a season, not an anomaly to exclude
        month = month_effects(raw)
        if month.active:
            notes.append(f"{name}: {month.describe()}")
        frame, found = clean_history(month.deseasonalise(raw), name)
        anomalies += found
        model = fit_model(model, frame, prior)
        vol = (model.predict(horizon)["volume"].to_numpy() * yearly_factors(raw, times)
               * month.factors(times, is_open))
        if is_hol.any():
            factor = hist.holiday_factor.get(name, 0.5)
            vol = np.where(is_hol, vol * factor, vol)
        # the day after a public holiday catches up (callers who waited), learned from history
        after = _day_after(times, hol) & is_open
        if after.any():
            vol = np.where(after, vol * hist.after_holiday_factor.get(name, 1.0), vol)
        if res.quantiles is not None:
            low, high = apply_quantiles(vol, res.quantiles, res.dispersion)
        else:
            low, high = poisson_band(vol, level)
            notes.append(f"{name}: no backtest residuals; Poisson {level:.0%} band (not calibrated)")
        low, high = np.where(is_open, low, 0.0), np.where(is_open, high, 0.0)
        frames.append(pd.DataFrame({
            "case_type": name, "interval_start": times, "volume": vol, "volume_low": low,
            "volume_high": high, "aht_seconds": handle.lookup(name, times, minutes)}))
    if holidays_open:
        days = sorted(holidays_open)
        notes.append(f"open public holiday(s) in the horizon ({', '.join(map(str, days))}): "
                     f"volume scaled by each type's holiday factor")
    return pd.concat(frames, ignore_index=True)[FORECAST_COLUMNS]


def _day_after(times: pd.DatetimeIndex, hol: dict) -> np.ndarray:
    """True on the day after a public holiday (that is not a holiday itself)."""
    days = times.normalize()
    return days.isin([pd.Timestamp(d) + pd.Timedelta(days=1) for d in hol]) & ~holiday_mask(times, hol)


def _backtest_table(results: dict[str, TypeBacktest]) -> pd.DataFrame:
    rows = []
    for name, r in results.items():
        s = r.scores.copy()
        window = best_window(s)
        base = float(s.loc[s["model"] == window, "mase"].iloc[0]) if window else np.nan
        s["mase_vs_baseline"] = s["mase"] / base if base and np.isfinite(base) else np.nan
        s["case_type"] = name
        s["note"] = ""
        if window:
            s.loc[s["model"] == window, "note"] = f"best {BASELINE} (baseline)"
        if r.notes:
            s.loc[s["chosen"], "note"] = "; ".join(r.notes)
        rows.append(s)
    out = pd.concat(rows, ignore_index=True)
    return out[BACKTEST_COLUMNS]
