"""A small center planned for one week, for the intraday tests.

Two case types, ``calls`` (transactional) and ``tech`` (standard, level 3), open Monday to Friday
08:00-18:00 on 30 minutes; ten agents, two of them on tech; shifts of 8 or 6 hours. The forecast
is flat (calls 12 and tech 4 per interval, 300 s each); requirements and the schedule come from the
product's own stages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from planner.io.writers import write_csv, write_text

MONDAY = pd.Timestamp("2026-11-23")
TUESDAY = MONDAY + pd.Timedelta(days=1)
NOW = "2026-11-24T11:00"
HOURS = ", ".join(f'{d} = "08:00-18:00"' for d in ("mon", "tue", "wed", "thu", "fri"))

TOML = f"""horizon_days = 7
seed = 0

[center]
interval_minutes = 30
opening_hours = {{ {HOURS}, sat = "closed", sun = "closed" }}

[case_types.calls]
channel = "phone"
complexity = "transactional"
service_level = 0.8
answer_seconds = 20

[case_types.tech]
channel = "phone"
complexity = "standard"
min_level = 3
service_level = 0.8
answer_seconds = 30

[shifts]
lengths_hours = [8.0, 6.0]
start_step_minutes = 60
min_rest_hours = 11.0
max_consecutive_days = 5
days_off_per_week = 2
allow_overnight = false
min_hours = 12.0
max_hours = 40.0
"""

AGENTS = [(f"A{n:02d}", f"Agent {n}") for n in range(1, 11)]
SKILLS = [(a, "calls", 3) for a, _ in AGENTS] + [("A01", "tech", 4), ("A02", "tech", 4),
                                                 ("A03", "tech", 3)]
VOLUME = {"calls": 12.0, "tech": 4.0}


def forecast_frame() -> pd.DataFrame:
    rows = []
    for d in range(7):
        for j in range(48):
            ts = MONDAY + pd.Timedelta(days=d, minutes=30 * j)
            open_ = d < 5 and 16 <= j < 36
            for c, v in VOLUME.items():
                vol = v if open_ else 0.0
                rows.append((c, ts, vol, 0.7 * vol, 1.3 * vol, 300.0))
    return pd.DataFrame(rows, columns=["case_type", "interval_start", "volume", "volume_low",
                                       "volume_high", "aht_seconds"])


def write_week(root: Path) -> tuple[Path, Path]:
    """The data folder and the planned run folder under ``root``."""
    from planner.pipeline import run_stage

    data, run = root / "data", root / "run"
    data.mkdir(parents=True)
    run.mkdir(parents=True)
    write_text(TOML, data / "planner.toml")
    write_csv(pd.DataFrame(AGENTS, columns=["agent_id", "name"]), data / "agents.csv")
    write_csv(pd.DataFrame(SKILLS, columns=["agent_id", "case_type", "level"]), data / "skills.csv")
    # a history file is required of every data folder; the forecast below is written by hand
    write_csv(pd.DataFrame({"case_type": ["calls", "tech"], "interval_start": ["2026-11-16T09:00"] * 2,
                            "volume": [12.0, 4.0]}), data / "volumes.csv")
    write_csv(forecast_frame(), run / "forecast.csv")
    run_stage("requirements", data, run)
    write_csv(pd.DataFrame({"agent_id": [a for a, _ in AGENTS], "tier": "medium"}), run / "tiers.csv")
    run_stage("schedule", data, run, time_limit=4.0)
    return data, run


def copy_week(base: tuple[Path, Path], root: Path) -> tuple[Path, Path]:
    data, run = root / "data", root / "run"
    shutil.copytree(base[0], data)
    shutil.copytree(base[1], run)
    return data, run


def actuals(factor: float, until: str = NOW) -> pd.DataFrame:
    """Counts of Tuesday from 08:00 up to ``until`` at ``factor`` times the forecast."""
    f = forecast_frame()
    f = f[(f["interval_start"] >= TUESDAY) & (f["interval_start"] < pd.Timestamp(until))
          & (f["volume"] > 0)]
    return f[["case_type", "interval_start"]].assign(volume=f["volume"] * factor)
