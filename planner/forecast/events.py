"""Events a planner marks by hand (events.csv): left out of the fit, or a known uplift.

``exclude`` makes the event's intervals unknown for the case types it names (all when none), as a
data gap; ``uplift`` with a ``multiplier`` divides the history inside the event by it (the models
learn the ordinary level) and multiplies the forecast inside it. An ``end`` at midnight includes
that whole day; any other end time is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from planner.forecast.anomalies import Anomaly
from planner.forecast.history import History


@dataclass(frozen=True)
class MarkedEvent:
    """One row of events.csv: ``[start, stop)`` in local time."""

    start: pd.Timestamp
    stop: pd.Timestamp
    case_type: str | None
    kind: str
    multiplier: float

    def covers(self, times: pd.DatetimeIndex, case_type: str) -> np.ndarray:
        if self.case_type is not None and self.case_type != case_type:
            return np.zeros(len(times), dtype=bool)
        return np.asarray((times >= self.start) & (times < self.stop))


def marked_events(events: pd.DataFrame | None) -> list[MarkedEvent]:
    """events.csv rows as :class:`MarkedEvent` (an end at midnight includes its day)."""
    if events is None or events.empty:
        return []
    out = []
    for row in events.itertuples(index=False):
        start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
        stop = end + pd.Timedelta(days=1) if end == end.normalize() else end
        name = getattr(row, "case_type", None)
        multiplier = getattr(row, "multiplier", np.nan)
        out.append(MarkedEvent(start, stop, name if isinstance(name, str) and name else None,
                               str(row.kind), float(multiplier) if pd.notna(multiplier) else 1.0))
    return out


def apply_to_history(history: History, events: list[MarkedEvent]) -> tuple[History, list[Anomaly]]:
    """History with excluded events unknown and uplifts divided out; what was applied, reported."""
    if not events:
        return history, []
    volume = dict(history.volume)
    found = []
    last = history.times[-1]
    for event in events:
        if event.start > last:
            continue
        for name in history.case_types:
            inside = event.covers(history.times, name)
            if not inside.any():
                continue
            if event.kind == "exclude":
                volume[name] = np.where(inside, np.nan, volume[name])
                action = "excluded (events.csv)"
            else:
                volume[name] = np.where(inside, volume[name] / event.multiplier, volume[name])
                action = f"divided by {event.multiplier:g} (events.csv)"
            days = history.times[inside].normalize()
            found.append(Anomaly(name, days[0], days[-1], "marked", event.multiplier - 1
                                 if event.kind == "uplift" else float("nan"), action))
    return replace(history, volume=volume), found


def apply_to_forecast(frame: pd.DataFrame, events: list[MarkedEvent]) -> tuple[pd.DataFrame, list[str]]:
    """forecast.csv with every uplift's intervals multiplied (volume and its interval)."""
    notes = []
    out = frame.copy()
    times = pd.DatetimeIndex(out["interval_start"])
    for event in events:
        if event.kind != "uplift":
            continue
        hit = np.zeros(len(out), dtype=bool)
        for name in out["case_type"].unique():
            rows = (out["case_type"] == name).to_numpy()
            hit |= rows & event.covers(times, str(name))
        if hit.any():
            for col in ("volume", "volume_low", "volume_high"):
                out.loc[hit, col] = out.loc[hit, col] * event.multiplier
            notes.append(f"events.csv: {event.case_type or 'every case type'} x{event.multiplier:g} "
                         f"from {event.start:%Y-%m-%d %H:%M} to {event.stop:%Y-%m-%d %H:%M}")
    return out, notes
