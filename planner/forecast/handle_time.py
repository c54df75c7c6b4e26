"""Average handle time per case type and interval of the week.

Handle times have long right tails (a few cases take an hour), so the mean of a thin cell is noisy
and one outlier can double it. Each value is winsorised at its type's 99th percentile, the mean is
taken per (type, interval of week) over the recent weeks, and shrunk toward the type's overall level
with a pseudo-count: ``(n * cell + k * level) / (n + k)``. The result stays a mean (what Erlang
needs: the offered load is volume x mean handle time), not a median that would under-staff.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.forecast.calendar import slot_of_week

#: handle time used when the history has none for a type [s]
DEFAULT_AHT_SECONDS = 300.0


@dataclass(frozen=True)
class HandleTime:
    """``table`` has case_type, slot_of_week, aht_seconds for every type and interval of week."""

    table: pd.DataFrame
    notes: tuple[str, ...]

    def lookup(self, case_type: str, times: pd.DatetimeIndex, minutes: int) -> np.ndarray:
        """AHT [s] of ``case_type`` at ``times``."""
        sub = self.table[self.table["case_type"] == case_type]
        values = np.full(7 * 24 * 60 // minutes, DEFAULT_AHT_SECONDS)
        values[sub["slot_of_week"].to_numpy()] = sub["aht_seconds"].to_numpy()
        return values[slot_of_week(times, minutes)]


def shrunk_means(sums: np.ndarray, counts: np.ndarray, level: float, strength: float) -> np.ndarray:
    """``(sum + strength * level) / (count + strength)`` per cell: cell means pulled to ``level``."""
    return (sums + strength * level) / (counts + strength)


def estimate_handle_time(samples: pd.DataFrame, case_types: list[str], minutes: int, *,
                         end: pd.Timestamp | None = None, weeks: int = 12,
                         strength: float = 20.0, cap_quantile: float = 0.99) -> HandleTime:
    """AHT per type and interval of week from handled cases.

    Parameters
    ----------
    samples : DataFrame
        ``case_type, time, handle_seconds`` and optionally ``weight`` (volumes.csv rows carry
        their volume as weight). Rows without a positive handle time are ignored.
    case_types : list of str
        Types to produce (a type without handle times gets the default, noted).
    minutes : int
        Interval length.
    end : Timestamp, optional
        End of history; only the last ``weeks`` weeks before it are used.
    strength : float
        Pseudo-count of the shrinkage toward the type level [cases].
    cap_quantile : float
        Winsorising quantile of each type's handle times.
    """
    period = 7 * 24 * 60 // minutes
    notes: list[str] = []
    s = samples[samples["handle_seconds"].notna() & (samples["handle_seconds"] > 0)]
    if end is not None:
        s = s[(s["time"] < end) & (s["time"] >= end - pd.Timedelta(weeks=weeks))]
    weight = s["weight"].to_numpy(dtype=float) if "weight" in s else np.ones(len(s))
    frames = []
    slots = np.arange(period)
    for name in case_types:
        m = (s["case_type"] == name).to_numpy()
        if not m.any():
            notes.append(f"{name}: no handle times in history; aht_seconds = "
                         f"{DEFAULT_AHT_SECONDS:.0f} s (default)")
            aht = np.full(period, DEFAULT_AHT_SECONDS)
        else:
            h = s["handle_seconds"].to_numpy(dtype=float)[m]
            w = weight[m]
            h = np.minimum(h, np.quantile(h, cap_quantile))
            level = float((h * w).sum() / w.sum())
            sow = slot_of_week(pd.DatetimeIndex(s["time"].to_numpy()[m]), minutes)
            sums = np.bincount(sow, weights=h * w, minlength=period)
            counts = np.bincount(sow, weights=w, minlength=period)
            aht = shrunk_means(sums, counts, level, strength)
        frames.append(pd.DataFrame({"case_type": name, "slot_of_week": slots, "aht_seconds": aht}))
    return HandleTime(pd.concat(frames, ignore_index=True), tuple(notes))
