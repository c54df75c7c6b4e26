"""A generated center for the capacity plan's tests: volumes.csv with a flat intraday shape and a
planted seasonal factor per month, agents with one skill each, planner.toml with the capacity keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OPEN_HOURS = (8, 20)


def write_center(root: Path, *, start: str, days: int, daily: float = 1000.0,
                 month_factor: dict[int, float] | None = None, agents: int = 20,
                 capacity: str = "", extra: dict[str, str] | None = None, seed: int = 0) -> Path:
    """``days`` of history from ``start`` for one phone case type ``calls`` (AHT 300 s) open
    08:00-20:00 every day, Poisson volumes around ``daily`` cases a day times the month's factor;
    ``agents`` full-time agents who take calls."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    factor = month_factor or {}
    slots = (OPEN_HOURS[1] - OPEN_HOURS[0]) * 2
    rows = []
    for d in pd.date_range(start, periods=days, freq="D"):
        mean = daily * factor.get(d.month, 1.0) / slots
        times = d + pd.Timedelta(hours=OPEN_HOURS[0]) + pd.to_timedelta(np.arange(slots) * 30, unit="min")
        rows.append(pd.DataFrame({"case_type": "calls", "interval_start": times,
                                  "volume": rng.poisson(mean, slots), "aht_seconds": 300.0}))
    vol = pd.concat(rows, ignore_index=True)
    vol["interval_start"] = vol["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    vol.to_csv(root / "volumes.csv", index=False)
    ids = [f"a{i:03d}" for i in range(agents)]
    pd.DataFrame({"agent_id": ids, "name": ids, "max_hours": 40.0}).to_csv(root / "agents.csv", index=False)
    pd.DataFrame({"agent_id": ids, "case_type": "calls", "level": 3}).to_csv(root / "skills.csv", index=False)
    (root / "planner.toml").write_text(
        '[center]\ntimezone = "UTC"\ninterval_minutes = 30\n'
        'opening_hours = { mon = "08:00-20:00", tue = "08:00-20:00", wed = "08:00-20:00", '
        'thu = "08:00-20:00", fri = "08:00-20:00", sat = "08:00-20:00", sun = "08:00-20:00" }\n\n'
        '[case_types.calls]\nchannel = "phone"\nservice_level = 0.8\nanswer_seconds = 20\n\n'
        f"[capacity]\n{capacity}\n", encoding="utf-8")
    for name, text in (extra or {}).items():
        (root / name).write_text(text, encoding="utf-8")
    return root
